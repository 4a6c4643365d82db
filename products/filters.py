"""The catalog's filters: one FilterSet shared by the catalog page and the API."""

from __future__ import annotations

import django_filters as filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from companies.models import Company, Province
from portal.digits import to_ascii_digits
from portal.filters import StyledFilterSet
from portal.models import TargetCountry

from .models import Certification, Product, ProductCategory
from .search import search_products


class JointBrandWidget(forms.CheckboxInput):
    """Ticked: only joint-brand products; unticked: every product (not "only those without")."""

    def value_from_datadict(self, data, files, name):  # noqa: ANN001, ANN201 - widget signature
        return True if name in data and data.get(name) not in ("", "false", "0") else None


class ProductFilter(StyledFilterSet):
    q = filters.CharFilter(label=_("Search"), method="filter_search")
    category = filters.ModelChoiceFilter(
        label=_("Category"), queryset=ProductCategory.objects.all(), to_field_name="slug"
    )
    certification = filters.ModelChoiceFilter(
        label=_("Certification"),
        queryset=Certification.objects.all(),
        to_field_name="code",
        field_name="certifications__certification",
        distinct=True,
    )
    country = filters.ModelChoiceFilter(
        label=_("Registered in"),
        queryset=TargetCountry.objects.active(),
        to_field_name="iso_code",
        field_name="registered_countries",
        distinct=True,
    )
    ready_for = filters.ModelChoiceFilter(
        label=_("Ready for"),
        queryset=TargetCountry.objects.active(),
        to_field_name="iso_code",
        method="filter_ready_for",
    )
    joint_brand = filters.BooleanFilter(label=_("Joint national brand only"), widget=JointBrandWidget)
    company = filters.ModelChoiceFilter(label=_("Company"), queryset=Company.objects.verified())
    province = filters.ChoiceFilter(
        label=_("Province"), field_name="company__province", choices=Province.choices
    )
    price_min = filters.NumberFilter(label=_("Price from"), field_name="fob_price", lookup_expr="gte")
    price_max = filters.NumberFilter(label=_("Price up to"), field_name="fob_price", lookup_expr="lte")
    currency = filters.ChoiceFilter(label=_("Currency"), choices=Product.Currency.choices)
    capacity_min = filters.NumberFilter(
        label=_("Monthly capacity at least"), field_name="monthly_capacity", lookup_expr="gte"
    )
    ordering = filters.OrderingFilter(
        label=_("Sort by"),
        fields=(("published_at", "published"), ("fob_price", "price"), ("monthly_capacity", "capacity")),
        field_labels={
            "-published": _("Newest"),
            "price": _("Price: low to high"),
            "-price": _("Price: high to low"),
            "-capacity": _("Largest capacity"),
        },
        choices=[
            ("-published", _("Newest")),
            ("price", _("Price: low to high")),
            ("-price", _("Price: high to low")),
            ("-capacity", _("Largest capacity")),
        ],
        empty_label=None,
    )

    class Meta:
        model = Product
        fields: list[str] = []

    def __init__(self, data=None, *args, **kwargs) -> None:  # noqa: ANN001 - FilterSet signature
        if data is not None:
            data = data.copy()
            for key in ("price_min", "price_max", "capacity_min"):
                if data.get(key):
                    data[key] = to_ascii_digits(data[key])
        super().__init__(data, *args, **kwargs)

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return search_products(queryset, value)

    def filter_ready_for(self, queryset: QuerySet, name: str, value: TargetCountry | None) -> QuerySet:
        return queryset.ready_for(value) if value else queryset
