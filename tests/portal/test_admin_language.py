"""The admin in the reader's language (portal/admin_display.py, portal/admin_dates.py): Jalali dates
with Persian digits and amounts with their currency in Persian (Gregorian in English), each step
and status by its name, no Save button where nothing can be saved, messages that agree with their
count, and Django's own counts (results, pages, the action bar, filters, deletions) and number
boxes in the reader's digits."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from decimal import Decimal

import pytest
import time_machine
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from brokers.models import BuyerInquiry, Offer
from companies.models import Company
from portal.admin_dates import LocalDateFieldListFilter
from support.models import Application, Status
from tests.brokers.factories import OfferFactory
from tests.companies.factories import CompanyFactory
from tests.conftest import admin_form_data
from tests.portal.factories import TargetCountryFactory, UserFactory
from tests.products.factories import ProductFactory
from tests.support.factories import (
    ApplicationFactory,
    DocumentTypeFactory,
    ProgramFactory,
    approved_weeks_ago,
)

pytestmark = pytest.mark.django_db

APPLICATIONS = "/admin/support/application/"
# 12:30 on 10 Azar 1405 in Tehran; applications were submitted two days earlier.
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
SUBMITTED = NOW - dt.timedelta(days=2)


@pytest.fixture(autouse=True)
def _on_a_known_day():
    with time_machine.travel(NOW, tick=True):
        yield


def text(client, url: str, language: str) -> str:
    response = client.get(url, headers={"accept-language": language})
    assert response.status_code == 200, url
    return response.content.decode()


def visible(page: str) -> str:
    """The page's text as a reader sees it: no markup, scripts or styles."""
    page = re.sub(r"(?s)<(script|style)[^>]*>.*?</\1>", " ", page)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def saves(page: str) -> bool:
    """Whether the page offers a Save button (any of Django's three)."""
    return bool(re.search(r'name="_(save|continue|addanother)"', page))


@pytest.fixture
def application(reviewer):
    with time_machine.travel(SUBMITTED, tick=False):  # drafted, submitted and screened then
        return ApplicationFactory(
            under_review=True, requested_amount=Decimal("12500"), advance__reviewer=reviewer
        )


# --- dates and amounts ---------------------------------------------------------------------------
def test_the_application_list_shows_jalali_dates_and_amounts_with_their_currency(
    client_for, manager, application
):
    client = client_for(manager)
    persian = text(client, APPLICATIONS, "fa")
    assert "۸ آذر ۱۴۰۵، ۱۲:۳۰" in persian
    assert '<span dir="ltr">۱۲٬۵۰۰\u00a0USD</span>' in persian
    assert "Nov. 29" not in persian
    assert "12500" not in persian
    english = text(client, APPLICATIONS, "en")
    assert "Nov. 29, 2026, 12:30 p.m." in english
    assert "12,500\u00a0USD" in english
    assert "آذر" not in english


def test_the_application_page_shows_its_dates_amounts_and_steps_by_name(client_for, manager, application):
    client = client_for(manager)
    url = f"{APPLICATIONS}{application.pk}/change/"
    persian = text(client, url, "fa")
    assert "۸ آذر ۱۴۰۵، ۱۲:۳۰" in persian  # submitted at, and the timeline's rows
    assert "۲۲ آذر ۱۴۰۵" in persian  # the review is due 14 days later
    assert "۱۲٬۵۰۰\u00a0USD" in persian
    # The timeline: each step and status by its Persian name, never a code or a bare transition.
    assert f"{application.reference}: بررسی اولیه آغاز شد" in persian
    assert "بررسی اولیه را گذراند" in persian
    shown = visible(persian)
    for code in ("screen_start", "screen_pass", "draft", "submitted", "under_review", "→"):
        assert code not in shown, code
    english = text(client, url, "en")
    assert f"{application.reference}: Screening started" in english
    assert "Nov. 29, 2026, 12:30 p.m." in english
    assert "screen_start" not in visible(english)
    assert "draft → submitted" not in visible(english)


