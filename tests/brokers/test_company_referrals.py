"""A company referred to another brokerage has a say: Reza (Pars) refers Sara's Alpha Medical to
Caspian Logistics (Nima) for Iraq. Once Caspian accepts, Sara is told — in Persian, in the portal
and by e-mail — that Caspian was referred to act for Alpha, with a link to the mandate form filled
in with Caspian and Iraq. Until Alpha grants the mandate, Caspian cannot act for it; once it does,
Caspian's deal for Alpha to Iraq credits Pars with the referral's share, and nothing else does."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from brokers import referrals
from brokers.models import Mandate, OfferResponse
from brokers.services import response_submit
from deals import services as deals
from deals.models import DealCredit
from portal.models import Notification
from tests.brokers.factories import BrokerFactory, BrokerMembershipFactory, OfferFactory
from tests.brokers.test_inbox import routed
from tests.deals.factories import deal_terms, lines_of
from tests.portal.factories import TargetCountryFactory, UserFactory
from tests.products.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db

QUOTE = {"unit_price": "0.11", "currency": "USD", "quantity": 5_000, "lead_time_days": 21, "message": ""}


@pytest.fixture
def iraq(db):
    return TargetCountryFactory(iso_code="IQ")


@pytest.fixture
def caspian(iraq):
    return BrokerFactory(name_en="Caspian Logistics", name_fa="لجستیک کاسپین", countries=[iraq])


@pytest.fixture
def caspian_member(caspian):
    user = UserFactory(email="nima@caspian.example", full_name="Nima", english=True)
    BrokerMembershipFactory(broker=caspian, user=user)
    return user


@pytest.fixture
def mask(company):
    return ProductFactory(company=company, category=CategoryFactory(slug="masks"), name_en="Alpha mask")


@pytest.fixture
def referred(broker_member, caspian, company, iraq):
    """Pars's referral of Alpha to Caspian for Iraq, not answered yet."""
    return referrals.referral_create(by=broker_member, to_broker=caspian, company=company, country=iraq)


@pytest.fixture
def accepted(referred, caspian_member):
    return referrals.referral_accept(referral=referred, by=caspian_member)


def grant_link(caspian, iraq) -> str:
    return f"{reverse('brokers:mandate_grant')}?broker={caspian.pk}&country={iraq.pk}"


