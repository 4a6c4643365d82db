"""Reading the offer board as a visitor does: the offer cards shown, in their order."""

from __future__ import annotations

import html
import re

_CARD_TITLE = re.compile(
    r'<article class="card offer-card.*?class="stretched-link[^"]*"[^>]*>(.*?)</a>', re.S
)


def shown_offer_titles(response) -> list[str]:  # noqa: ANN001 - a test client response
    """The titles on the offer cards of a rendered page, top to bottom."""
    assert response.status_code == 200
    return [html.unescape(title.strip()) for title in _CARD_TITLE.findall(response.content.decode())]