def test_payments_show_jalali_dates_and_amounts_with_their_currency(client_for, manager):
    application = approved_weeks_ago(requested_amount=Decimal("8000"))
    client = client_for(manager)
    client.post(
        f"{APPLICATIONS}{application.pk}/payment/",
        {"amount": "۳٬۰۰۰", "paid_on": "1405/09/05", "reference": "TR-1"},
        headers={"accept-language": "fa"},
    )
    url = f"{APPLICATIONS}{application.pk}/change/"
    persian = text(client, url, "fa")
    assert "۵ آذر ۱۴۰۵" in persian  # paid on (26 November 2026)
    assert "TR-1: ۳٬۰۰۰\u00a0USD" in persian
    assert '<span dir="ltr">۳٬۰۰۰\u00a0USD</span> از <span dir="ltr">۸٬۰۰۰\u00a0USD</span>' in persian
    english = text(client, url, "en")
    assert "Nov. 26, 2026" in english
    assert "3,000\u00a0USD of 8,000\u00a0USD" in re.sub(r"<[^>]+>", "", english)


def test_programme_pages_show_the_budget_with_its_currency_and_jalali_date_boxes(client_for, manager):
    program = ProgramFactory(
        budget=Decimal("2500000"), opens_on=dt.date(2026, 11, 29), closes_on=dt.date(2027, 3, 20)
    )
    ApplicationFactory(program=program, approved=True, requested_amount=Decimal("12500"))
    client = client_for(manager)
    listed = text(client, "/admin/support/supportprogram/", "fa")
    assert "۲٬۵۰۰٬۰۰۰\u00a0USD" in listed
    assert "۱۲٬۵۰۰\u00a0USD" in listed
    assert "۸ آذر ۱۴۰۵" in listed
    assert "۲۹ اسفند ۱۴۰۵" in listed
    url = f"/admin/support/supportprogram/{program.pk}/change/"
    page = client.get(url, headers={"accept-language": "fa"})
    content = page.content.decode()
    assert "۲٬۴۸۷٬۵۰۰\u00a0USD" in content  # what is left
    assert 'name="opens_on" value="۱۴۰۵/۰۹/۰۸"' in content
    # A Jalali date typed in the box is the Gregorian day it names.
    data = admin_form_data(page, closes_on="۱۴۰۶/۰۱/۱۵")
    response = client.post(url, data, headers={"accept-language": "fa"})
    assert response.status_code == 302
    program.refresh_from_db()
    assert program.closes_on == dt.date(2027, 4, 4)
    english = text(client, url, "en")
    assert 'name="opens_on" value="2026-11-29"' in english


def test_the_history_pages_show_jalali_dates_amounts_and_actions_by_name(client_for, manager, application):
    client = client_for(manager)
    history = text(client, f"{APPLICATIONS}{application.pk}/history/", "fa")
    assert "زمان ارسال: — → ۸ آذر ۱۴۰۵، ۱۲:۳۰" in visible(history)  # the submission time that changed
    assert "2026-11-29" not in history
    # Django's own log (objects without an audited history): an admin action, by name.
    inquiry = BuyerInquiry.objects.create(
        name="Ali", organisation="Basra Medical", country=TargetCountryFactory(iso_code="IQ"),
        email="ali@basra.example", message="Masks, please.",
    )  # fmt: skip
    client.post(
        "/admin/brokers/buyerinquiry/",
        {"action": "mark_spam", "_selected_action": [inquiry.pk], "index": 0},
        headers={"accept-language": "en"},
    )
    url = f"/admin/brokers/buyerinquiry/{inquiry.pk}/history/"
    persian = text(client, url, "fa")
    assert "<td>هرزنامه</td>" in persian
    assert '<th scope="row">۱۰ آذر ۱۴۰۵، ۱۲:۳۰</th>' in persian
    english = text(client, url, "en")
    assert "<td>Spam</td>" in english
    assert '<th scope="row">Dec. 1, 2026, 12:30 p.m.</th>' in english


