"""Support tied to real exports: applications cite their company's deals and shipments, a
programme's evidence rule is computed from the deal history, and one shipment backs one
application (at submission and at approval)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from deals.models import Status as DealStatus
from support import workflow
from support.evidence import months_before, rule_check
from support.models import Application, ApplicationEvidence, EvidenceRule, Status
from support.screening import screen
from tests.deals.factories import open_direct, ship, walk_to
from tests.portal.factories import TargetCountryFactory
from tests.products.factories import ProductFactory
from tests.support.factories import ApplicationFactory, ProgramFactory, advance

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():
    """The services' refusals are read in English here (pages name their language in the URL)."""
    with translation.override("en"):
        yield


TODAY = timezone.localdate


@pytest.fixture
def iraq(db):
    return TargetCountryFactory(iso_code="IQ")


@pytest.fixture
def oman(db):
    return TargetCountryFactory(iso_code="OM", name_en="Oman", name_fa="عمان")


@pytest.fixture
def product(company):
    return ProductFactory(company=company, name_en="Three-ply mask")


@pytest.fixture
def contracted(company_member, product, iraq):
    return walk_to(
        open_direct(company_member, product, iraq, buyer_name="Basra Clinic"), "contracted", company_member
    )


@pytest.fixture
def shipped(company_member, product, iraq):
    """Alpha's deal with a Baghdad hospital, shipped once (declaration EXP-DECL-1)."""
    return walk_to(open_direct(company_member, product, iraq), "shipped", company_member)


@pytest.fixture
def shipment(shipped):
    return shipped.shipments.get()


@pytest.fixture
def others_deal(other_company, other_company_member, iraq):
    product = ProductFactory(company=other_company)
    return walk_to(open_direct(other_company_member, product, iraq), "shipped", other_company_member)


def cite(application: Application, *items) -> None:  # noqa: ANN002
    from deals.models import Shipment

    for item in items:
        if isinstance(item, Shipment):
            ApplicationEvidence.objects.create(application=application, deal=item.deal, shipment=item)
        else:
            ApplicationEvidence.objects.create(application=application, deal=item)


def draft(company, **fields) -> Application:  # noqa: ANN001, ANN003
    return ApplicationFactory(company=company, **fields)


# ---------------------------------------------------------------------------
# Citing, on the page
# ---------------------------------------------------------------------------
def _form(application: Application, evidence: list[str]) -> dict:
    return {
        "products": [p.pk for p in application.products.all()],
        "countries": [c.pk for c in application.countries.all()],
        "requested_amount": "5000",
        "justification": "Shipping masks to Iraq",
        "evidence": evidence,
    }


def test_the_applicant_cites_own_deals_and_shipments_on_the_edit_page(
    client_for, company, company_member, shipped, shipment, contracted
):
    application = draft(company)
    client = client_for(company_member)
    page = client.get(f"/en/support/applications/{application.pk}/edit/")
    assert shipped.reference in page.text
    assert contracted.reference in page.text
    assert "EXP-DECL-1" in page.text
    response = client.post(
        f"/en/support/applications/{application.pk}/edit/",
        _form(application, [f"s{shipment.pk}", f"d{contracted.pk}"]),
    )
    assert response.status_code == 302
    rows = {(r.deal_id, r.shipment_id) for r in application.evidence.all()}
    assert rows == {(shipped.pk, shipment.pk), (contracted.pk, None)}
    detail = client.get(f"/en/support/applications/{application.pk}/")
    assert shipped.reference in detail.text
    assert "EXP-DECL-1" in detail.text
    assert contracted.reference in detail.text
    # Citing fewer drops the others.
    client.post(f"/en/support/applications/{application.pk}/edit/", _form(application, [f"d{contracted.pk}"]))
    assert list(application.evidence.values_list("deal", "shipment")) == [(contracted.pk, None)]


