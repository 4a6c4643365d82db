"""Companies in the API: read-only public profiles; members also see their own company's details."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import viewsets

from portal.http.page_cache import CachedPublicListMixin
from portal.rest.entries import IdPageListMixin, entries_renderers

from .models import Company
from .serializers import CompanySerializer


class CompanyViewSet(CachedPublicListMixin, IdPageListMixin, viewsets.ReadOnlyModelViewSet):
    """Verified companies, plus the caller's own company whatever its status."""

    queryset = Company.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = CompanySerializer
    filterset_fields = ["province", "company_type"]
    search_fields = ["name_fa", "name_en"]
    ordering_fields = ["name_en", "name_fa", "certificate_expiry"]
    # A list reads the ids of its page; the entries come from the shared cache (portal/rest/entries.py).
    renderer_classes = entries_renderers()
    entries_kind = "company"

    def get_queryset(self) -> QuerySet[Company]:
        if getattr(self, "swagger_fake_view", False):
            return Company.objects.none()
        if self.action == "list":
            return self.readable().values_list("pk", flat=True)
        return self.readable()

    def readable(self) -> QuerySet[Company]:
        """The companies the caller may read."""
        return Company.objects.visible_to(self.request.user)
