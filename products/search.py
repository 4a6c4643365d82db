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
from datetime import datetime
from functools import cache

from django.contrib.postgres.search import SearchQuery, TrigramWordSimilarity
from django.core.cache import caches
from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models import F, Q, QuerySet
from django.db.models.query import FlatValuesListIterable

from portal.http.pagination import planner_rows
from portal.i18n.digits import to_ascii_digits
from portal.i18n.fold import fold

from .models import NEWEST_FIRST, Product

_ARABIC_LETTERS = str.maketrans("يىكة", "ییکه")
ZWNJ = "\u200c"
# Walk the newest-first index for the last tier only when at least this many products are
# expected in it: 2% of 100,000, where a page of 24 costs about 1,200 rows of the walk.
WALK_MIN_ROWS = 2000
# A search counts its matches up to this many (about eight pages), then says "more than".
COUNT_CAP = 200
# All the matches are counted only when the planner expects fewer than this: five times the cap.
# Its estimate of a search is low rather than high (it multiplies each word's share): of the 500
# queries of the benchmark's data, none it put at 500 or more had 200 matches or fewer.
TRUST_ESTIMATE_FROM = 1000
# The name tiers are read first among this many newest published products (newest_window),
# the time the window starts at found again this often.
WINDOW_ROWS = 5000
WINDOW_SECONDS = 300
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


def ranked(queryset: QuerySet, text: str, *, all_published: bool = False) -> QuerySet | RankedResults:
    """The products of `queryset` that match `text`, by relevance: every word exactly in the
    name, then as a prefix in the name, then elsewhere; newest first within each tier.

    Tiers rather than a computed rank: ts_rank would score every match, where a tier is read a
    page at a time. Each tier states its own test alone, so that the planner estimates it from
    that test's own statistics (a tier of two tests taken as independent was estimated at 4 rows
    where 5,132 matched).

    `all_published`: every product of `queryset` is published, with a publication date (public
    products), so the name tiers are read among the newest first (`newest_window`). A member's
    API list also holds their drafts, which have none and come first.

    "In the description but not in the name" is where the planner's estimate fails (a name's
    words are usually in its description too, and walking the index for a tier that turned out
    empty read every product), so that tier's size is estimated as all matches less the name
    matches, and the index is walked only when the tier is dense enough to fill a page quickly.
    Both estimates are taken only when a page reaches the last tier."""
    words = query_words(text)
    if not words:
        return queryset
    if connection.vendor != "postgresql":
        return _search_like(queryset, words)
    exact_name = Q(name_vector=_tsquery(words, prefix=False))
    prefix_name = Q(name_vector=_tsquery(words))
    prefix_words = _tsquery(words)

    # Each part is built when a page first reads it: most pages read the first tier only, and a
    # queryset's filter costs a quarter of a millisecond to build.
    @cache
    def matches() -> QuerySet:
        return queryset.filter(search_vector=prefix_words)

    def exact() -> QuerySet:
        return queryset.filter(exact_name).order_by(*NEWEST_FIRST)

    def prefix_only() -> QuerySet:
        return queryset.filter(prefix_name).exclude(exact_name).order_by(*NEWEST_FIRST)

    def elsewhere() -> QuerySet:
        rest = matches().exclude(prefix_name)
        # The last tier is never larger than all the matches: when they are few, the planner need
        # not be asked how many the names hold.
        expected = results.expected_matches()
        if (
            expected >= WALK_MIN_ROWS
            and expected - planner_rows(queryset.filter(prefix_name)) >= WALK_MIN_ROWS
        ):
            return rest.order_by(*NEWEST_FIRST)
        # NULLS LAST, which the newest-first index (NULLS FIRST) cannot serve, keeps the planner
        # from walking it; published products always have a date, so the order is the same.
        return rest.order_by(F("published_at").desc(nulls_last=True), F("created_at").desc(), F("pk").desc())

    start = window_start() if all_published else None
    tiers = [exact, prefix_only, elsewhere]
    results = RankedResults(matches, tiers, window_start=start, windowed=2, cap=COUNT_CAP)
    return results


def newest_window(tier: QuerySet, start: datetime) -> QuerySet:
    """The part of `tier` published since `start` (`window_start`).

    A name tier of a common query would otherwise read each of its thousands of matches from the
    table to sort them, for a page of 24. The newest are among the latest few thousand published:
    the GIN index on (name_vector, published_at) (migration 0016) finds the matches within the
    window itself, so a page reads a few hundred rows. A page the window fills is exactly the
    tier's page, whatever `start` is, since everything outside the window is older; one it leaves
    short is read from the whole tier."""
    return tier.filter(published_at__gte=start)