# --- the date hierarchy and date filters ---------------------------------------------------------
def _created(company: Company, day: dt.date) -> Company:
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    Company.objects.filter(pk=company.pk).update(created_at=at)
    return company


@pytest.fixture
def companies():
    """Registered on the last day of Mehr 1405, the first of Aban, and the first of Farvardin 1406."""
    return [
        _created(CompanyFactory(name_en=name), day)
        for name, day in [
            ("Mehr Co", dt.date(2026, 10, 22)),
            ("Aban Co", dt.date(2026, 10, 23)),
            ("Nowruz Co", dt.date(2027, 3, 21)),
        ]
    ]


def _hierarchy(page: str) -> list[str]:
    nav = page.split('<nav class="toplinks">', 1)[1].split("</nav>", 1)[0]
    return [visible(t).strip() for t in re.findall(r">([^<>]+)</a>", nav)]


def test_the_date_hierarchy_goes_by_jalali_years_and_months_in_persian(client_for, manager, companies):
    client = client_for(manager)
    url = "/admin/companies/company/"
    assert _hierarchy(text(client, url, "fa")) == ["۱۴۰۵", "۱۴۰۶"]
    assert _hierarchy(text(client, f"{url}?created_at__year=1405", "fa")) == [
        "‹ همهٔ تاریخ‌ها", "مهر ۱۴۰۵", "آبان ۱۴۰۵",
    ]  # fmt: skip
    aban = client.get(f"{url}?created_at__year=1405&created_at__month=8")
    assert [c.name_en for c in aban.context["cl"].result_list] == ["Aban Co"]
    assert _hierarchy(aban.content.decode()) == ["‹ ۱۴۰۵", "۱ آبان"]
    # English keeps Django's Gregorian years.
    assert _hierarchy(text(client, url, "en")) == ["2026", "2027"]
    october = client.get(f"{url}?created_at__year=2026&created_at__month=10")
    assert {c.name_en for c in october.context["cl"].result_list} == {"Mehr Co", "Aban Co"}


def test_the_jalali_hierarchy_costs_the_queries_of_djangos(client_for, manager, companies):
    client = client_for(manager)

    def queries(language: str, query: str = "") -> int:
        client.get(f"/admin/companies/company/{query}", headers={"accept-language": language})
        with CaptureQueriesContext(connection) as captured:
            client.get(f"/admin/companies/company/{query}", headers={"accept-language": language})
        return len(captured)

    # Django reads the range, then the years in it; the Jalali years are those of the range.
    assert queries("fa") <= queries("en")
    assert queries("fa", "?created_at__year=1405") == queries("en", "?created_at__year=2026")


def test_a_jalali_day_that_does_not_exist_is_refused_without_an_error(client_for, manager, companies):
    response = client_for(manager).get("/admin/companies/company/?created_at__year=1405&created_at__month=13")
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


def test_this_month_and_this_year_are_the_jalali_ones_in_persian(client_for, manager):
    """1 December 2026 is 10 Azar 1405: Azar began on 22 November, the year on 21 March."""
    client = client_for(manager)

    def links(language: str) -> dict[str, str]:
        response = client.get(APPLICATIONS, headers={"accept-language": language})
        cl = response.context["cl"]
        [spec] = [s for s in cl.filter_specs if isinstance(s, LocalDateFieldListFilter)]
        return {str(choice["display"]): choice["query_string"] for choice in spec.choices(cl)}

    persian = links("fa")
    assert "submitted_at__gte=2026-11-22" in persian["این ماه"]
    assert "submitted_at__gte=2026-03-21" in persian["امسال"]
    english = links("en")
    assert "submitted_at__gte=2026-12-01" in english["This month"]
    assert "submitted_at__gte=2026-01-01" in english["This year"]


