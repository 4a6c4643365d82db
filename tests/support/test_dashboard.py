"""The programme managers' dashboard in the admin: who sees it, its figures, its cost, its assets."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from support.admin_views import FIGURES
from support.models import Application, Status
from support.selectors import program_budget
from tests.portal.factories import TargetCountryFactory, UserFactory
from tests.products.factories import CategoryFactory, ProductFactory
from tests.support.factories import ApplicationFactory, ProgramFactory

pytestmark = pytest.mark.django_db

URL = "/admin/support/application/dashboard/"


def make_application(
    program,
    status: str,
    *,
    requested: str = "10000",
    granted: str | None = None,
    countries: tuple[str, ...] = ("IQ",),
    categories: tuple[str, ...] = ("masks",),
    review_started_days_ago: int | None = None,
) -> Application:
    """An application in `status`, set directly (the workflow is tested in test_workflow.py)."""
    application = ApplicationFactory(program=program, requested_amount=Decimal(requested))
    application.products.set(
        [
            ProductFactory(company=application.company, category=CategoryFactory(slug=slug))
            for slug in categories
        ]
    )
    application.countries.set([TargetCountryFactory(iso_code=code) for code in countries])
    started = due = None
    if review_started_days_ago is not None:
        started = timezone.now() - dt.timedelta(days=review_started_days_ago)
        due = started + dt.timedelta(days=program.review_period_days)
    Application.objects.filter(pk=application.pk).update(
        status=status,
        granted_amount=Decimal(granted) if granted is not None else None,
        review_started_at=started,
        review_due_at=due,
    )
    return application


@pytest.fixture
def programs():
    shipping = ProgramFactory(name_en="Shipping", budget=Decimal("100000"), currency="USD")
    fairs = ProgramFactory(
        name_en="Fairs", budget=Decimal("50000"), cap_per_application=Decimal("20000"), currency="EUR"
    )
    return shipping, fairs


@pytest.fixture
def applications(programs):
    shipping, fairs = programs
    return [
        make_application(shipping, Status.DRAFT, requested="10000", countries=("IQ", "AF")),
        make_application(
            shipping,
            Status.UNDER_REVIEW,
            requested="8000",
            countries=("IQ", "AF"),
            review_started_days_ago=20,
        ),
        make_application(shipping, Status.UNDER_REVIEW, requested="6000", review_started_days_ago=2),
        make_application(
            shipping,
            Status.APPROVED,
            requested="10000",
            granted="9000",
            countries=("IQ", "AF"),
            categories=("masks", "ventilators"),
        ),
        make_application(
            shipping, Status.PAID, requested="12000", granted="12000", categories=("masks", "masks")
        ),
        make_application(fairs, Status.REJECTED, requested="5000", categories=("ventilators",)),
        make_application(fairs, Status.APPROVED, requested="15000", granted="15000", categories=("oxygen",)),
    ]


def test_the_url_is_the_admin_one() -> None:
    assert reverse("admin:support_dashboard") == URL


def test_manager_sees_counts_and_sums_by_status(client_for, manager, applications) -> None:
    response = client_for(manager).get(URL)

    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "admin/support/dashboard.html"
    rows = {row["status"]: row for row in response.context["status_rows"]}
    assert list(rows) == list(Status.values)  # every status, in workflow order, zeros included
    assert rows[Status.DRAFT]["count"] == 1
    assert rows[Status.UNDER_REVIEW]["count"] == 2
    assert dict(rows[Status.UNDER_REVIEW]["requested"]) == {"USD": Decimal("14000")}
    assert dict(rows[Status.UNDER_REVIEW]["granted"]) == {}
    # amounts are never added across currencies
    assert dict(rows[Status.APPROVED]["requested"]) == {"USD": Decimal("10000"), "EUR": Decimal("15000")}
    assert dict(rows[Status.APPROVED]["granted"]) == {"USD": Decimal("9000"), "EUR": Decimal("15000")}
    assert dict(rows[Status.PAID]["granted"]) == {"USD": Decimal("12000")}
    assert rows[Status.REJECTED]["count"] == 1
    assert rows[Status.CLOSED]["count"] == 0

    totals = response.context["totals"]
    assert totals["count"] == 7
    assert dict(totals["requested"]) == {"USD": Decimal("46000"), "EUR": Decimal("20000")}
    assert dict(totals["granted"]) == {"USD": Decimal("21000"), "EUR": Decimal("15000")}
    assert response.context["overdue"] == 1


def test_manager_sees_budgets_by_programme(client_for, manager, programs, applications) -> None:
    shipping, fairs = programs
    response = client_for(manager).get(URL)

    by_name = {program.name_en: program for program in response.context["programs"]}
    assert by_name["Shipping"].application_count == 5
    assert by_name["Shipping"].granted == Decimal("21000")
    assert by_name["Shipping"].granted == program_budget(shipping).granted
    assert by_name["Shipping"].budget == Decimal("100000")
    assert by_name["Shipping"].used_percent == Decimal("21.0")
    assert by_name["Shipping"].remaining == Decimal("79000")
    assert by_name["Shipping"].remaining == program_budget(shipping).remaining
    assert by_name["Fairs"].application_count == 2
    assert by_name["Fairs"].granted == Decimal("15000")
    assert by_name["Fairs"].used_percent == Decimal("30.0")
    assert by_name["Fairs"].remaining == Decimal("35000")


def test_a_programme_without_applications_shows_its_whole_budget(client_for, manager) -> None:
    ProgramFactory(name_en="Insurance", budget=Decimal("40000"))

    (program,) = client_for(manager).get(URL).context["programs"]

    assert program.application_count == 0
    assert program.granted == Decimal("0")
    assert program.used_percent == Decimal("0.0")
    assert program.remaining == Decimal("40000")


def test_manager_sees_countries_and_categories(client_for, manager, applications) -> None:
    response = client_for(manager).get(URL)

    countries = {country.iso_code: country.application_count for country in response.context["countries"]}
    assert countries["IQ"] == 7
    assert countries["AF"] == 3
    categories = {category.slug: category.application_count for category in response.context["categories"]}
    # an application counts once per category, however many of its products fall in it
    assert categories["masks"] == 5
    assert categories["ventilators"] == 2
    assert categories["oxygen"] == 1


def test_chart_data_is_passed_as_json_script(client_for, manager, programs, applications) -> None:
    response = client_for(manager).get(URL)
    html = response.content.decode()

    match = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', html, re.S)
    assert match is not None
    data = json.loads(match.group(1))
    assert dict(zip(data["status"]["keys"], data["status"]["counts"], strict=True)) == {
        "draft": 1,
        "under_review": 2,
        "approved": 2,
        "paid": 1,
        "rejected": 1,
    }
    shipping, fairs = programs  # the page is in Persian: labels are the Persian names
    budget = dict(zip(data["budget"]["labels"], data["budget"]["used_percent"], strict=True))
    assert budget == {shipping.name_fa: 21.0, fairs.name_fa: 30.0}
    remaining = dict(zip(data["budget"]["labels"], data["budget"]["remaining"], strict=True))
    assert remaining == {shipping.name_fa: 79000.0, fairs.name_fa: 35000.0}
    countries = dict(zip(data["countries"]["labels"], data["countries"]["counts"], strict=True))
    assert countries["کشور IQ"] == 7
    assert countries["کشور AF"] == 3


def test_page_has_accessible_tables_and_local_chartjs(client_for, manager, applications) -> None:
    html = client_for(manager).get(URL).content.decode()

    content = html[html.index('<div id="content-main">') :]
    assert content.count("<table") == 4
    assert content.count("<caption>") == 4
    assert '<th scope="col"' in html
    assert '<th scope="row"' in html
    assert 'src="/static/vendor/chartjs/chart.umd.min.js"' in html
    assert '<canvas id="chart-status"' in html
    assert '<canvas id="chart-budget"' in html
    assert '<canvas id="chart-countries"' in html


def test_no_external_urls(client_for, manager, applications) -> None:
    html = client_for(manager).get(URL).content.decode()

    # the only absolute URL allowed is the SVG namespace of the admin's icons (not fetched)
    absolute = set(re.findall(r"https?://[^\s\"'<>)]+", html)) - {"http://www.w3.org/2000/svg"}
    assert not absolute
    assert "//cdn" not in html
    for url in re.findall(r'\b(?:src|href)="([^"]*)"', html):
        assert url.startswith(("/", "#")), url
        assert not url.startswith("//"), url
    scripts = re.findall(r'<script[^>]*\bsrc="([^"]*)"', html)
    assert scripts
    assert all(src.startswith("/static/") for src in scripts), scripts
    stylesheets = re.findall(r'<link[^>]*\bhref="([^"]*)"', html)
    assert all(href.startswith("/static/") for href in stylesheets), stylesheets


def test_persian_page_is_rtl_and_english_page_is_ltr(client_for, manager, applications) -> None:
    persian = client_for(manager).get(URL)
    assert 'dir="rtl"' in persian.content.decode()

    english_client = client_for(manager)
    english_client.cookies["portal_language"] = "en"
    english = english_client.get(URL).content.decode()
    assert 'dir="ltr"' in english
    assert "Applications by status" in english
    assert "Programmes and their budgets" in english
    assert "100,000\u00a0USD" in english
    assert "Shipping" in english
    assert "Under review" in english


def test_query_count_does_not_grow_with_applications(client_for, manager, programs) -> None:
    shipping, fairs = programs
    for status in (Status.DRAFT, Status.APPROVED, Status.UNDER_REVIEW):
        make_application(shipping, status, granted="100" if status == Status.APPROVED else None)
    client = client_for(manager)
    client.get(URL)  # warm anything cached per process (content types, templates)

    FIGURES.advance()  # both measured requests count the applications (none served from the cache)
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL).status_code == 200

    countries = ("IQ", "AF", "SY", "LB", "AM", "OM")
    categories = ("masks", "ventilators", "test-kits", "oxygen")
    statuses = (Status.SUBMITTED, Status.APPROVED, Status.PAID, Status.REJECTED, Status.UNDER_REVIEW)
    for n in range(27):
        status = statuses[n % len(statuses)]
        make_application(
            ProgramFactory() if n % 5 == 0 else fairs,
            status,
            requested="1000",
            granted="500" if status in (Status.APPROVED, Status.PAID) else None,
            countries=(countries[n % 6], countries[(n + 1) % 6]),
            categories=(categories[n % 4],),
            review_started_days_ago=30 if status == Status.UNDER_REVIEW else None,
        )
    assert Application.objects.count() == 30

    FIGURES.advance()
    with CaptureQueriesContext(connection) as many:
        assert client.get(URL).status_code == 200

    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert len(few) <= 12, [q["sql"] for q in few.captured_queries]


def _status_counts(page: str) -> dict[str, int]:
    match = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', page, re.S)
    data = json.loads(match.group(1))["status"]
    return dict(zip(data["keys"], data["counts"], strict=True))


def test_figures_are_cached_until_an_application_changes(client_for, manager, programs) -> None:
    shipping, _fairs = programs
    submitted = make_application(shipping, Status.SUBMITTED)
    client = client_for(manager)
    client.get(URL)
    with CaptureQueriesContext(connection) as counted:
        FIGURES.advance()
        client.get(URL)
    with CaptureQueriesContext(connection) as cached:
        page = client.get(URL).content.decode()
    assert len(cached) == len(counted) - 1  # the pass over the applications is served from the cache
    assert _status_counts(page) == {"submitted": 1}

    submitted.status = Status.WITHDRAWN  # any save, as the workflow's, makes the figures stale
    submitted.save()
    page = client.get(URL).content.decode()
    assert _status_counts(page) == {"withdrawn": 1}


def test_reviewer_is_refused(client_for, reviewer) -> None:
    """A reviewer is staff, so the admin lets them in; the dashboard itself refuses them."""
    assert client_for(reviewer).get(URL).status_code == 403


def test_company_member_never_reaches_the_dashboard(client_for, company_member) -> None:
    """Not staff: the admin's own gate sends them to its login page before the view runs."""
    response = client_for(company_member).get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_staff_company_member_is_refused(client_for, company_member) -> None:
    """Even if someone made a company member staff, only the manager role opens the page."""
    company_member.is_staff = True
    company_member.save(update_fields=["is_staff"])

    assert client_for(company_member).get(URL).status_code == 403


def test_staff_without_the_manager_role_is_refused(client_for) -> None:
    clerk = UserFactory(is_staff=True)

    assert client_for(clerk).get(URL).status_code == 403


def test_superuser_is_a_manager(client_for) -> None:
    root = UserFactory(is_staff=True, is_superuser=True)

    assert client_for(root).get(URL).status_code == 200


def test_anonymous_is_sent_to_the_admin_login(client_for, anonymous) -> None:
    response = client_for(anonymous).get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert "next=" in response["Location"]
