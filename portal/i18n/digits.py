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


# ---------------------------------------------------------------------------
# Numbers as people type them: "12,500", "۱۲٬۵۰۰", "1,25", "۰٫۰۷", "1.234,56", "12 500"
# ---------------------------------------------------------------------------
# Spaces people (and keyboards) put between groups of digits.
_GROUP_SPACES = str.maketrans("", "", " \u00a0\u202f\u2009\u200c\u066c")
_GROUP_SPACE_CHARS = " \u00a0\u202f\u2009"


class NumberFormatError(ValueError):
    """The text is not a number, or it is unclear which mark is the decimal point."""


def _grouped(parts: list[str]) -> bool:
    """Whether digit groups split at a separator are thousands groups: 1-3 digits, then threes."""
    head, *rest = parts
    return bool(rest) and 1 <= len(head) <= 3 and head != "0" and all(len(p) == 3 for p in rest)


def parse_number(text: str) -> str:
    """Read a number typed with any digits and separators; return it as plain ASCII ("1234.5").

    - Persian and Arabic-Indic digits; "٫" (and ".") is the decimal point, "٬" groups thousands.
    - A comma is a decimal comma when it cannot be a thousands separator ("1,25" is 1.25,
      "0,125" is 0.125); with exactly three digits after it and a first group of 1-3 digits it
      groups thousands ("12,500" is 12500), as in Persian and English writing.
    - With both marks, the last one is the decimal point ("1,234.5" and "1.234,5" are 1234.5).
    - Spaces between groups of three are dropped ("12 500").
    Raises NumberFormatError when the groups do not fit any of these (for example "1,2,3").
    The result is never a multiple of what was meant: a mark is dropped only between thousands.
    """
    value = to_ascii_digits(text.replace("\u066c", ",")).strip()
    sign = ""
    if value and value[0] in "+-":
        sign, value = ("-" if value[0] == "-" else ""), value[1:].strip()
    if any(ch in _GROUP_SPACE_CHARS for ch in value):
        parts = value.split()
        # Spaces only between thousands groups of the integer part ("12 500", "12 500.5").
        pieces = [*parts[:-1], parts[-1].split(".")[0].split(",")[0]]
        if not _grouped(pieces):
            raise NumberFormatError(text)
        value = "".join(parts)
    if not value or not all(ch.isdigit() or ch in ".," for ch in value) or not value.isascii():
        raise NumberFormatError(text)
    commas, points = value.count(","), value.count(".")
    if commas and points:
        decimal = "," if value.rfind(",") > value.rfind(".") else "."
        group = "." if decimal == "," else ","
        integer, _, fraction = value.rpartition(decimal)
        if value.count(decimal) != 1 or not fraction or not _grouped(integer.split(group)):
            raise NumberFormatError(text)
        return f"{sign}{integer.replace(group, '')}.{fraction}"
    for mark, count in ((",", commas), (".", points)):
        if not count:
            continue
        parts = value.split(mark)
        if count == 1 and (mark == "." or not _grouped(parts)):
            integer, fraction = parts
            if not fraction:
                raise NumberFormatError(text)
            return f"{sign}{integer or '0'}.{fraction}"
        if not _grouped(parts):
            raise NumberFormatError(text)
        return sign + "".join(parts)
    return sign + value
