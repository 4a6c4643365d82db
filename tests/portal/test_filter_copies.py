"""A FilterSet built once per class (StyledFilterSet.form_class_once) copies its filters and its
form's fields for each request without deep-copying their choices: each request still has its
own filters, fields and widgets, and the choices still read in that request's language."""

from __future__ import annotations

import django_filters as filters
import pytest
from django.http import QueryDict
from django.utils import translation

from brokers.filters import OfferFilter
from brokers.models import Offer
from portal.filters import StyledFilterSet
from portal.models import TargetCountry
from products.filters import ProductFilter
from products.models import Product
from tests.portal.factories import TargetCountryFactory
from tests.products.factories import CategoryFactory

pytestmark = pytest.mark.django_db


def _filter(query: str) -> ProductFilter:
    return ProductFilter(QueryDict(query), queryset=Product.objects.all())


def test_each_request_has_its_own_filters_fields_and_widgets():
    first, second = _filter("q=mask"), _filter("category=nope")
    assert first.filters["q"] is not second.filters["q"]
    assert first.filters["q"].parent is first
    assert second.filters["q"].parent is second
    # A method filter finds its method on its own FilterSet, not on the class's template.
    assert list(first.qs) == []
    assert not second.is_valid()
    assert "category" in second.errors
    assert "category" not in first.errors

    one, other = first.form.fields["province"], second.form.fields["province"]
    assert one is not other
    assert one.widget is not other.widget
    one.widget.attrs["data-changed"] = "yes"
    one.error_messages["invalid_choice"] = "changed"
    assert "data-changed" not in other.widget.attrs
    assert "data-changed" not in _filter("").form.fields["province"].widget.attrs
    assert _filter("").form.fields["province"].error_messages["invalid_choice"] != "changed"


def test_shared_choices_still_read_in_each_requests_language():
    CategoryFactory(slug="masks", name_fa="ماسک", name_en="Masks")
    with translation.override("fa"):
        persian = str(_filter("").form["category"])
    with translation.override("en"):
        english = str(_filter("").form["category"])
    assert "ماسک" in persian
    assert "Masks" not in persian
    assert "Masks" in english
    assert "ماسک" not in english


# --- model choice filters (the offer board and the broker directory) --------------------------------
def _offers(query: str) -> OfferFilter:
    return OfferFilter(QueryDict(query), queryset=Offer.objects.all())


def test_a_model_choice_field_reads_its_options_anew_for_each_request():
    """The offer board's form class is built once, but its countries are read for each form: a
    country added or withdrawn since shows at once, as an option and as a valid choice."""
    TargetCountryFactory(iso_code="IQ")
    first = _offers("country=IQ")
    assert first.is_valid()
    assert 'value="IQ"' in str(first.form["country"])
    TargetCountryFactory(iso_code="OM")
    TargetCountry.objects.filter(iso_code="IQ").update(is_active=False)
    later = _offers("country=OM")
    assert later.is_valid()
    options = str(later.form["country"])
    assert 'value="OM"' in options
    assert 'value="IQ"' not in options
    assert not _offers("country=IQ").is_valid()
    # Each form has its own field and queryset, never one evaluated by another request.
    one, other = first.form.fields["country"], later.form.fields["country"]
    assert one is not other
    assert one.queryset is not other.queryset
    assert other.widget.choices.field is other


def test_a_filter_whose_choices_depend_on_the_request_is_not_built_once():
    class PerUser(StyledFilterSet):
        form_class_once = True
        country = filters.ModelChoiceFilter(queryset=lambda request: TargetCountry.objects.all())

        class Meta:
            model = Offer
            fields: list[str] = []

    with pytest.raises(TypeError, match="depends on the request"):
        _ = PerUser(QueryDict(""), queryset=Offer.objects.all()).form
