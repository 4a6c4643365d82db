"""Text folded for matching: what a search compares, whatever letters and digits were typed.

Arabic letter forms become Persian, Persian and Arabic-Indic digits ASCII, diacritics and tatweel
are dropped, letters lower-cased. The catalog's stored search document is folded the same way by
PostgreSQL (products_fold, products migration 0004: a test checks both fold alike); on SQLite, the
embedded default, every LIKE folds both sides with it (`sqlite_like`), so that searches find what
they find on PostgreSQL: Arabic ك in a stored name, Cyrillic in either case.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .digits import ARABIC_INDIC_DIGITS, PERSIAN_DIGITS

FOLD_FROM = "يىكةۀأإ" + PERSIAN_DIGITS + ARABIC_INDIC_DIGITS
FOLD_TO = "ییکههاا" + "0123456789" * 2
# Tatweel, the Arabic short vowels, shadda, sukun and the superscript alef.
FOLD_DROP = "\u0640\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670"
_FOLD = str.maketrans(FOLD_FROM, FOLD_TO, FOLD_DROP)


def fold(text: str) -> str:
    """Fold text as the stored search document is folded."""
    return text.lower().translate(_FOLD)


def sqlite_like(pattern: str | None, value: str | None, escape: str | None = None) -> bool | None:
    """SQLite's LIKE, folded: `value LIKE pattern [ESCAPE escape]` with both sides folded.

    SQLite's own LIKE ignores case in ASCII only ("альфа" missed "Альфа") and compares letters
    as stored. Registered as `like` on each SQLite connection (portal.apps), it serves every
    `contains`, `icontains` and `startswith` Django sends there; PostgreSQL is not touched."""
    if pattern is None or value is None:
        return None
    return _like_pattern(pattern, escape).fullmatch(fold(value)) is not None


@lru_cache(maxsize=512)
def _like_pattern(pattern: str, escape: str | None) -> re.Pattern[str]:
    parts, literal, escaped = [], [], False

    def flush() -> None:
        if literal:
            parts.append(re.escape(fold("".join(literal))))
            literal.clear()

    for char in pattern:
        if escaped:
            literal.append(char)
            escaped = False
        elif escape and char == escape:
            escaped = True
        elif char in "%_":
            flush()
            parts.append(".*" if char == "%" else ".")
        else:
            literal.append(char)
    flush()
    return re.compile("".join(parts), re.DOTALL)