# --- no Save where nothing can be saved ----------------------------------------------------------
def test_no_save_button_on_an_application_nobody_edits_here(client_for, manager, reviewer, application):
    url = f"{APPLICATIONS}{application.pk}/change/"
    for user in (manager, reviewer):  # the manager holds the change permission; nothing is editable
        page = text(client_for(user), url, "fa")
        assert not saves(page)
        assert 'class="closelink"' in page


def test_no_save_button_on_read_only_records(client_for, manager):
    inquiry = BuyerInquiry.objects.create(
        name="Ali", organisation="Basra Medical", country=TargetCountryFactory(iso_code="IQ"),
        email="ali@basra.example", message="Masks, please.",
    )  # fmt: skip
    client = client_for(manager)
    assert not saves(text(client, f"/admin/brokers/buyerinquiry/{inquiry.pk}/change/", "en"))
    program = ProgramFactory()
    assert saves(text(client, f"/admin/support/supportprogram/{program.pk}/change/", "en"))  # editable


def test_no_save_button_with_the_view_permission_only(client_for):
    program = ProgramFactory()
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename="view_supportprogram"))
    page = text(client_for(viewer), f"/admin/support/supportprogram/{program.pk}/change/", "en")
    assert not saves(page)
    assert 'class="closelink"' in page


# --- messages agree with their count -------------------------------------------------------------
def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.mark.parametrize(
    ("count", "language", "said"),
    [
        (1, "en", "1 offer closed."),
        (3, "en", "3 offers closed."),
        (1, "fa", "۱ پیشنهاد بسته شد."),
        (3, "fa", "۳ پیشنهاد بسته شد."),
    ],
)
def test_an_action_says_how_many_it_changed_in_the_readers_digits(client_for, manager, count, language, said):
    offers = [OfferFactory(status=Offer.Status.OPEN) for _ in range(count)]
    response = client_for(manager).post(
        "/admin/brokers/offer/",
        {"action": "close", "_selected_action": [o.pk for o in offers], "index": 0},
        follow=True,
        headers={"accept-language": language},
    )
    assert said in _messages(response)


def test_workflow_actions_count_applications(client_for, reviewer):
    applications = [ApplicationFactory(under_review=True, advance__reviewer=reviewer) for _ in range(3)]
    response = client_for(reviewer).post(
        APPLICATIONS,
        {"action": "request_revision", "_selected_action": [a.pk for a in applications], "index": 0,
         "note": "Add the proforma", "amount": ""},
        follow=True,
        headers={"accept-language": "fa"},
    )  # fmt: skip
    assert "۳ درخواست به‌روز شد." in _messages(response)
    assert set(Application.objects.values_list("status", flat=True)) == {Status.REVISION_REQUESTED}


def test_organisation_decisions_count_the_organisations(client_for, manager):
    pending = [CompanyFactory(status=Company.Status.PENDING) for _ in range(2)]
    response = client_for(manager).post(
        "/admin/companies/company/",
        {"action": "verify", "_selected_action": [c.pk for c in pending], "index": 0, "note": ""},
        follow=True,
        headers={"accept-language": "en"},
    )
    assert "2 companies updated." in _messages(response)


# --- Django's own counts and texts in the page's digits ------------------------------------------
def _between(page: str, start: str, end: str) -> str:
    """The text of the page from `start` (a piece of markup) to the next `end`, as read."""
    part = re.sub(r"<[^>]+>", "", page.split(start, 1)[1].split(end, 1)[0])
    return re.sub(r"\s+", " ", html.unescape(part)).strip()


@pytest.fixture
def three_applications(monkeypatch):
    """Three applications, two of Alpha's, two to a page."""
    monkeypatch.setattr(admin.site._registry[Application], "list_per_page", 2)
    alpha = CompanyFactory(name_en="Alpha Medical")
    return [ApplicationFactory(company=alpha), ApplicationFactory(company=alpha), ApplicationFactory()]


