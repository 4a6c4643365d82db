from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms import LocalDateField
from portal.models import TargetCountry
from support.models import SupportProgram

from .aggregates import ResultsFilter


class ResultsFilterForm(forms.Form):
    """The dashboard's (and the API's) filters: a period in Jalali or Gregorian dates, a
    programme, a destination country. Every field may stay empty."""

    start = LocalDateField(label=_("From"), required=False)
    end = LocalDateField(label=_("To"), required=False)
    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=SupportProgram.objects.order_by("-opens_on", "pk"), required=False
    )
    country = forms.ModelChoiceField(
        label=_("Destination country"), queryset=TargetCountry.objects.order_by("name_en"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].empty_label = _("All programmes")
        self.fields["country"].empty_label = _("All countries")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end of the period comes after its start."))
        return data

    def results_filter(self) -> ResultsFilter:
        """The filter the valid fields describe (call after is_valid(); invalid fields are left out)."""
        data = getattr(self, "cleaned_data", {})
        programme, country = data.get("programme"), data.get("country")
        return ResultsFilter(
            start=data.get("start"),
            end=data.get("end") if "end" not in self.errors else None,
            program_id=programme.pk if programme else None,
            country_id=country.pk if country else None,
        )
