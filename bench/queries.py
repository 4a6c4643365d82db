"""The search queries the runner rotates through: words and phrases that occur in the data.

The generator feeds every name and description fragment it writes to a `QueryCollector`; at the
end the collector picks words and two-word phrases per language, those of product names first
(what buyers type) and then those of descriptions, most frequent first. Each query is known to
occur in the stored text, with its Arabic letters or lost ZWNJ where the data has them; queries
that match nothing are added apart.
"""

from __future__ import annotations

import random
import re
from collections import Counter

from .words import no_hit_queries

# A token is a run of letters, digits, hyphens and ZWNJs; anything else separates phrases too.
_SEGMENT_SPLIT = re.compile(r"[^\w\u200c\- ]+")
_TOKEN = re.compile(r"[\w\u200c\-]+")
_PERSIAN_LETTER = re.compile(r"[\u0600-\u06ff]")
STOPWORDS = {
    "and", "the", "for", "with", "our", "all", "are", "its", "own", "made", "from", "within", "below",
    "model", "every", "ready", "units", "before", "under", "available", "scalable", "long", "by", "to",
    "in", "or", "of", "co", "en", "per", "cfr", "two", "holds", "designed", "delivered", "suitable",
    "و", "در", "با", "از", "به", "برای", "هر", "یا", "تا", "را", "که", "این", "مدل", "شده", "می‌شوند",
    "ساخت", "شرکت", "مطابق", "آماده", "قابل", "دو", "کمتر", "دارای", "طراحی",
}  # fmt: skip


def _is_word(token: str) -> bool:
    bare = token.replace("\u200c", "").replace("-", "")
    shortest = 2 if _PERSIAN_LETTER.search(bare) or any(c.isdigit() for c in bare) else 3
    return len(bare) >= shortest and not bare.isdigit() and token.lower() not in STOPWORDS


def _language(text: str) -> str:
    return "fa" if _PERSIAN_LETTER.search(text) else "en"


class QueryCollector:
    """Count the words and adjacent word pairs of the text fragments the generator writes."""

    def __init__(self) -> None:
        self.fragments: dict[str, Counter[str]] = {"name": Counter(), "text": Counter()}

    def add(self, *fragments: str, source: str = "text") -> None:
        """Record fragments exactly as stored: a name stem (`source="name"`) or a sentence."""
        self.fragments[source].update(fragments)

    def _counts(self, source: str) -> dict[str, Counter[str]]:
        counts: dict[str, Counter[str]] = {"fa": Counter(), "en": Counter()}
        for fragment, n in self.fragments[source].items():
            for segment in _SEGMENT_SPLIT.split(fragment):
                tokens = _TOKEN.findall(segment)
                for token in tokens:
                    if _is_word(token):
                        counts[_language(token)][token.lower()] += n
                for first, second in zip(tokens, tokens[1:], strict=False):
                    if _is_word(first) and _is_word(second):
                        counts[_language(first + second)][f"{first} {second}".lower()] += n
        return counts

    def build(self, *, per_language: int = 250, no_hit: int = 200, seed: int = 0) -> dict[str, list[str]]:
        """Up to `per_language` occurring queries per language (most frequent first, words and
        phrases alternating) and `no_hit` queries that occur nowhere."""
        lists: dict[str, list[str]] = {"fa": [], "en": []}
        for source in ("name", "text"):
            for language, counter in self._counts(source).items():
                chosen = set(lists[language])
                lists[language] += [q for q in _ranked(counter) if q not in chosen]
        lists = {language: queries[:per_language] for language, queries in lists.items()}
        occurring = {q for qs in lists.values() for q in qs}
        rng = random.Random(seed)  # noqa: S311 - made-up words, not secrets
        lists["none"] = [q for q in no_hit_queries(no_hit, rng) if q not in occurring]
        return lists


def _ranked(counter: Counter[str]) -> list[str]:
    """Words and phrases alternating, each by falling frequency (ties alphabetically)."""
    ranked = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
    words = [q for q, _ in ranked if " " not in q]
    phrases = [q for q, _ in ranked if " " in q]
    merged = [q for pair in zip(words, phrases, strict=False) for q in pair]
    shorter = min(len(words), len(phrases))
    return merged + words[shorter:] + phrases[shorter:]
