"""The access matrix (tests/access/matrix.csv) walked through HTTP, one test per row.

Each cell logs in as its persona, sends the row's request in a savepoint that is rolled back
afterwards, and checks the status (and, for a tagged redirect, where it goes); a refused write must
leave every row of the project's tables as it was. A second test fails for every named URL that no
row covers. The cell syntax, the personas and the targets are explained in tests/access/README.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import inspect
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404
from django.utils import timezone

from portal.accounts.two_factor import requires_second_factor
from tests.access.snapshot import changed_tables, snapshot
from tests.access.world import PERSONAS, World, build_world
from tests.companies.factories import PDF_BYTES
from tests.products.factories import png_bytes
from tests.two_factor import force_login_verified

pytestmark = pytest.mark.django_db

MATRIX = Path(__file__).with_name("matrix.csv")

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

# Allowed writes must change some row, except these, which may touch only cookies, the session or
# the mail queue (or have nothing to do for some personas, such as marking no unread notifications).
WRITES_THAT_MAY_CHANGE_NOTHING = {
    "set_language", "logout", "password_reset", "notifications_read_all", "admin:logout",
}  # fmt: skip

COLUMNS = ["url", "method", "target", "payload", *PERSONAS, "note"]


# ---------------------------------------------------------------------------
# The matrix file
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Expect:
    status: int
    tag: str = ""  # a URL name the redirect must lead to, or "unchanged"

    @classmethod
    def parse(cls, text: str, where: str = "") -> Expect:
        status, _, tag = text.strip().partition(":")
        if not status.isdigit():
            raise ValueError(f"matrix.csv {where}: a cell is <status> or <status>:<tag>, not {text!r}")
        return cls(int(status), tag)

    def refuses(self) -> bool:
        """A 4xx, or a tagged answer (a redirect elsewhere, or "unchanged"), refuses the request."""
        return self.status >= 400 or bool(self.tag)

    def __str__(self) -> str:
        return f"{self.status}:{self.tag}" if self.tag else str(self.status)


@dataclass(frozen=True)
class Row:
    line: int
    url: str
    method: str
    target: str
    payload: str
    cells: dict[str, Expect]
    note: str

    @property
    def id(self) -> str:
        return f"{self.url} {self.method} {self.target}"


def load_matrix(path: Path = MATRIX) -> list[Row]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == COLUMNS, f"matrix.csv header must be {','.join(COLUMNS)}"
        return [
            Row(
                line=number,
                url=record["url"].strip(),
                method=record["method"].strip().upper(),
                target=record["target"].strip(),
                payload=record["payload"].strip(),
                cells={
                    persona: Expect.parse(record[persona], f"line {number}, {persona}")
                    for persona in PERSONAS
                },
                note=record["note"].strip(),
            )
            for number, record in enumerate(reader, start=2)
        ]


ROWS = load_matrix()


# ---------------------------------------------------------------------------
# URL patterns: names and their parameters
# ---------------------------------------------------------------------------
def named_patterns() -> dict[str, set[str]]:
    """{URL name with its namespaces: names of the parameters in its path} for every named pattern."""
    found: dict[str, set[str]] = {}

    def walk(patterns: list, namespace: str, params: set[str]) -> None:
        for pattern in patterns:
            own = set(pattern.pattern.regex.groupindex)
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner, params | own)
            elif isinstance(pattern, URLPattern) and pattern.name:
                found.setdefault(f"{namespace}{pattern.name}", params | own)

    walk(get_resolver().url_patterns, "", set())
    return found


PATTERNS = named_patterns()

# ---------------------------------------------------------------------------
# Targets: what a row's URL acts on
# ---------------------------------------------------------------------------
TARGETS: dict[str, Callable[[World], dict[str, Any]]] = {
    "-": lambda w: {},
    "referral_sent/withdraw": lambda w: {"pk": w.referral_sent.pk, "action": "withdraw"},
    "referral_sent/accept": lambda w: {"pk": w.referral_sent.pk, "action": "accept"},
    "referral_received/accept": lambda w: {"pk": w.referral_received.pk, "action": "accept"},
    "partner_sent/withdraw": lambda w: {"pk": w.partner_sent.pk, "action": "withdraw"},
    "partner_sent/accept": lambda w: {"pk": w.partner_sent.pk, "action": "accept"},
    "partner_received/accept": lambda w: {"pk": w.partner_received.pk, "action": "accept"},
    "offer_partner_sent/withdraw": lambda w: {"pk": w.offer_partner_sent.pk, "action": "withdraw"},
    "offer_partner_received/accept": lambda w: {"pk": w.offer_partner_received.pk, "action": "accept"},
    "offer_partner_received/decline": lambda w: {"pk": w.offer_partner_received.pk, "action": "decline"},
    "app:support": lambda w: {"app_label": "support"},
    "app:auth": lambda w: {"app_label": "auth"},
    "certificate_a": lambda w: {"pk": w.product_a_public.pk, "certificate_pk": w.certificate_a.pk},
    "picture_a": lambda w: {"pk": w.product_a_public.pk, "image_pk": w.picture_a.pk},
    "response_a/shortlisted": lambda w: {"pk": w.response_a.pk, "decision": "shortlisted"},
    "service_a/withdraw": lambda w: {"pk": w.service_a.pk, "listed": "withdraw"},
    "engagement_a/accept": lambda w: {"pk": w.engagement_a.pk, "action": "accept"},
    "engagement_a/close": lambda w: {"pk": w.engagement_a.pk, "action": "close"},
    "engagement_delivered/close": lambda w: {"pk": w.engagement_delivered.pk, "action": "close"},
    "reset_link": lambda w: {"uidb64": "MQ", "token": "set-password"},
    "section:products": lambda w: {"section": "products"},
    "offer_other/company_a": lambda w: {"pk": w.offer_other.pk, "company_pk": w.company_a.pk},
    "section:results": lambda w: {"section": "results"},
    "table:country": lambda w: {"table": "country"},
    "table:company": lambda w: {"table": "company"},
}


def url_kwargs(row: Row, world: World) -> dict[str, Any]:
    """The path parameters of the row's URL, from its target."""
    if row.target in TARGETS:
        return TARGETS[row.target](world)
    obj = world.objects[row.target]
    kwargs: dict[str, Any] = {}
    for param in PATTERNS[row.url]:
        if param in ("pk", "object_id", "offer_pk", "id"):
            kwargs[param] = obj.pk
        elif param == "token_key":
            kwargs[param] = obj.token_key
        elif param == "content_type_id":
            kwargs[param] = ContentType.objects.get_for_model(obj).pk
        else:  # token, iso_code, slug, code: the object's field of that name
            kwargs[param] = getattr(obj, param)
    return kwargs


