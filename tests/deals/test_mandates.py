"""Deals a brokerage opens for a company under the company's mandate: Reza (Pars) records a sale of
Alpha Medical's masks to a Baghdad hospital "for Alpha"; without a covering mandate the form says
which field is wrong and nothing is saved."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from brokers.mandates import mandate_revoke
from deals import services
from deals.models import Deal, DealEvent
from portal.models import Notification, ReferenceCounter
from tests.brokers.mandates import give_mandate
from tests.deals.factories import deal_terms, lines_of
from tests.portal.factories import TargetCountryFactory
from tests.products.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def masks(db):
    return CategoryFactory(slug="masks")


@pytest.fixture
def mask(company, masks):
    return ProductFactory(company=company, category=masks, name_en="Alpha three-ply mask")


@pytest.fixture
def ventilator(company):
    return ProductFactory(company=company, category=CategoryFactory(slug="ventilators"), name_en="Alpha vent")


@pytest.fixture
def mandate(company, company_member, brokerage, broker_member, iraq, masks):
    return give_mandate(
        company=company, broker=brokerage, by=company_member, countries=[iraq], categories=[masks]
    )


def open_for(company, by, product, country, **terms):
    return services.deal_open_direct(
        company=company, by=by, lines=lines_of(product), **deal_terms(country, **terms)
    )


def nothing_saved() -> bool:
    return (
        not Deal.objects.exists()
        and not DealEvent.objects.exists()
        and not ReferenceCounter.objects.filter(prefix="DL", last__gt=0).exists()
    )


# ---------------------------------------------------------------------------
# The service
# ---------------------------------------------------------------------------
def test_a_broker_opens_a_deal_for_a_company_under_its_mandate(
    mandate, company, company_member, brokerage, broker_member, mask, iraq
):
    deal = open_for(company, broker_member, mask, iraq)
    assert deal.company == company
    assert deal.broker == brokerage
    assert deal.mandate == mandate
    assert deal.opened_under_mandate
    assert deal.created_by == broker_member
    told = Notification.objects.get(recipient=company_member, kind="deal_update")
    assert "کارگزاری پارس" in told.body
    assert "شرکت تجهیزات پزشکی آلفا" in told.body
    assert told.url == deal.get_absolute_url()


def test_the_company_stays_a_full_party_of_the_deal(
    mandate, company, company_member, broker_member, mask, iraq
):
    deal = open_for(company, broker_member, mask, iraq)
    contracted = services.deal_contract(deal=deal, by=company_member)
    assert contracted.status == "contracted"
    assert Notification.objects.filter(recipient=broker_member, kind="deal_update").exists()


def test_without_a_mandate_the_company_field_says_so_and_nothing_is_saved(company, broker_member, mask, iraq):
    with pytest.raises(ValidationError) as refused:
        open_for(company, broker_member, mask, iraq)
    assert "هیچ وکالت" in refused.value.message_dict["company"][0]
    assert nothing_saved()


def test_a_destination_outside_the_mandate_is_refused_on_the_destination(
    mandate, company, broker_member, mask, iraq
):
    syria = TargetCountryFactory(iso_code="SY")
    with pytest.raises(ValidationError) as refused:
        open_for(company, broker_member, mask, syria)
    assert list(refused.value.message_dict) == ["destination"]
    assert nothing_saved()


def test_products_outside_the_mandates_categories_are_refused_on_the_lines(
    mandate, company, broker_member, ventilator, iraq
):
    with pytest.raises(ValidationError) as refused:
        open_for(company, broker_member, ventilator, iraq)
    assert list(refused.value.message_dict) == ["lines"]
    assert nothing_saved()


def test_a_revoked_or_expired_mandate_opens_nothing(
    mandate, company, company_member, brokerage, broker_member, mask, iraq, masks
):
    mandate_revoke(mandate=mandate, by=company_member)
    with pytest.raises(ValidationError):
        open_for(company, broker_member, mask, iraq)
    give_mandate(
        company=company, broker=brokerage, by=company_member, countries=[iraq], categories=[masks], days=-1
    )
    with pytest.raises(ValidationError):
        open_for(company, broker_member, mask, iraq)
    assert nothing_saved()


def test_a_broker_with_an_expired_licence_may_not_act_for_anyone(
    mandate, company, brokerage, broker_member, mask, iraq
):
    from datetime import timedelta

    from django.utils import timezone

    brokerage.licence_expires_on = timezone.localdate() - timedelta(days=1)
    brokerage.save()
    with pytest.raises(PermissionDenied):
        open_for(company, broker_member, mask, iraq)
    assert nothing_saved()


def test_from_an_inquiry_a_broker_names_a_company_that_gave_it_a_covering_mandate(
    mandate, company, other_company, brokerage, broker_member, mask, iraq
):
    from brokers.models import BuyerInquiry

    inquiry = BuyerInquiry.objects.create(
        name="Ahmed", organisation="Basra Clinic", country=iraq, email="a@clinic.example", message="Masks"
    )
    with pytest.raises(ValidationError) as refused:
        services.deal_open_from_inquiry(
            inquiry=inquiry, by=broker_member, company=other_company,
            lines=lines_of(ProductFactory(company=other_company)), **deal_terms(iraq),
        )  # fmt: skip
    assert "company" in refused.value.message_dict
    deal = services.deal_open_from_inquiry(
        inquiry=inquiry, by=broker_member, company=company, lines=lines_of(mask), **deal_terms(iraq)
    )
    assert deal.mandate == mandate
    assert deal.inquiry == inquiry
    assert deal.broker == brokerage


# ---------------------------------------------------------------------------
# The pages
# ---------------------------------------------------------------------------
def form_data(company, product, country, **changes):
    data = {
        "company": company.pk, "buyer_name": "Baghdad Medical City", "buyer_country": country.pk,
        "buyer_type": "hospital", "destination": country.pk, "incoterm": "CIF", "currency": "USD",
        "usd_rate": "1", "lines-TOTAL_FORMS": "5", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "20", "lines-0-product": product.pk, "lines-0-quantity": "۱۰۰۰",
        "lines-0-unit_price": "0.5",
    }  # fmt: skip
    return {**data, **changes}


def test_the_broker_opens_the_deal_from_its_page_and_both_read_by_whom_for_whom(
    client_for, mandate, company, company_member, broker_member, mask, iraq
):
    page = client_for(broker_member).get(reverse("deals:create"))
    assert page.status_code == 200
    assert company.name_fa in page.content.decode()
    sent = client_for(broker_member).post(reverse("deals:create"), form_data(company, mask, iraq))
    deal = Deal.objects.get()
    assert sent.status_code == 302
    assert sent["Location"].endswith(deal.get_absolute_url())
    for user in (broker_member, company_member):
        shown = client_for(user).get(deal.get_absolute_url()).content.decode()
        assert "ثبت‌شده از سوی کارگزاری پارس برای شرکت تجهیزات پزشکی آلفا" in shown


def test_a_company_without_a_mandate_is_a_field_error_and_what_was_typed_stays(
    client_for, company, other_company, broker_member, brokerage, mask, iraq, masks
):
    # Beta's mandate puts Beta in the list; Alpha (posted anyway) has given none.
    give_mandate(
        company=other_company,
        broker=brokerage,
        by=_member_of(other_company),
        countries=[iraq],
        categories=[masks],
    )
    refused = client_for(broker_member).post(reverse("deals:create"), form_data(company, mask, iraq))
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "وکالت" in body
    assert "Baghdad Medical City" in body
    assert nothing_saved()


def test_a_category_outside_the_mandate_is_said_beside_the_lines(
    client_for, mandate, company, broker_member, ventilator, iraq
):
    refused = client_for(broker_member).post(reverse("deals:create"), form_data(company, ventilator, iraq))
    assert refused.status_code == 400
    assert "وکالت" in refused.content.decode()
    assert nothing_saved()


def _member_of(company):
    from tests.companies.factories import MembershipFactory
    from tests.portal.factories import UserFactory

    user = UserFactory()
    MembershipFactory(company=company, user=user)
    return user
