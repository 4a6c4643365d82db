"""A FilterSet base whose form looks like the rest of the site (Bootstrap classes, "Any")."""

from __future__ import annotations

import copy
from typing import Any

import django_filters as filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters.filters import QuerySetRequestMixin
from django_filters.filterset import FilterSetMetaclass

from portal.forms import LocalDateField


class LocalDateFilter(filters.DateFilter):
    """A date filter that takes Jalali dates on Persian pages (see LocalDateField)."""

    field_class = LocalDateField


class _Filters(dict):
    """A FilterSet's filters, copied for each use as django-filter needs (each copy learns its
    FilterSet, `parent`) without deep-copying what no use changes: their choices and labels.
    django-filter deep-copies every filter, choices and lazy labels included: 710 copies a
    catalog request, a millisecond and a half of it."""

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, filters.Filter]:
        copied = {}
        for name, filter_ in self.items():
            copied[name] = new = copy.copy(filter_)
            if filter_.method is not None:
                new.method = filter_.method  # the copy's own FilterMethod, which finds its parent
        return copied


class _Fields(dict):
    """A form class's fields, copied for each form as Django's `Field.__deepcopy__` copies them
    (the field, its widget, its error messages and validators), except that a choice field's
    choices are shared rather than deep-copied: nothing changes them after the class is built.
    A model choice field gets its own unevaluated queryset, as Django gives it, so that no form
    keeps rows another request read (its options are read anew for each form)."""

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, forms.Field]:
        copied = {}
        for name, field in self.items():
            copied[name] = new = copy.copy(field)
            new.widget = copy.deepcopy(field.widget, memo)
            new.error_messages = field.error_messages.copy()
            new.validators = field.validators[:]
            if isinstance(field, forms.ModelChoiceField):
                new.queryset = field.queryset.all()  # and the widget's choices read the copy's
        return copied


class _StyledFilterSetMetaclass(FilterSetMetaclass):
    def __new__(mcs, name: str, bases: tuple[type, ...], attrs: dict[str, Any]) -> type:
        new_class = super().__new__(mcs, name, bases, attrs)
        if new_class.form_class_once:
            new_class.base_filters = _Filters(new_class.base_filters)
        return new_class


class StyledFilterSet(filters.FilterSet, metaclass=_StyledFilterSetMetaclass):
    """With `form_class_once = True` the form class is built and styled once per FilterSet class:
    django-filter builds a new class, with a new field per filter, for every request (a
    millisecond of each catalog page). Only for a FilterSet whose fields hold nothing of one
    request or language (lazy labels, choices as callables read in the active language, a model
    choice filter's queryset given as a queryset: one given as a function of the request is
    refused here), no field changed in __init__. Such a FilterSet's filters, and its form's
    fields, are copied for each request without deep-copying their choices (`_Filters`,
    `_Fields`)."""

    form_class_once = False

    def get_form_class(self) -> type[forms.Form]:
        built = type(self).__dict__.get("_built_form_class")
        if built is not None:
            return built
        form_class = _styled(super().get_form_class())
        if self.form_class_once:
            if any(_per_request(filter_) for filter_ in self.filters.values()):
                raise TypeError(f"{type(self).__name__}: a filter's field depends on the request")
            form_class.base_fields = _Fields(form_class.base_fields)
            type(self)._built_form_class = form_class
        return form_class


def _per_request(filter_: filters.Filter) -> bool:
    """Whether the filter's choices come from a function of the request."""
    return isinstance(filter_, QuerySetRequestMixin) and callable(filter_.queryset)


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