_UNSET = object()


def window_start() -> datetime | None:
    """When the WINDOW_ROWS-th newest published product was published; None while there are
    fewer (the window would be the whole catalog). Kept for WINDOW_SECONDS, not per content
    version: any time gives the same pages, and products published since only widen the window;
    so each process may keep a copy too (the "fragments" cache)."""
    key = f"products:search-window:{WINDOW_ROWS}"
    fragments = caches["fragments"]
    start = fragments.get(key, _UNSET)
    if start is _UNSET:
        published = Product.objects.filter(status=Product.Status.PUBLISHED).order_by(*NEWEST_FIRST)
        found = list(published.values_list("published_at", flat=True)[WINDOW_ROWS - 1 : WINDOW_ROWS])
        start = found[0] if found else None
        fragments.set(key, start, WINDOW_SECONDS)
    return start


class RankedResults:
    """Results read tier after tier: sliceable and countable, so a Paginator pages through it.

    Each tier, and all the matches, are given as functions that build the queryset when a page
    first reads it, once. The first `windowed` tiers, when `window_start` is given, are read in
    their window first (`newest_window`).

    Counting reads every match from the table, so a search counts only as far as a visitor
    needs a figure: up to `cap` (COUNT_CAP, 200: about eight pages), and all the matches only
    when the planner does not expect far more (TRUST_ESTIMATE_FROM). Past it the count stops,
    `at_least` says so and the page says "more than 200", a lower bound, which is true (the
    planner's estimate in its place was several times too low for a query of several words: it
    multiplies each word's share). The first tier (every word exactly in a name, no prefixes for
    the index to expand) is counted first: when it passes the cap, so do the matches. A tier is
    counted only when a page starts beyond it.

    A paginator that says first which rows its page will read (`expect`) has them read with the
    first count, in one statement (`_count_with_first_page`): the common search page, whose
    rows the first tier's window holds, then costs PostgreSQL one statement, not two."""

    at_least = False
    _expected: tuple[int, int] | None = None
    # Read with the count: (offset, the first tier's rows from there, how many were asked, whether
    # from its window).
    _read_ahead: tuple[int, list, int, bool] | None = None
    # The planner's estimate of all the matches, once known.
    _matches_estimate: int | None = None

    def __init__(
        self,
        matches: Callable[[], QuerySet],
        tiers: list[Callable[[], QuerySet]],
        *,
        window_start: datetime | None = None,
        windowed: int = 0,
        cap: int,
    ) -> None:
        self.matches, self.cap = matches, cap
        self._tiers, self._built = tiers, {}
        self.window_start, self.windowed = window_start, windowed
        self.sizes: dict[int, int] = {}  # tiers counted whole
        self._count: int | None = None

    def tier(self, index: int) -> QuerySet:
        """The tier's queryset, built on first use."""
        if index not in self._built:
            self._built[index] = self._tiers[index]()
        return self._built[index]

    def window(self, index: int) -> QuerySet | None:
        """The part of the tier to read first, or None."""
        if self.window_start is None or index >= self.windowed:
            return None
        return newest_window(self.tier(index), self.window_start)

    def expect(self, offset: int, limit: int) -> None:
        """The rows the next page will read: counting reads them too, when it can."""
        if self._count is None:
            self._expected = (offset, limit)

    def count(self) -> int:
        if self._count is None:
            # cap + 1 when there are more: one past the cap, so the paginator offers a next page.
            if self._expected is not None and issubclass(
                self.tier(0)._iterable_class, FlatValuesListIterable
            ):
                counted = self._count_with_first_page(*self._expected)
            else:
                counted = capped_count(self.tier(0), self.cap + 1)
            if counted <= self.cap:
                self.sizes[0] = counted
                counted = self._count_matches()
            self._count = counted
            self.at_least = counted > self.cap
        return self._count

    def expected_matches(self) -> int:
        """The planner's estimate of all the matches: read with the first count when it was
        (`_count_with_first_page`), else asked (one EXPLAIN)."""
        if self._matches_estimate is None:
            self._matches_estimate = planner_rows(self.matches())
        return self._matches_estimate

    def _count_matches(self) -> int:
        """All the matches up to the cap, or one past it, uncounted, when the planner's estimate
        read with the first count expects far more. Counting reads every match up to the cap from
        the table, after the index has listed them all: a query whose words are common in the
        descriptions but rare in the names ("industrial group") spent 7.5 ms on it under load,
        for a page that says "more than 200". Should the estimate be wrong, the pages say so as
        they are read: the one that reads the last match counts exactly (LargeTablePaginator)."""
        if self._matches_estimate is not None and self._matches_estimate >= TRUST_ESTIMATE_FROM:
            return self.cap + 1
        return capped_count(self.matches(), self.cap + 1)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: slice) -> list:
        if not isinstance(item, slice):
            return self[item : item + 1][0]
        offset, stop = item.start or 0, item.stop if item.stop is not None else self.count()
        window_ended = False
        if self._read_ahead is not None:
            start, ahead, asked, from_window = self._read_ahead
            if start <= offset and stop <= start + len(ahead):  # all of it in the first tier
                return ahead[offset - start : stop - start]
            # Fewer came than were asked: the window ends inside what is asked now.
            window_ended = from_window and start <= offset and len(ahead) < asked
        wanted, rows = stop - offset, []
        for index in range(len(self._tiers)):
            if wanted <= 0:
                break
            size = self.sizes.get(index)
            # A tier counted whole is small: read as it is, without trying its window first.
            window = self.window(index) if size is None and not (index == 0 and window_ended) else None
            if window is not None:
                found = list(window[offset : offset + wanted])
                if len(found) == wanted:  # the window holds this part of the tier
                    rows += found
                    break
            tier = self.tier(index)
            if offset:
                if size is None:
                    size = capped_count(tier, offset + wanted)
                if offset >= size:
                    offset -= size
                    continue
            found = list(tier[offset : offset + wanted])
            rows += found
            wanted -= len(found)
            offset = 0
        return rows

    def _count_with_first_page(self, offset: int, limit: int) -> int:
        """The first tier counted up to the cap, and its rows from `offset` (in its window when
        there is one), in one statement; when the count is within the cap, the planner's estimate
        of all the matches too, for `_count_matches`. Only for lists of single values (the ids of
        a page): the rows come back as an array.

        The statement asks the planner first (`products_plan_rows`, migration 0021: an EXPLAIN
        run by the database, no round trip of its own): a first tier it expects far past the cap
        (TRUST_ESTIMATE_FROM) is not counted. Counting a common word's names ("mask", 9,000 of
        them) built the index's list of every match, then read 201 rows: 2-3 ms under load.

        Whatever rows come back are the first tier's from `offset` on (a window holds everything
        newer than its start), so a page within them is read: when fewer come back than asked,
        the tier or its window ended there, and a page reaching past them is read tier by tier."""
        first, window = self.tier(0), self.window(0)
        rows = (first if window is None else window)[offset : offset + limit]
        compiler = rows.query.get_compiler(rows.db)
        try:
            rows_sql, rows_params = compiler.as_sql()
            tier_sql, tier_params = _compiled(first.order_by())
            compose = connections[first.db].ops.compose_sql  # values quoted by the driver
            tier_text = compose(tier_sql, tier_params)
            matches_text = compose(*_compiled(self.matches().order_by()))
        except EmptyResultSet:  # a filter no row can pass (a value out of its column's range)
            return capped_count(first, self.cap + 1)  # the ORM answers 0 without a statement
        if len(compiler.select) != 1 or rows.query.distinct:
            # DISTINCT (a member's list, their drafts included) selects its order's columns too.
            return capped_count(first, self.cap + 1)
        with connections[first.db].cursor() as cursor:
            past_cap = self.cap + 1
            cursor.execute(  # the ORM's own SQL, its values passed as parameters
                f"SELECT capped.n, ARRAY({rows_sql}),"  # noqa: S608
                " CASE WHEN capped.n <= %s THEN products_plan_rows(%s) END"
                " FROM (SELECT CASE WHEN products_plan_rows(%s) >= %s THEN %s"
                f" ELSE (SELECT COUNT(*) FROM ({tier_sql} LIMIT %s) counted) END AS n) capped",
                (*rows_params, self.cap, matches_text, tier_text, TRUST_ESTIMATE_FROM, past_cap,
                 *tier_params, past_cap),
            )  # fmt: skip
            counted, found, self._matches_estimate = cursor.fetchone()
        self._read_ahead = (offset, found, limit, window is not None)
        return counted


def _compiled(queryset: QuerySet) -> tuple[str, tuple]:
    """A queryset's SQL and parameters, to be read inside a larger statement."""
    return queryset.query.get_compiler(queryset.db).as_sql()


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
