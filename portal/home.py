"""Figures for the landing page, contributed by the feature apps (portal imports none of them).

An app registers `(key, label, count_function, url_name)` in its AppConfig.ready(); the home page
shows them in registration order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse


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
    """The registered figures with their current values (one COUNT query each)."""
    return [{"label": f.label, "value": f.count(), "url": reverse(f.url_name)} for f in _figures.values()]
