"""Catalog text search: PostgreSQL full-text search when available, a LIKE fallback elsewhere."""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet

from portal.digits import to_ascii_digits

# Arabic letters people type on Arabic keyboards, mapped to their Persian forms.
_ARABIC_TO_PERSIAN = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه"})
ZWNJ = "\u200c"
TEXT_FIELDS = ("name_fa", "name_en", "description_fa", "description_en")


def normalize_query(text: str) -> str:
    return " ".join(to_ascii_digits(text).translate(_ARABIC_TO_PERSIAN).split())[:200]


def _phrase_match(text: str) -> Q:
    """The phrase inside a name, written with or without the zero-width non-joiner."""
    match = Q()
    for variant in {text, text.replace(ZWNJ, " "), text.replace(ZWNJ, "")}:
        match |= Q(name_fa__icontains=variant) | Q(name_en__icontains=variant)
    return match


def search_products(queryset: QuerySet, text: str) -> QuerySet:
    """Filter products whose names, descriptions or HS code match `text`."""
    text = normalize_query(text)
    if not text:
        return queryset
    hs_match = Q(hs_code__startswith=text) if text.isdigit() else Q(pk__in=[])
    words = text.replace(ZWNJ, " ").split()
    if connection.vendor == "postgresql":
        # 'simple' configuration: no stemming, which suits Persian and English alike. The phrase
        # match keeps partial words ("ماسک" in "ماسک‌های") that full-text search would miss.
        vector = SearchVector(*TEXT_FIELDS, config="simple")
        query = SearchQuery(" ".join(words), config="simple", search_type="websearch")
        return queryset.annotate(search=vector).filter(Q(search=query) | _phrase_match(text) | hs_match)
    every_word = Q()
    for word in words:
        any_field = Q()
        for field in TEXT_FIELDS:
            any_field |= Q(**{f"{field}__icontains": word})
        every_word &= any_field
    return queryset.filter(every_word | _phrase_match(text) | hs_match)
