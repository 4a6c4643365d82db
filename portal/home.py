"""Figures for the landing page, contributed by the feature apps (portal imports none of them).

An app registers `(key, label, count_function, url_name)` in its AppConfig.ready(); the home page
shows them in registration order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.urls import reverse

from portal.http.page_cache import content_version

FIGURES_SECONDS = 5 * 60


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    count: Callable[[], int]
    url_name: str


_figures: dict[str, Figure] = {}


def register_figure(key: str, label: str, count: Callable[[], int], url_name: str) -> None:
    _figures[key] = Figure(key, label, count, url_name)


def figures() -> list[dict[str, object]]:
    """The registered figures with their current values.

    The counts (one query each; 80 ms for the catalog's 100,000 products) are kept in the shared
    cache until public content changes (portal/http/page_cache.py), or for FIGURES_SECONDS at most."""
    key = f"home-figures:{content_version()}"
    values = cache.get(key)
    if values is None:
        values = {f.key: f.count() for f in _figures.values()}
        cache.set(key, values, FIGURES_SECONDS)
    return [
        {"label": f.label, "value": values.get(f.key, 0), "url": reverse(f.url_name)}
        for f in _figures.values()
    ]
