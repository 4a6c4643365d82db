from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.admin_tools import csv_export_action

from .models import (
    Certification,
    CountryRequirement,
    Product,
    ProductCategory,
    ProductCertification,
    ProductImage,
)


@admin.register(ProductCategory)
class ProductCategoryAdmin(admin.ModelAdmin):
    list_display = ["name_fa", "name_en", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name_fa", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}


@admin.register(Certification)
class CertificationAdmin(admin.ModelAdmin):
    list_display = ["code", "name_fa", "name_en", "issuer"]
    search_fields = ["code", "name_fa", "name_en"]


@admin.register(CountryRequirement)
class CountryRequirementAdmin(admin.ModelAdmin):
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
            return queryset.filter(certifications__certification__code=self.value()).distinct()
        return queryset


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
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
    list_filter = ["status", "category", "company__status", CertificateStateFilter, "currency"]
    search_fields = ["name_fa", "name_en", "hs_code", "company__name_fa", "company__name_en"]
    list_select_related = ["company", "category"]
    autocomplete_fields = ["company", "category"]
    filter_horizontal = ["registered_countries"]
    readonly_fields = ["status", "published_at", "thumbnail", "created_at", "updated_at"]
    inlines = [CertificateInline, GalleryInline]
    date_hierarchy = "created_at"
    actions = ["export_csv"]

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
