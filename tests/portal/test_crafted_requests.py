"""Crafted requests at every URL the portal routes never end in a server error.

The resolver is walked, so a new URL is covered the day it is added. Each pattern gets, as an
anonymous visitor, a company member and staff: NUL bytes in the path, the query string and form
fields; odd but printable query values; form posts with nonsense ids (admin actions included);
JSON nested past the recursion limit and JSON of the wrong shape to the API.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.signals import got_request_exception
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.throttling import SimpleRateThrottle

from tests.brokers.factories import OfferFactory
from tests.portal.factories import NotificationFactory
from tests.products.factories import ProductCertificationFactory, ProductFactory
from tests.support.factories import ApplicationFactory, ProgramFactory

pytestmark = pytest.mark.django_db

NUL_QUERY = "?q=%00&search=%00&page=1&status=%00x"
ODD_QUERY = (
    "?page=-1&page_size=99999999999999999999&ordering=-__class__&search=%27%22%3C%3E%3B--"
    "&q=%F0%9F%92%A9%E2%80%AE&status=nonsense&category=%E2%80%AE&country=99999999999999999999"
    "&o=zz.-9&p=-5&id__gt=abc&since=2026-99-99&min_price=1e999&_to_field=password&e=1"
)
ODD_FORM = {
    "email": "a" * 5000 + "@example.com",
    "page": "abc",
    "pk": "99999999999999999999",
    "next": "//evil.example/",
    "language": "xx-\u202e",
    "products": ["abc", "-1", "99999999999999999999"],
    "countries": ["\u202e", "ZZ"],
    "requested_amount": "1e999",
    "expiry_date": "1405/13/40",
}
DEEP_JSON = "[" * 100_000 + "]" * 100_000
WRONG_JSON = [
    "[1, 2, 3]",
    '{"name_en": "\\u0000", "countries": ["\\u0000"], "products": "x", "requested_amount": {"a": []}}',
]


def _route(pattern) -> str:
    return getattr(pattern, "language_prefix", None) or str(pattern)


def url_patterns(patterns=None, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            yield from url_patterns(entry.url_patterns, prefix + _route(entry.pattern))
        else:
            yield prefix + _route(entry.pattern), entry


def _sample_group(match: re.Match) -> str:
    name, body = match.group(1), match.group(2)
    if name in {"pk", "id", "object_id"} or name.endswith("_pk") or "0-9" in body or r"\d" in body:
        return "{int}"
    if "|" in body:
        return body.split("|")[0].lstrip("(?:")
    return "{str}"


def concrete(route: str) -> str:
    """A route or a regex with each parameter replaced by {int} or {str}."""
    route = re.sub(r"\(\?P<(\w+)>((?:[^()]|\([^()]*\))*)\)", _sample_group, route)
    route = re.sub(r"<(?:int):\w+>", "{int}", route)
    route = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "{int}" if m.group(1) == "object_id" else "{str}", route)
    route = route.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\.", ".").replace("/?", "/")
    return "/" + route


@pytest.fixture
def world(company, company_member, brokerage, broker_member, manager):
    """One of everything, owned by the signed-in personas, so that pages go past their 404."""
    product = ProductFactory(company=company)
    ProductCertificationFactory(product=product)
    offer = OfferFactory(broker=brokerage)
    ApplicationFactory(company=company, program=ProgramFactory())
    NotificationFactory(recipient=company_member)
    return {"product": product, "offer": offer}


def _object_id(path: str) -> str:
    """The pk of a row of the admin page's model, or of the app object the path names."""
    match = re.match(r"/admin/(\w+)/(\w+)/", path)
    if match:
        try:
            row = apps.get_model(match.group(1), match.group(2)).objects.order_by("pk").first()
        except LookupError:
            row = None
        return str(row.pk) if row else "1"
    for segment, model in [
        ("applications", "support.Application"),
        ("programmes", "support.SupportProgram"),
        ("offers", "brokers.Offer"),
        ("responses", "brokers.OfferResponse"),
        ("brokers", "brokers.Broker"),
        ("products", "products.Product"),
        ("companies", "companies.Company"),
        ("notifications", "portal.Notification"),
    ]:
        if f"/{segment}/" in path:
            row = apps.get_model(model).objects.order_by("pk").first()
            return str(row.pk) if row else "1"
    return "1"


