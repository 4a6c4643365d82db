from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from companies.models import Company
from portal.admin_display import money_column
from portal.admin_tools import CheckedActionsMixin, NoteActionForm, csv_export_action, log_action
from portal.history import AuditedAdmin
from portal.http.page_cache import CachedChangelistMixin
from portal.http.pagination import LargeTablePaginator
from portal.templatetags.portal_tags import jdate, localnumber

from . import services
from .models import (
    CertificateToCheck,
    Certification,
    CountryRequirement,
    Product,
    ProductCategory,
    ProductCertification,
    ProductImage,
)
from .search import search_products


@admin.register(ProductCategory)
class ProductCategoryAdmin(CheckedActionsMixin, admin.ModelAdmin):
    list_display = ["name_fa", "name_en", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name_fa", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}


@admin.register(Certification)
class CertificationAdmin(CheckedActionsMixin, admin.ModelAdmin):
    list_display = ["code", "name_fa", "name_en", "issuer"]
    search_fields = ["code", "name_fa", "name_en"]


@admin.register(CountryRequirement)
class CountryRequirementAdmin(CheckedActionsMixin, admin.ModelAdmin):
    list_display = ["country", "category", "certification", "note_fa"]
    list_filter = ["country", "category", "certification"]
    search_fields = ["country__name_fa", "country__name_en", "certification__name_en"]
    list_select_related = ["country", "category", "certification"]
    autocomplete_fields = ["country", "category", "certification"]


class CertificateInline(admin.TabularInline):
    model = ProductCertification
    extra = 0
    fields = ["certification", "number", "issuer", "expiry_date", "file", "status"]
    readonly_fields = ["status"]
    autocomplete_fields = ["certification"]


class GalleryInline(admin.TabularInline):
    model = ProductImage
    extra = 0
    fields = ["image", "caption", "position"]


class CertificateStateFilter(admin.SimpleListFilter):
    """Products holding a valid certificate of the chosen certification (verified, unexpired)."""

    title = _("valid certification")
    parameter_name = "held"

    def lookups(self, request, model_admin):  # noqa: ANN001, ANN201 - admin signature
        return [(c.code, c.name) for c in Certification.objects.all()]

    def queryset(self, request, queryset):  # noqa: ANN001, ANN201 - admin signature
        if self.value():
            # EXISTS instead of a join and DISTINCT over every product row. Only certificates that
            # count, as on the catalogue: verified and not expired (valid_on).
            held = ProductCertification.objects.valid_on().filter(
                product=OuterRef("pk"), certification__code=self.value()
            )
            return queryset.filter(Exists(held))
        return queryset


@admin.register(Product)
class ProductAdmin(CachedChangelistMixin, CheckedActionsMixin, AuditedAdmin):
    list_display = [
        "name_fa",
        "name_en",
        "company",
        "category",
        "status",
        "fob",
        "updated_at",
    ]
    list_filter = [
        "status", "category", "company__status", CertificateStateFilter, "currency",
        "created_at",
    ]  # fmt: skip
    search_fields = ["name_fa", "name_en", "hs_code", "company__name_fa", "company__name_en"]
    list_select_related = ["company", "category"]
    autocomplete_fields = ["company", "category"]
    filter_horizontal = ["registered_countries"]
    readonly_fields = ["status", "published_at", "thumbnail", "created_at", "updated_at"]
    inlines = [CertificateInline, GalleryInline]
    # Newest first by primary key: the pk index serves it at any size, filtered or not, where the
    # model's -published_at order would sort every product (drafts have no published_at). The
    # date hierarchy (116 ms per view) became the query-free "created" filter above.
    ordering = ["-pk"]
    list_per_page = 50
    paginator = LargeTablePaginator
    show_full_result_count = False
    actions = ["export_csv"]
    # The product's history, then its certificates' (they are edited inline on its page).
    object_history_template = "admin/products/product/object_history.html"

    fob = money_column(Product, "fob_price")

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple:
        # The applications naming a product protect it (support refuses the deletion itself):
        # listed on the confirmation page, which then offers no deletion.
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        from support.models import Application

        naming = Application.objects.filter(products__in=[obj.pk for obj in objs]).distinct()
        protected = [
            *protected,
            *(f"{application._meta.verbose_name}: {application}" for application in naming),
        ]
        return to_delete, model_count, perms_needed, protected

    def history_extra_context(self, request: HttpRequest, product: Product) -> dict:
        history = ProductCertification.history.filter(product_id=product.pk)
        return {"certificate_history": history.select_related("history_user", "certification")[:100]}

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Product], search_term: str
    ) -> tuple[QuerySet[Product], bool]:
        text = search_term.strip()
        if not text:
            return queryset, False
        # The catalog's indexed search (the stored search document and its GIN index) instead of
        # LIKE over every product joined to its company (1.1 s for a Persian word at 100,000);
        # companies by name are resolved first among their few thousand rows.
        companies = Company.objects.filter(Q(name_fa__icontains=text) | Q(name_en__icontains=text))
        company_ids = list(companies.order_by().values_list("pk", flat=True)[:500])
        return search_products(queryset, text) | queryset.filter(company_id__in=company_ids), False

    export_csv = csv_export_action(
        [
            (_("id"), "pk"),
            (_("name (Persian)"), "name_fa"),
            (_("name (English)"), "name_en"),
            (_("company"), "company__name_en"),
            (_("category"), "category__name_en"),
            (_("HS code"), "hs_code"),
            (_("status"), "get_status_display"),
            (_("FOB unit price"), "fob_price"),
            (_("currency"), "currency"),
            (_("monthly production capacity"), "monthly_capacity"),
            (_("unit"), "get_capacity_unit_display"),
            (_("minimum order quantity"), "minimum_order"),
            (_("lead time (days)"), "lead_time_days"),
        ],
        filename="products",
    )


