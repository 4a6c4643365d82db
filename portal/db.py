"""Saving rows that two people may create at the same moment, and numbering them."""

from __future__ import annotations

from datetime import date

import jdatetime
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _


def save_unique(obj: models.Model, *, message: str | None = None, **save_kwargs: object) -> None:
    """`obj.save()`; when a concurrent transaction took the same unique value first, raise the
    ValidationError that `full_clean()` gives now that the other row is visible.

    `full_clean()` before a save checks uniqueness, but another request can insert the same value
    between that check and our INSERT; the database's constraint then refuses ours. Rather than a
    500, the user gets the field error they would have had a moment later ("An account with this
    e-mail address already exists."), or `message` when the model has no better words for it.
    """
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction stays usable
            obj.save(**save_kwargs)
    except IntegrityError as exc:
        try:
            obj.validate_unique()
            obj.validate_constraints()
        except ValidationError as error:
            if message:
                raise ValidationError(message, code="unique") from exc
            raise error from exc
        # Not a uniqueness the model can name (or the other row is gone again): say so plainly.
        raise ValidationError(
            message or _("Someone saved the same thing at the same moment. Please check and try again."),
            code="conflict",
        ) from exc


def next_reference(prefix: str, today: date) -> str:
    """`<prefix>-<Jalali year>-<6 digits>` (EXP-1405-000123), counted per prefix and year. The
    counter's row stays locked until the caller's transaction ends, so two at once never share a
    number and a rolled-back creation gives its number back."""
    from portal.models import ReferenceCounter

    year = jdatetime.date.fromgregorian(date=today).year
    ReferenceCounter.objects.get_or_create(prefix=prefix, jalali_year=year)
    counter = ReferenceCounter.objects.select_for_update().get(prefix=prefix, jalali_year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{prefix}-{year}-{counter.last:06d}"