def url_of(row: Row, world: World) -> str:
    if row.url == "media":
        name, _, field = row.target.partition(".")
        return f"/media/{getattr(world.objects[name], field).name}"
    return reverse(row.url, kwargs=url_kwargs(row, world))


# ---------------------------------------------------------------------------
# Payloads: a valid body for each write, so that an allowed write really succeeds
# ---------------------------------------------------------------------------
def _pdf(name: str = "file.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def _png(name: str = "picture.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def _in_days(days: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def _company_form(w: World) -> dict[str, Any]:
    return {
        "name_fa": "شرکت نوآوران تنفس", "name_en": "Breath Innovators", "national_id": "10100387445",
        "company_type": "private_joint_stock", "certificate_number": "KB-1404-77",
        "certificate_expiry": _in_days(300), "province": "tehran", "city": "تهران",
        "address": "خیابان انقلاب", "phone": "02166000000", "website": "", "profile_fa": "",
        "profile_en": "", "certificate_file": _pdf("certificate.pdf"),
    }  # fmt: skip


def _broker_form(w: World) -> dict[str, Any]:
    return {
        "name_fa": "کارگزاری دجله", "name_en": "Tigris Brokers", "licence_number": "EB-1404-99",
        "licence_file": _pdf("licence.pdf"), "licence_expires_on": _in_days(400),
        "services": [w.logistics.pk], "countries": [w.iraq.pk],
        "languages": ["fa", "ar"], "offices": "تهران", "phone": "02188000000",
        "email": "desk@tigris.example", "description_fa": "", "description_en": "", "website": "",
    }  # fmt: skip


def _product_form(w: World) -> dict[str, Any]:
    return {
        "name_fa": "ماسک سه لایه پزشکی", "name_en": "Three-ply medical mask", "category": w.masks.pk,
        "hs_code": "630790", "description_fa": "ماسک پزشکی", "description_en": "Medical mask",
        "specifications_fa": "", "specifications_en": "", "monthly_capacity": "200000",
        "capacity_unit": "piece", "minimum_order": "1000", "fob_price": "0.08", "currency": "USD",
        "lead_time_days": "14",
    }  # fmt: skip


def _offer_form(w: World) -> dict[str, Any]:
    return {
        "kind": "demand", "country": w.iraq.pk, "categories": [w.masks.pk],
        "title_fa": "نیاز به دستکش", "title_en": "Gloves needed", "description_fa": "دستکش",
        "description_en": "Gloves", "quantity": "20000", "unit": "pair", "target_price": "0.05",
        "currency": "USD", "deadline": _in_days(21),
    }  # fmt: skip


def _offer_json(w: World) -> dict[str, Any]:
    return {**_offer_form(w), "country": "IQ", "categories": ["masks"], "quantity": 20000}


OWN_PRODUCT = {"member_a": "product_a_public", "member_b": "product_b", "member_pending": "product_pending"}


def _own_product(w: World, persona: str) -> int:
    """A product of the persona's company (others get A's, and are refused before it matters)."""
    return w.objects[OWN_PRODUCT.get(persona, "product_a_public")].pk


def _response_form(w: World, persona: str) -> dict[str, Any]:
    return {
        "products": [_own_product(w, persona)], "unit_price": "0.09", "currency": "USD",
        "quantity": "40000", "lead_time_days": "12", "message": "Ready to ship",
    }  # fmt: skip


def _application_form(w: World, persona: str) -> dict[str, Any]:
    return {
        "products": [_own_product(w, persona)], "countries": [w.iraq.pk], "broker": "",
        "requested_amount": "12000", "justification": "Shipping 200,000 masks to Basra",
    }  # fmt: skip


def _application_json(w: World, persona: str) -> dict[str, Any]:
    return {
        "program": w.program.pk, "products": [_own_product(w, persona)], "countries": ["IQ"],
        "requested_amount": "12000", "justification": "Shipping 200,000 masks to Basra",
    }  # fmt: skip


def _review_form(w: World) -> dict[str, Any]:
    scores = {f"score_{c.pk}": "7" for c in w.program.criteria.all()}
    return {"recommendation": "approve", "comment": "Solid export plan", "no_conflict": "on", **scores}


def _action(name: str, target: str, **extra: str) -> Callable[[World], dict[str, Any]]:
    def build(w: World) -> dict[str, Any]:
        return {"action": name, "_selected_action": [w.objects[target].pk], "index": "0", **extra}

    return build


def _certificate_action(name: str, **extra: str) -> Callable[[World], dict[str, Any]]:
    """An action on the pending certificate, with the version the list showed of it."""

    def build(w: World) -> dict[str, Any]:
        certificate = w.objects["certificate_pending"]
        return {
            **_action(name, "certificate_pending", **extra)(w),
            f"version_{certificate.pk}": certificate.version,
        }

    return build


def _tie_form(w: World, persona: str) -> dict[str, Any]:
    user = w.users[persona]
    tie = {"company": w.company_pending.pk, "nature": "family", "note": "Cousin"}
    return {"user": user.pk if user else "", **tie}


def _deal_form(w: World, persona: str) -> dict[str, Any]:
    """A deal's terms and one line of the persona's own product (brokers name A, and A's product)."""
    return {
        "company": w.company_a.pk, "buyer_name": "Basra Hospital", "buyer_country": w.iraq.pk,
        "buyer_type": "hospital", "destination": w.iraq.pk, "incoterm": "CIF", "currency": "USD",
        "usd_rate": "1", "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0",
        "lines-0-product": _own_product(w, persona), "lines-0-quantity": "5000", "lines-0-unit_price": "0.20",
    }  # fmt: skip


# name -> (body kind, builder); "json" bodies go to the API, "form" bodies are multipart.
PAYLOADS: dict[str, tuple[str, Callable[[World], dict[str, Any]]]] = {
    "reassign": ("form", lambda w: {"reviewer": w.users["reviewer_other"].pk, "note": "Ali is on leave"}),
    "tie": ("form", _tie_form),
    "away": ("form", lambda w: {"away_until": "2099-01-31"}),
    "-": ("form", lambda w: {}),
    "language": ("form", lambda w: {"language": "en", "next": "/en/"}),
    "signup": (
        "form",
        lambda w: {
            "full_name": "Newcomer",
            "email": "newcomer@example.com",
            "phone": "09120000000",
            "preferred_language": "fa",
            "password1": "a-long-pass-phrase-42",
            "password2": "a-long-pass-phrase-42",
        },
    ),
    "profile": (
        "form",
        lambda w: {
            "full_name": "Renamed",
            "phone": "09121111111",
            "preferred_language": "fa",
        },
    ),
    "password_change": (
        "form",
        lambda w: {
            "old_password": "correct-horse-battery-42",
            "new_password1": "another-long-phrase-77",
            "new_password2": "another-long-phrase-77",
        },
    ),
    "password_reset": ("form", lambda w: {"email": "sara@alpha.example"}),
    "invite": ("form", lambda w: {"email": "colleague@example.com"}),
    "api_token": ("form", lambda w: {"name": "CI", "expires_in_days": "30"}),
    "company": ("form", _company_form),
    "product": ("form", _product_form),
    "certificate": (
        "form",
        lambda w: {
            "certification": w.iso.pk,
            "number": "ISO-1",
            "issuer": "TÜV",
            "expiry_date": _in_days(400),
            "file": _pdf("iso.pdf"),
        },
    ),
    "picture": ("form", lambda w: {"image": _png(), "caption": "Front"}),
    "broker": ("form", _broker_form),
    "offer": ("form", _offer_form),
    "attachment": ("form", lambda w: {"file": _pdf("brief.pdf"), "title": "Brief"}),
    "service": (
        "form",
        lambda w: {
            "service_type": w.logistics.pk,
            "fee_model": "percent",
            "fee_percent": "۲٫۵",
            "currency": "USD",
            "countries": [w.iraq.pk],
            "description_fa": "ثبت محصول در عراق",
            "description_en": "",
        },
    ),  # fmt: skip
    "booking": ("form", lambda w: {"message": "Customs clearance for 20 pallets in Basra"}),
    "rating": ("form", lambda w: {"score": "۵", "comment": "On time"}),
    "response": ("form", _response_form),
    "inquiry": (
        "form",
        lambda w: {
            "name": "Ahmed",
            "organisation": "Baghdad Clinic",
            "country": w.iraq.pk,
            "email": "ahmed@clinic.example",
            "message": "We need 100,000 masks",
            "website": "",
        },
    ),
    "reply": ("form", lambda w: {"body": "We can deliver gloves in May."}),
    "close": ("form", lambda w: {"reason": "duplicate", "note": ""}),
    "application": ("form", _application_form),
    "deal": ("form", _deal_form),
    "referral": (
        "form",
        lambda w: {
            "company": w.company_a.pk,
            "country": w.iraq.pk,
            "to_broker": w.broker_other.pk,
            "share_percent": "10",
        },
    ),  # fmt: skip
    "partner": ("form", lambda w: {"broker": w.broker_other.pk, "share_percent": "30"}),
    "mandate": (
        "form",
        lambda w: {
            "broker": w.broker_approved.pk,
            "countries": [w.iraq.pk],
            "categories": [w.masks.pk],
            "valid_until": _in_days(90),
            "note": "",
        },
    ),
    "json:mandate": (
        "json",
        lambda w: {
            "broker": w.broker_approved.pk,
            "countries": ["IQ"],
            "categories": ["masks"],
            "valid_until": _in_days(90),
        },
    ),
    "shipment": (
        "form",
        lambda w: {
            "shipped_on": timezone.localdate().isoformat(),
            "quantity": "100",
            "declaration_number": "DECL-7",
            "invoice": _pdf("invoice.pdf"),
            "transport_document": _pdf("awb.pdf"),
        },
    ),  # fmt: skip
    "payment": (
        "form",
        lambda w: {"amount": "150", "currency": "USD", "received_on": timezone.localdate().isoformat()},
    ),
    "lost": ("form", lambda w: {"lost_reason": "competitor", "lost_note": "A Turkish maker was cheaper"}),
    "document": ("form", lambda w: {"document_type": w.proforma.pk, "file": _pdf("proforma.pdf")}),
    "review": ("form", _review_form),
    "action:approve": ("form", _action("approve", "application_a", amount="5000", note="Approved")),
    "action:assign_to_me": ("form", _action("assign_to_me", "application_b", note="", amount="")),
    "action:revise_a": (
        "form",
        _action("request_revision", "application_a", note="Add a proforma", amount=""),
    ),
    "action:revise_b": (
        "form",
        _action("request_revision", "application_b", note="Add a proforma", amount=""),
    ),
    "action:verify": ("form", _action("verify", "company_pending", note="Checked")),
    "action:verify_certificate": ("form", _certificate_action("verify_selected", note="")),
    "action:reject_certificate": (
        "form",
        _certificate_action("reject_selected", note="The scan is unreadable"),
    ),  # fmt: skip
    "certificate_decision": (
        "form",
        lambda w: {
            "decision": "reject",
            "rejection_reason": "The number differs from the scan",
            "version": w.objects["certificate_pending"].version,
        },
    ),  # fmt: skip
    "action:approve_broker": ("form", _action("approve", "broker_pending", note="Checked")),
    "action:approve_renewal": ("form", _action("approve", "licence_renewal", note="")),
    "action:reject_renewal": ("form", _action("reject", "licence_renewal", note="The scan is unreadable")),
    "renewal": ("form", lambda w: {"licence_file": _pdf("licence-2028.pdf"), "expires_on": _in_days(800)}),
    "admin_user_password": ("form", lambda w: {"password1": "x-new-pass-991", "password2": "x-new-pass-991"}),
    "json:product": (
        "json",
        lambda w: {
            "name_fa": "ماسک",
            "name_en": "Mask",
            "category": "masks",
            "hs_code": "630790",
            "description_fa": "ماسک",
            "description_en": "Mask",
            "monthly_capacity": 1000,
            "capacity_unit": "piece",
            "minimum_order": 10,
            "fob_price": "0.10",
            "currency": "USD",
            "lead_time_days": 10,
        },
    ),
    "json:product_patch": ("json", lambda w: {"name_en": "Renamed mask"}),
    "json:offer": ("json", _offer_json),
    "json:accept": ("json", lambda w: {"action": "accept", "note": "We start on Saturday"}),
    "json:rate": ("json", lambda w: {"score": "۴", "comment": "Clear and on time"}),
    "json:offer_patch": ("json", lambda w: {"title_en": "Renamed demand"}),
    "json:response": (
        "json",
        lambda w, persona: {
            "products": [_own_product(w, persona)],
            "unit_price": "0.09",
            "currency": "USD",
            "quantity": 40000,
            "lead_time_days": 12,
            "message": "Ready",
        },
    ),
    "json:decide": ("json", lambda w: {"status": "shortlisted"}),
    "json:reply": ("json", lambda w: {"body": "We can deliver gloves in May."}),
    "json:close": ("json", lambda w: {"reason": "duplicate", "note": ""}),
    "json:application": ("json", _application_json),
    "json:application_patch": ("json", lambda w: {"requested_amount": "9000"}),
    "json:withdraw": ("json", lambda w: {"note": "Changed our plans"}),
    "json:mark_read": ("json", lambda w: {"ids": [w.notification_a.pk]}),
    "json:-": ("json", lambda w: {}),
}


def send(client: Client, row: Row, world: World, persona: str) -> Any:
    url = url_of(row, world)
    kind, build = PAYLOADS[row.payload or "-"]
    # Some bodies name the persona's own product; the others need only the world.
    data = build(world, persona) if len(inspect.signature(build).parameters) == 2 else build(world)
    method = row.method.lower()
    if row.method == "GET":
        return client.get(url)
    if kind == "json":
        return getattr(client, method)(url, json.dumps(data), content_type="application/json")
    if row.method == "POST":
        return client.post(url, data)
    return getattr(client, method)(url)


# ---------------------------------------------------------------------------
# The walk
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module", autouse=True)
def _quiet_refusals() -> Iterator[None]:
    """A thousand expected 403s and 404s would each log a warning with its traceback."""
    logger = logging.getLogger("django.request")
    previous = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(previous)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    """Built once for the module inside a transaction that is rolled back at the end."""
    media_root = tmp_path_factory.mktemp("access-media")
    fast = override_settings(
        MEDIA_ROOT=media_root, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    )
    with django_db_blocker.unblock(), fast, transaction.atomic():
        built = build_world()
        built.objects["_media_root"] = media_root
        # One session per persona, made once: a log-in per cell would double the module's run time.
        for persona, user in built.users.items():
            if user is not None:
                client = Client()
                # Staff pass the second factor, as they must before reaching anything.
                if requires_second_factor(user):
                    force_login_verified(client, user)
                else:
                    client.force_login(user)
                built.sessions[persona] = client.cookies[settings.SESSION_COOKIE_NAME].value
        built.objects["_baseline"] = snapshot()
        yield built
        transaction.set_rollback(True)


def _redirect_name(response: Any) -> str:
    location = urlparse(response.get("Location", "")).path
    try:
        return resolve(location).view_name
    except Resolver404:
        return f"<unresolved {location}>"


def _form_errors(response: Any) -> str:
    context = getattr(response, "context", None)
    if not context:
        return ""
    errors = {}
    for key in ("form", "adminform", "certificate_form", "response_form"):
        form = context.get(key) if hasattr(context, "get") else None
        form = getattr(form, "form", form)
        if form is not None and getattr(form, "errors", None):
            errors[key] = dict(form.errors)
    return f" form errors {errors}" if errors else ""


def check_cell(row: Row, persona: str, world: World) -> str | None:
    """Send the row's request as `persona`; return what went wrong, or None."""
    expected = row.cells[persona]
    client = Client(raise_request_exception=False)
    if persona in world.sessions:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[persona]
    response = send(client, row, world, persona)
    actual = response.status_code
    where = f"{row.id} (matrix.csv line {row.line}) as {persona}"
    if actual != expected.status:
        detail = ""
        if actual in (301, 302):
            detail = f" -> {_redirect_name(response)}"
        elif actual >= 400 and "json" in response.get("Content-Type", ""):
            detail = f" {response.content[:160]!r}"
        return f"{where}: expected {expected}, got {actual}{detail}{_form_errors(response)}"
    if expected.tag and expected.tag != "unchanged" and actual in (301, 302):
        name = _redirect_name(response)
        if name != expected.tag:
            return f"{where}: expected {expected}, got {actual} to {name}"
    if row.method in WRITE_METHODS and actual < 500:
        changed = changed_tables(world.objects["_baseline"], snapshot())
        if expected.refuses() and changed:
            return f"{where}: refused with {actual} as expected, but changed {', '.join(changed)}"
        if not expected.refuses() and not changed and row.url not in WRITES_THAT_MAY_CHANGE_NOTHING:
            # Many views redirect whether or not the write worked: the status alone proves nothing.
            return f"{where}: allowed with {actual} as expected, but nothing changed{_messages(response)}"
    return None


def _messages(response: Any) -> str:
    from django.contrib.messages import get_messages

    found = [str(m) for m in get_messages(response.wsgi_request)] if hasattr(response, "wsgi_request") else []
    return f" (messages: {found})" if found else ""


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_matrix_row(row: Row, world: World, settings) -> None:
    settings.MEDIA_ROOT = world.objects["_media_root"]  # the autouse fixture gave each test its own
    failures = []
    for persona in PERSONAS:
        if row.method in WRITE_METHODS:
            cache.clear()  # rate limits count per cell, and no write leaves a session behind in the cache
        with transaction.atomic():
            failures.append(check_cell(row, persona, world))
            transaction.set_rollback(True)
    failures = [failure for failure in failures if failure]
    assert not failures, "\n".join(failures)


def test_every_named_url_is_covered_by_a_row() -> None:
    covered = {row.url for row in ROWS}
    missing = sorted(name for name in PATTERNS if name not in covered)
    assert not missing, "URL names without a row in tests/access/matrix.csv:\n" + "\n".join(missing)


def test_every_row_names_a_known_url_method_and_payload() -> None:
    problems = []
    for row in ROWS:
        if row.url not in PATTERNS:
            problems.append(f"line {row.line}: unknown URL name {row.url}")
        if (row.payload or "-") not in PAYLOADS:
            problems.append(f"line {row.line}: unknown payload {row.payload}")
        if row.method not in {"GET", *WRITE_METHODS}:
            problems.append(f"line {row.line}: unknown method {row.method}")
    ids = [row.id + " " + row.payload for row in ROWS]
    problems += [f"duplicate row {i}" for i in {i for i in ids if ids.count(i) > 1}]
    assert not problems, "\n".join(problems)
