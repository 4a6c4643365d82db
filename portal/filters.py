"""A FilterSet base whose form looks like the rest of the site (Bootstrap classes, "Any")."""

from __future__ import annotations

import django_filters as filters
from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms import LocalDateField


class LocalDateFilter(filters.DateFilter):
    """A date filter that takes Jalali dates on Persian pages (see LocalDateField)."""

    field_class = LocalDateField


class StyledFilterSet(filters.FilterSet):
    @property
    def form(self) -> forms.Form:
        form = super().form
        for name, field in form.fields.items():
            if isinstance(field.widget, forms.CheckboxInput):
                css = "form-check-input"
            else:
                css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
            if name != "ordering" and getattr(field, "empty_label", None) is not None:
                field.empty_label = _("Any")
        return form
