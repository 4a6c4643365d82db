"""Persian and Arabic-Indic digits: normalise what users type, localise what they read."""

from __future__ import annotations

PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
_TO_ASCII = str.maketrans(
    PERSIAN_DIGITS + ARABIC_INDIC_DIGITS + "٫٬،",  # Arabic decimal and thousands separators
    "0123456789" * 2 + ".,,",
)
_TO_PERSIAN = str.maketrans("0123456789", PERSIAN_DIGITS)


def to_ascii_digits(value: str) -> str:
    """Turn Persian and Arabic-Indic digits (and their separators) into ASCII."""
    return value.translate(_TO_ASCII)


def to_persian_digits(value: str) -> str:
    return value.translate(_TO_PERSIAN)
