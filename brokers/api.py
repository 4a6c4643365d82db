"""Brokers in the API: the directory, the offer board, the responses to offers and the inquiry
inbox. Brokerage members write their own offers, company members answer them, and both work their
inbox, through the same services as the HTML pages."""

from __future__ import annotations

from typing import Any

import django_filters as filters
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from companies.permissions import can_act_for_own_company, company_of
from portal.access import ALLOWED, Access, WriteAccess
from portal.http.page_cache import CachedPublicListMixin
from portal.models import User
from portal.rest.entries import IdPageListMixin, entries_renderers
from products.search import normalize_query

from . import mandates, partners, referrals, services
from .filters import BrokerFilter, InquiryFilter, OfferFilter
from .models import Broker, BuyerInquiry, Engagement, Mandate, Offer, OfferPartner, OfferResponse, Referral
from .permissions import (
    INQUIRY_HOLDER,
    broker_of,
    can_act_for_own_broker,
    can_edit_broker,
    get_offer_for_viewer,
    inbox_scope,
    offer_partners_visible_to,
    referrals_visible_to,
)
from .results import BrokerResults, results_for
from .serializers import (
    BrokerSerializer,
    EngagementRateSerializer,
    EngagementSerializer,
    EngagementStepSerializer,
    InquiryCloseInputSerializer,
    InquiryReplyInputSerializer,
    InquirySerializer,
    MandateInputSerializer,
    MandateRevokeSerializer,
    MandateSerializer,
    OfferCreateSerializer,
    OfferInputSerializer,
    OfferPartnerSerializer,
    OfferResponseDecisionSerializer,
    OfferResponseInputSerializer,
    OfferResponseSerializer,
    OfferSerializer,
    ReferralSerializer,
)

READ_ACTIONS = {"list", "retrieve"}


# ---------------------------------------------------------------------------
# Brokerages
# ---------------------------------------------------------------------------
class BrokerApiFilter(BrokerFilter):
    """The directory's FilterSet, with `search` as the API's name for the name search."""

    search = filters.CharFilter(label=_("Search"), method="filter_search")

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return self.filter_name(queryset, name, normalize_query(value))


class BrokerViewSet(viewsets.ReadOnlyModelViewSet):
    """Approved brokerages, plus the caller's own brokerage whatever its status."""

    queryset = Broker.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = BrokerSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = BrokerApiFilter

    def get_queryset(self) -> QuerySet[Broker]:
        if getattr(self, "swagger_fake_view", False):
            return Broker.objects.none()
        return Broker.objects.visible_to(self.request.user).prefetch_related("services", "countries")

    # The verified results as the public read them (the profile's and the directory's figures),
    # for a whole page at once: read where the page or the brokerage is fetched.
    _results: dict[int, BrokerResults] | None = None

    def paginate_queryset(self, queryset: QuerySet[Broker]) -> list[Broker] | None:
        page = super().paginate_queryset(queryset)
        self._results = results_for(page if page is not None else queryset)
        return page

    def get_object(self) -> Broker:
        broker = super().get_object()
        self._results = results_for([broker])
        return broker

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "results": self._results or {}}


# ---------------------------------------------------------------------------
# Offers
# ---------------------------------------------------------------------------
class OfferApiFilter(OfferFilter):
    """The offer board's FilterSet, plus `search` on the titles."""

    search = filters.CharFilter(label=_("Search"), method="filter_search")

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        text = normalize_query(value)
        return queryset.filter(Q(title_fa__icontains=text) | Q(title_en__icontains=text))


