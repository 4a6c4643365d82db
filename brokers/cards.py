"""Offer cards rendered once per offer, language and content version, and kept in the shared
cache, as the catalog's product cards are (portal/http/page_cache.kept_cards): the offer board
reads the ids of a page and renders its filter fields and 20 cached cards instead of 20 cards with
their country, brokerage and categories (four fifths of the board's rendering at 10,000 offers).
Any change to an offer, its brokerage or the categories makes every card stale."""

from __future__ import annotations

from django.utils.safestring import SafeString

from portal.http.page_cache import kept_cards

from .models import Offer

TEMPLATE = "brokers/partials/_offer_card.html"


def offer_cards(ids: list[int]) -> list[SafeString]:
    """The cards of the public offers `ids`, in their order; an offer that stopped being public
    between the two reads is left out."""
    return kept_cards("offer", ids, _offers, TEMPLATE)


def _offers(ids: list[int]) -> list[Offer]:
    """The public offers `ids` with what a card shows, in the order of `ids`."""
    offers = Offer.objects.public().select_related("broker", "country").prefetch_related("categories")
    found = offers.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]
