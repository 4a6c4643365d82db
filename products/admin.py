from __future__ import annotations

from django.contrib import admin
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from companies.models import Company
from portal.admin_tools import CheckedActionsMixin, csv_export_action
from portal.history import AuditedAdmin
from portal.pagination import LargeTablePaginator

from .models import (
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
    fields = ["certification", "number", "issuer", "expiry_date", "file"]
    autocomplete_fields = ["certification"]


class GalleryInline(admin.TabularInline):
    model = ProductImage
    extra = 0
    fields = ["image", "caption", "position"]


class CertificateStateFilter(admin.SimpleListFilter):
    title = _("certification")
    parameter_name = "held"

    def lookups(self, request, model_admin):  # noqa: ANN001, ANN201 - admin signature
        return [(c.code, c.name) for c in Certification.objects.all()]

    def queryset(self, request, queryset):  # noqa: ANN001, ANN201 - admin signature
        if self.value():
            # EXISTS instead of a join and DISTINCT over every product row.
            held = ProductCertification.objects.filter(
                product=OuterRef("pk"), certification__code=self.value()
            )
            return queryset.filter(Exists(held))
        return queryset


@admin.register(Product)
class ProductAdmin(CheckedActionsMixin, AuditedAdmin):
    list_display = [
        "name_fa",
        "name_en",
        "company",
        "category",
        "status",
        "fob_price",
        "currency",
        "updated_at",
    ]
    list_filter = [
        "status", "category", "company__status", CertificateStateFilter, "currency",
        ("created_at", admin.DateFieldListFilter),
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
