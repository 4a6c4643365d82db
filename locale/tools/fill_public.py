"""Fill the Arabic and Russian catalogs' messages of the public pages (portal/i18n/public.py).

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

SINGULAR = {**public_ar_ru_1.T, **public_ar_ru_2.T}
PLURAL = public_ar_ru_2.P


def fill(language: str, index: int) -> int:
    po = polib.pofile(f"locale/{language}/LC_MESSAGES/django.po")
    filled = 0
    for entry in po:
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
