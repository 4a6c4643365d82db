"""Broker serializers: output shapes for brokerages, offers and responses, and input serializers
for the writes (an offer, a company's response, a broker's decision on it)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from companies.models import Company
from companies.serializers import CompanyBriefSerializer
from portal.models import TargetCountry
from portal.rest.plumbing import DigitsInputMixin, LocalizedDecimalField, OptionalURLField
from products.models import Product, ProductCategory

from .models import (
    Broker,
    BrokerService,
    BuyerInquiry,
    Engagement,
    EngagementRating,
    InquiryReply,
    Mandate,
    Offer,
    OfferPartner,
    OfferResponse,
    Referral,
)
from .permissions import broker_of, can_see_buyer_email, inquiry_inbox_actions


@extend_schema_field(
    {
        "type": "string",
        "description": f"Unit of the quantity, as for products: {', '.join(Product.Unit.values)}.",
    }
)
class UnitField(serializers.ChoiceField):
    """Product.Unit. As an enum under the name `unit` it would be a second name for the schema's
    CapacityUnitEnum (a spectacular warning), so the schema lists the values in words."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Product.Unit.choices, **kwargs)


# ---------------------------------------------------------------------------
# Brokerages
# ---------------------------------------------------------------------------
class BrokerResultsSerializer(serializers.Serializer):
    """A brokerage's verified results as the public read them (brokers.results.BrokerResults.public)."""

    deals = serializers.IntegerField(help_text="Deals credited to the brokerage that were shipped or paid")
    credited_deals = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="The sum of its shares in them (a 60% share counts 0.6)"
    )
    countries = serializers.SerializerMethodField(help_text="ISO codes of the countries they went to")
    value_usd = serializers.IntegerField(
        source="value_rounded",
        allow_null=True,
        help_text=(
            "Its credited share of the payments received, in US dollars rounded to the thousand; null "
            "when fewer than three companies stand behind it"
        ),
    )

    def get_countries(self, results: Any) -> list[str]:
        return [country.iso_code for country in results.countries]


