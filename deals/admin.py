"""Deals for the centre's staff: listed and read, never changed here (the parties change them
through the services); every page is read-only, without a Save button."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from portal.admin_display import money_column
from portal.admin_tools import CheckedActionsMixin, csv_export_action

from .models import Deal, DealCredit, DealEvent, DealLine, DealPartner, Payment, Shipment


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        return list(self.fields)

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class LineInline(ReadOnlyInline):
    model = DealLine
    fields = ["product", "quantity", "unit_price_shown"]

    unit_price_shown = money_column(DealLine, "unit_price", currency="deal__currency")


class ShipmentInline(ReadOnlyInline):
    model = Shipment
    fields = ["shipped_on", "quantity", "declaration_number", "invoice", "transport_document", "recorded_by"]


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ["received_on", "amount_shown", "recorded_by"]

    amount_shown = money_column(Payment, "amount")


class EventInline(ReadOnlyInline):
    model = DealEvent
    fields = ["created_at", "action", "from_status", "to_status", "actor", "note"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[DealEvent]:
        return super().get_queryset(request).select_related("deal", "actor")  # each row names both


class CreditInline(ReadOnlyInline):
    model = DealCredit
    fields = ["broker", "role", "share_percent", "offer", "inquiry", "referral", "created_at"]


class PartnerInline(ReadOnlyInline):
    model = DealPartner
    fields = ["broker", "share_percent", "role_note", "status", "invited_by", "decided_by", "decided_at"]


@admin.register(Deal)
class DealAdmin(CheckedActionsMixin, admin.ModelAdmin):
    list_display = [
        "reference", "company", "broker", "buyer_name", "destination", "expected", "status", "created_at",
    ]  # fmt: skip
    list_filter = ["status", "destination", "company", "origin", "incoterm"]
    search_fields = ["reference", "buyer_name", "company__name_fa", "company__name_en"]
    list_select_related = ["company", "broker", "destination"]
    # Every field read-only, the value with its currency.
    readonly_fields = [
        "expected" if field.name == "expected_value" else field.name
        for field in Deal._meta.fields
        if field.name != "id"
    ]
    exclude = ["expected_value"]
    inlines = [LineInline, CreditInline, PartnerInline, ShipmentInline, PaymentInline, EventInline]
    date_hierarchy = "created_at"
    actions = ["export_csv"]

    expected = money_column(Deal, "expected_value")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # read-only pages: the status changes through the parties' services

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    export_csv = csv_export_action(
        [
            (_("reference number"), "reference"),
            (_("company"), "company__name_en"),
            (_("broker"), "broker__name_en"),
            (_("buyer"), "buyer_name"),
            (_("destination country"), "destination__name_en"),
            (_("incoterm"), "incoterm"),
            (_("currency"), "currency"),
            (_("expected value"), "expected_value"),
            (_("US dollars per unit of the currency"), "usd_rate"),
            (_("status"), "get_status_display"),
        ],
        filename="deals",
    )