def _admin_actions(path: str) -> list[str]:
    match = re.fullmatch(r"/admin/(\w+)/(\w+)/", path)
    if not match:
        return []
    try:
        model_admin = admin.site._registry.get(apps.get_model(match.group(1), match.group(2)))
    except LookupError:
        return []
    if model_admin is None:
        return []
    own = [action if isinstance(action, str) else action.__name__ for action in model_admin.actions or []]
    return ["delete_selected", *own]


def crafted_requests(path_template: str) -> Iterator[tuple[str, str, dict]]:
    """(method, url, options) for one URL pattern."""
    ids = {"int": _object_id(path_template.replace("{int}", "1").replace("{str}", "x"))}
    base = path_template.replace("{int}", ids["int"]).replace("{str}", "x")
    yield "get", base + NUL_QUERY, {}
    yield "get", base + ODD_QUERY, {}
    if "{int}" in path_template:
        yield "get", path_template.replace("{int}", "99999999999999999999").replace("{str}", "x"), {}
    if "{str}" in path_template:
        for value in ("%00", "%E2%80%AEgnp.exe" + "x" * 300):
            yield "get", path_template.replace("{str}", value).replace("{int}", ids["int"]), {}
    yield "post", base, {"data": {"field": "a\x00b"}}
    yield "post", base, {"data": ODD_FORM}
    for action in _admin_actions(base):
        yield (
            "post",
            base,
            {"data": {"action": action, "_selected_action": ["abc", "-1", "9" * 25], "index": "x"}},
        )
        yield "post", base, {"data": {"action": action, "select_across": "1", "index": "0", "post": "yes"}}
    if base.startswith("/api/"):
        json = "application/json"
        yield "post", base, {"data": DEEP_JSON, "content_type": json}
        for method in ("post", "patch"):
            for body in WRONG_JSON:
                yield method, base, {"data": body, "content_type": json}


def _fire(client: Client, path_templates: list[str]) -> list[str]:
    """Every crafted request that ended in a 5xx, with the exception that caused it."""
    errors: list[str] = []
    raised: list[BaseException] = []

    def record(sender, **kwargs) -> None:
        raised.append(sys.exc_info()[1])

    got_request_exception.connect(record)
    try:
        for template in path_templates:
            for method, url, options in crafted_requests(template):
                raised.clear()
                response = getattr(client, method)(url, **options)
                if response.status_code >= 500:
                    cause = f"{type(raised[-1]).__name__}: {str(raised[-1])[:200]}" if raised else ""
                    errors.append(f"{method.upper()} {url[:120]} -> {response.status_code} {cause}")
    finally:
        got_request_exception.disconnect(record)
    return errors


@pytest.fixture
def no_throttles(monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": None, "user": None})


ALL = sorted({concrete(route) for route, _ in url_patterns()})
PUBLIC_SIDE = [path for path in ALL if not path.startswith("/admin/")]


@pytest.mark.parametrize(
    ("persona", "paths"),
    [
        ("anonymous", PUBLIC_SIDE),
        ("company_member", PUBLIC_SIDE),
        ("manager", ALL),
    ],
)
def test_crafted_requests_never_give_a_server_error(request, world, no_throttles, persona, paths):
    client = Client(raise_request_exception=False)
    user = request.getfixturevalue(persona)
    if user is not None:
        client.force_login(user)
    assert _fire(client, paths) == []


def test_the_walk_covers_the_api_the_pages_and_the_admin():
    assert "/api/v1/applications/{int}/submit/" in ALL
    assert "/fa/countries/{str}/" in ALL
    assert "/admin/support/application/{int}/change/" in ALL
    assert "/media/{str}" in ALL


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/fa/countries/I%00Q/", 400),
        ("/fa/products/?q=mask%00", 400),
        ("/api/v1/products/?search=%00", 400),
        ("/media/companies/certificates/a%00.pdf", 400),
    ],
)
def test_nul_bytes_are_a_bad_request(client, url, status):
    assert client.get(url).status_code == status


def test_json_nested_past_the_recursion_limit_is_a_bad_request(client_for, company_member):
    response = client_for(company_member).post(
        "/api/v1/products/", DEEP_JSON, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_a_media_folder_is_not_found_for_staff(client_for, manager, company):
    assert client_for(manager).get("/media/companies/certificates/").status_code == 404