class OfferViewSet(
    CachedPublicListMixin, IdPageListMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Open offers of approved brokerages, plus every offer of the caller's own brokerage.

    Writes reach only the caller's brokerage's offers (anything else is a 404). There is no
    DELETE: closing takes an offer off the board instead."""

    queryset = Offer.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = OfferSerializer
    # Anyone reads; members of an active brokerage write (publishing needs approval: the services).
    permission_classes = [WriteAccess]
    filter_backends = [DjangoFilterBackend]
    filterset_class = OfferApiFilter
    # A list reads the ids of its page; the entries come from the shared cache (portal/rest/entries.py).
    renderer_classes = entries_renderers()
    entries_kind = "offer"

    def write_access(self, user: User) -> Access:
        return can_act_for_own_broker(user)

    def get_queryset(self) -> QuerySet[Offer]:
        if getattr(self, "swagger_fake_view", False):
            return Offer.objects.none()
        if self.action == "list":
            return self._allowed().values_list("pk", flat=True)
        return self.readable()

    def readable(self) -> QuerySet[Offer]:
        """The offers the caller may read (or write), with what the serializer shows."""
        return self._allowed().select_related("broker", "country").prefetch_related("categories")

    def _allowed(self) -> QuerySet[Offer]:
        user = self.request.user
        if self.action in READ_ACTIONS:
            return Offer.objects.visible_to(user)
        broker = broker_of(user)
        return broker.offers.all() if broker is not None else Offer.objects.none()

    def filter_queryset(self, queryset: QuerySet[Offer]) -> QuerySet[Offer]:
        # Board filters narrow reads; a write's query string must not hide the offer.
        if self.action not in READ_ACTIONS:
            return queryset
        return super().filter_queryset(queryset)

    def _respond(self, offer: Offer, status_code: int = status.HTTP_200_OK) -> Response:
        # Fetch again so the answer shows the saved state with its relations prefetched.
        offer = self.get_queryset().get(pk=offer.pk)
        return Response(self.get_serializer(offer).data, status=status_code)

    @extend_schema(request=OfferCreateSerializer, responses={201: OfferSerializer})
    def create(self, request: Request) -> Response:
        """Create an offer for the caller's brokerage: open at once, or a draft with publish=false."""
        data = OfferCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        offer = services.offer_create(broker=broker_of(request.user), by=request.user, **data.validated_data)
        return self._respond(offer, status.HTTP_201_CREATED)

    @extend_schema(request=OfferInputSerializer, responses=OfferSerializer)
    def update(self, request: Request, pk: str | None = None, *, partial: bool = False) -> Response:
        """Change an offer of the caller's brokerage (PATCH sends only the fields to change)."""
        offer = self.get_object()
        data = OfferInputSerializer(offer, data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        offer = services.offer_update(offer=offer, **data.validated_data)
        return self._respond(offer)

    @extend_schema(request=OfferInputSerializer, responses=OfferSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """Change some fields of an offer of the caller's brokerage."""
        return self.update(request, pk, partial=True)

    @extend_schema(request=None, responses=OfferSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        """Open a draft or reopen a closed offer; only approved brokerages may."""
        return self._respond(services.offer_publish(offer=self.get_object()))

    @extend_schema(request=None, responses=OfferSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        """Take an offer off the board; responses can no longer be sent."""
        return self._respond(services.offer_close(offer=self.get_object()))


# ---------------------------------------------------------------------------
# Responses
# ---------------------------------------------------------------------------
def _with_relations(responses: QuerySet[OfferResponse]) -> QuerySet[OfferResponse]:
    return responses.select_related("company", "submitted_by_broker").prefetch_related("products")


@extend_schema(
    parameters=[OpenApiParameter("offer_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="Offer id")]
)
class OfferResponsesOfOfferViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The responses to one offer: all of them for the offer's brokerage, only their own for a
    company's members; anyone else gets a 404. Company members POST here to respond."""

    queryset = OfferResponse.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = OfferResponseSerializer
    permission_classes = [WriteAccess]  # anyone may try to read; members of an active company respond
    filter_backends: list[type] = []

    def write_access(self, user: User) -> Access:
        return can_act_for_own_company(user)

    def get_offer(self) -> Offer:
        return get_offer_for_viewer(self.request.user, self.kwargs["offer_pk"])

    def get_queryset(self) -> QuerySet[OfferResponse]:
        if getattr(self, "swagger_fake_view", False):
            return OfferResponse.objects.none()
        user = self.request.user
        offer = self.get_offer()
        own_broker = broker_of(user)
        if own_broker is not None and own_broker.pk == offer.broker_id:
            return _with_relations(offer.responses.all())
        company = company_of(user)
        if company is None:
            raise Http404("not the offer's brokerage")
        return _with_relations(offer.responses.filter(company=company))

    @extend_schema(
        request=OfferResponseInputSerializer,
        responses={201: OfferResponseSerializer, 200: OfferResponseSerializer},
    )
    def create(self, request: Request, offer_pk: str | None = None) -> Response:
        """Send the caller's company's response (201), or change it if it exists already (200)."""
        company = company_of(request.user)
        offer = self.get_offer()
        existed = offer.responses.filter(company=company).exists()
        data = OfferResponseInputSerializer(data=request.data, company=company)
        data.is_valid(raise_exception=True)
        offer_response = services.response_submit(
            offer=offer, company=company, by=request.user, **data.validated_data
        )
        offer_response = _with_relations(OfferResponse.objects).get(pk=offer_response.pk)
        return Response(
            self.get_serializer(offer_response).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )


class OfferResponseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Responses the caller may see: their company's own, or those to their brokerage's offers.
    Only the offer's brokerage decides on a response (anyone else gets a 404)."""

    queryset = OfferResponse.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = OfferResponseSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_fields = ["status"]

    def get_queryset(self) -> QuerySet[OfferResponse]:
        if getattr(self, "swagger_fake_view", False):
            return OfferResponse.objects.none()
        user = self.request.user
        if self.action in READ_ACTIONS:
            return _with_relations(OfferResponse.objects.visible_to(user))
        broker = broker_of(user)
        if broker is None:
            return OfferResponse.objects.none()
        return _with_relations(OfferResponse.objects.filter(offer__broker=broker)).select_related(
            "offer__broker"
        )

    def filter_queryset(self, queryset: QuerySet[OfferResponse]) -> QuerySet[OfferResponse]:
        if self.action not in READ_ACTIONS:
            return queryset
        return super().filter_queryset(queryset)

    @extend_schema(request=OfferResponseDecisionSerializer, responses=OfferResponseSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        """Shortlist, accept or decline a response to an offer of the caller's brokerage."""
        offer_response = self.get_object()
        can_edit_broker(request.user, offer_response.offer.broker).require()
        data = OfferResponseDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        offer_response = services.response_decide(
            response=offer_response, by=request.user, **data.validated_data
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=offer_response.pk)).data)


# ---------------------------------------------------------------------------
# Engagements
# ---------------------------------------------------------------------------
class EngagementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Service engagements of the caller's company or brokerage (anyone else's are 404s). Each side
    takes its steps and rates through the same services as the pages."""

    queryset = Engagement.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = EngagementSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_fields = ["status"]

    def get_queryset(self) -> QuerySet[Engagement]:
        if getattr(self, "swagger_fake_view", False):
            return Engagement.objects.none()
        return (
            Engagement.objects.visible_to(self.request.user)
            .select_related("service__service_type", "broker", "company")
            .prefetch_related("ratings")
        )

    def filter_queryset(self, queryset: QuerySet[Engagement]) -> QuerySet[Engagement]:
        if self.action not in READ_ACTIONS:
            return queryset
        return super().filter_queryset(queryset)

    def _respond(self, engagement: Engagement) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=engagement.pk)).data)

    @extend_schema(request=EngagementStepSerializer, responses=EngagementSerializer)
    @action(detail=True, methods=["post"])
    def step(self, request: Request, pk: str | None = None) -> Response:
        """Accept, decline or deliver (the brokerage), or close (either side)."""
        engagement = self.get_object()
        data = EngagementStepSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.engagement_act(engagement=engagement, by=request.user, **data.validated_data)
        return self._respond(engagement)

    @extend_schema(request=EngagementRateSerializer, responses=EngagementSerializer)
    @action(detail=True, methods=["post"])
    def rate(self, request: Request, pk: str | None = None) -> Response:
        """Rate a delivered engagement, once for each side (1 to 5, and a comment)."""
        engagement = self.get_object()
        data = EngagementRateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.engagement_rate(engagement=engagement, by=request.user, **data.validated_data)
        return self._respond(engagement)


# ---------------------------------------------------------------------------
# The inquiry inbox
# ---------------------------------------------------------------------------
class InquiryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The caller's inquiry inbox: inquiries from the countries their approved brokerage covers,
    or about their company's products. Any other inquiry is a 404, to read as to act on. Actions
    go through the same services as the pages: claim, release, reply, convert, close."""

    queryset = BuyerInquiry.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = InquirySerializer
    permission_classes = [permissions.IsAuthenticated]
    filter_backends = [DjangoFilterBackend]
    filterset_class = InquiryFilter

    def get_queryset(self) -> QuerySet[BuyerInquiry]:
        if getattr(self, "swagger_fake_view", False):
            return BuyerInquiry.objects.none()
        return (
            inbox_scope(self.request.user)
            .inquiries()
            .select_related("country", "holder", *INQUIRY_HOLDER)
            .prefetch_related("replies")
            .order_by("-created_at", "-pk")
        )

    def filter_queryset(self, queryset: QuerySet[BuyerInquiry]) -> QuerySet[BuyerInquiry]:
        if self.action not in READ_ACTIONS:
            return queryset  # a filter in an action's query string must not hide the inquiry
        return super().filter_queryset(queryset)

    def _respond(self, inquiry: BuyerInquiry, status_code: int = status.HTTP_200_OK) -> Response:
        inquiry = self.get_queryset().get(pk=inquiry.pk)
        return Response(self.get_serializer(inquiry).data, status=status_code)

    @extend_schema(request=None, responses=InquirySerializer)
    @action(detail=True, methods=["post"])
    def claim(self, request: Request, pk: str | None = None) -> Response:
        """Hold the inquiry: only the caller replies to it until they release it."""
        return self._respond(services.inquiry_claim(inquiry=self.get_object(), by=request.user))

    @extend_schema(request=None, responses=InquirySerializer)
    @action(detail=True, methods=["post"])
    def release(self, request: Request, pk: str | None = None) -> Response:
        """Give back an inquiry the caller holds and has not answered."""
        return self._respond(services.inquiry_release(inquiry=self.get_object(), by=request.user))

    @extend_schema(request=InquiryReplyInputSerializer, responses={201: InquirySerializer})
    @action(detail=True, methods=["post"])
    def reply(self, request: Request, pk: str | None = None) -> Response:
        """Reply to the buyer (the holder only): e-mailed with the inquiry's reference."""
        inquiry = self.get_object()
        data = InquiryReplyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.inquiry_reply(inquiry=inquiry, by=request.user, **data.validated_data)
        return self._respond(inquiry, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=InquirySerializer)
    @action(detail=True, methods=["post"])
    def convert(self, request: Request, pk: str | None = None) -> Response:
        """Record that the inquiry became a deal (the holder only)."""
        return self._respond(services.inquiry_convert(inquiry=self.get_object(), by=request.user))

    @extend_schema(request=InquiryCloseInputSerializer, responses=InquirySerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        """Close the inquiry with a reason (spam, not_our_product, unreachable, duplicate, other)."""
        inquiry = self.get_object()
        data = InquiryCloseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(services.inquiry_close(inquiry=inquiry, by=request.user, **data.validated_data))


# ---------------------------------------------------------------------------
# Mandates
# ---------------------------------------------------------------------------
class MandateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Mandates the caller's company gave or the caller's brokerage holds (anyone else's are 404s).
    A company's members give one (POST) and revoke it (revoke/), through the same services as the
    pages."""

    queryset = Mandate.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = MandateSerializer
    permission_classes = [WriteAccess]
    filter_backends = [DjangoFilterBackend]
    filterset_fields = ["company", "broker"]

    def write_access(self, user: User) -> Access:
        return can_act_for_own_company(user) if self.action == "create" else ALLOWED

    def get_queryset(self) -> QuerySet[Mandate]:
        if getattr(self, "swagger_fake_view", False):
            return Mandate.objects.none()
        return (
            Mandate.objects.visible_to(self.request.user)
            .select_related("company", "broker")
            .prefetch_related("countries", "categories")
            .order_by("-created_at", "-pk")
        )

    def filter_queryset(self, queryset: QuerySet[Mandate]) -> QuerySet[Mandate]:
        if self.action not in READ_ACTIONS:
            return queryset
        return super().filter_queryset(queryset)

    def _respond(self, mandate: Mandate, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=mandate.pk)).data, status=status_code)

    @extend_schema(request=MandateInputSerializer, responses={201: MandateSerializer})
    def create(self, request: Request) -> Response:
        """Give a brokerage a mandate for the caller's company."""
        data = MandateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        mandate = mandates.mandate_grant(
            company=company_of(request.user), by=request.user, **data.validated_data
        )
        return self._respond(mandate, status.HTTP_201_CREATED)

    @extend_schema(request=MandateRevokeSerializer, responses=MandateSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        """Revoke a mandate the caller's company gave (the brokerage can no longer act under it)."""
        mandate = self.get_object()
        data = MandateRevokeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        mandates.mandate_revoke(mandate=mandate, by=request.user, **data.validated_data)
        return self._respond(mandate)


# ---------------------------------------------------------------------------
# Referrals between brokerages
# ---------------------------------------------------------------------------
class ReferralViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Referrals the caller's brokerage sent or received (anyone else's are 404s). The receiving
    brokerage accepts or declines, the referring one withdraws, through the pages' services."""

    queryset = Referral.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = ReferralSerializer
    permission_classes = [permissions.IsAuthenticated]
    filter_backends = [DjangoFilterBackend]
    filterset_fields = ["status"]

    def get_queryset(self) -> QuerySet[Referral]:
        if getattr(self, "swagger_fake_view", False):
            return Referral.objects.none()
        return (
            referrals_visible_to(self.request.user)
            .select_related("from_broker", "to_broker", "inquiry", "country", "service")
            .order_by("-created_at", "-pk")
        )

    def filter_queryset(self, queryset: QuerySet[Referral]) -> QuerySet[Referral]:
        if self.action not in READ_ACTIONS:
            return queryset
        return super().filter_queryset(queryset)

    def _respond(self, referral: Referral) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=referral.pk)).data)

    @extend_schema(request=None, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        """Take the referred work (the receiving brokerage): a referred inquiry is the caller's now."""
        return self._respond(referrals.referral_accept(referral=self.get_object(), by=request.user))

    @extend_schema(request=None, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str | None = None) -> Response:
        """Turn the referral down (the receiving brokerage)."""
        return self._respond(referrals.referral_decline(referral=self.get_object(), by=request.user))

    @extend_schema(request=None, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        """Take the referral back before it is answered (the referring brokerage)."""
        return self._respond(referrals.referral_withdraw(referral=self.get_object(), by=request.user))


# ---------------------------------------------------------------------------
# Co-brokers on offers
# ---------------------------------------------------------------------------
class OfferPartnerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Offer co-brokering invitations the caller's brokerage sent or received; the invited
    brokerage accepts or declines, the offer's withdraws (brokers/partners.py)."""

    queryset = OfferPartner.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = OfferPartnerSerializer
    permission_classes = [permissions.IsAuthenticated]
    filter_backends = [DjangoFilterBackend]
    filterset_fields = ["status"]

    def get_queryset(self) -> QuerySet[OfferPartner]:
        if getattr(self, "swagger_fake_view", False):
            return OfferPartner.objects.none()
        return (
            offer_partners_visible_to(self.request.user)
            .select_related("offer", "broker")
            .order_by("-created_at", "-pk")
        )

    def filter_queryset(self, queryset: QuerySet[OfferPartner]) -> QuerySet[OfferPartner]:
        if self.action not in READ_ACTIONS:
            return queryset
        return super().filter_queryset(queryset)

    def _respond(self, partner: OfferPartner) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=partner.pk)).data)

    @extend_schema(request=None, responses=OfferPartnerSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        """Co-broker the offer (the invited brokerage): it then reads the offer's responses."""
        return self._respond(partners.offer_partner_accept(partner=self.get_object(), by=request.user))

    @extend_schema(request=None, responses=OfferPartnerSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str | None = None) -> Response:
        """Decline the invitation (the invited brokerage)."""
        return self._respond(partners.offer_partner_decline(partner=self.get_object(), by=request.user))

    @extend_schema(request=None, responses=OfferPartnerSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        """Withdraw an invitation not answered yet (the offer's brokerage)."""
        return self._respond(partners.offer_partner_withdraw(partner=self.get_object(), by=request.user))
