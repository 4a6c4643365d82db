"""The endpoints the issue lists, with the paths each one rotates through and who asks.

`build_endpoints` turns the fixtures a data set offers (bench.probe) into concrete paths:
search and filter endpoints rotate through many distinct queries or values, so a figure
measures the work and not a cache hit; detail pages rotate through many objects.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import quote, urlencode

MEMBER, REVIEWER, MANAGER = "member", "reviewer", "manager"


@dataclass(frozen=True)
class Endpoint:
    """One measured endpoint: a name, what it is, who asks (None: anonymous) and its paths."""

    name: str
    title: str
    paths: tuple[str, ...]
    role: str | None = None
    html: bool = True

    @property
    def cached(self) -> bool:
        """What a page cache may serve (anonymous pages and API lists; the staff lists and the
        programme dashboard, per browser): measured warm and again with the cache off."""
        return self.role in (None, "reviewer", "manager")

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "paths": list(self.paths[:3]), "distinct_paths": len(set(self.paths))}


def _q(path: str, **params: object) -> str:
    return f"{path}?{urlencode(params, quote_via=quote)}" if params else path


def _both_languages(paths: list[str]) -> list[str]:
    """Each /fa/ path followed by its /en/ twin."""
    return [p for path in paths for p in (path, "/en/" + path.removeprefix("/fa/"))]


def build_endpoints(fx: dict[str, Any]) -> list[Endpoint]:
    """Every endpoint of the issue, in the order they are loaded."""
    return [*_public_pages(fx), *_api(fx), *_staff(fx)]


def _public_pages(fx: dict[str, Any]) -> list[Endpoint]:
    catalog, queries = "/fa/products/", fx["queries"]
    none = [_q(("/fa/products/", "/en/products/")[i % 2], q=q) for i, q in enumerate(queries["none"])]
    products = _both_languages([f"/fa/products/{pk}/" for pk in fx["products"]])
    offers = _both_languages([f"/fa/offers/{pk}/" for pk in fx["offers"]])
    countries = _both_languages([f"/fa/countries/{iso.lower()}/" for iso in fx["countries"]])
    ready_for = _rotate(catalog, "ready_for", fx["countries"])
    return [
        Endpoint("landing", "landing page", ("/fa/",)),
        Endpoint("catalog_fa", "catalog (fa), first page", (catalog,)),
        Endpoint("catalog_en", "catalog (en), first page", ("/en/products/",)),
        Endpoint("catalog_page50", "catalog, page 50", (_q(catalog, page=50),)),
        Endpoint("catalog_category", "catalog by category", _rotate(catalog, "category", fx["categories"])),
        Endpoint("catalog_country", "catalog by country", _rotate(catalog, "country", fx["countries"])),
        Endpoint("catalog_ready_for", 'catalog "ready for" a country', ready_for),
        Endpoint("search_fa", "search in Persian", tuple(_q(catalog, q=q) for q in queries["fa"])),
        Endpoint("search_en", "search in English", tuple(_q("/en/products/", q=q) for q in queries["en"])),
        Endpoint("search_nohit", "search with no hit", tuple(none)),
        Endpoint("product", "product page", tuple(products)),
        Endpoint("company_directory", "company directory", ("/fa/companies/",)),
        Endpoint(
            "company_largest", "the largest company's page", (f"/fa/companies/{fx['largest_company']}/",)
        ),
        Endpoint("offer_board", "offer board", ("/fa/offers/",)),
        Endpoint("offer", "an offer", tuple(offers)),
        Endpoint("country", "a country page", tuple(countries)),
    ]


def _rotate(path: str, param: str, values: list[str]) -> tuple[str, ...]:
    """The filter's every value, in Persian and in English."""
    return tuple(_both_languages([_q(path, **{param: value}) for value in values]))


def _api(fx: dict[str, Any]) -> list[Endpoint]:
    searches = [q for pair in zip(fx["queries"]["fa"], fx["queries"]["en"], strict=False) for q in pair]
    endpoints = [
        Endpoint(
            f"api_{collection}_{size}",
            f"{collection} API, {size} per page",
            (_q(f"/api/v1/{collection}/", page_size=size),),
            html=False,
        )  # fmt: skip
        for collection in ("products", "offers", "companies")
        for size in (20, 100)
    ]
    search = tuple(_q("/api/v1/products/", search=q) for q in searches)
    return [*endpoints, Endpoint("api_search", "products API search", search, html=False)]


def _staff(fx: dict[str, Any]) -> list[Endpoint]:
    changelist = "/admin/support/application/"
    endpoints = [Endpoint("member_dashboard", "company member's dashboard", ("/fa/companies/mine/",), MEMBER)]
    for role in (REVIEWER, MANAGER):
        endpoints += _application_lists(fx, role)
    return [
        *endpoints,
        Endpoint("admin_dashboard", "programme dashboard", (f"{changelist}dashboard/",), MANAGER),
        Endpoint("admin_products", "admin product list", ("/admin/products/product/",), MANAGER),
    ]


def _application_lists(fx: dict[str, Any], role: str) -> list[Endpoint]:
    """The admin application list as `role`: plain, filtered and searched."""
    changelist = "/admin/support/application/"
    by_status = tuple(_q(changelist, status__exact=s) for s in fx["statuses"])
    by_programme = tuple(_q(changelist, program__id__exact=pk) for pk in fx["programmes"])
    by_reference = tuple(_q(changelist, q=ref) for ref in fx["references"][role])
    by_company = tuple(_q(changelist, q=name) for name in fx["company_names"])
    title = f"admin applications ({role})"
    return [
        Endpoint(f"admin_apps_{role}", title, (changelist,), role),
        Endpoint(f"admin_apps_{role}_status", f"{title} by status", by_status, role),
        Endpoint(f"admin_apps_{role}_programme", f"{title} by programme", by_programme, role),
        Endpoint(f"admin_apps_{role}_reference", f"{title} searched by reference", by_reference, role),
        Endpoint(f"admin_apps_{role}_company", f"{title} searched by company", by_company, role),
    ]