def test_another_companys_deal_is_a_field_error_never_saved_nor_shown(
    client_for, company, company_member, others_deal, shipped
):
    application = draft(company)
    client = client_for(company_member)
    page = client.get(f"/en/support/applications/{application.pk}/edit/")
    assert others_deal.reference not in page.text
    other_shipment = others_deal.shipments.get()
    for value in (f"d{others_deal.pk}", f"s{other_shipment.pk}"):
        response = client.post(
            f"/en/support/applications/{application.pk}/edit/", _form(application, [f"d{shipped.pk}", value])
        )
        assert response.status_code == 200
        assert "is not one of the available choices" in response.text
        assert others_deal.reference not in response.text
        assert not application.evidence.exists()


def test_a_deal_still_negotiating_or_lost_cannot_be_cited(client_for, company, company_member, product, iraq):
    negotiating = open_direct(company_member, product, iraq)
    lost = walk_to(open_direct(company_member, product, iraq), DealStatus.LOST, company_member)
    application = draft(company)
    client = client_for(company_member)
    page = client.get(f"/en/support/applications/{application.pk}/edit/")
    assert negotiating.reference not in page.text
    assert lost.reference not in page.text
    response = client.post(
        f"/en/support/applications/{application.pk}/edit/", _form(application, [f"d{negotiating.pk}"])
    )
    assert response.status_code == 200
    assert not application.evidence.exists()


def test_a_new_application_cites_evidence_from_the_apply_page(client_for, company, company_member, shipment):
    program = ProgramFactory(evidence_rule=EvidenceRule.RECENT_SHIPMENT, evidence_months=6)
    client = client_for(company_member)
    page = client.get(f"/en/support/programmes/{program.pk}/apply/")
    assert "Your company meets it." in page.text
    assert shipment.deal.reference in page.text
    product = ProductFactory(company=company)
    country = TargetCountryFactory(iso_code="IQ")
    response = client.post(
        f"/en/support/programmes/{program.pk}/apply/",
        {
            "products": [product.pk], "countries": [country.pk], "requested_amount": "۵۰۰۰",
            "justification": "Masks", "evidence": [f"s{shipment.pk}"],
        },
    )  # fmt: skip
    assert response.status_code == 302
    application = Application.objects.get(program=program)
    assert list(application.evidence.values_list("shipment", flat=True)) == [shipment.pk]


def test_the_programme_page_tells_a_member_whether_the_rule_is_met_in_their_language(
    client_for, company_member, other_company_member, shipment
):
    program = ProgramFactory(evidence_rule=EvidenceRule.NEW_COUNTRY, evidence_months=12)
    mine = client_for(company_member).get(f"/fa/support/programmes/{program.pk}/")
    assert "شرکت شما این شرط را دارد" in mine.text
    assert shipment.deal.reference in mine.text
    theirs = client_for(other_company_member).get(f"/en/support/programmes/{program.pk}/")
    assert "shipments in the last 12 months was its first to a country." in theirs.text
    anonymous = client_for(None).get(f"/en/support/programmes/{program.pk}/")
    assert "A first shipment to a new target country" in anonymous.text
    assert shipment.deal.reference not in anonymous.text


