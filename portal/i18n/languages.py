"""Each language's conventions: which texts stand in for a missing one, and how numbers are written.

Persian and English cover the whole portal; Arabic and Russian cover what a buyer reads (the public
pages, the inquiry form and its e-mails). A model's text in a language it lacks falls back to
English, then Persian (Persian and English fall back to each other).

Digits: Persian pages use Persian digits (۱۲٬۵۰۰٫۵) and the Jalali calendar. Arabic pages use
Arabic-Indic digits with the Arabic separators (١٢٬٥٠٠٫٥), the convention of the programme's
Arabic-speaking markets (Iraq and the Gulf), with Gregorian dates (Django's Arabic formats: month
names in Arabic). Russian pages use Latin digits grouped by a no-break space with a decimal comma
(12 500,5) and Gregorian dates; English ones 12,500.5.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import get_language

from portal.i18n.digits import ARABIC_INDIC_DIGITS, PERSIAN_DIGITS

# What a model text falls back to when empty in the reader's language.
FALLBACKS = {"fa": ("fa", "en"), "en": ("en", "fa"), "ar": ("ar", "en", "fa"), "ru": ("ru", "en", "fa")}
# The languages a company or a broker works in (the signed-in side, accounts' preferences).
STAFF_LANGUAGES = ("fa", "en")


@dataclass(frozen=True)
class NumberStyle:
    digits: str  # the ten digits 0-9
    group: str  # between thousands
    decimal: str
    list_separator: str
    jalali: bool = False
    # A noun after a number stays singular: "۶۳ درخواست" (Persian), not "63 applications".
    singular_after_count: bool = False

    def localize(self, text: str) -> str:
        """ASCII digits and "," "." (as Python writes 12,500.5) in this language's style."""
        table = {ord(","): self.group, ord("."): self.decimal}
        table.update({ord(str(i)): self.digits[i] for i in range(10)})
        return text.translate(table)

    def digits_only(self, text: str) -> str:
        return text.translate({ord(str(i)): self.digits[i] for i in range(10)})

    def in_text(self, text: str) -> str:
        """Free text (a note written by the portal or typed by someone) with its numbers in this
        style: "3,000.50 USD" is "۳٬۰۰۰٫۵۰ USD", "round 2" "round ۲", "1405/09/05" "۱۴۰۵/۰۹/۰۵";
        a code or an address with Latin letters in it stays as written ("TR-12", "a1@x.example")."""

        def shown(match: re.Match[str]) -> str:
            word = match.group()
            core = word.rstrip(".,:")  # a number ending a sentence or a clause
            if _LATIN_LETTER.search(core):
                return word
            if _PYTHON_NUMBER.fullmatch(core):  # as Python or a person writes it: 12,500.5
                return self.localize(core) + word[len(core) :]
            return self.digits_only(word)

        return _WORD.sub(shown, text)


# A word of Latin script: letters, digits and what joins them in numbers, dates, codes and addresses.
_WORD = re.compile(r"[\w\-./:,+#@%]*\d[\w\-./:,+#@%]*", re.ASCII)
_LATIN_LETTER = re.compile(r"[A-Za-z]")
_PYTHON_NUMBER = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?")


STYLES = {
    "fa": NumberStyle(PERSIAN_DIGITS, "٬", "٫", "، ", jalali=True, singular_after_count=True),
    "ar": NumberStyle(ARABIC_INDIC_DIGITS, "٬", "٫", "، "),
    "ru": NumberStyle("0123456789", "\u00a0", ",", ", "),
    "en": NumberStyle("0123456789", ",", ".", ", "),
}


def current_language() -> str:
    """The active language's code, two letters, one of settings.LANGUAGES."""
    code = (get_language() or settings.LANGUAGE_CODE)[:2]
    return code if code in STYLES else "en"


def number_style(language: str | None = None) -> NumberStyle:
    return STYLES.get((language or current_language())[:2], STYLES["en"])


def fallbacks(language: str | None = None) -> tuple[str, ...]:
    return FALLBACKS.get((language or current_language())[:2], ("en", "fa"))


def pick(obj: object, field: str, language: str | None = None) -> str:
    """`<field>_<language>` of `obj`, else the first non-empty one of its fallbacks."""
    for code in fallbacks(language):
        value = getattr(obj, f"{field}_{code}", "")
        if value:
            return value
    return ""


def pick_from(values: dict[str, str], language: str | None = None) -> str:
    """The same choice in a {"fa": ..., "en": ...} dict (notification contexts)."""
    for code in fallbacks(language):
        if values.get(code):
            return values[code]
    return ""