# ---------------------------------------------------------------------------
# The company is told
# ---------------------------------------------------------------------------
def test_once_accepted_the_company_is_told_in_its_language_with_a_link_to_grant_a_mandate(
    referred, caspian, caspian_member, company_member, iraq, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        referrals.referral_accept(referral=referred, by=caspian_member)
    notice = Notification.objects.get(recipient=company_member, kind="referral_company_notice")
    assert notice.language == "fa"
    assert notice.url.endswith(f"/mandates/new/?broker={caspian.pk}&country={iraq.pk}")
    assert "لجستیک کاسپین" in notice.title
    assert "کارگزاری پارس" in notice.body
    assert "کشور IQ" in notice.body
    assert "وکالت" in notice.body
    assert "referred" not in notice.title + notice.body
    mail = [m for m in mailoutbox if m.to == [company_member.email]]
    assert len(mail) == 1
    assert mail[0].extra_headers["Content-Language"] == "fa"
    assert f"/fa/mandates/new/?broker={caspian.pk}&country={iraq.pk}" in mail[0].body
    # Pars hears that Caspian accepted, as before.
    assert Notification.objects.filter(kind="referral_update", url=referred.get_absolute_url()).exists()


def test_an_english_speaking_member_of_the_company_reads_it_in_english(
    referred, caspian_member, company, caspian, iraq
):
    from tests.companies.factories import MembershipFactory

    ian = UserFactory(email="ian@company.example", english=True)
    MembershipFactory(company=company, user=ian)
    referrals.referral_accept(referral=referred, by=caspian_member)
    notice = ian.notifications.get(kind="referral_company_notice")
    assert notice.title == "Caspian Logistics was referred to act for your company"
    assert "Pars Export Brokers has referred your company to Caspian Logistics" in notice.body
    assert "until you give it a mandate" in notice.body


def test_a_pending_declined_or_withdrawn_referral_and_an_inquiry_referral_tell_the_company_nothing(
    referred, broker_member, caspian, caspian_member, company, company_member, iraq
):
    assert not company_member.notifications.filter(kind="referral_company_notice").exists()
    referrals.referral_decline(referral=referred, by=caspian_member)
    withdrawn = referrals.referral_create(by=broker_member, to_broker=caspian, company=company, country=iraq)
    referrals.referral_withdraw(referral=withdrawn, by=broker_member)
    from brokers import services

    inquiry = services.inquiry_claim(inquiry=routed(), by=broker_member)
    passed = referrals.referral_create(by=broker_member, to_broker=caspian, inquiry=inquiry)
    referrals.referral_accept(referral=passed, by=caspian_member)
    assert not Notification.objects.filter(kind="referral_company_notice").exists()


def test_the_link_opens_the_mandate_form_with_the_brokerage_and_the_country_chosen(
    accepted, caspian, company_member, iraq, client_for
):
    page = client_for(company_member).get("/en" + grant_link(caspian, iraq)[3:])
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial == {"broker": caspian.pk, "countries": [iraq.pk]}
    html = page.content.decode()
    assert f'<option value="{caspian.pk}" selected>' in html
    assert re.search(rf'<input type="checkbox" name="countries" value="{iraq.pk}"[^>]* checked', html)


@pytest.mark.parametrize(
    "query",
    [
        "?broker=abc&country=",
        "?broker=99999999999999999999&country=-1",
        "?broker=٣٣٣٣&country=۹۹۹",
        "?broker=²",
    ],
)
def test_a_link_naming_nothing_to_choose_opens_an_empty_form(company_member, query, client_for):
    page = client_for(company_member).get("/en/mandates/new/" + query)
    assert page.status_code == 200
    assert page.context["form"].initial == {}


def test_a_pending_brokerage_named_in_the_link_is_not_chosen(company_member, client_for):
    pending = BrokerFactory(pending=True)
    page = client_for(company_member).get(f"/en/mandates/new/?broker={pending.pk}")
    assert page.context["form"].initial == {}


# ---------------------------------------------------------------------------
# No mandate, no acting; the referral's credit as before
# ---------------------------------------------------------------------------
def test_until_the_company_grants_a_mandate_the_receiving_brokerage_cannot_act_for_it(
    accepted, company, caspian, caspian_member, brokerage, mask, iraq, client_for
):
    offer = OfferFactory(broker=brokerage, country=iraq, categories=[mask.category])
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        response_submit(
            offer=offer, company=company, by=caspian_member, products=[mask], broker=caspian, **QUOTE
        )
    assert "has given your brokerage no mandate in force" in str(refused.value)
    assert not OfferResponse.objects.exists()
    with pytest.raises(ValidationError) as refused:
        deals.deal_open_direct(company=company, by=caspian_member, lines=lines_of(mask), **deal_terms(iraq))
    assert "company" in refused.value.message_dict
    # Nor does its answer-for page or the deal form list Alpha among the companies it represents.
    page = client_for(caspian_member).get(f"/en/offers/{offer.pk}/").content.decode()
    assert reverse("brokers:respond_for", args=[offer.pk, company.pk]) not in page
    form = client_for(caspian_member).get("/en/deals/new/").content.decode()
    assert "Alpha Medical Equipment" not in form


def test_once_the_company_grants_the_mandate_through_the_link_the_brokerage_acts_and_the_referrer_is_credited(
    accepted, company, company_member, broker_member, caspian, caspian_member, mask, iraq, client_for
):
    in_90_days = (timezone.localdate() + dt.timedelta(days=90)).isoformat()
    granted = client_for(company_member).post(
        "/en" + grant_link(caspian, iraq)[3:],
        {
            "broker": caspian.pk,
            "countries": [iraq.pk],
            "categories": [mask.category_id],
            "valid_until": in_90_days,
        },
    )
    assert granted.status_code == 302
    mandate = Mandate.objects.get(company=company, broker=caspian)
    deal = deals.deal_open_direct(
        company=company, by=caspian_member, lines=lines_of(mask), **deal_terms(iraq)
    )
    assert deal.mandate == mandate
    credits = {(c.broker_id, c.role, c.share_percent) for c in DealCredit.objects.filter(deal=deal)}
    assert credits == {(caspian.pk, "introduced", 90), (accepted.from_broker_id, "referral", 10)}
    assert broker_member.notifications.filter(kind="referral_credit").count() == 1


def test_the_companys_own_deal_to_the_referred_country_credits_no_referrer(
    accepted, company_member, mask, iraq
):
    deal = deals.deal_open_direct(
        company=mask.company, by=company_member, lines=lines_of(mask), **deal_terms(iraq)
    )
    assert not DealCredit.objects.filter(deal=deal).exists()
    assert not Notification.objects.filter(kind="referral_credit").exists()
