"""Deals in the API: what the parties read (the deal, its lines, shipments, payments, timeline)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import Deal, DealCredit, DealEvent, DealLine, DealPartner, Payment, Shipment


class DealLineSerializer(serializers.ModelSerializer):
    product_name = serializers.CharField(source="product.name", read_only=True)
    total = serializers.DecimalField(max_digits=18, decimal_places=2, read_only=True)

    class Meta:
        model = DealLine
        fields = ["product", "product_name", "quantity", "unit_price", "total"]
        read_only_fields = fields


class DealShipmentSerializer(serializers.ModelSerializer):
    """The documents are links to /media/, served to the deal's parties and staff only."""

    class Meta:
        model = Shipment
        fields = ["id", "shipped_on", "quantity", "declaration_number", "invoice", "transport_document"]
        read_only_fields = fields


class DealPaymentSerializer(serializers.ModelSerializer):
    amount_usd = serializers.SerializerMethodField()

    class Meta:
        model = Payment
        fields = ["id", "amount", "currency", "received_on", "amount_usd"]
        read_only_fields = fields

    @extend_schema_field(serializers.DecimalField(max_digits=18, decimal_places=2))
    def get_amount_usd(self, payment: Payment) -> str:
        return str(payment.amount_usd)


class DealEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = DealEvent
        fields = [
            "action", "from_status", "to_status", "shipment", "payment", "partner", "credits", "note",
            "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class DealCreditSerializer(serializers.ModelSerializer):
    broker_name = serializers.CharField(source="broker.name", read_only=True)

    class Meta:
        model = DealCredit
        fields = ["broker", "broker_name", "role", "share_percent", "offer", "inquiry", "referral"]
        read_only_fields = fields


class DealSerializer(serializers.ModelSerializer):
    """A deal as its parties read it: values in the deal's currency and in US dollars at the rate
    recorded on the deal. `mandate` is the company's mandate under which a brokerage acted for it:
    the deal's brokerage opening the deal ("opened by broker X for company Y"), or, on a deal from a
    response, the brokerage that sent the response for the company (the deal's co-broker); null
    when the parties acted in their own names."""

    company_name = serializers.CharField(source="company.name", read_only=True)
    broker_name = serializers.CharField(source="broker.name", read_only=True, default=None)
    destination = serializers.SlugRelatedField(slug_field="iso_code", read_only=True)
    buyer_country = serializers.SlugRelatedField(slug_field="iso_code", read_only=True)
    expected_value_usd = serializers.SerializerMethodField()
    lines = DealLineSerializer(many=True, read_only=True)
    shipments = DealShipmentSerializer(many=True, read_only=True)
    payments = DealPaymentSerializer(many=True, read_only=True)
    events = DealEventSerializer(many=True, read_only=True)
    credits = DealCreditSerializer(many=True, read_only=True)

    class Meta:
        model = Deal
        fields = [
            "id", "reference", "company", "company_name", "broker", "broker_name", "mandate", "origin",
            "offer_response",
            "inquiry", "buyer_name", "buyer_country", "buyer_type", "destination", "incoterm", "currency",
            "usd_rate", "expected_value", "expected_value_usd", "status", "lost_reason", "lost_note",
            "lines", "shipments", "payments", "events", "credits", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.DecimalField(max_digits=18, decimal_places=2))
    def get_expected_value_usd(self, deal: Deal) -> str:
        return str(deal.expected_value_usd)


class DealPartnerSerializer(serializers.ModelSerializer):
    """A co-brokering invitation as the inviting and the invited brokerages read it."""

    deal_reference = serializers.CharField(source="deal.reference", read_only=True)
    broker_name = serializers.CharField(source="broker.name", read_only=True)
    invited_by_broker = serializers.IntegerField(source="deal.broker_id", read_only=True)

    class Meta:
        model = DealPartner
        fields = [
            "id", "deal", "deal_reference", "invited_by_broker", "broker", "broker_name", "share_percent",
            "role_note", "status", "decided_at", "created_at",
        ]  # fmt: skip
        read_only_fields = fields