class BrokerSerializer(serializers.ModelSerializer):
    """A brokerage's public profile. Members of the brokerage itself also receive licence_number;
    the licence scan is never part of the API. `results` are its verified results once the centre
    made them public (null before), computed for a whole page at once by the view (`results` in
    the context)."""

    name = serializers.CharField(read_only=True)
    website = OptionalURLField(read_only=True)
    services = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    countries = serializers.SlugRelatedField(slug_field="iso_code", many=True, read_only=True)
    languages = serializers.ListField(child=serializers.CharField(), read_only=True)
    results = serializers.SerializerMethodField()

    class Meta:
        model = Broker
        fields = [
            "id", "name", "name_fa", "name_en", "services", "countries", "languages", "offices",
            "description_fa", "description_en", "email", "phone", "website", "logo", "status", "results",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(BrokerResultsSerializer(allow_null=True))
    def get_results(self, instance: Broker) -> dict[str, Any] | None:
        results = self.context.get("results", {}).get(instance.pk)
        return BrokerResultsSerializer(results).data if results is not None else None

    def to_representation(self, instance: Broker) -> dict[str, Any]:
        data = super().to_representation(instance)
        request = self.context.get("request")
        own = broker_of(request.user) if request is not None else None
        if own is not None and own.pk == instance.pk:
            data["licence_number"] = instance.licence_number
        return data


class BrokerBriefSerializer(serializers.ModelSerializer):
    """The few words about a brokerage that travel with its offers."""

    name = serializers.CharField(read_only=True)

    class Meta:
        model = Broker
        fields = ["id", "name"]
        read_only_fields = fields


# ---------------------------------------------------------------------------
# Offers
# ---------------------------------------------------------------------------
class OfferSerializer(serializers.ModelSerializer):
    title = serializers.CharField(read_only=True)
    country = serializers.SlugRelatedField(slug_field="iso_code", read_only=True)
    categories = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    broker = BrokerBriefSerializer(read_only=True)
    unit = UnitField(read_only=True)

    class Meta:
        model = Offer
        fields = [
            "id", "kind", "country", "categories", "title", "title_fa", "title_en", "description_fa",
            "description_en", "quantity", "unit", "target_price", "currency", "deadline", "status",
            "broker", "published_at",
        ]  # fmt: skip
        read_only_fields = fields


class OfferInputSerializer(DigitsInputMixin, serializers.ModelSerializer):
    """What a brokerage member may send to change an offer; the brokerage and the status are never
    taken from input (publish/ and close/ change the status)."""

    digit_fields = ("quantity", "target_price", "deadline")

    # Any active country: whether the brokerage covers it is the service's rule, named on `country`.
    country = serializers.SlugRelatedField(slug_field="iso_code", queryset=TargetCountry.objects.active())
    categories = serializers.SlugRelatedField(
        slug_field="slug", many=True, allow_empty=False, queryset=ProductCategory.objects.all()
    )
    target_price = LocalizedDecimalField(
        max_digits=14, decimal_places=2, min_value=Decimal("0"), required=False, allow_null=True
    )
    unit = UnitField(required=False, allow_blank=True)

    class Meta:
        model = Offer
        fields = [
            "kind", "country", "categories", "title_fa", "title_en", "description_fa", "description_en",
            "quantity", "unit", "target_price", "currency", "deadline",
        ]  # fmt: skip


class OfferCreateSerializer(OfferInputSerializer):
    publish = serializers.BooleanField(
        default=True, write_only=True, help_text="Open the offer at once (default) or keep it a draft."
    )

    class Meta(OfferInputSerializer.Meta):
        fields = [*OfferInputSerializer.Meta.fields, "publish"]


# ---------------------------------------------------------------------------
# Responses
# ---------------------------------------------------------------------------
class OfferResponseSerializer(serializers.ModelSerializer):
    """A response; `submitted_by_broker` names the brokerage that sent it for the company under the
    company's mandate ("by broker X for company Y"), null when the company answered itself."""

    company = CompanyBriefSerializer(read_only=True)
    submitted_by_broker = BrokerBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = OfferResponse
        fields = [
            "id", "offer", "company", "submitted_by_broker", "products", "unit_price", "currency", "quantity",
            "lead_time_days", "message", "status", "created_at", "decided_at",
        ]  # fmt: skip
        read_only_fields = fields


class OfferResponseInputSerializer(DigitsInputMixin, serializers.ModelSerializer):
    """A company's answer to an offer; `products` are ids of the company's own products."""

    digit_fields = ("unit_price", "quantity", "lead_time_days")

    products = serializers.PrimaryKeyRelatedField(many=True, queryset=Product.objects.none())
    unit_price = LocalizedDecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0"))

    class Meta:
        model = OfferResponse
        fields = ["products", "unit_price", "currency", "quantity", "lead_time_days", "message"]

    def __init__(self, *args: Any, company: Company | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Other companies' products do not exist for this caller; the service checks they are published.
        if company is not None:
            self.fields["products"].child_relation.queryset = company.products.all()


class OfferResponseDecisionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[
            (status.value, status.label)
            for status in (
                OfferResponse.Status.SHORTLISTED,
                OfferResponse.Status.ACCEPTED,
                OfferResponse.Status.DECLINED,
            )
        ]
    )


class BrokerServiceSerializer(serializers.ModelSerializer):
    service_type = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    countries = serializers.SlugRelatedField(slug_field="iso_code", many=True, read_only=True)

    class Meta:
        model = BrokerService
        fields = [
            "id", "broker", "service_type", "fee_model", "fee_amount", "fee_percent", "currency", "countries",
            "description_fa", "description_en",
        ]  # fmt: skip
        read_only_fields = fields


class EngagementRatingSerializer(serializers.ModelSerializer):
    class Meta:
        model = EngagementRating
        fields = ["side", "score", "comment"]
        read_only_fields = fields


class EngagementSerializer(serializers.ModelSerializer):
    """An engagement as its company and its brokerage see it."""

    service_type = serializers.SlugRelatedField(
        source="service.service_type", slug_field="slug", read_only=True
    )
    ratings = EngagementRatingSerializer(many=True, read_only=True)

    class Meta:
        model = Engagement
        fields = [
            "id", "service", "service_type", "broker", "company", "message", "status", "delivered_at",
            "closed_at", "created_at", "ratings",
        ]  # fmt: skip
        read_only_fields = fields


class EngagementStepSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=[(a, a) for a in ("accept", "decline", "deliver", "close")])
    note = serializers.CharField(max_length=3000, required=False, allow_blank=True, default="")


class EngagementRateSerializer(DigitsInputMixin, serializers.Serializer):
    digit_fields = ("score",)

    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


# ---------------------------------------------------------------------------
# The inquiry inbox
# ---------------------------------------------------------------------------
class InquiryReplySerializer(serializers.ModelSerializer):
    class Meta:
        model = InquiryReply
        fields = ["id", "sender", "body", "created_at"]
        read_only_fields = fields


