"""In-process look at a bench database, run by bench.run with the server's own environment.

    python -m bench.probe fixtures --out fixtures.json
    python -m bench.probe sessions --fixtures fixtures.json --out sessions.json
    python -m bench.probe queries --fixtures fixtures.json --endpoints endpoints.json --out queries.json

- fixtures: what the endpoints rotate through (product and offer ids, countries, references,
  company names, the search queries of the data set) and the users who log in;
- sessions: a real session per role, in the database and cache the server uses (its cookie value);
- queries: per endpoint, the SQL queries, time and size of one request through django.test.Client
  (after a first request to another of its paths, so per-process caches are warm; the first
  request's queries are kept too), with the page cache off.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.database import MARKER_TABLE  # noqa: E402
from brokers.models import Offer  # noqa: E402
from companies.models import Company, CompanyMembership  # noqa: E402
from portal.accounts.two_factor import requires_second_factor  # noqa: E402
from portal.models import TargetCountry, User  # noqa: E402
from portal.permissions import Role  # noqa: E402
from products.models import Product, ProductCategory  # noqa: E402
from support.models import Application, Status, SupportProgram  # noqa: E402

HOST = "127.0.0.1"


def _spread(values: list[Any], count: int) -> list[Any]:
    """`count` values spread evenly over the list (deterministic, unlike a random sample)."""
    if len(values) <= count:
        return values
    step = len(values) / count
    return [values[int(i * step)] for i in range(count)]


def _queries_of_the_data_set() -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT data FROM {MARKER_TABLE}")  # noqa: S608 - a constant
        data = cursor.fetchone()[0]
    return json.loads(data) if isinstance(data, str) else data


def fixtures() -> dict[str, Any]:
    """Everything the endpoints rotate through, and who logs in."""
    largest = Company.objects.verified().annotate(n=Count("products")).order_by("-n", "pk").first()
    member = CompanyMembership.objects.filter(company=largest).order_by("pk").first().user
    reviewer = (
        User.objects.filter(is_staff=True, groups__name=Role.REVIEWER)
        .annotate(n=Count("assigned_applications")).order_by("-n", "pk").first()
    )  # fmt: skip
    manager = User.objects.filter(is_staff=True, groups__name=Role.PROGRAMME_MANAGER).order_by("pk").first()
    visible = Q(assigned_reviewer=reviewer) | Q(status=Status.UNDER_REVIEW, assigned_reviewer=None)
    references = Application.objects.exclude(reference=None).order_by("pk")
    names = Company.objects.filter(applications__isnull=False).distinct().order_by("pk")
    return {
        "queries": _queries_of_the_data_set()["queries"],
        "products": _spread(list(Product.objects.public().order_by("pk").values_list("pk", flat=True)), 500),
        "offers": _spread(list(Offer.objects.public().order_by("pk").values_list("pk", flat=True)), 300),
        "largest_company": largest.pk,
        "largest_company_products": largest.n,
        "countries": sorted(TargetCountry.objects.active().values_list("iso_code", flat=True)),
        "categories": list(ProductCategory.objects.order_by("position").values_list("slug", flat=True)),
        "statuses": list(Status.values),
        "programmes": list(SupportProgram.objects.filter(applications__isnull=False).distinct()
                           .order_by("pk").values_list("pk", flat=True)),
        "references": {
            "reviewer": _references(references.filter(visible), references),
            "manager": _spread(list(references.values_list("reference", flat=True)), 300),
        },
        "company_names": [n for pair in names.values_list("name_en", "name_fa")[:200] for n in pair],
        "users": {"member": member.email, "reviewer": reviewer.email, "manager": manager.email},
    }  # fmt: skip


def _references(visible, everything) -> list[str]:  # noqa: ANN001 - QuerySets
    """A reviewer's own references, topped up with others' (a search that finds nothing) to 200."""
    own = _spread(list(visible.values_list("reference", flat=True)), 300)
    if len(own) < 200:
        others = everything.exclude(reference__in=own).values_list("reference", flat=True)
        own += _spread(list(others), 200 - len(own))
    return own


def _client(role: str | None, users: dict[str, str]) -> Client:
    client = Client(HTTP_HOST=HOST)
    if role:
        user = User.objects.get(email=users[role])
        client.force_login(user)
        if requires_second_factor(user):  # staff pages need a session that passed the second factor
            _pass_second_factor(client, user)
    return client


def _pass_second_factor(client: Client, user: Any) -> None:
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _created = TOTPDevice.objects.get_or_create(user=user, confirmed=True, defaults={"name": "bench"})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def sessions(fx: dict[str, Any]) -> dict[str, str]:
    """A logged-in session per role, as the Cookie header a browser sends: the session and the
    CSRF cookie that every page with a form (the admin's, the header's sign-out) gives it."""
    cookies = {}
    for role in fx["users"]:
        client = _client(role, fx["users"])
        client.get("/admin/" if role in ("reviewer", "manager") else "/fa/")
        names = (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME)
        cookies[role] = "; ".join(
            f"{name}={client.cookies[name].value}" for name in names if name in client.cookies
        )
    return cookies


def queries(fx: dict[str, Any], endpoints: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """SQL queries, status, time and size of one request per endpoint."""
    clients = {role: _client(role, fx["users"]) for role in (None, *fx["users"])}
    measured = {}
    for endpoint in endpoints:
        client, paths = clients[endpoint["role"]], endpoint["paths"]
        with CaptureQueriesContext(connection) as first:
            client.get(paths[0])  # warms templates, content types, per-process and fragment caches
        path = paths[1 % len(paths)]
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(path)
            elapsed = time.perf_counter() - started
        measured[endpoint["name"]] = {
            "path": path, "status": response.status_code, "queries": len(captured),
            "queries_first_request": len(first), "ms": round(elapsed * 1000, 1),
            "bytes": len(response.content),
        }  # fmt: skip
    return measured


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.probe")
    parser.add_argument("command", choices=["fixtures", "sessions", "queries"])
    parser.add_argument("--fixtures", type=Path)
    parser.add_argument("--endpoints", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if args.command == "fixtures":
        result: Any = fixtures()
    else:
        fx = json.loads(args.fixtures.read_text(encoding="utf-8"))
        if args.command == "sessions":
            result = sessions(fx)
        else:
            result = queries(fx, json.loads(args.endpoints.read_text(encoding="utf-8")))
    args.out.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
