"""Support serializers: output shapes for programmes, applications and their timeline, and the
input serializers for a company's drafts (create, change) and its withdrawal note."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from brokers.models import Broker
from companies.models import Company
from deals.models import Deal, Shipment
from portal.models import TargetCountry
from portal.rest.plumbing import LocalizedDecimalField
from products.models import Product

from .evidence import citable_deals, citable_shipments
from .models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ApplicationEvidence,
    DocumentType,
    Payment,
    ReviewCriterion,
    Status,
    SupportProgram,
)


class AmountField(LocalizedDecimalField):
    """A money amount typed in any digits and separators (portal.i18n.digits.parse_number)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0.01"))
        super().__init__(**kwargs)


# ---------------------------------------------------------------------------
# Programmes
# ---------------------------------------------------------------------------
class DocumentTypeBriefSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = DocumentType
        fields = ["slug", "name"]
        read_only_fields = fields


class ReviewCriterionBriefSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = ReviewCriterion
        fields = ["name", "weight"]
        read_only_fields = fields


class SupportProgramSerializer(serializers.ModelSerializer):
    """A published programme; empty eligibility lists mean every category or country."""

    name = serializers.CharField(read_only=True)
    is_open = serializers.BooleanField(read_only=True)
    eligible_categories = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    eligible_countries = serializers.SlugRelatedField(slug_field="iso_code", many=True, read_only=True)
    required_documents = DocumentTypeBriefSerializer(many=True, read_only=True)
    criteria = ReviewCriterionBriefSerializer(many=True, read_only=True)

    class Meta:
        model = SupportProgram
        fields = [
            "id", "name", "name_fa", "name_en", "description_fa", "description_en", "support_type", "budget",
            "currency", "cap_per_application", "opens_on", "closes_on", "is_open", "eligible_categories",
            "eligible_countries", "required_documents", "criteria", "review_period_days",
        ]  # fmt: skip
        read_only_fields = fields


class SupportProgramBriefSerializer(serializers.ModelSerializer):
    """The few words about a programme that travel with its applications."""

    name = serializers.CharField(read_only=True)

    class Meta:
        model = SupportProgram
        fields = ["id", "name"]
        read_only_fields = fields


# ---------------------------------------------------------------------------
# Applications
# ---------------------------------------------------------------------------
class ApplicationDocumentSerializer(serializers.ModelSerializer):
    document_type = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    url = serializers.FileField(source="file", read_only=True)

    class Meta:
        model = ApplicationDocument
        fields = ["document_type", "url"]
        read_only_fields = fields


class PaymentSerializer(serializers.ModelSerializer):
    """One instalment paid of the grant."""

    class Meta:
        model = Payment
        fields = ["paid_on", "amount", "currency", "reference"]
        read_only_fields = fields


class ApplicationEvidenceSerializer(serializers.ModelSerializer):
    """A cited deal (`shipment` null: the deal as a whole) or one of its shipments."""

    deal_reference = serializers.CharField(source="deal.reference", read_only=True)
    declaration_number = serializers.CharField(
        source="shipment.declaration_number", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = ApplicationEvidence
        fields = ["deal", "deal_reference", "shipment", "declaration_number"]
        read_only_fields = fields


class EvidenceItemSerializer(serializers.Serializer):
    """One citation in a draft: a deal of the caller's company (contracted or further on), and
    optionally one of its recorded shipments; another company's deal does not exist here."""

    deal = serializers.PrimaryKeyRelatedField(queryset=Deal.objects.none())
    shipment = serializers.PrimaryKeyRelatedField(
        queryset=Shipment.objects.none(), required=False, allow_null=True, default=None
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        shipment = data.get("shipment")
        if shipment is not None and shipment.deal_id != data["deal"].pk:
            raise serializers.ValidationError({"shipment": _("This shipment belongs to another deal.")})
        return data


class ApplicationSerializer(serializers.ModelSerializer):
    """An application as its company sees it; reviewers, scores and decision makers stay inside.

    `review_due_at` is the date the centre promised the next step by (while it waits for the
    centre), `escalated_at` when it went to the programme managers past that date."""

    program = SupportProgramBriefSerializer(read_only=True)
    countries = serializers.SlugRelatedField(slug_field="iso_code", many=True, read_only=True)
    documents = ApplicationDocumentSerializer(many=True, read_only=True)
    payments = PaymentSerializer(many=True, read_only=True)
    evidence = ApplicationEvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = Application
        fields = [
            "id", "reference", "program", "status", "products", "countries", "broker", "requested_amount",
            "justification", "granted_amount", "submitted_at", "review_due_at", "escalated_at", "decided_at",
            "created_at", "documents", "payments", "evidence",
        ]  # fmt: skip
        read_only_fields = fields


@extend_schema_field({"$ref": "#/components/schemas/ApplicationStatusEnum"})
class StatusField(serializers.ChoiceField):
    """An application status. Declared as a reference to the application's own status enum: three
    fields with the same choices would otherwise give the schema three names for one enum."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Status.choices, **kwargs)


class ApplicationEventSerializer(serializers.ModelSerializer):
    """One step of the timeline. Who took it is not shown to the company, nor which reviewer an
    assignment went to (its note names them), as on the HTML timeline."""

    from_status = StatusField(read_only=True)
    to_status = StatusField(read_only=True)
    note = serializers.SerializerMethodField()

    class Meta:
        model = ApplicationEvent
        fields = ["from_status", "to_status", "action", "note", "created_at"]
        read_only_fields = fields

    def get_note(self, event: ApplicationEvent) -> str:
        # Assignments name reviewers; an escalation's note (older rows) is the staff's, in the
        # server's language: withheld here as on the HTML timeline (ApplicationEvent.note_for_applicant).
        return event.note_for_applicant


class ApplicationUpdateSerializer(serializers.ModelSerializer):
    """What a company member may change on a draft; `products` are ids of the company's own
    products, `countries` ISO codes, `broker` the id of an approved brokerage."""

    products = serializers.PrimaryKeyRelatedField(many=True, queryset=Product.objects.none())
    countries = serializers.SlugRelatedField(
        slug_field="iso_code", many=True, queryset=TargetCountry.objects.active()
    )
    broker = serializers.PrimaryKeyRelatedField(
        queryset=Broker.objects.publishing(), required=False, allow_null=True
    )
    requested_amount = AmountField()
    evidence = EvidenceItemSerializer(many=True, required=False, max_length=50)

    class Meta:
        model = Application
        fields = ["products", "countries", "broker", "requested_amount", "justification", "evidence"]

    def __init__(self, *args: Any, company: Company | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Other companies' products, deals and shipments do not exist for this caller.
        item = self.fields["evidence"].child
        item.fields["deal"].queryset = citable_deals(company)
        item.fields["shipment"].queryset = citable_shipments(company)
        if company is not None:
            self.fields["products"].child_relation.queryset = company.products.filter(
                status=Product.Status.PUBLISHED
            )

    def validate_evidence(self, items: list[dict[str, Any]]) -> list[Deal | Shipment]:
        """[{"deal": id, "shipment": id or null}, …] as the deals and shipments they name."""
        return [item["shipment"] or item["deal"] for item in items]


class ApplicationCreateSerializer(ApplicationUpdateSerializer):
    """A new draft: the programme (a published one, by id) and the draft's fields."""

    program = serializers.PrimaryKeyRelatedField(queryset=SupportProgram.objects.published())

    class Meta(ApplicationUpdateSerializer.Meta):
        fields = ["program", *ApplicationUpdateSerializer.Meta.fields]


class ApplicationWithdrawSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
