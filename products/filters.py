"""The catalog's filters: one FilterSet shared by the catalog page and the API."""

from __future__ import annotations

import django_filters as filters
from django import forms
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from companies.models import Province
from portal.filters import StyledFilterSet
from portal.i18n.digits import to_ascii_digits

from . import vocabulary
from .models import Product, ProductCertification
from .search import RankedResults, query_words, ranked, search_products


class JointBrandWidget(forms.CheckboxInput):
    """Ticked: only joint-brand products; unticked: every product (not "only those without")."""

    def value_from_datadict(self, data, files, name):  # noqa: ANN001, ANN201 - widget signature
        return True if name in data and data.get(name) not in ("", "false", "0") else None


SEARCH_PARAMS = ("q", "search")  # the page's and the API's name for the text search


class IdFilter(filters.NumberFilter):
    """A row id: a whole number within the database's range (1.5 or 1e99 is a field error)."""

    field_class = forms.IntegerField

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, min_value=1, max_value=2**63 - 1, **kwargs)


def _choices(kind: str):  # noqa: ANN202 - a callable django-filter evaluates per form
    return lambda: vocabulary.choices(kind, get_language() or "fa")


class StableOrderingFilter(filters.OrderingFilter):
    """An order that ties (many products share a price or a capacity) ends with the id, so that
    pages neither repeat nor skip products; the partial indexes on (price, id) and (capacity, id)
    serve it both ways. Newest first ends with the creation time, then the id (products imported
    together share both times), as its index and the model's default order do."""

    TIEBREAK = {
        "published_at": ("created_at", "pk"),
        "fob_price": ("pk",),
        "monthly_capacity": ("pk",),
    }

    def filter(self, queryset: QuerySet, value: list[str] | None) -> QuerySet:
        if not value:
            return queryset
        ordering = [self.get_ordering_value(param) for param in value]
        descending, field = ordering[-1].startswith("-"), ordering[-1].lstrip("-")
        # In the last field's direction, so that one index serves the whole order.
        ordering += [("-" if descending else "") + tiebreak for tiebreak in self.TIEBREAK.get(field, ())]
        return queryset.order_by(*ordering)


class ProductFilter(StyledFilterSet):
    """Choices come from the cached vocabulary (no query per field), and related rows are
    matched with EXISTS rather than a join and DISTINCT, which would sort every match before
    the first page could be read in the newest-first index order."""

    q = filters.CharFilter(label=_("Search"), method="filter_search")
    category = filters.ChoiceFilter(
        label=_("Category"), choices=_choices("category"), method="filter_category"
    )
    certification = filters.ChoiceFilter(
        label=_("Certification"), choices=_choices("certification"), method="filter_certification"
    )
    country = filters.ChoiceFilter(
        label=_("Registered in"), choices=_choices("country"), method="filter_registered_in"
    )
    ready_for = filters.ChoiceFilter(
        label=_("Ready for"), choices=_choices("country"), method="filter_ready_for"
    )
    joint_brand = filters.BooleanFilter(label=_("Joint national brand only"), widget=JointBrandWidget)
    # A company's products are reached from its page: the id travels in the query string, and
    # the form does not list thousands of companies.
    company = IdFilter(label=_("Company"), widget=forms.HiddenInput, method="filter_company")
    province = filters.ChoiceFilter(
        label=_("Province"), field_name="company__province", choices=Province.choices
    )
    price_min = filters.NumberFilter(label=_("Price from"), field_name="fob_price", lookup_expr="gte")
    price_max = filters.NumberFilter(label=_("Price up to"), field_name="fob_price", lookup_expr="lte")
    currency = filters.ChoiceFilter(label=_("Currency"), choices=Product.Currency.choices)
    capacity_min = filters.NumberFilter(
        label=_("Monthly capacity at least"), field_name="monthly_capacity", lookup_expr="gte"
    )
    ordering = StableOrderingFilter(
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
        # No order chosen: the best matches of a search first, otherwise the newest.
        empty_label=_("Best match"),
    )

    form_class_once = True  # choices are callables, labels lazy; __init__ changes only the data

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

    def filter_queryset(self, queryset: QuerySet) -> QuerySet | RankedResults:
        """Filter as usual; a text search with no chosen order comes back ranked by relevance."""
        data = self.form.cleaned_data
        text = next((data[name] for name in SEARCH_PARAMS if data.get(name)), "")
        if not query_words(text) or data.get("ordering"):
            return super().filter_queryset(queryset)
        for name, value in data.items():
            if name not in SEARCH_PARAMS:
                queryset = self.filters[name].filter(queryset, value)
        return ranked(queryset, text, all_published=self.lists_public_only)

    @property
    def lists_public_only(self) -> bool:
        """The catalog lists public products only, and so does the API for anonymous callers; a
        signed-in caller's API list holds their company's drafts too (Product.objects.visible_to)."""
        return self.request is None or not self.request.user.is_authenticated

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return search_products(queryset, value)

    def filter_category(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        found = vocabulary.term("category", value)
        return queryset.filter(category_id=found.pk) if found else queryset.none()

    def filter_certification(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        found = vocabulary.term("certification", value)
        held = (
            # Only a certificate the centre verified, and not expired, counts as held.
            ProductCertification.objects.valid_on().filter(product=OuterRef("pk"), certification_id=found.pk)
            if found
            else None
        )
        return queryset.filter(Exists(held)) if held is not None else queryset.none()

    def filter_registered_in(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        found = vocabulary.term("country", value)
        if not found:
            return queryset.none()
        registered = Product.registered_countries.through.objects.filter(
            product=OuterRef("pk"), targetcountry_id=found.pk
        )
        return queryset.filter(Exists(registered))

    def filter_ready_for(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        found = vocabulary.term("country", value)
        return queryset.ready_for(found.pk) if found else queryset.none()

    def filter_company(self, queryset: QuerySet, name: str, value: int | None) -> QuerySet:
        return queryset.filter(company_id=value) if value is not None else queryset
