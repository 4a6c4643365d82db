"""A FilterSet built once per class (StyledFilterSet.form_class_once) copies its filters and its
form's fields for each request without deep-copying their choices: each request still has its
own filters, fields and widgets, and the choices still read in that request's language."""

from __future__ import annotations

import pytest
from django.http import QueryDict
from django.utils import translation

from products.filters import ProductFilter
from products.models import Product
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
