"""Filters shared by the broker directory, the offer board and the API."""

from __future__ import annotations

import django_filters as filters
from django.utils.translation import gettext_lazy as _

from portal.filters import LocalDateFilter, StyledFilterSet
from portal.models import TargetCountry
from products.models import ProductCategory

from .models import Broker, Offer, ServiceType


class BrokerFilter(StyledFilterSet):
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
        field_name="services",
        distinct=True,
    )
    q = filters.CharFilter(label=_("Name"), method="filter_name")

    class Meta:
        model = Broker
        fields: list[str] = []

    def filter_name(self, queryset, name, value):  # noqa: ANN001, ANN201 - django-filter signature
        return queryset.filter(name_fa__icontains=value) | queryset.filter(name_en__icontains=value)


class OfferFilter(StyledFilterSet):
    country = filters.ModelChoiceFilter(
        label=_("Country"), queryset=TargetCountry.objects.active(), to_field_name="iso_code"
    )
    category = filters.ModelChoiceFilter(
        label=_("Category"),
        queryset=ProductCategory.objects.all(),
        to_field_name="slug",
        field_name="categories",
        distinct=True,
    )
    kind = filters.ChoiceFilter(label=_("Kind"), choices=Offer.Kind.choices)
    deadline_before = LocalDateFilter(label=_("Deadline before"), field_name="deadline", lookup_expr="lte")
    broker = filters.ModelChoiceFilter(label=_("Broker"), queryset=Broker.objects.approved())

    class Meta:
        model = Offer
        fields: list[str] = []