# ---------------------------------------------------------------------------
# Citing, in the API
# ---------------------------------------------------------------------------
def test_the_api_cites_own_deals_and_refuses_anothers(
    client_for, company, company_member, shipment, others_deal
):
    application = draft(company)
    client = client_for(company_member)
    url = f"/api/v1/applications/{application.pk}/"
    refused = client.patch(
        url, json.dumps({"evidence": [{"deal": others_deal.pk}]}), content_type="application/json"
    )
    assert refused.status_code == 400
    assert "evidence" in json.dumps(refused.json())
    assert not application.evidence.exists()
    wrong_pair = client.patch(
        url,
        json.dumps({"evidence": [{"deal": others_deal.pk, "shipment": shipment.pk}]}),
        content_type="application/json",
    )
    assert wrong_pair.status_code == 400
    assert not application.evidence.exists()
    response = client.patch(
        url,
        json.dumps({"evidence": [{"deal": shipment.deal_id, "shipment": shipment.pk}]}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["evidence"] == [
        {
            "deal": shipment.deal_id, "deal_reference": shipment.deal.reference, "shipment": shipment.pk,
            "declaration_number": "EXP-DECL-1",
        }
    ]  # fmt: skip
    # PATCH without evidence keeps it.
    client.patch(url, json.dumps({"justification": "More masks"}), content_type="application/json")
    assert application.evidence.count() == 1


def test_the_api_never_shows_another_companys_citations(
    client_for, other_company, other_company_member, company, shipment
):
    application = draft(company)
    cite(application, shipment)
    response = client_for(other_company_member).get(f"/api/v1/applications/{application.pk}/")
    assert response.status_code == 404


# ---------------------------------------------------------------------------
# The programme's rule, from hand-made deal histories
# ---------------------------------------------------------------------------
def _history(company_member, product, shipments):  # noqa: ANN001, ANN202
    """Ship, for each (country, days ago, declaration), one contracted deal of `product`."""
    made = []
    for country, days_ago, number in shipments:
        deal = walk_to(open_direct(company_member, product, country), "contracted", company_member)
        made.append(
            ship(
                deal,
                company_member,
                shipped_on=TODAY() - dt.timedelta(days=days_ago),
                declaration_number=number,
            )
        )
    return made


def test_first_shipment_to_a_new_country_counts_only_the_first_and_only_recently(
    company, company_member, product, iraq, oman
):
    program = ProgramFactory(evidence_rule=EvidenceRule.NEW_COUNTRY, evidence_months=6)
    # Iraq first reached two years ago: later Iraqi shipments are not "first"; Oman first reached
    # 40 days ago, and again 10 days ago.
    old_iraq, new_iraq, first_oman, second_oman = _history(
        company_member,
        product,
        [(iraq, 700, "IQ-1"), (iraq, 20, "IQ-2"), (oman, 40, "OM-1"), (oman, 10, "OM-2")],
    )
    check = rule_check(company, program)
    assert check.met
    assert [s.declaration_number for s in check.shipments] == ["OM-1"]
    assert first_oman.deal.reference in check.reason
    # Half a year earlier, Iraq's first shipment was not yet in the window either.
    assert not rule_check(company, program, on=TODAY() - dt.timedelta(days=300)).met
    # A programme only for Iraq: nothing new there lately.
    program.eligible_countries.set([iraq])
    assert not rule_check(company, program).met
    assert old_iraq
    assert new_iraq
    assert second_oman


def test_a_new_products_first_export(company, company_member, product, iraq, oman):
    program = ProgramFactory(evidence_rule=EvidenceRule.NEW_PRODUCT, evidence_months=3)
    _history(company_member, product, [(iraq, 200, "P1-1"), (oman, 30, "P1-2")])
    assert not rule_check(company, program).met, "the mask's first export was 200 days ago"
    gloves = ProductFactory(company=company, name_en="Gloves")
    (first_gloves,) = _history(company_member, gloves, [(iraq, 15, "G-1")])
    _history(company_member, gloves, [(oman, 5, "G-2")])
    check = rule_check(company, program)
    assert check.met
    assert [s.declaration_number for s in check.shipments] == ["G-1"]
    assert check.deals == [first_gloves.deal]


def test_a_shipment_in_the_last_months(company, company_member, product, iraq):
    program = ProgramFactory(evidence_rule=EvidenceRule.RECENT_SHIPMENT, evidence_months=2)
    _history(company_member, product, [(iraq, 90, "R-1")])
    check = rule_check(company, program)
    assert not check.met
    assert "last 2 months" in check.reason
    _history(company_member, product, [(iraq, 50, "R-2")])
    assert [s.declaration_number for s in rule_check(company, program).shipments] == ["R-2"]


def test_shipments_of_lost_deals_and_of_other_companies_do_not_count(
    company, company_member, other_company, others_deal, product, iraq
):
    program = ProgramFactory(evidence_rule=EvidenceRule.RECENT_SHIPMENT)
    deal = walk_to(open_direct(company_member, product, iraq), "shipped", company_member)
    from deals.services import deal_mark_lost

    deal_mark_lost(deal=deal, by=company_member, reason="price", note="Cancelled after shipping")
    assert not rule_check(company, program).met
    assert rule_check(other_company, program).met


def test_no_rule_is_always_met_without_a_query(company):
    program = ProgramFactory()
    with CaptureQueriesContext(connection) as queries:
        assert rule_check(company, program).met
    assert len(queries) == 0


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [(dt.date(2026, 3, 31), 1, dt.date(2026, 2, 28)), (dt.date(2026, 1, 15), 12, dt.date(2025, 1, 15))],
)
def test_months_before(day, months, expected):
    assert months_before(day, months) == expected


# ---------------------------------------------------------------------------
# Submission and screening enforce the rule
# ---------------------------------------------------------------------------
def test_submission_is_refused_when_the_rule_is_not_met(company, company_member):
    program = ProgramFactory(evidence_rule=EvidenceRule.RECENT_SHIPMENT, evidence_months=6)
    application = draft(company, program=program)
    with pytest.raises(ValidationError) as refused:
        workflow.application_submit(application=application, by=company_member)
    assert "Your company recorded no shipment in the last 6 months." in refused.value.messages[0]
    application.refresh_from_db()
    assert application.status == Status.DRAFT


def test_submission_is_refused_until_a_qualifying_deal_is_cited(
    company, company_member, shipment, contracted
):
    program = ProgramFactory(evidence_rule=EvidenceRule.RECENT_SHIPMENT)
    application = draft(company, program=program)
    cite(application, contracted)  # contracted, never shipped: it does not qualify
    with pytest.raises(ValidationError) as refused:
        workflow.application_submit(application=application, by=company_member)
    assert shipment.deal.reference in refused.value.messages[0]
    cite(application, shipment.deal)  # the whole shipped deal qualifies
    workflow.application_submit(application=application, by=company_member)
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


def test_the_page_shows_the_refusal_and_the_missing_evidence(client_for, company, company_member, shipment):
    program = ProgramFactory(evidence_rule=EvidenceRule.RECENT_SHIPMENT)
    application = draft(company, program=program)
    client = client_for(company_member)
    page = client.get(f"/en/support/applications/{application.pk}/")
    assert "cite one of these deals or its shipment" in page.text
    response = client.post(f"/en/support/applications/{application.pk}/submit/", follow=True)
    assert "cite one of these deals or its shipment" in response.text
    application.refresh_from_db()
    assert application.status == Status.DRAFT


def test_screening_checks_the_rule_on_the_submission_date(company, company_member, shipment):
    program = ProgramFactory(evidence_rule=EvidenceRule.NEW_COUNTRY, evidence_months=1)
    application = draft(company, program=program)
    assert screen(application, on=TODAY())
    assert any("first to a country" in r or "cite one" in r for r in screen(application, on=TODAY()))
    cite(application, shipment)
    assert not [r for r in screen(application, on=TODAY()) if "programme requires" in r]
    # Read on a day before the shipment, the rule is not met.
    reasons = screen(application, on=TODAY() - dt.timedelta(days=1))
    assert any("was its first to a country" in r for r in reasons)


# ---------------------------------------------------------------------------
# One shipment backs one application
# ---------------------------------------------------------------------------
def test_a_shipment_backing_a_submitted_application_cannot_back_another(company, company_member, shipment):
    first = draft(company)
    cite(first, shipment)
    workflow.application_submit(application=first, by=company_member)
    second = draft(company, program=ProgramFactory())
    cite(second, shipment)
    with pytest.raises(ValidationError) as refused:
        workflow.application_submit(application=second, by=company_member)
    first.refresh_from_db()
    assert "Shipment EXP-DECL-1" in refused.value.messages[0]
    assert first.reference in refused.value.messages[0]
    # Once the first is withdrawn, the shipment is free again.
    workflow.application_withdraw(application=first, by=company_member)
    workflow.application_submit(application=second, by=company_member)


def test_a_whole_deal_and_one_of_its_shipments_clash(company, company_member, shipment):
    first = draft(company)
    cite(first, shipment.deal)
    workflow.application_submit(application=first, by=company_member)
    second = draft(company, program=ProgramFactory())
    cite(second, shipment)
    with pytest.raises(ValidationError, match="already backs"):
        workflow.application_submit(application=second, by=company_member)


def test_the_same_declaration_number_on_another_row_clashes(company, company_member, shipment, product, iraq):
    """The same export recorded twice (another deal, another row, the same declaration)."""
    again = walk_to(open_direct(company_member, product, iraq), "contracted", company_member)
    copy = ship(again, company_member, declaration_number=" exp-decl-1 ")
    first = draft(company)
    cite(first, shipment)
    workflow.application_submit(application=first, by=company_member)
    second = draft(company, program=ProgramFactory())
    cite(second, copy)
    with pytest.raises(ValidationError, match="already backs"):
        workflow.application_submit(application=second, by=company_member)


def test_different_shipments_of_one_deal_back_different_applications(company, company_member, product, iraq):
    deal = walk_to(open_direct(company_member, product, iraq), "contracted", company_member)
    one, two = (
        ship(deal, company_member, declaration_number="A-1"),
        ship(deal, company_member, declaration_number="A-2"),
    )
    first, second = draft(company), draft(company, program=ProgramFactory())
    cite(first, one)
    cite(second, two)
    workflow.application_submit(application=first, by=company_member)
    workflow.application_submit(application=second, by=company_member)


def test_approval_refuses_a_shipment_backing_another_approved_application(
    company, company_member, reviewer, shipment
):
    approved = draft(company)
    cite(approved, shipment)
    advance(approved, Status.APPROVED, applicant=company_member)
    assert approved.status == Status.APPROVED
    # Another application reached review citing nothing, and cites the shipment since (as if two
    # submissions had raced past the check, or an older row were corrected by hand).
    late = ApplicationFactory(company=company, program=ProgramFactory(), reviewed=True)
    cite(late, shipment)
    from tests.support.factories import manager_for

    with pytest.raises(ValidationError) as refused:
        workflow.application_approve(application=late, by=manager_for(late), amount=Decimal("1000"))
    assert approved.reference in refused.value.messages[0]
    late.refresh_from_db()
    assert late.status == Status.UNDER_REVIEW
    assert late.granted_amount is None


# ---------------------------------------------------------------------------
# A cited deal lost since: refused at approval (and at submission), under the locks
# ---------------------------------------------------------------------------
@pytest.fixture
def reviewed_citing_shipped(company, company_member, reviewer, shipment):
    """Under review and scored, citing the shipment of Alpha's shipped deal (since submission)."""
    from tests.support.factories import REVIEWED

    application = draft(company)
    cite(application, shipment)
    return advance(application, REVIEWED, applicant=company_member, reviewer=reviewer)


def test_approval_refuses_a_cited_deal_marked_lost_since_and_grants_nothing(
    reviewed_citing_shipped, shipped, company_member
):
    from deals.services import deal_mark_lost
    from support.selectors import program_budget
    from tests.support.factories import manager_for

    application = reviewed_citing_shipped
    budget = program_budget(application.program)
    deal_mark_lost(deal=shipped, by=company_member, reason="payment_terms", note="No letter of credit")
    with pytest.raises(ValidationError) as refused:
        workflow.application_approve(
            application=application, by=manager_for(application), amount=Decimal("1000")
        )
    message = refused.value.messages[0]
    assert shipped.reference in message
    assert "(Lost)" in message
    assert "no longer contracted, shipped or paid" in message
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW
    assert application.granted_amount is None
    assert application.decided_at is None
    assert not application.events.filter(to_status=Status.APPROVED).exists()
    assert program_budget(application.program) == budget


def test_the_admin_says_why_in_the_managers_language_and_nothing_is_granted(
    reviewed_citing_shipped, shipped, company_member, client_for
):
    from deals.services import deal_mark_lost
    from support.selectors import program_budget
    from tests.support.factories import manager_for

    application = reviewed_citing_shipped
    budget = program_budget(application.program)
    deal_mark_lost(deal=shipped, by=company_member, reason="buyer_withdrew", note="")
    client = client_for(manager_for(application))
    data = {
        "action": "approve",
        "_selected_action": [application.pk],
        "index": 0,
        "note": "",
        "amount": "1000",
    }
    for language, expected in (("fa", "دیگر قراردادبسته، ارسال‌شده یا پرداخت‌شده نیست"), ("en", "no longer")):
        client.cookies["portal_language"] = language
        response = client.post(
            "/admin/support/application/", data, follow=True, headers={"accept-language": language}
        )
        assert response.status_code == 200
        text = response.text
        assert expected in text
        assert shipped.reference in text
        assert "application updated" not in text
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW
    assert application.granted_amount is None
    assert program_budget(application.program) == budget


def test_a_still_agreed_deal_is_approved_as_before(reviewed_citing_shipped):
    from tests.support.factories import manager_for

    application = workflow.application_approve(
        application=reviewed_citing_shipped, by=manager_for(reviewed_citing_shipped), amount=Decimal("1000")
    )
    assert application.status == Status.APPROVED


def test_submission_refuses_a_cited_deal_lost_since_it_was_cited(company, company_member, contracted):
    from deals.services import deal_mark_lost

    application = draft(company)
    cite(application, contracted)
    deal_mark_lost(deal=contracted, by=company_member, reason="competitor", note="")
    with pytest.raises(ValidationError) as refused:
        workflow.application_submit(application=application, by=company_member)
    assert contracted.reference in refused.value.messages[0]
    application.refresh_from_db()
    assert application.status == Status.DRAFT


# ---------------------------------------------------------------------------
# The reviewers' workplace
# ---------------------------------------------------------------------------
@pytest.fixture
def under_review(company, company_member, reviewer, shipment, contracted):
    application = draft(company, program=ProgramFactory(evidence_rule=EvidenceRule.RECENT_SHIPMENT))
    cite(application, shipment, contracted)
    return advance(application, Status.UNDER_REVIEW, applicant=company_member, reviewer=reviewer)


def test_the_reviewer_sees_the_cited_deals_beside_the_application(
    client_for, reviewer, under_review, shipment, contracted
):
    page = client_for(reviewer).get(
        f"/admin/support/application/{under_review.pk}/change/", headers={"accept-language": "en"}
    )
    assert page.status_code == 200
    text = page.text
    assert shipment.deal.reference in text
    assert contracted.reference in text
    assert "EXP-DECL-1" in text
    assert shipment.invoice.url in text
    assert shipment.transport_document.url in text
    assert "Basra Clinic" in text
    assert "500.00 USD" in text
    assert "met and cited." in text


def test_the_assigned_reviewer_opens_only_cited_shipments_papers(
    client_for, reviewer, under_review, shipment, company_member, product, iraq
):
    uncited = walk_to(open_direct(company_member, product, iraq), "shipped", company_member).shipments.get()
    client = client_for(reviewer)
    assert client.get(shipment.invoice.url).status_code == 200
    assert client.get(shipment.transport_document.url).status_code == 200
    assert client.get(uncited.invoice.url).status_code == 404
    from portal.permissions import Role
    from tests.portal.factories import UserFactory

    stranger = UserFactory(is_staff=True, roles=[Role.REVIEWER])
    assert client_for(stranger).get(shipment.invoice.url).status_code == 404


def test_the_change_page_costs_the_same_with_more_cited_deals(
    client_for, manager, under_review, company_member, product, iraq
):
    client = client_for(manager)
    url = f"/admin/support/application/{under_review.pk}/change/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(3):
        deal = walk_to(open_direct(company_member, product, iraq), "contracted", company_member)
        ship(deal, company_member, declaration_number=f"MORE-{n}")
        cite(under_review, deal, deal.shipments.get())
    client.get(url)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert page.text.count("MORE-") >= 3
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    # The cited deals cost four queries (citations, shipments of whole deals, the rule's shipments
    # and the citations it checks) on a page of about 22; at most, as the session may be cached.
    assert len(few) <= 26
