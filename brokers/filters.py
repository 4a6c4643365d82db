"""Filters shared by the broker directory, the offer board and the API."""

from __future__ import annotations

import django_filters as filters
from django import forms
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from portal.filters import LocalDateFilter, StyledFilterSet
from portal.models import TargetCountry
from products.models import ProductCategory
from products.search import normalize_query

from .models import LANGUAGES, Broker, BrokerService, BuyerInquiry, Offer, ServiceType


class BrokerFilter(StyledFilterSet):
    form_class_once = True  # querysets given as such, labels lazy; no __init__
    country = filters.ModelChoiceFilter(
        label=_("Covered country"),
        queryset=TargetCountry.objects.active(),
        to_field_name="iso_code",
        field_name="countries",
        distinct=True,
    )
    service = filters.ModelChoiceFilter(
        label=_("Service"),
        queryset=ServiceType.objects.all(),
        to_field_name="slug",
        method="filter_service",
    )
    language = filters.ChoiceFilter(label=_("Working language"), choices=LANGUAGES, method="filter_language")
    q = filters.CharFilter(label=_("Name"), method="filter_name")

    class Meta:
        model = Broker
        fields: list[str] = []

    def filter_language(self, queryset: QuerySet[Broker], name: str, value: str) -> QuerySet[Broker]:
        """Brokerages that work in the language (a code in their `languages` list)."""
        if connection.features.supports_json_field_contains:
            return queryset.filter(languages__contains=[value])
        # SQLite (the demo) has no JSON containment: the code, quoted, in the list's text.
        return queryset.filter(languages__icontains=f'"{value}"')

    def filter_name(self, queryset, name, value):  # noqa: ANN001, ANN201 - django-filter signature
        return queryset.filter(name_fa__icontains=value) | queryset.filter(name_en__icontains=value)

    def filter_service(self, queryset: QuerySet[Broker], name: str, value: ServiceType) -> QuerySet[Broker]:
        """Brokerages that declare the type on their profile or list a service of it."""
        declared = Broker.services.through.objects.filter(broker=OuterRef("pk"), servicetype=value)
        listed = BrokerService.objects.listed().filter(broker=OuterRef("pk"), service_type=value)
        return queryset.filter(Exists(declared) | Exists(listed))


class OfferFilter(StyledFilterSet):
    form_class_once = True  # querysets given as such, labels lazy; no __init__
    country = filters.ModelChoiceFilter(
        label=_("Country"), queryset=TargetCountry.objects.active(), to_field_name="iso_code"
    )
    category = filters.ModelChoiceFilter(
        label=_("Category"),
        queryset=ProductCategory.objects.all(),
        to_field_name="slug",
        method="filter_category",
    )
    kind = filters.ChoiceFilter(label=_("Kind"), choices=Offer.Kind.choices)
    deadline_before = LocalDateFilter(label=_("Deadline before"), field_name="deadline", lookup_expr="lte")
    # A name to type rather than a <select> of every brokerage (hundreds of options on each page);
    # a number is a brokerage's id, as the API and links to a brokerage's offers pass it.
    broker = filters.CharFilter(
        label=_("Broker"),
        method="filter_broker",
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Brokerage name")}),
    )

    class Meta:
        model = Offer
        fields: list[str] = []

    def filter_category(
        self, queryset: QuerySet[Offer], name: str, value: ProductCategory
    ) -> QuerySet[Offer]:
        # EXISTS on the categories table: a join would need DISTINCT over whole offer rows.
        tagged = Offer.categories.through.objects.filter(offer=OuterRef("pk"), productcategory=value)
        return queryset.filter(Exists(tagged))

    def filter_broker(self, queryset: QuerySet[Offer], name: str, value: str) -> QuerySet[Offer]:
        value = value.strip()
        if value.isdecimal() and len(value) <= 18:  # an id; longer numbers are no id of ours
            return queryset.filter(broker_id=int(value))
        matches = Q()
        for text in {value, normalize_query(value)}:  # as typed, and with Persian ی/ک and digits
            matches |= Q(broker__name_fa__icontains=text) | Q(broker__name_en__icontains=text)
        return queryset.filter(matches)


# The inbox's tabs: each names the statuses it lists ("closed" holds the spam the centre marked too).
INBOX_TABS: dict[str, tuple[str, ...]] = {
    "new": (BuyerInquiry.Status.ROUTED,),
    "claimed": (BuyerInquiry.Status.CLAIMED,),
    "answered": (BuyerInquiry.Status.ANSWERED,),
    "converted": (BuyerInquiry.Status.CONVERTED,),
    "closed": (BuyerInquiry.Status.CLOSED, BuyerInquiry.Status.SPAM),
}
INBOX_TAB_LABELS = {
    "new": _("New"),
    "claimed": _("Claimed"),
    "answered": _("Answered"),
    "converted": _("Converted to a deal"),
    "closed": _("Closed"),
}


class InquiryFilter(StyledFilterSet):
    """The inbox's filters: the tab (status), the buyer's country, held by me, and a text search."""

    status = filters.ChoiceFilter(
        label=_("Status"),
        choices=list(INBOX_TAB_LABELS.items()),
        method="filter_status",
        empty_label=_("All"),
    )
    country = filters.ModelChoiceFilter(
        label=_("Country"), queryset=TargetCountry.objects.active(), to_field_name="iso_code"
    )
    mine = filters.BooleanFilter(label=_("Held by me"), method="filter_mine", widget=forms.CheckboxInput)
    q = filters.CharFilter(
        label=_("Search"),
        method="filter_text",
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Reference, buyer or organisation")}
        ),
    )

    class Meta:
        model = BuyerInquiry
        fields: list[str] = []

    def filter_status(
        self, queryset: QuerySet[BuyerInquiry], name: str, value: str
    ) -> QuerySet[BuyerInquiry]:
        return queryset.filter(status__in=INBOX_TABS[value])

    def filter_mine(self, queryset: QuerySet[BuyerInquiry], name: str, value: bool) -> QuerySet[BuyerInquiry]:
        return queryset.filter(holder=self.request.user) if value and self.request else queryset

    def filter_text(self, queryset: QuerySet[BuyerInquiry], name: str, value: str) -> QuerySet[BuyerInquiry]:
        matches = Q()
        for text in {value.strip(), normalize_query(value)}:
            matches |= (
                Q(reference__icontains=text) | Q(name__icontains=text) | Q(organisation__icontains=text)
            )
        return queryset.filter(matches)
