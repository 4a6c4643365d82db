"""The catalog's small vocabularies (categories, certifications, active countries) for filter
choices, read once and kept in the shared cache until one of them changes, so a catalog page
or API call does not spend a query on each of its choice fields."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import translation

from portal.i18n.languages import pick_from
from portal.models import TargetCountry

from .models import Certification, ProductCategory

# Per release: the names in it come from code too (the countries' Arabic and Russian names), and
# it holds pickled `Term`s, which a release may change.
CACHE_KEY = f"products:vocabulary:v2:{settings.RELEASE}"
CACHE_SECONDS = 60 * 60


@dataclass(frozen=True)
class Term:
    key: str  # what the query string carries: a slug, a code, an ISO code
    pk: int
    names: dict[str, str]  # by language code; an empty or missing one falls back (portal/i18n/languages.py)

    def name(self, language: str) -> str:
        return pick_from(self.names, language)


def _named(rows: list[ProductCategory | Certification | TargetCountry]) -> list[dict[str, str]]:
    """Each row's `name` as a reader of each language sees it (a country's Arabic and Russian
    names come by its ISO code: TargetCountry.name). The language is switched once per language,
    not once per row and language (10 ms for the 68 countries)."""
    names: list[dict[str, str]] = [{} for _row in rows]
    for code, _language in settings.LANGUAGES:
        with translation.override(code):
            for row, row_names in zip(rows, names, strict=True):
                row_names[code] = row.name
    return names


def _load() -> dict[str, list[Term]]:
    def terms(queryset, key: str) -> list[Term]:  # noqa: ANN001 - any of the three querysets
        rows = list(queryset)
        return [Term(getattr(row, key), row.pk, names) for row, names in zip(rows, _named(rows), strict=True)]

    return {
        "category": terms(ProductCategory.objects.all(), "slug"),
        "certification": terms(Certification.objects.all(), "code"),
        "country": terms(TargetCountry.objects.active().order_by("name_en"), "iso_code"),
    }


def vocabulary() -> dict[str, list[Term]]:
    data = cache.get(CACHE_KEY)
    if data is None:
        data = _load()
        cache.set(CACHE_KEY, data, CACHE_SECONDS)
    return data


def term(kind: str, key: str) -> Term | None:
    return next((t for t in vocabulary()[kind] if t.key == key), None)


def choices(kind: str, language: str) -> list[tuple[str, str]]:
    """(key, name in `language`) pairs for a choice field."""
    return [(t.key, t.name(language)) for t in vocabulary()[kind]]


def _forget(**kwargs: object) -> None:
    # Now, and again after the commit: a request in between may store the old list.
    cache.delete(CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(CACHE_KEY))


def connect_signals() -> None:
    for model in (ProductCategory, Certification, TargetCountry):
        post_save.connect(_forget, sender=model, dispatch_uid=f"vocabulary_{model.__name__}")
        post_delete.connect(_forget, sender=model, dispatch_uid=f"vocabulary_{model.__name__}_del")
