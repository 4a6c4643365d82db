"""The legal-entity national ID (شناسه ملی): 11 digits with a check digit."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

WEIGHTS = (29, 27, 23, 19, 17)


def national_id_check_digit(first_ten: str) -> int:
    """The 11th digit for the first ten: each raised by (10th digit + 2), weighted 29..17, mod 11."""
    raise_by = int(first_ten[9]) + 2
    total = sum((int(d) + raise_by) * WEIGHTS[i % 5] for i, d in enumerate(first_ten))
    remainder = total % 11
    return 0 if remainder == 10 else remainder


def _is_eleven_digits(value: str) -> bool:
    return len(value) == 11 and value.isascii() and value.isdigit()


def is_valid_national_id(value: str) -> bool:
    if not _is_eleven_digits(value) or int(value[3:9]) == 0:  # digits 4 to 9 are never all zero
        return False
    return national_id_check_digit(value[:10]) == int(value[10])


def validate_national_id(value: str) -> None:
    if not _is_eleven_digits(value):
        raise ValidationError(_("The national ID has exactly 11 digits."), code="national_id_length")
    if not is_valid_national_id(value):
        raise ValidationError(
            _("This national ID is not valid: please check the digits."), code="national_id_checksum"
        )
