"""Reading catalog pages as a visitor does: the product cards shown, in their order."""

from __future__ import annotations

import html
import re

_CARD = re.compile(r'<article class="card product-card.*?</article>', re.S)
_CARD_TITLE = re.compile(
    r'<article class="card product-card.*?class="stretched-link[^"]*"[^>]*>(.*?)</a>', re.S
)


def card_names(response) -> list[str]:  # noqa: ANN001 - a test client response
    """The names on the product cards of a rendered catalog page, top to bottom."""
    assert response.status_code == 200
    return card_names_in(response.content.decode())


def card_ready_for(response) -> dict[str, str]:  # noqa: ANN001 - a test client response
    """Each card's name and the text of its "Ready for" badge ("" when it has none)."""
    assert response.status_code == 200
    badges = {}
    for card in _CARD.findall(response.content.decode()):
        [name] = card_names_in(card)
        ready = re.search(r'title="([^"]*)"><i class="bi bi-check2-circle"', card)
        badges[name] = html.unescape(ready.group(1)) if ready else ""
    return badges


def card_names_in(text: str) -> list[str]:
    return [html.unescape(name).strip() for name in _CARD_TITLE.findall(text)]
