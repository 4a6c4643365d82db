from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.widgets import AdminURLFieldWidget
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.admin_tools import csv_export_action
from portal.history import AuditedAdmin
from portal.organisations.admin import InvitationAdmin, OrganisationAdminMixin, decision_action

from .models import KIND, Company, CompanyInvitation


class CertificateFilter(admin.SimpleListFilter):
    title = _("knowledge-based certificate")
    parameter_name = "certificate"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("expired", _("Expired")), ("soon", _("Expires within 60 days")), ("valid", _("Valid"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Company]) -> QuerySet[Company]:
        today = timezone.localdate()
        if self.value() == "expired":
            return queryset.filter(certificate_expiry__lt=today)
        if self.value() == "soon":
            return queryset.filter(
                certificate_expiry__gte=today, certificate_expiry__lte=today + timezone.timedelta(days=60)
            )
        if self.value() == "valid":
            return queryset.filter(certificate_expiry__gte=today)
        return queryset


@admin.register(Company)
class CompanyAdmin(OrganisationAdminMixin, AuditedAdmin):
    # A website typed without a scheme is https:// (as on the public form; Django 6's default).
    formfield_overrides = {models.URLField: {"widget": AdminURLFieldWidget, "assume_scheme": "https"}}
    list_display = [
        "name_fa", "name_en", "national_id", "province", "status", "certificate_state", "created_at",
    ]  # fmt: skip
    list_filter = ["status", CertificateFilter, "province", "company_type"]
    search_fields = ["name_fa", "name_en", "national_id", "certificate_number"]
    actions = ["verify", "suspend", "export_csv"]
    fieldsets = (
        (None, {"fields": ("name_fa", "name_en", "national_id", "company_type")}),
        (
            _("Knowledge-based certificate"),
            {"fields": ("certificate_number", "certificate_expiry", "certificate_file")},
        ),
        (_("Location and contact"), {"fields": ("province", "city", "address", "phone", "website")}),
        (_("Profile"), {"fields": ("profile_fa", "profile_en", "logo")}),
        (
            _("Arabic and Russian (optional)"),
            {"fields": ("name_ar", "name_ru", "profile_ar", "profile_ru"), "classes": ("collapse",)},
        ),
        (_("Verification"), {"fields": ("status", "status_note", "status_changed_at", "status_changed_by")}),
        (_("Record"), {"fields": ("created_at", "updated_at")}),
    )

    @admin.display(description=_("certificate"), ordering="certificate_expiry")
    def certificate_state(self, company: Company) -> str:
        if company.certificate_expired:
            return format_html('<span class="certificate-expired">⚠ {}</span>', _("expired"))
        if company.certificate_expires_soon:
            return format_html('<span class="certificate-expiring">{}</span>', _("expires soon"))
        return _("valid")

    verify = decision_action(
        KIND, Company.Status.VERIFIED, description=_("Verify the selected companies (members are notified)")
    )
    suspend = decision_action(
        KIND,
        Company.Status.SUSPENDED,
        description=_("Suspend the selected companies (write the reason in the note)"),
    )

    export_csv = csv_export_action(
        [
            (_("national ID"), "national_id"),
            (_("name (Persian)"), "name_fa"),
            (_("name (English)"), "name_en"),
            (_("status"), "get_status_display"),
            (_("province"), "get_province_display"),
            (_("city"), "city"),
            (_("certificate number"), "certificate_number"),
            (_("certificate expiry"), "certificate_expiry"),
            (_("phone"), "phone"),
            (_("registered"), lambda c: timezone.localdate(c.created_at)),
        ],
        filename="companies",
    )


admin.site.register(CompanyInvitation, InvitationAdmin)
