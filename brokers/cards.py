"""Offer cards rendered once per offer, language and content version, and kept in the shared
cache, as the catalog's product cards are (products/cards.py): the offer board reads the ids of a
page and renders its filter fields and 20 cached cards instead of 20 cards with their country,
brokerage and categories (four fifths of the board's rendering at 10,000 offers). Any change to an
offer, its brokerage or the categories makes every card stale (portal/http/page_cache.py)."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from portal.http.page_cache import cached_each, content_version

from .models import Offer

TEMPLATE = "brokers/partials/_offer_card.html"


def offer_cards(ids: list[int]) -> list[SafeString]:
    """The cards of the public offers `ids`, in their order; an offer that stopped being public
    between the two reads is left out."""
    seconds = settings.FRAGMENT_CACHE_SECONDS
    if seconds <= 0:
        return [_render(offer) for offer in _offers(ids)]
    # Today's date too: an offer leaves the board after its deadline.
    prefix = f"offer-card:{content_version()}:{timezone.localdate()}:{get_language()}"

    def render(missing: list[int]) -> dict[int, str]:
        return {offer.pk: _render(offer) for offer in _offers(missing)}

    return [mark_safe(card) for card in cached_each(prefix, ids, render, seconds)]  # noqa: S308 - our template


def _offers(ids: list[int]) -> list[Offer]:
    """The public offers `ids` with what a card shows, in the order of `ids`."""
    offers = Offer.objects.public().select_related("broker", "country").prefetch_related("categories")
    found = offers.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def _render(offer: Offer) -> SafeString:
    return mark_safe(render_to_string(TEMPLATE, {"offer": offer}))  # noqa: S308 - our template