# ---------------------------------------------------------------------------
# The queue of certificates awaiting the centre's check
# ---------------------------------------------------------------------------
class CertificateDecisionForm(forms.ModelForm):
    """Verify, or reject with the reason the company reads."""

    VERIFY, REJECT = "verify", "reject"
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (VERIFY, _("Verify: the scan shows this certificate, number, issuer and expiry")),
            (REJECT, _("Reject: tell the company what to fix")),
        ],
        widget=forms.RadioSelect,
    )

    # What the page showed (ProductCertification.version): a decision on a certificate that
    # changed since is refused.
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = CertificateToCheck
        fields = ["rejection_reason"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def clean(self) -> dict:
        data = super().clean()
        if self.instance.pk and data.get("version") != self.instance.version:
            # Shown again with what it is now, and the token of that.
            self.data = self.data.copy()
            self.data["version"] = self.instance.version
            raise ValidationError(
                _("This certificate changed after the page was loaded: check it again before deciding."),
                code="changed",
            )
        if data.get("decision") == self.REJECT and not (data.get("rejection_reason") or "").strip():
            self.add_error("rejection_reason", _("Say what is wrong, so the company knows what to fix."))
        return data


@admin.register(CertificateToCheck)
class CertificateQueueAdmin(CheckedActionsMixin, admin.ModelAdmin):
    """Pending certificates, the longest waiting first; each opens beside its scan."""

    form = CertificateDecisionForm
    change_form_template = "admin/products/certificatetocheck/change_form.html"
    list_display = ["certification", "number", "issuer", "expiry_date", "product", "company", "submitted"]
    list_display_links = ["certification", "number"]
    list_select_related = ["certification", "product__company"]
    list_filter = ["certification"]
    search_fields = ["number", "product__name_fa", "product__name_en", "product__company__name_fa"]
    ordering = ["submitted_at", "pk"]
    readonly_fields = [
        "product_link", "company", "certification", "number", "issuer", "expiry_date", "submitted_at",
        "scan",
    ]  # fmt: skip
    fieldsets = [
        (None, {"fields": readonly_fields}),
        (_("Decision"), {"fields": ["decision", "rejection_reason", "version"]}),
    ]
    action_form = NoteActionForm
    actions = ["verify_selected", "reject_selected"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[CertificateToCheck]:
        return super().get_queryset(request).awaiting_check()

    def _may_verify(self, request: HttpRequest) -> bool:
        from .permissions import can_verify_certificates

        return bool(can_verify_certificates(request.user))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may_verify(request)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self._may_verify(request)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self._may_verify(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description=_("submitted at"), ordering="submitted_at")
    def submitted(self, certificate: ProductCertification) -> str:
        # With the row's version, posted with the selection: the actions leave alone a
        # certificate that changed after the list was loaded.
        return format_html(
            '{}<input type="hidden" name="version_{}" value="{}">',
            jdate(certificate.submitted_at, with_time=True),  # as the admin shows a date column
            certificate.pk,
            certificate.version,
        )

    def _versions(self, request: HttpRequest) -> dict[int, str]:
        """The version of each certificate listed on the page the action was chosen on."""
        prefix = "version_"
        return {
            int(name[len(prefix) :]): value
            for name, value in request.POST.items()
            if name.startswith(prefix) and name[len(prefix) :].isdigit()
        }

    def _report_changed(self, request: HttpRequest, count: int) -> None:
        if count:
            self.message_user(
                request,
                ngettext(
                    "%(n)s certificate changed after the list was loaded (or was not on it) and was "
                    "left as it is: check it again.",
                    "%(n)s certificates changed after the list was loaded (or were not on it) and were "
                    "left as they are: check them again.",
                    count,
                )
                % {"n": localnumber(count)},
                messages.WARNING,
            )

    @admin.display(description=_("company"), ordering="product__company__name_en")
    def company(self, certificate: ProductCertification) -> Company:
        return certificate.product.company

    @admin.display(description=_("product"))
    def product_link(self, certificate: ProductCertification) -> str:
        url = reverse("admin:products_product_change", args=[certificate.product_id])
        return format_html('<a href="{}">{}</a>', url, certificate.product)

    @admin.display(description=_("certificate (PDF or image)"))
    def scan(self, certificate: ProductCertification) -> str:
        if not certificate.file:
            return _("No scan was uploaded: reject and ask for one.")
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', certificate.file.url, _("Open the scan")
        )

    def render_change_form(self, request: HttpRequest, context: dict, *args: object, **kwargs: object):  # noqa: ANN201
        certificate = context.get("original")
        if certificate is not None and certificate.file:
            context["scan_url"] = certificate.file.url
            context["scan_is_pdf"] = certificate.file.name.lower().endswith(".pdf")
        return super().render_change_form(request, context, *args, **kwargs)

    def save_model(
        self, request: HttpRequest, obj: CertificateToCheck, form: forms.Form, change: bool
    ) -> None:
        try:
            version = form.cleaned_data["version"]
            if form.cleaned_data["decision"] == CertificateDecisionForm.VERIFY:
                services.certificate_verify(certificate=obj, by=request.user, version=version)
                self.message_user(request, _("The certificate is verified."), messages.SUCCESS)
            else:
                services.certificate_reject(
                    certificate=obj,
                    by=request.user,
                    reason=form.cleaned_data["rejection_reason"],
                    version=version,
                )
                self.message_user(request, _("The certificate is rejected; the company is told why."))
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)

    def save_related(self, request: HttpRequest, form: forms.Form, formsets: list, change: bool) -> None:
        """Nothing related to save: the decision service wrote the row."""

    def response_change(self, request: HttpRequest, obj: CertificateToCheck) -> HttpResponse:
        # On to the rest of the queue (the decided certificate has left it).
        return HttpResponseRedirect(reverse("admin:products_certificatetocheck_changelist"))

    @admin.action(description=_("Verify the selected certificates"), permissions=["change"])
    def verify_selected(self, request: HttpRequest, queryset: QuerySet[CertificateToCheck]) -> None:
        versions = self._versions(request)
        changed = sum(versions.get(certificate.pk) != certificate.version for certificate in queryset)
        verified = services.certificates_verify(certificates=queryset, by=request.user, versions=versions)
        for certificate in verified:
            log_action(self, request, certificate, ProductCertification.Status.VERIFIED.label)
        self._report_changed(request, changed)
        count = len(verified)
        message = ngettext("%(n)s certificate verified.", "%(n)s certificates verified.", count)
        self.message_user(request, message % {"n": localnumber(count)}, messages.SUCCESS)

    @admin.action(
        description=_("Reject the selected certificates (the note is the reason)"), permissions=["change"]
    )
    def reject_selected(self, request: HttpRequest, queryset: QuerySet[CertificateToCheck]) -> None:
        reason = request.POST.get("note", "").strip()
        if not reason:
            self.message_user(request, _("Write the reason in the note box first."), messages.ERROR)
            return
        versions = self._versions(request)
        rejected = changed = 0
        for certificate in queryset:
            try:
                services.certificate_reject(
                    certificate=certificate, by=request.user, reason=reason,
                    version=versions.get(certificate.pk, ""),
                )  # fmt: skip
            except ValidationError:
                changed += 1
                continue
            rejected += 1
            log_action(self, request, certificate, ProductCertification.Status.REJECTED.label, reason)
        self._report_changed(request, changed)
        message = ngettext("%(n)s certificate rejected.", "%(n)s certificates rejected.", rejected)
        self.message_user(request, message % {"n": localnumber(rejected)}, messages.SUCCESS)
