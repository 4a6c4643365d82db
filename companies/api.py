"""Companies in the API: read-only public profiles; members also see their own company's details."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import viewsets

from portal.http.page_cache import CachedPublicListMixin

from .models import Company
from .serializers import CompanySerializer


class CompanyViewSet(CachedPublicListMixin, viewsets.ReadOnlyModelViewSet):
    """Verified companies, plus the caller's own company whatever its status."""

    queryset = Company.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = CompanySerializer
    filterset_fields = ["province", "company_type"]
    search_fields = ["name_fa", "name_en"]
    ordering_fields = ["name_en", "name_fa", "certificate_expiry"]

    def get_queryset(self) -> QuerySet[Company]:
        if getattr(self, "swagger_fake_view", False):
            return Company.objects.none()
        return Company.objects.visible_to(self.request.user)
