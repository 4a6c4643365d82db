"""Fill the Arabic and Russian catalogs: the public pages' messages (portal/i18n/public.py) with
their translations here, every other empty one with its English text (marked ENGLISH_FALLBACK).

Run from the project's root after makemessages, then compile with msgfmt --check:
    python locale/tools/fill_public.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

sys.path[:0] = [str(Path(__file__).parent), "."]
import public_ar_ru_1  # noqa: E402
import public_ar_ru_2  # noqa: E402
import public_ar_ru_3  # noqa: E402
import public_ar_ru_4  # noqa: E402

from portal.i18n.public import ENGLISH_FALLBACK, PUBLIC_MESSAGES, PUBLIC_SOURCES  # noqa: E402

SINGULAR = {**public_ar_ru_1.T, **public_ar_ru_2.T, **public_ar_ru_3.T, **public_ar_ru_4.T}
PLURAL = {**public_ar_ru_2.P, **public_ar_ru_4.P}


def is_public(entry: polib.POEntry) -> bool:
    return entry.msgid in PUBLIC_MESSAGES or any(
        file.startswith(source) for file, _line in entry.occurrences for source in PUBLIC_SOURCES
    )


def english(entry: polib.POEntry, language: str) -> None:
    """The English text as the translation, its plural forms by the language's rule for 1."""
    if entry.msgid_plural:
        singular = {"ar": 1, "ru": 0}[language]
        forms = {"ar": 6, "ru": 4}[language]
        entry.msgstr_plural = {i: entry.msgid if i == singular else entry.msgid_plural for i in range(forms)}
    else:
        entry.msgstr = entry.msgid
    if ENGLISH_FALLBACK not in entry.tcomment:
        entry.tcomment = ENGLISH_FALLBACK


def translated_elsewhere(language: str) -> set[str]:
    """Messages that Django's or an installed package's own catalog translates: left empty here,
    theirs shows (an English text here would hide it)."""
    import django

    site_packages = Path(django.__file__).parent.parent
    found = set()
    for path in site_packages.glob(f"**/locale/{language}/LC_MESSAGES/django.po"):
        found |= {entry.msgid for entry in polib.pofile(str(path)) if entry.translated()}
    return found


def fill(language: str, index: int) -> int:
    po = polib.pofile(f"locale/{language}/LC_MESSAGES/django.po")
    theirs = translated_elsewhere(language)
    filled = 0
    for entry in po:
        if "fuzzy" in entry.flags:
            # makemessages' guess from a similar message is never the translation: start empty.
            entry.flags.remove("fuzzy")
            entry.msgstr, entry.msgstr_plural = "", {i: "" for i in entry.msgstr_plural}
            entry.previous_msgid = entry.previous_msgid_plural = None
            if ENGLISH_FALLBACK in entry.tcomment and is_public(entry):
                entry.tcomment = ""
        if not is_public(entry) and entry.msgid in theirs:
            if ENGLISH_FALLBACK in entry.tcomment:
                entry.tcomment = ""
            entry.msgstr, entry.msgstr_plural = "", {i: "" for i in entry.msgstr_plural}
            continue
        if ENGLISH_FALLBACK in entry.tcomment and is_public(entry):
            entry.tcomment = ""  # now on a public page: to be translated
            entry.msgstr, entry.msgstr_plural = "", {i: "" for i in entry.msgstr_plural}
        if not is_public(entry):
            if ENGLISH_FALLBACK in entry.tcomment or not (entry.msgstr or any(entry.msgstr_plural.values())):
                english(entry, language)
                if "fuzzy" in entry.flags:
                    entry.flags.remove("fuzzy")
            continue
        if entry.msgid_plural and entry.msgid in PLURAL:
            forms = PLURAL[entry.msgid][index]
            entry.msgstr_plural = dict(enumerate(forms))
        elif not entry.msgid_plural and entry.msgid in SINGULAR:
            entry.msgstr = SINGULAR[entry.msgid][index]
        else:
            continue
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = None
        filled += 1
    po.save()
    return filled


if __name__ == "__main__":
    for code, position in (("ar", 0), ("ru", 1)):
        print(code, fill(code, position))
