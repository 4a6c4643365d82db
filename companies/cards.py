"""Directory cards rendered once per company, language and content version, and kept in the
shared cache, as the catalog's product cards are (portal/http/page_cache.kept_cards): the
directory reads the ids of a page and shows 24 cached cards instead of rendering 24 cards with
their logo, location and profile (most of the page's time). Any change to a verified company
makes every card stale."""

from __future__ import annotations

from django.utils.safestring import SafeString

from portal.http.page_cache import kept_cards

from .models import Company

TEMPLATE = "companies/partials/_company_card.html"


def company_cards(ids: list[int]) -> list[SafeString]:
    """The cards of the verified companies `ids`, in their order; a company that stopped being
    verified between the two reads is left out."""
    return kept_cards("company", ids, _companies, TEMPLATE)


def _companies(ids: list[int]) -> list[Company]:
    """The verified companies `ids`, in the order of `ids`."""
    found = Company.objects.verified().in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]
