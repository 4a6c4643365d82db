"""Deals in the API: the caller's company's or brokerage's deals, read-only (list and detail,
with lines, shipments, payments and the timeline). Anyone else's deals are 404s."""

from __future__ import annotations

import django_filters as filters
from django.db.models import Prefetch, QuerySet
from rest_framework import permissions, viewsets

from .models import Deal, DealLine
from .permissions import deals_visible_to
from .serializers import DealSerializer


class DealFilter(filters.FilterSet):
    destination = filters.CharFilter(field_name="destination__iso_code", lookup_expr="iexact")
    buyer_country = filters.CharFilter(field_name="buyer_country__iso_code", lookup_expr="iexact")

    class Meta:
        model = Deal
        fields = [
            "status",
            "origin",
            "company",
            "broker",
            "destination",
            "buyer_country",
            "incoterm",
            "currency",
        ]


class DealViewSet(viewsets.ReadOnlyModelViewSet):
    """Deals of the caller's company or brokerage; `?search=` by reference or buyer."""

    queryset = Deal.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = DealSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = DealFilter
    search_fields = ["reference", "buyer_name"]
    ordering_fields = ["created_at", "expected_value", "reference"]

    def get_queryset(self) -> QuerySet[Deal]:
        if getattr(self, "swagger_fake_view", False):
            return Deal.objects.none()
        return (
            deals_visible_to(self.request.user)
            .select_related("company", "broker", "destination", "buyer_country")
            .prefetch_related(
                Prefetch("lines", queryset=DealLine.objects.select_related("product")),
                "shipments",
                "payments__deal",
                "events",
            )
            .order_by("-created_at", "-pk")
        )
