"""Deals in the API: the caller's company's or brokerage's deals, read-only (list and detail,
with lines, shipments, payments and the timeline). Anyone else's deals are 404s."""

from __future__ import annotations

import django_filters as filters
from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from . import services
from .models import Deal, DealCredit, DealLine, DealPartner
from .permissions import deals_visible_to, partners_visible_to
from .serializers import DealPartnerSerializer, DealSerializer


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
                Prefetch("credits", queryset=DealCredit.objects.select_related("broker")),
            )
            .order_by("-created_at", "-pk")
        )


class DealPartnerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Co-brokering invitations the caller's brokerage sent (for its deals) or received; the
    invited brokerage accepts or declines, the deal's brokerage withdraws (deals/services.py)."""

    queryset = DealPartner.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = DealPartnerSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = ["status"]

    def get_queryset(self) -> QuerySet[DealPartner]:
        if getattr(self, "swagger_fake_view", False):
            return DealPartner.objects.none()
        return (
            partners_visible_to(self.request.user)
            .select_related("deal", "broker")
            .order_by("-created_at", "-pk")
        )

    def filter_queryset(self, queryset: QuerySet[DealPartner]) -> QuerySet[DealPartner]:
        if self.action not in ("list", "retrieve"):
            return queryset
        return super().filter_queryset(queryset)

    def _respond(self, partner: DealPartner) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=partner.pk)).data)

    @extend_schema(request=None, responses=DealPartnerSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        """Join the deal as co-broker (the invited brokerage); the credits are re-split."""
        return self._respond(services.deal_partner_accept(partner=self.get_object(), by=request.user))

    @extend_schema(request=None, responses=DealPartnerSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str | None = None) -> Response:
        """Decline the invitation (the invited brokerage)."""
        return self._respond(services.deal_partner_decline(partner=self.get_object(), by=request.user))

    @extend_schema(request=None, responses=DealPartnerSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        """Withdraw an invitation not answered yet (the deal's brokerage)."""
        return self._respond(services.deal_partner_withdraw(partner=self.get_object(), by=request.user))
