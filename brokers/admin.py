from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminURLFieldWidget
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.admin_display import money_column
from portal.admin_tools import CheckedActionsMixin, NoteActionForm, csv_export_action, log_action
from portal.history import AuditedAdmin
from portal.organisations.admin import InvitationAdmin, OrganisationAdminMixin, decision_action
from portal.templatetags.portal_tags import jdate, localnumber

from . import services
from .models import (
    KIND,
    LICENCE_WARNING_DAYS,
    Broker,
    BrokerInvitation,
    BrokerService,
    BuyerInquiry,
    Engagement,
    EngagementEvent,
    EngagementRating,
    InboxSettings,
    InquiryReply,
    LicenceRenewal,
    Mandate,
    MandateEvent,
    Offer,
    OfferAttachment,
    OfferPartner,
    OfferResponse,
    Referral,
    ServiceType,
)
from .permissions import inquiry_offered_marks
from .results import results_publish


@admin.register(ServiceType)
class ServiceTypeAdmin(CheckedActionsMixin, admin.ModelAdmin):
    list_display = ["name_fa", "name_en", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name_fa", "name_en", "slug"]


class LicenceExpiryFilter(admin.SimpleListFilter):
    title = _("licence")
    parameter_name = "licence"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [
            ("expired", _("Licence expired")),
            ("soon", _("Expiring within %(days)s days") % {"days": localnumber(LICENCE_WARNING_DAYS[0])}),
            ("valid", _("Valid")),
            ("unknown", _("Expiry date not recorded")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Broker]) -> QuerySet[Broker]:
        today = timezone.localdate()
        soon = today + timezone.timedelta(days=LICENCE_WARNING_DAYS[0])
        return {
            "expired": lambda: queryset.filter(licence_expires_on__lt=today),
            "soon": lambda: queryset.filter(licence_expires_on__gte=today, licence_expires_on__lte=soon),
            "valid": lambda: queryset.filter(licence_expires_on__gte=today),
            "unknown": lambda: queryset.filter(licence_expires_on__isnull=True),
        }.get(self.value(), lambda: queryset)()


class LicenceRenewalInline(admin.TabularInline):
    """The brokerage's renewals, newest first; they are decided in the licence renewals' list."""

    model = LicenceRenewal
    extra = 0
    fields = ["expires_on", "licence_file", "status", "submitted_at", "decided_by", "note"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[LicenceRenewal]:
        return super().get_queryset(request).select_related("decided_by")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ReferralInline(admin.TabularInline):
    """Referrals, read-only: brokerages make and answer them on their pages."""

    model = Referral
    extra = 0
    can_delete = False
    fields = [
        "inquiry",
        "company",
        "to_broker",
        "from_broker",
        "country",
        "share_percent",
        "status",
        "decided_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Referral]:
        return (
            super()
            .get_queryset(request)
            .select_related("inquiry", "company", "to_broker", "from_broker", "country")
        )


class ReferralSentInline(ReferralInline):
    fk_name = "from_broker"
    verbose_name = _("referral sent")
    verbose_name_plural = _("referrals sent")


class ReferralReceivedInline(ReferralInline):
    fk_name = "to_broker"
    verbose_name = _("referral received")
    verbose_name_plural = _("referrals received")


@admin.register(Broker)
class BrokerAdmin(OrganisationAdminMixin, AuditedAdmin):
    # A website typed without a scheme is https:// (as on the public form; Django 6's default); the
    # licence's date is Jalali on Persian pages, as every date box of the admin (portal.admin_display).
    formfield_overrides = {models.URLField: {"widget": AdminURLFieldWidget, "assume_scheme": "https"}}
    inlines = [LicenceRenewalInline, ReferralSentInline, ReferralReceivedInline]
    list_display = ["name_fa", "name_en", "licence_number", "licence_expiry", "status", "created_at"]
    list_filter = ["status", LicenceExpiryFilter, "countries", "services"]
    search_fields = ["name_fa", "name_en", "licence_number", "email"]
    filter_horizontal = ["services", "countries"]
    actions = ["approve", "reject", "suspend", "make_results_public", "hide_results", "export_csv"]

    @admin.action(
        description=_("Show the selected brokerages' verified results publicly"), permissions=["change"]
    )
    def make_results_public(self, request: HttpRequest, queryset: QuerySet[Broker]) -> None:
        count = self._publish_results(request, queryset, public=True, logged=_("Results shown publicly"))
        message = ngettext(
            "The results of %(n)s brokerage now show on its public page.",
            "The results of %(n)s brokerages now show on their public pages.",
            count,
        )
        self.message_user(request, message % {"n": localnumber(count)}, messages.SUCCESS)

    @admin.action(
        description=_("Hide the selected brokerages' results from the public"), permissions=["change"]
    )
    def hide_results(self, request: HttpRequest, queryset: QuerySet[Broker]) -> None:
        count = self._publish_results(
            request, queryset, public=False, logged=_("Results hidden from the public")
        )
        message = ngettext(
            "The results of %(n)s brokerage are hidden from the public.",
            "The results of %(n)s brokerages are hidden from the public.",
            count,
        )
        self.message_user(request, message % {"n": localnumber(count)}, messages.SUCCESS)

    def _publish_results(
        self, request: HttpRequest, queryset: QuerySet[Broker], *, public: bool, logged: str
    ) -> int:
        """Show or hide each brokerage's results, each change in its history; how many there were."""
        brokers = list(queryset)
        for broker in brokers:
            results_publish(broker=broker, by=request.user, public=public)
            log_action(self, request, broker, logged)
        return len(brokers)

    approve = decision_action(
        KIND, Broker.Status.APPROVED, description=_("Approve the selected brokerages (members are notified)")
    )
    reject = decision_action(
        KIND,
        Broker.Status.REJECTED,
        description=_("Reject the selected brokerages (write the reason in the note)"),
    )
    suspend = decision_action(
        KIND,
        Broker.Status.SUSPENDED,
        description=_("Suspend the selected brokerages (write the reason in the note)"),
    )
    export_csv = csv_export_action(
        [
            (_("licence number"), "licence_number"),
            (_("name (Persian)"), "name_fa"),
            (_("name (English)"), "name_en"),
            (_("status"), "get_status_display"),
            (_("covered countries"), lambda b: ", ".join(c.iso_code for c in b.countries.all())),
            (_("phone"), "phone"),
            (_("e-mail address"), "email"),
        ],
        filename="brokers",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Broker]:
        return super().get_queryset(request).prefetch_related("countries")

    @staticmethod
    def _licence_renewed_only(obj: Broker | None) -> bool:
        """Once approved, the licence (scan and date) changes only through a renewal the centre
        approves (services.licence_renewal_approve), which keeps its history."""
        return obj is not None and obj.status in (Broker.Status.APPROVED, Broker.Status.SUSPENDED)

    def get_readonly_fields(self, request: HttpRequest, obj: Broker | None = None) -> list[str]:
        # The results flag changes through the actions, which record who set it and when.
        fields = [
            *super().get_readonly_fields(request, obj),
            "results_public",
            "results_public_by",
            "results_public_at",
        ]
        if self._licence_renewed_only(obj):
            fields += ["licence_file", "licence_expiry"]  # the date shown Jalali, as in the list
        return fields

    def get_exclude(self, request: HttpRequest, obj: Broker | None = None) -> list[str]:
        exclude = list(super().get_exclude(request, obj) or [])
        if self._licence_renewed_only(obj):
            exclude.append("licence_expires_on")
        return exclude

    @admin.display(description=_("licence valid until"), ordering="licence_expires_on")
    def licence_expiry(self, broker: Broker) -> str:
        if broker.licence_expires_on is None:
            return "—"
        date = jdate(broker.licence_expires_on)
        if broker.licence_expired:
            return _("%(date)s (expired)") % {"date": date}
        if broker.licence_expires_soon:
            return _("%(date)s (expiring soon)") % {"date": date}
        return date


admin.site.register(BrokerInvitation, InvitationAdmin)


@admin.register(LicenceRenewal)
class LicenceRenewalAdmin(CheckedActionsMixin, admin.ModelAdmin):
    """Renewed licences the brokerages sent: programme managers approve them (the new licence
    replaces the brokerage's) or refuse them with the reason the members are told. Read-only
    otherwise, and deleted only with their brokerage (by a superuser): the rows are the licence's
    history."""

    list_display = ["broker", "expires_on", "current_expiry", "status", "submitted_at", "decided_by"]
    list_filter = ["status"]
    search_fields = ["broker__name_fa", "broker__name_en", "broker__licence_number"]
    list_select_related = ["broker", "decided_by"]
    fields = [
        "broker", "licence_file", "expires_on", "current_expiry", "status", "submitted_by", "submitted_at",
        "decided_by", "decided_at", "note",
    ]  # fmt: skip
    readonly_fields = fields
    action_form = NoteActionForm
    actions = ["approve", "reject"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # brokerages send their renewals from their licence page

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # Never deleted one by one; a superuser deleting a brokerage (as a company can be deleted)
        # deletes its renewals with it, which Django's delete page allows only with this permission.
        return bool(request.user.is_active and request.user.is_superuser)

    @admin.display(description=_("current licence valid until"))
    def current_expiry(self, renewal: LicenceRenewal) -> str:
        return jdate(renewal.broker.licence_expires_on) or "—"

    def _decide(
        self,
        request: HttpRequest,
        queryset: QuerySet[LicenceRenewal],
        decide: Any,
        label: str,
        note: str = "",
    ) -> None:
        """Each selected renewal through its service; one the service refuses (already decided, a
        date that would not extend the licence) is left, with the service's reason."""
        count = 0
        for renewal in queryset.select_related("broker").order_by("pk"):
            try:
                decide(renewal)
            except ValidationError as error:
                self.message_user(
                    request,
                    _("Left as it was: %(renewal)s. %(reason)s")
                    % {"renewal": renewal, "reason": " ".join(error.messages)},
                    messages.WARNING,
                )
                continue
            count += 1
            log_action(self, request, renewal, label, note)
        message = ngettext("%(n)s renewal decided.", "%(n)s renewals decided.", count)
        self.message_user(request, message % {"n": localnumber(count)}, messages.SUCCESS)

    @admin.action(
        description=_("Approve the selected renewals (the new licence replaces the current one)"),
        permissions=["change"],
    )
    def approve(self, request: HttpRequest, queryset: QuerySet[LicenceRenewal]) -> None:
        self._decide(
            request,
            queryset,
            lambda renewal: services.licence_renewal_approve(renewal=renewal, by=request.user),
            LicenceRenewal.Status.APPROVED.label,
        )

    @admin.action(
        description=_("Refuse the selected renewals (write the reason in the note)"), permissions=["change"]
    )
    def reject(self, request: HttpRequest, queryset: QuerySet[LicenceRenewal]) -> None:
        note = request.POST.get("note", "").strip()
        if not note:
            self.message_user(request, _("Write the reason in the note box first."), messages.ERROR)
            return
        self._decide(
            request,
            queryset,
            lambda renewal: services.licence_renewal_reject(renewal=renewal, by=request.user, note=note),
            LicenceRenewal.Status.REJECTED.label,
            note,
        )


class AttachmentInline(admin.TabularInline):
    model = OfferAttachment
    extra = 0


class OfferPartnerInline(admin.TabularInline):
    """The offer's co-brokers, read-only: brokerages invite and answer on their pages."""

    model = OfferPartner
    extra = 0
    can_delete = False
    fields = ["broker", "share_percent", "role_note", "status", "invited_by", "decided_at"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ResponseInline(admin.TabularInline):
    model = OfferResponse
    extra = 0
    fields = ["company", "submitted_by_broker", "unit_price_shown", "quantity", "lead_time_days", "status"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    unit_price_shown = money_column(OfferResponse, "unit_price")

    def get_queryset(self, request: HttpRequest) -> QuerySet[OfferResponse]:
        return super().get_queryset(request).select_related("company", "offer")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Offer)
class OfferAdmin(CheckedActionsMixin, AuditedAdmin):
    list_display = ["title_fa", "title_en", "broker", "kind", "country", "deadline", "status"]
    list_filter = ["status", "kind", "country", "categories"]
    search_fields = ["title_fa", "title_en", "broker__name_fa", "broker__name_en"]
    list_select_related = ["broker", "country"]
    readonly_fields = ["status", "published_at", "closed_at", "created_by", "created_at", "updated_at"]
    autocomplete_fields = ["broker"]
    filter_horizontal = ["categories"]
    inlines = [AttachmentInline, ResponseInline, OfferPartnerInline]
    date_hierarchy = "deadline"
    actions = ["close", "export_csv"]

    @admin.action(description=_("Close the selected offers"), permissions=["change"])
    def close(self, request: HttpRequest, queryset: QuerySet[Offer]) -> None:
        count = 0
        for offer in queryset:
            services.offer_close(offer=offer, by_staff=True)
            log_action(self, request, offer, Offer.Status.CLOSED.label)
            count += 1
        message = ngettext("%(n)s offer closed.", "%(n)s offers closed.", count)
        self.message_user(request, message % {"n": localnumber(count)}, messages.SUCCESS)

    export_csv = csv_export_action(
        [
            (_("id"), "pk"),
            (_("title (English)"), "title_en"),
            (_("broker"), "broker__name_en"),
            (_("kind"), "get_kind_display"),
            (_("country"), "country__iso_code"),
            (_("quantity"), "quantity"),
            (_("target unit price"), "target_price"),
            (_("currency"), "currency"),
            (_("deadline"), "deadline"),
            (_("status"), "get_status_display"),
        ],
        filename="offers",
    )


@admin.register(OfferResponse)
class OfferResponseAdmin(CheckedActionsMixin, AuditedAdmin):
    list_display = ["offer", "company", "unit_price_shown", "quantity", "status", "created_at"]
    list_filter = ["status", "offer__country", "offer__kind"]
    search_fields = ["company__name_fa", "company__name_en", "offer__title_fa", "offer__title_en"]
    list_select_related = ["offer", "company"]
    # Every field read-only, the price with its currency.
    readonly_fields = [
        "unit_price_shown" if f.name == "unit_price" else f.name
        for f in OfferResponse._meta.fields
        if f.name != "id"
    ]
    exclude = ["unit_price"]
    actions = ["export_csv"]

    unit_price_shown = money_column(OfferResponse, "unit_price")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    export_csv = csv_export_action(
        [
            (_("offer"), "offer__title_en"),
            (_("company"), "company__name_en"),
            (_("unit price"), "unit_price"),
            (_("currency"), "currency"),
            (_("quantity"), "quantity"),
            (_("lead time (days)"), "lead_time_days"),
            (_("status"), "get_status_display"),
        ],
        filename="offer-responses",
    )


class InquiryReplyInline(admin.StackedInline):
    """The inquiry's thread as the buyer received it (written in the inbox, never here)."""

    model = InquiryReply
    extra = 0
    fields = ["sender", "body", "created_at", "emailed_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(BuyerInquiry)
class BuyerInquiryAdmin(CheckedActionsMixin, admin.ModelAdmin):
    list_display = [
        "reference", "organisation", "country", "product", "status", "holder", "routed_to", "created_at",
        "escalated_at",
    ]  # fmt: skip
    list_filter = ["status", "country", "close_reason", ("escalated_at", admin.EmptyFieldListFilter)]
    search_fields = ["reference", "organisation", "name", "email", "message"]
    list_select_related = ["country", "product", "company", "holder"]
    readonly_fields = [
        "reference",
        "name",
        "organisation",
        "country",
        "email",
        "message",
        "product",
        "company",
        "status",
        "holder",
        "claimed_at",
        "answered_at",
        "escalated_at",
        "close_reason",
        "close_note",
        "closed_at",
        "routed_at",
        "routed_to",
        "language",
        "acknowledged_at",
        "source_ip",
        "created_at",
    ]  # fmt: skip  (the status changes through the actions: services.inquiry_mark)
    date_hierarchy = "created_at"
    inlines = [InquiryReplyInline]
    actions = ["mark_answered", "mark_closed", "mark_spam", "export_csv"]
    MARK_ACTIONS = {
        "mark_answered": BuyerInquiry.Status.ANSWERED,
        "mark_closed": BuyerInquiry.Status.CLOSED,
        "mark_spam": BuyerInquiry.Status.SPAM,
    }

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        changelist = super().get_changelist_instance(request)
        if request.method == "GET":  # the menu offers what applies to the rows shown
            request.inquiry_statuses = {inquiry.status for inquiry in changelist.result_list}
        return changelist

    def get_actions(self, request: HttpRequest) -> dict:
        """The menu: only the marks that apply to an inquiry shown (each selected inquiry's own
        state is checked again by services.inquiry_mark when the action runs)."""
        actions = super().get_actions(request)
        statuses = getattr(request, "inquiry_statuses", None)
        offered = inquiry_offered_marks(
            request.user, set(BuyerInquiry.Status) if statuses is None else statuses
        )
        return {
            name: action
            for name, action in actions.items()
            if name not in self.MARK_ACTIONS or self.MARK_ACTIONS[name] in offered
        }

    def _mark(self, request: HttpRequest, queryset: QuerySet[BuyerInquiry], status: str) -> None:
        """Each selected inquiry through the one door (services.inquiry_mark); those whose state
        does not allow the mark are left as they are and counted apart."""
        count = skipped = 0
        for inquiry in queryset.order_by("pk"):
            try:
                changed = services.inquiry_mark(inquiry=inquiry, status=status, by=request.user)
            except ValidationError:
                skipped += 1
                continue
            if changed:
                count += 1
                log_action(self, request, inquiry, BuyerInquiry.Status(status).label)
        message = ngettext("%(n)s inquiry updated.", "%(n)s inquiries updated.", count)
        self.message_user(request, message % {"n": localnumber(count)}, messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(n)s inquiry was left as it was: its state does not allow this.",
                    "%(n)s inquiries were left as they were: their state does not allow this.",
                    skipped,
                )
                % {"n": localnumber(skipped)},
                messages.WARNING,
            )

    @admin.action(description=_("Mark as answered"), permissions=["change"])
    def mark_answered(self, request: HttpRequest, queryset: QuerySet[BuyerInquiry]) -> None:
        self._mark(request, queryset, BuyerInquiry.Status.ANSWERED)

    @admin.action(description=_("Mark as closed"), permissions=["change"])
    def mark_closed(self, request: HttpRequest, queryset: QuerySet[BuyerInquiry]) -> None:
        self._mark(request, queryset, BuyerInquiry.Status.CLOSED)

    @admin.action(description=_("Mark as spam"), permissions=["change"])
    def mark_spam(self, request: HttpRequest, queryset: QuerySet[BuyerInquiry]) -> None:
        self._mark(request, queryset, BuyerInquiry.Status.SPAM)

    export_csv = csv_export_action(
        [
            (_("reference"), "reference"),
            (_("received"), "created_at"),
            (_("organisation"), "organisation"),
            (_("name"), "name"),
            (_("country"), "country__name_en"),
            (_("e-mail address"), "email"),
            (_("product"), "product__name_en"),
            (_("status"), "get_status_display"),
            (_("held by"), "holder__email"),
            (_("reason for closing"), "get_close_reason_display"),
            (_("message"), "message"),
        ],
        filename="inquiries",
    )


@admin.register(BrokerService)
class BrokerServiceAdmin(CheckedActionsMixin, admin.ModelAdmin):
    list_display = ["service_type", "broker", "fee_model", "fee", "fee_percent", "is_active"]
    list_filter = ["service_type", "fee_model", "is_active", "countries"]
    search_fields = ["broker__name_fa", "broker__name_en", "description_fa", "description_en"]
    list_select_related = ["service_type", "broker"]
    readonly_fields = ["broker", "is_active", "created_at", "updated_at"]
    filter_horizontal = ["countries"]

    fee = money_column(BrokerService, "fee_amount")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # brokerages list their services on their pages (brokers.services)


class EngagementEventInline(admin.TabularInline):
    model = EngagementEvent
    extra = 0
    fields = ["created_at", "action", "side_shown", "actor", "note"]
    readonly_fields = fields
    can_delete = False

    @admin.display(description=_("side"))
    def side_shown(self, event: EngagementEvent) -> str:
        # Stored as a rating's side ("company" or "broker"), without choices of its own.
        return dict(EngagementRating.Side.choices).get(event.side, event.side) or "-"

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class EngagementRatingInline(admin.TabularInline):
    model = EngagementRating
    extra = 0
    fields = ["side", "score", "comment", "rated_by"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Engagement)
class EngagementAdmin(CheckedActionsMixin, admin.ModelAdmin):
    """Read-only: the parties take each step on their pages (brokers.services.engagement_act)."""

    list_display = ["service", "company", "broker", "status", "created_at"]
    list_filter = ["status", "service__service_type"]
    search_fields = ["company__name_fa", "company__name_en", "broker__name_fa", "broker__name_en"]
    list_select_related = ["service__service_type", "service__broker", "company", "broker"]
    readonly_fields = [f.name for f in Engagement._meta.fields if f.name != "id"]
    inlines = [EngagementEventInline, EngagementRatingInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class MandateEventInline(admin.TabularInline):
    model = MandateEvent
    extra = 0
    fields = ["created_at", "action", "actor", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class MandateStatusFilter(admin.SimpleListFilter):
    """Active, expired (active, past its date) or revoked, as the parties see it."""

    title = _("status")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return list(Mandate.Status.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet[Mandate]) -> QuerySet[Mandate]:
        today = timezone.localdate()
        if self.value() == Mandate.Status.ACTIVE:
            return queryset.filter(status=Mandate.Status.ACTIVE, valid_until__gte=today)
        if self.value() == Mandate.Status.EXPIRED:
            return queryset.filter(status=Mandate.Status.ACTIVE, valid_until__lt=today)
        if self.value() == Mandate.Status.REVOKED:
            return queryset.filter(status=Mandate.Status.REVOKED)
        return queryset


@admin.register(Mandate)
class MandateAdmin(CheckedActionsMixin, admin.ModelAdmin):
    """Read-only: companies grant and revoke mandates on their pages (brokers.mandates)."""

    list_display = ["company", "broker", "valid_until", "current_status_label", "created_at", "revoked_at"]
    list_filter = [MandateStatusFilter, "broker", "company", "countries", "categories"]
    search_fields = ["company__name_fa", "company__name_en", "broker__name_fa", "broker__name_en"]
    list_select_related = ["company", "broker"]
    readonly_fields = [
        "company", "broker", "countries", "categories", "valid_until", "status", "note", "granted_by",
        "revoked_by", "revoked_at", "created_at",
    ]  # fmt: skip
    fields = readonly_fields
    inlines = [MandateEventInline]
    date_hierarchy = "created_at"

    @admin.display(description=_("status"))
    def current_status_label(self, mandate: Mandate) -> str:
        return mandate.get_current_status_display()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(InboxSettings)
class InboxSettingsAdmin(CheckedActionsMixin, admin.ModelAdmin):
    """One row: the first visit opens it with the defaults; it is never added twice or deleted."""

    list_display = ["__str__", "escalate_after_days"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return redirect(reverse("admin:brokers_inboxsettings_change", args=[InboxSettings.load().pk]))