def test_the_list_counts_its_rows_and_pages_in_the_readers_digits(client_for, manager, three_applications):
    client = client_for(manager)
    persian = text(client, APPLICATIONS, "fa")
    # Two pages of three: a noun after a number stays singular in Persian.
    assert _between(persian, '<p class="paginator">', "</p>") == "۱ ۲ ۳ درخواست نمایش همه"
    actions = _between(persian, '<div class="actions">', "</div>")
    assert "۰ از ۲ انتخاب شده‌اند" in actions  # the counter, before the script takes it over
    assert "انتخاب تمامی ۳ درخواست" in actions
    assert "همه موارد ۳ انتخاب شده" in actions
    searched = text(client, f"{APPLICATIONS}?q=Alpha", "fa")
    assert _between(searched, '<span class="small quiet">', "</span>") == "۲ نتیجه (نمایش همه)"
    counted = visible(text(client, f"{APPLICATIONS}?_facets=True", "fa"))
    assert "پیش‌نویس (۳)" in counted  # the filters' counts
    assert not re.search(r"\([0-9]+\)", counted)
    sorted_twice = text(client, f"{APPLICATIONS}?o=2.1", "fa")  # by the second column, then the first
    priorities = re.findall(r'<span class="sortpriority" title="([^"]*)">([^<]*)</span>', sorted_twice)
    assert priorities == [("اولویت مرتب‌سازی: ۲", "۲"), ("اولویت مرتب‌سازی: ۱", "۱")]
    english = text(client, APPLICATIONS, "en")
    assert _between(english, '<p class="paginator">', "</p>") == "1 2 3 applications Show all"
    actions = _between(english, '<div class="actions">', "</div>")
    assert "0 of 2 selected" in actions
    assert "Select all 3 applications" in actions
    assert "All 3 selected" in actions
    assert "Draft (3)" in visible(text(client, f"{APPLICATIONS}?_facets=True", "en"))


def test_a_search_says_how_many_of_how_many_in_the_readers_digits(client_for, manager):
    for name in ("Masks first", "Ventilators", "Test kits"):
        ProgramFactory(name_en=name)
    client = client_for(manager)
    persian = text(client, "/admin/support/supportprogram/?q=Masks", "fa")
    assert _between(persian, '<span class="small quiet">', "</span>") == "۱ نتیجه (در مجموع ۳ تا)"
    english = text(client, "/admin/support/supportprogram/?q=Masks", "en")
    assert _between(english, '<span class="small quiet">', "</span>") == "1 result (3 total)"


def test_the_admin_pages_load_the_script_writing_djangos_counters_in_the_readers_digits(
    client_for, manager, three_applications
):
    """Django's actions.js rewrites the counter ("1 of 2 selected") as rows are ticked, through the
    catalog's interpolate(): admin-digits.js wraps it; the page gives it its digits."""
    script = finders.find("portal/admin-digits.js")
    assert script is not None
    with open(script, encoding="utf-8") as source:
        assert "window.interpolate = wrap(window.interpolate)" in source.read()
    client = client_for(manager)
    loaded = re.compile(r'<script src="[^"]*portal/admin-digits[^"]*\.js" data-digits="([^"]+)"[^>]* defer>')
    for url in (APPLICATIONS, "/admin/", "/admin/support/supportprogram/add/"):
        assert loaded.search(text(client, url, "fa")).group(1) == "۰۱۲۳۴۵۶۷۸۹", url
    assert loaded.search(text(client, APPLICATIONS, "en")).group(1) == "0123456789"
    # Django's Persian catalog lacks the selection boxes' texts: the portal's has them.
    catalog = text(client, "/admin/jsi18n/", "fa")
    choose_all = re.search(r'"Choose all %s": ("[^"]*")', catalog)
    assert json.loads(choose_all.group(1)) == "انتخاب همهٔ %s"


