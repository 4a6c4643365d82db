"""A FilterSet base whose form looks like the rest of the site (Bootstrap classes, "Any")."""

from __future__ import annotations

import django_filters as filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters.filters import QuerySetRequestMixin

from portal.forms import LocalDateField


class LocalDateFilter(filters.DateFilter):
    """A date filter that takes Jalali dates on Persian pages (see LocalDateField)."""

    field_class = LocalDateField


class StyledFilterSet(filters.FilterSet):
    """With `form_class_once = True` the form class is built and styled once per FilterSet class:
    django-filter builds a new class, with a new field per filter, for every request (a
    millisecond of each catalog page). Only for a FilterSet whose fields hold nothing of one
    request or language (lazy labels, choices as callables read in the active language): no
    ModelChoiceFilter (its queryset may depend on the request, and is refused here), no field
    changed in __init__."""

    form_class_once = False

    def get_form_class(self) -> type[forms.Form]:
        built = type(self).__dict__.get("_built_form_class")
        if built is not None:
            return built
        form_class = _styled(super().get_form_class())
        if self.form_class_once:
            if any(isinstance(filter_, QuerySetRequestMixin) for filter_ in self.filters.values()):
                raise TypeError(f"{type(self).__name__}: a filter's field depends on the request")
            type(self)._built_form_class = form_class
        return form_class


def _styled(form_class: type[forms.Form]) -> type[forms.Form]:
    for name, field in form_class.base_fields.items():
        if isinstance(field.widget, forms.CheckboxInput):
            css = "form-check-input"
        else:
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs.setdefault("class", css)
        if name != "ordering" and getattr(field, "empty_label", None) is not None:
            field.empty_label = _("Any")
    return form_class