class InquirySerializer(serializers.ModelSerializer):
    """An inquiry in the caller's inbox. `email` is the buyer's address for whoever holds the
    inquiry, null for the others; `holder` names who claimed it; `allowed_actions` are the
    inbox actions the caller may take now (claim, release, reply, convert, close)."""

    country = serializers.SlugRelatedField(slug_field="iso_code", read_only=True)
    email = serializers.SerializerMethodField()
    holder = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()
    replies = InquiryReplySerializer(many=True, read_only=True)

    class Meta:
        model = BuyerInquiry
        fields = [
            "id", "reference", "status", "name", "organisation", "country", "product", "company", "message",
            "email", "language", "holder", "claimed_at", "answered_at", "closed_at", "close_reason",
            "close_note", "created_at", "replies", "allowed_actions",
        ]  # fmt: skip
        read_only_fields = fields

    def _user(self) -> Any:
        return self.context["request"].user

    def get_email(self, inquiry: BuyerInquiry) -> str | None:
        return inquiry.email if can_see_buyer_email(self._user(), inquiry) else None

    def get_holder(self, inquiry: BuyerInquiry) -> str | None:
        return inquiry.holder_label or None

    def get_allowed_actions(self, inquiry: BuyerInquiry) -> list[str]:
        if not hasattr(inquiry, "allowed_actions"):
            inquiry.allowed_actions = inquiry_inbox_actions(self._user(), inquiry)
        return inquiry.allowed_actions


class InquiryReplyInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=5000, trim_whitespace=True)


class InquiryCloseInputSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=BuyerInquiry.CloseReason.choices)
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


# ---------------------------------------------------------------------------
# Mandates
# ---------------------------------------------------------------------------
class MandateSerializer(serializers.ModelSerializer):
    """A mandate as the company that gave it and the brokerage that holds it read it. `status` is
    active, revoked, or expired (the day after `valid_until`)."""

    company = CompanyBriefSerializer(read_only=True)
    broker = BrokerBriefSerializer(read_only=True)
    countries = serializers.SlugRelatedField(slug_field="iso_code", many=True, read_only=True)
    categories = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    status = serializers.ChoiceField(source="current_status", choices=Mandate.Status.choices, read_only=True)

    class Meta:
        model = Mandate
        fields = [
            "id", "company", "broker", "countries", "categories", "valid_until", "status", "note",
            "created_at", "revoked_at",
        ]  # fmt: skip
        read_only_fields = fields


class MandateInputSerializer(DigitsInputMixin, serializers.ModelSerializer):
    """What a company's member sends to give a mandate: the brokerage's id, countries by ISO code,
    categories by slug, the last day it counts. Whether the brokerage may hold one is the service's
    rule, named on `broker`."""

    digit_fields = ("valid_until",)

    broker = serializers.PrimaryKeyRelatedField(queryset=Broker.objects.all())
    countries = serializers.SlugRelatedField(
        slug_field="iso_code", many=True, allow_empty=False, queryset=TargetCountry.objects.active()
    )
    categories = serializers.SlugRelatedField(
        slug_field="slug", many=True, allow_empty=False, queryset=ProductCategory.objects.all()
    )

    class Meta:
        model = Mandate
        fields = ["broker", "countries", "categories", "valid_until", "note"]


class MandateRevokeSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReferralSerializer(serializers.ModelSerializer):
    """A referral as its two brokerages read it."""

    from_broker_name = serializers.CharField(source="from_broker.name", read_only=True)
    to_broker_name = serializers.CharField(source="to_broker.name", read_only=True)
    inquiry_reference = serializers.CharField(source="inquiry.reference", read_only=True, default=None)
    country = serializers.SlugRelatedField(slug_field="iso_code", read_only=True)
    service = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Referral
        fields = [
            "id", "from_broker", "from_broker_name", "to_broker", "to_broker_name", "inquiry",
            "inquiry_reference", "company", "country", "service", "share_percent", "note", "status",
            "decided_at", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class OfferPartnerSerializer(serializers.ModelSerializer):
    """An offer's co-brokering invitation as the inviting and the invited brokerages read it."""

    offer_title = serializers.CharField(source="offer.title", read_only=True)
    invited_by_broker = serializers.IntegerField(source="offer.broker_id", read_only=True)
    broker_name = serializers.CharField(source="broker.name", read_only=True)

    class Meta:
        model = OfferPartner
        fields = [
            "id", "offer", "offer_title", "invited_by_broker", "broker", "broker_name", "share_percent",
            "role_note", "status", "decided_at", "created_at",
        ]  # fmt: skip
        read_only_fields = fields
