"""Companies in the API: read-only public profiles; members also see their own company's details."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from portal.page_cache import CachedPublicListMixin, cache_public_list

from .models import Company
from .serializers import CompanySerializer


class CompanyViewSet(CachedPublicListMixin, viewsets.ReadOnlyModelViewSet):
    """Verified companies, plus the caller's own company whatever its status."""

    queryset = Company.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = CompanySerializer
    filterset_fields = ["province", "company_type"]
    search_fields = ["name_fa", "name_en"]
    ordering_fields = ["name_en", "name_fa", "certificate_expiry"]

    @cache_public_list
    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        """Verified companies (and the caller's own), filtered and searched."""
        return super().list(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Company]:
        if getattr(self, "swagger_fake_view", False):
            return Company.objects.none()
        return Company.objects.visible_to(self.request.user)