def test_the_timeline_shows_the_numbers_of_its_notes_in_the_readers_digits(client_for, manager):
    """A payment's note keeps its figures as the portal wrote them; pages show them in the reader's
    digits, its reference as written."""
    application = approved_weeks_ago(requested_amount=Decimal("8000"))
    client = client_for(manager)
    client.post(
        f"{APPLICATIONS}{application.pk}/payment/",
        {"amount": "3000", "paid_on": "1405/09/05", "reference": "TR-1405-12"},
        headers={"accept-language": "fa"},
    )
    stored = "3,000.00 USD · TR-1405-12 · 3,000.00 / 8,000.00"
    assert application.events.filter(note=stored).exists()
    url = f"{APPLICATIONS}{application.pk}/change/"
    events = _between(text(client, url, "fa"), 'id="events-group"', "</fieldset>")
    assert "۳٬۰۰۰٫۰۰ USD · TR-1405-12 · ۳٬۰۰۰٫۰۰ / ۸٬۰۰۰٫۰۰" in events
    assert "3,000.00" not in events
    assert stored in _between(text(client, url, "en"), 'id="events-group"', "</fieldset>")


def test_number_boxes_and_codes_of_digits_in_the_readers_digits(client_for, manager, reviewer):
    program = ProgramFactory(budget=Decimal("2500000"), review_period_days=14)
    client = client_for(manager)
    url = f"/admin/support/supportprogram/{program.pk}/change/"
    page = client.get(url, headers={"accept-language": "fa"})
    content = page.content.decode()
    assert re.search(r'name="budget" value="۲۵۰۰۰۰۰٫۰۰"', content)
    assert re.search(r'name="review_period_days" value="۱۴"', content)
    assert 'type="number"' not in content  # a browser's number box would show ASCII digits only
    # What the page shows, and what a Persian keyboard types, reads back as the same numbers.
    data = admin_form_data(page, review_period_days="۲۱", panel_from_amount="۱۲٬۵۰۰")
    assert client.post(url, data, headers={"accept-language": "fa"}).status_code == 302
    program.refresh_from_db()
    assert (program.budget, program.review_period_days, program.panel_from_amount) == (
        Decimal("2500000"), 21, Decimal("12500"),
    )  # fmt: skip
    assert 'name="budget" value="2500000.00"' in text(client, url, "en")
    product = ProductFactory(hs_code="630790")  # read only for a reviewer
    shown = text(client_for(reviewer), f"/admin/products/product/{product.pk}/change/", "fa")
    assert "۶۳۰۷۹۰" in shown
    assert "630790" not in visible(shown)


def test_a_deletion_counts_in_the_readers_digits(client_for):
    """Django's summary of what goes, and its message once gone (messages keep their links)."""
    kinds = [DocumentTypeFactory(slug=slug) for slug in ("proforma", "export-licence")]
    boss = UserFactory(is_staff=True, is_superuser=True)
    client = client_for(boss)
    page = text(client, f"/admin/support/documenttype/{kinds[0].pk}/delete/", "fa")
    summary = page.split("<h2>خلاصه</h2>", 1)[1].split("</ul>", 1)[0]
    assert re.search(r": ۱</li>", summary)
    assert not re.search(r"[0-9]", summary)
    response = client.post(
        "/admin/support/documenttype/",
        {"action": "delete_selected", "_selected_action": [k.pk for k in kinds], "post": "yes"},
        headers={"accept-language": "fa"},
        follow=True,
    )
    said = _between(response.content.decode(), '<ul class="messagelist">', "</ul>")
    assert said.startswith("۲ ")
    assert not re.search(r"[0-9]", said)
    saved = client.post(
        "/admin/support/documenttype/add/",
        {"slug": "bank-letter", "name_fa": "نامه بانک", "name_en": "Bank letter"},
        headers={"accept-language": "fa"},
        follow=True,
    )
    assert re.search(
        r'<li class="success">[^<]*<a href="/admin/support/documenttype/[0-9]+/change/">',
        saved.content.decode(),
    )
