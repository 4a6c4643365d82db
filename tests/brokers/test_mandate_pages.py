"""The mandate pages, API and admin: Sara (Alpha Medical) gives Pars a mandate, lists and revokes it;
Reza (Pars) lists what Pars holds; Omid (Beta) and Leila (another brokerage) never see it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from brokers.models import Mandate
from tests.brokers.factories import BrokerFactory
from tests.brokers.mandates import give_mandate
from tests.companies.factories import CompanyFactory, MembershipFactory
from tests.portal.factories import TargetCountryFactory, UserFactory
from tests.products.factories import CategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def iraq(db):
    return TargetCountryFactory(iso_code="IQ")


@pytest.fixture
def masks(db):
    return CategoryFactory(slug="masks")


@pytest.fixture
def mandate(company, company_member, brokerage, broker_member, iraq, masks):
    return give_mandate(
        company=company, broker=brokerage, by=company_member, countries=[iraq], categories=[masks]
    )


def grant_form(broker, country, category, **changes):
    return {
        "broker": broker.pk, "countries": [country.pk], "categories": [category.pk],
        "valid_until": "۱۴۰۶/۰۱/۱۵", "note": "", **changes,
    }  # fmt: skip


# ---------------------------------------------------------------------------
# Granting and revoking on the company's pages
# ---------------------------------------------------------------------------
def test_a_company_member_gives_a_mandate_with_a_jalali_date_typed_in_persian_digits(
    client_for, company, company_member, brokerage, broker_member, iraq, masks
):
    client = client_for(company_member)
    assert client.get(reverse("brokers:mandate_grant")).status_code == 200
    with time_machine_at(dt.date(2026, 11, 30)):
        sent = client.post(reverse("brokers:mandate_grant"), grant_form(brokerage, iraq, masks))
    mandate = Mandate.objects.get()
    assert sent.status_code == 302
    assert sent["Location"].endswith(mandate.get_absolute_url())
    assert mandate.valid_until == dt.date(2027, 4, 4)  # 1406/01/15
    assert mandate.company == company
    assert mandate.broker == brokerage
    assert list(mandate.countries.all()) == [iraq]


def test_bad_input_is_said_beside_each_field_and_nothing_is_saved(
    client_for, company_member, brokerage, iraq, masks
):
    pending = BrokerFactory(pending=True)
    sent = client_for(company_member).post(
        reverse("brokers:mandate_grant"),
        {"broker": pending.pk, "countries": [], "categories": [masks.pk], "valid_until": "1400/13/40",
         "note": "Keep this note"},
    )  # fmt: skip
    assert sent.status_code == 400
    form = sent.context["form"]
    assert set(form.errors) == {"broker", "countries", "valid_until"}
    assert "Keep this note" in sent.content.decode()
    assert not Mandate.objects.exists()


def test_a_past_end_date_is_refused_on_its_field(client_for, company_member, brokerage, iraq, masks):
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    sent = client_for(company_member).post(
        reverse("brokers:mandate_grant"), grant_form(brokerage, iraq, masks, valid_until=yesterday)
    )
    assert sent.status_code == 400
    assert list(sent.context["form"].errors) == ["valid_until"]
    assert not Mandate.objects.exists()


def test_the_company_revokes_from_the_mandates_page_and_the_brokerage_sees_it_revoked(
    client_for, mandate, company_member, broker_member
):
    page = client_for(company_member).get(mandate.get_absolute_url())
    assert reverse("brokers:mandate_revoke", args=[mandate.pk]) in page.content.decode()
    sent = client_for(company_member).post(
        reverse("brokers:mandate_revoke", args=[mandate.pk]), {"note": "Another broker now"}
    )
    assert sent.status_code == 302
    mandate.refresh_from_db()
    assert mandate.status == Mandate.Status.REVOKED
    with translation.override("en"):
        shown = client_for(broker_member).get(mandate.get_absolute_url()).content.decode()
    assert "Mandate revoked" in shown
    assert "Another broker now" in shown
    assert reverse("brokers:mandate_revoke", args=[mandate.pk]) not in shown  # nothing left to do


def test_the_brokerage_cannot_revoke_and_nothing_changes(client_for, mandate, broker_member):
    sent = client_for(broker_member).post(reverse("brokers:mandate_revoke", args=[mandate.pk]))
    assert sent.status_code == 403
    mandate.refresh_from_db()
    assert mandate.status == Mandate.Status.ACTIVE


@pytest.mark.parametrize("who", ["other_company_member", "other_broker_member"])
def test_outsiders_never_see_a_mandate(client_for, request, who, mandate):
    user = request.getfixturevalue(who)
    client = client_for(user)
    assert client.get(mandate.get_absolute_url()).status_code == 404
    assert client.post(reverse("brokers:mandate_revoke", args=[mandate.pk])).status_code == 404
    assert client.get(f"/api/v1/mandates/{mandate.pk}/").status_code == 404
    assert client.get("/api/v1/mandates/").json()["count"] == 0


def test_the_revoke_page_rejects_get_and_sends_anonymous_to_log_in(client_for, mandate, company_member):
    url = reverse("brokers:mandate_revoke", args=[mandate.pk])
    assert client_for(company_member).get(url).status_code == 405
    assert client_for(None).post(url).status_code == 302


# ---------------------------------------------------------------------------
# The lists: each side's own, at a fixed cost
# ---------------------------------------------------------------------------
def _more_mandates(n: int, company, member, brokerage, iraq, masks) -> None:
    for index in range(n):
        give_mandate(
            company=company, broker=brokerage, by=member, countries=[iraq, TargetCountryFactory()],
            categories=[masks, CategoryFactory()], days=30 + index,
        )  # fmt: skip


def test_each_side_lists_its_own_mandates_only(
    client_for, mandate, company, company_member, brokerage, broker_member, other_company, iraq, masks
):
    other_member = UserFactory()
    MembershipFactory(company=other_company, user=other_member)
    rival = BrokerFactory(name_en="Rival Brokers")
    give_mandate(company=other_company, broker=rival, by=other_member, countries=[iraq], categories=[masks])
    own = client_for(company_member).get(reverse("brokers:company_mandates"))
    assert [m.pk for m in own.context["page_obj"]] == [mandate.pk]
    held = client_for(broker_member).get(reverse("brokers:broker_mandates"))
    assert [m.pk for m in held.context["page_obj"]] == [mandate.pk]


@pytest.mark.parametrize("side", ["company_member", "broker_member"])
def test_the_lists_cost_the_same_for_three_or_twelve_mandates(
    client_for, request, side, company, company_member, brokerage, broker_member, iraq, masks,
    django_assert_max_num_queries,
):  # fmt: skip
    client = client_for(request.getfixturevalue(side))
    url = reverse("brokers:company_mandates" if side == "company_member" else "brokers:broker_mandates")
    _more_mandates(3, company, company_member, brokerage, iraq, masks)
    client.get(url)
    with django_assert_max_num_queries(14) as few:
        assert client.get(url).status_code == 200
    _more_mandates(9, company, company_member, brokerage, iraq, masks)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert len(page.context["page_obj"]) == 12
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/api/v1/mandates/").json()["count"] == 12


def test_the_company_list_is_persian_first_with_jalali_dates(client_for, mandate, company_member):
    with translation.override("fa"):
        page = client_for(company_member).get(reverse("brokers:company_mandates")).content.decode()
    assert 'dir="rtl"' in page
    assert "وکالت‌نامه‌ها به کارگزاران" in page
    assert "کارگزاری پارس" in page


# ---------------------------------------------------------------------------
# The API
# ---------------------------------------------------------------------------
def test_the_api_gives_and_revokes_a_mandate_for_the_callers_company(
    client_for, company, company_member, brokerage, broker_member, iraq, masks
):
    client = client_for(company_member)
    until = (timezone.localdate() + dt.timedelta(days=60)).isoformat()
    made = client.post(
        "/api/v1/mandates/",
        {"broker": brokerage.pk, "countries": ["IQ"], "categories": ["masks"], "valid_until": until},
        content_type="application/json",
    )
    assert made.status_code == 201
    assert made.json()["status"] == "active"
    assert made.json()["countries"] == ["IQ"]
    pk = made.json()["id"]
    assert client_for(broker_member).get(f"/api/v1/mandates/{pk}/").json()["company"]["id"] == company.pk
    refused = client_for(broker_member).post(
        f"/api/v1/mandates/{pk}/revoke/", {}, content_type="application/json"
    )
    assert refused.status_code == 403
    revoked = client.post(f"/api/v1/mandates/{pk}/revoke/", {"note": "done"}, content_type="application/json")
    assert revoked.json()["status"] == "revoked"


def test_the_api_names_bad_fields_and_saves_nothing(client_for, company_member, iraq, masks):
    pending = BrokerFactory(pending=True)
    sent = client_for(company_member).post(
        "/api/v1/mandates/",
        {"broker": pending.pk, "countries": ["IQ"], "categories": ["masks"], "valid_until": "2000-01-01"},
        content_type="application/json",
    )
    assert sent.status_code == 400
    body = sent.json()
    assert "broker" in str(body)
    assert "valid_until" in str(body)
    assert not Mandate.objects.exists()


def test_a_brokerage_cannot_give_itself_a_mandate_through_the_api(
    client_for, broker_member, brokerage, company
):
    sent = client_for(broker_member).post(
        "/api/v1/mandates/",
        {"broker": brokerage.pk, "countries": ["IQ"], "categories": ["masks"], "valid_until": "2099-01-01"},
        content_type="application/json",
    )
    assert sent.status_code == 403
    assert not Mandate.objects.exists()


# ---------------------------------------------------------------------------
# The admin: programme managers read, nobody edits
# ---------------------------------------------------------------------------
def test_programme_managers_read_mandates_in_the_admin_filtered_by_status(
    client_for, manager, reviewer, company, company_member, brokerage, iraq, masks
):
    from tests.access.world import ensure_role_groups

    ensure_role_groups()
    active = give_mandate(
        company=company, broker=brokerage, by=company_member, countries=[iraq], categories=[masks]
    )
    expired = give_mandate(
        company=company, broker=brokerage, by=company_member, countries=[iraq], categories=[masks], days=-3
    )
    client = client_for(manager)
    listed = client.get("/admin/brokers/mandate/?state=expired")
    assert listed.status_code == 200
    assert [m.pk for m in listed.context["cl"].result_list] == [expired.pk]
    page = client.get(f"/admin/brokers/mandate/{active.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.get("/admin/brokers/mandate/add/").status_code == 403
    assert client_for(reviewer).get("/admin/brokers/mandate/").status_code == 403


def time_machine_at(day: dt.date):
    """Today is `day` (noon, local time) inside the block."""
    import time_machine

    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    return time_machine.travel(moment, tick=False)


def test_a_company_pending_verification_is_told_why_it_cannot_grant(client_for):
    pending = CompanyFactory(pending=True)
    member = UserFactory()
    MembershipFactory(company=pending, user=member)
    assert client_for(member).get(reverse("brokers:mandate_grant")).status_code == 403
