"""Catalog text search.

On PostgreSQL every product carries a stored search document (`search_vector`, names weighted
above descriptions above specifications, English stems so "masks" finds "mask") and its folded
names (`search_names`), both written by a trigger (migrations 0004, 0005 and 0013, which added the
optional Arabic and Russian names and descriptions) and served by GIN indexes.
A query matches every word as a prefix; results rank exact words above prefixes and names above
descriptions. A query that matches nothing falls back to trigram similarity of the names, which
forgives typos and a missing zero-width non-joiner. Elsewhere (SQLite) a LIKE fallback applies.

Stored text and queries are folded the same way (`fold`): Arabic letter forms to Persian,
Persian and Arabic-Indic digits to ASCII, diacritics and tatweel dropped, lower case.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.contrib.postgres.search import SearchQuery, TrigramWordSimilarity
from django.db import connection
from django.db.models import F, Q, QuerySet

from portal.http.pagination import planner_rows
from portal.i18n.digits import ARABIC_INDIC_DIGITS, PERSIAN_DIGITS, to_ascii_digits

# The PostgreSQL function products_fold(text) in migration 0004 embeds these same strings; a test
# checks that both fold alike.
FOLD_FROM = "يىكةۀأإ" + PERSIAN_DIGITS + ARABIC_INDIC_DIGITS
FOLD_TO = "ییکههاا" + "0123456789" * 2
# Tatweel, the Arabic short vowels, shadda, sukun and the superscript alef.
FOLD_DROP = "\u0640\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670"
_FOLD = str.maketrans(FOLD_FROM, FOLD_TO, FOLD_DROP)
_ARABIC_LETTERS = str.maketrans("يىكة", "ییکه")
ZWNJ = "\u200c"
# Walk the newest-first index for the last tier only when at least this many products are
# expected in it: 2% of 100,000, where a page of 24 costs about 1,200 rows of the walk.
WALK_MIN_ROWS = 2000
# A search counts its matches up to this many (about eight pages), then says "more than"; the
# planner's estimate stands instead when it expects more than ESTIMATE_ABOVE (RankedResults).
COUNT_CAP = 200
ESTIMATE_ABOVE = 1000
TEXT_FIELDS = (
    "name_fa",
    "name_en",
    "name_ar",
    "name_ru",
    "description_fa",
    "description_en",
    "description_ar",
    "description_ru",
)
MAX_WORDS = 8


def fold(text: str) -> str:
    """Fold text as the stored search document is folded."""
    return text.lower().translate(_FOLD)


def query_words(text: str) -> list[str]:
    """The words of a query, folded: letters and digits only, so nothing reaches tsquery syntax."""
    return re.findall(r"[^\W_]+", fold(text[:200]))[:MAX_WORDS]


def normalize_query(text: str) -> str:
    """The query with Persian letters for Arabic ones and ASCII digits, its spacing tidied: for
    LIKE searches of text stored as typed (the offer board's), where folding further would miss."""
    return " ".join(to_ascii_digits(text).translate(_ARABIC_LETTERS).split())[:200]


def _tsquery(words: list[str], *, prefix: bool = True) -> SearchQuery:
    """Every word, as a prefix or exactly."""
    terms = " & ".join(f"{word}:*" if prefix else word for word in words)
    return SearchQuery(terms, config="english", search_type="raw")


def search_products(queryset: QuerySet, text: str) -> QuerySet:
    """Products whose names, descriptions, specifications or HS code contain every word of
    `text` (as a prefix), in the queryset's own order; `ranked()` orders them by relevance."""
    words = query_words(text)
    if not words:
        return queryset
    if connection.vendor != "postgresql":
        return _search_like(queryset, words)
    return queryset.filter(search_vector=_tsquery(words))


def ranked(queryset: QuerySet, text: str) -> QuerySet | RankedResults:
    """The products of `queryset` that match `text`, by relevance: every word exactly in the
    name, then as a prefix in the name, then elsewhere; newest first within each tier.

    Tiers rather than a computed rank: ts_rank would score every match (tens of ms for a common
    word), where a tier is read a page at a time. The name tiers test the small `name_vector`,
    whose own statistics let the planner choose between walking the newest-first index (a common
    name word) and collecting the few matches first (a rare one). Each tier states its own test
    alone: the first tier said "a prefix of every word and every word exactly", and the planner,
    taking the two as independent, expected 4 rows where 5,132 matched and sorted them all
    (65 ms) instead of walking the index (7 ms).

    "In the description but not in the name" is where the planner's estimate fails (a name's
    words are usually in its description too: walking the index for a tier that turned out
    empty read every product, 0.7 s), so that tier's size is estimated as all matches less the
    name matches, and the index is walked only when the tier is dense enough to fill a page
    quickly. That second estimate is taken only when a page reaches the last tier."""
    words = query_words(text)
    if not words:
        return queryset
    if connection.vendor != "postgresql":
        return _search_like(queryset, words)
    exact_name = Q(name_vector=_tsquery(words, prefix=False))
    prefix_name = Q(name_vector=_tsquery(words))
    matches = queryset.filter(search_vector=_tsquery(words))
    expected = planner_rows(matches)

    def elsewhere() -> QuerySet:
        rest = matches.exclude(prefix_name)
        # The last tier is never larger than all the matches: when they are few, the planner need
        # not be asked how many the names hold.
        dense = expected >= WALK_MIN_ROWS
        if dense and expected - planner_rows(queryset.filter(prefix_name)) >= WALK_MIN_ROWS:
            return rest
        # NULLS LAST, which the newest-first index (NULLS FIRST) cannot serve, keeps the planner
        # from walking it; published products always have a date, so the order is the same.
        return rest.order_by(F("published_at").desc(nulls_last=True), F("created_at").desc(), F("pk").desc())

    tiers = [queryset.filter(exact_name), queryset.filter(prefix_name).exclude(exact_name), elsewhere]
    return RankedResults(matches, tiers, expected, cap=COUNT_CAP, trust_above=ESTIMATE_ABOVE)


Tier = QuerySet | Callable[[], QuerySet]


class RankedResults:
    """Results read tier after tier: sliceable and countable, so a Paginator pages through it.

    A tier is a queryset, or a function that gives one when the tier is first read (to put off
    what only that tier needs).

    Counting reads every match from the table, so a search counts only as far as a visitor
    needs a figure: up to `cap` (COUNT_CAP, 200: about eight pages). Past it the count stops,
    `at_least` says so and the page says "more than 200" (a lower bound, which is true). Counting
    on to 1,000 took 4-6 ms of a search's 10 at 100,000 products (most queries of the benchmark
    match more), and the planner's estimate in its place was 3-16 times too low for a query of
    several words (it multiplies each word's share).
    When the planner expects more than `trust_above` matches (a common word, whose estimate
    holds) nothing is counted and its estimate stands (`estimated`: "about"). A tier is counted
    only when a page starts beyond it."""

    estimated = False
    at_least = False

    def __init__(
        self, matches: QuerySet, tiers: list[Tier], expected: int, *, cap: int, trust_above: int
    ) -> None:
        self.matches, self.tiers, self.expected = matches, tiers, expected
        self.cap, self.trust_above = cap, trust_above
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            if self.expected > self.trust_above:
                self.estimated, self._count = True, self.expected
            else:
                # cap + 1 when there are more: one past the cap, so the paginator offers a next page.
                self._count = capped_count(self.matches, self.cap + 1)
                self.estimated = self.at_least = self._count > self.cap
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: slice) -> list:
        if not isinstance(item, slice):
            return self[item : item + 1][0]
        offset, stop = item.start or 0, item.stop if item.stop is not None else self.count()
        wanted, rows = stop - offset, []
        for index, tier in enumerate(self.tiers):
            if wanted <= 0:
                break
            if not isinstance(tier, QuerySet):
                tier = self.tiers[index] = tier()  # built once, however often the results are read
            if offset:
                size = capped_count(tier, offset + wanted)
                if offset >= size:
                    offset -= size
                    continue
            found = list(tier[offset : offset + wanted])
            rows += found
            wanted -= len(found)
            offset = 0
        return rows


def capped_count(queryset: QuerySet, cap: int) -> int:
    """COUNT(*) that stops at `cap` rows."""
    return queryset.order_by()[:cap].count()


def similar_products(queryset: QuerySet, text: str) -> QuerySet:
    """Products whose names look like `text` (typos, missing spaces): the "did you mean" list.

    Empty on databases without trigram support."""
    words = query_words(text)
    if not words or connection.vendor != "postgresql":
        return queryset.none()
    phrase = " ".join(words).replace(ZWNJ, "")
    # `%>` (word similarity above pg_trgm's threshold, 0.6) is served by the trigram index.
    return (
        queryset.filter(search_names__trigram_word_similar=phrase)
        .annotate(relevance=TrigramWordSimilarity(phrase, "search_names"))
        .order_by("-relevance", "-pk")
    )


def _search_like(queryset: QuerySet, words: list[str]) -> QuerySet:
    """Every word in some text field, or the HS code starting with the query (SQLite)."""
    every_word = Q()
    for word in words:
        any_field = Q(hs_code__startswith=word)
        for field in TEXT_FIELDS:
            any_field |= Q(**{f"{field}__icontains": word})
        every_word &= any_field
    return queryset.filter(every_word)
