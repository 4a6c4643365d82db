"""The results' hand-built world, made through the services as people make deals.

Alpha (Sara) sells masks and ventilators, Beta (Omid) and Gamma (Goli) masks; Pars (Reza) brokers.

| deal | company | how | to | lines | currency, rate | stage | paid |
| --- | --- | --- | --- | --- | --- | --- | --- |
| D1 | Alpha | direct (60 days ago) | Iraq | 1,000 masks × 0.50 | USD | paid | 200 USD (60 days ago) |
| D2 | Alpha | Pars | Iraq | 2,000 masks × 1, a ventilator × 3,000 | EUR, 1.10 | paid | 1,000 EUR, 500 USD |
| D3 | Beta | direct | Afghanistan | 500 masks × 2.00 | USD | shipped | — |
| D4 | Beta | direct | Iraq | 100 masks × 1.00 | USD | lost (price) | — |
| D5 | Gamma | direct | Afghanistan | 400 masks × 1.00 | USD | negotiating | — |

By hand: contracted D1 500 + D2 5,500 + D3 1,000 = 7,000 USD; paid D1 200 + D2 (1,100 + 500) =
1,800 USD. D2's payments shared by line value: masks 2,000/5,000 of 1,600 = 640, the ventilator 960.

Pars' offer in Iraq (published now) drew three responses: Alpha's accepted (D2), Beta's
shortlisted, Gamma's submitted; a second offer, in Afghanistan, none. Programme "Masks abroad" (USD)
granted Alpha 10,000; programme "Fairs" (USD) granted Beta 2,000.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from brokers.services import response_decide
from deals import services
from portal.permissions import Role
from tests.brokers.factories import OfferFactory, OfferResponseFactory
from tests.companies.factories import CompanyFactory, MembershipFactory
from tests.deals.factories import deal_terms, lines_of, open_direct, pay, ship
from tests.portal.factories import TargetCountryFactory, UserFactory
from tests.products.factories import CategoryFactory, ProductFactory
from tests.support.factories import ApplicationFactory, ProgramFactory, backdated

SIXTY_DAYS_AGO = 60


@dataclass
class World:
    iraq: Any
    afghanistan: Any
    masks: Any
    ventilators: Any
    alpha: Any
    beta: Any
    gamma: Any
    pars: Any
    deals: dict[str, Any]
    masks_abroad: Any
    fairs: Any
    early: dt.date  # the day D1 was signed, shipped and paid


def _contract_ship_pay(deal, by, *, amounts=(), quantity=None):
    services.deal_contract(deal=deal, by=by)
    ship(deal, by, quantity=quantity or deal.quantity_total())
    for amount, currency in amounts:
        pay(deal, by, amount=amount, currency=currency)


@pytest.fixture
def world(company, company_member, other_company, other_company_member, brokerage, broker_member) -> World:
    iraq = TargetCountryFactory(iso_code="IQ", name_en="Iraq", name_fa="عراق")
    afghanistan = TargetCountryFactory(iso_code="AF", name_en="Afghanistan", name_fa="افغانستان")
    masks = CategoryFactory(slug="masks", name_en="Masks", name_fa="ماسک")
    ventilators = CategoryFactory(slug="ventilators", name_en="Ventilators", name_fa="دستگاه تنفس")
    gamma = CompanyFactory(name_fa="شرکت گاما", name_en="Gamma Labs")
    goli = UserFactory(email="goli@gamma.example", roles=[Role.COMPANY_MEMBER])
    MembershipFactory(company=gamma, user=goli)
    alpha_mask = ProductFactory(company=company, category=masks)
    alpha_ventilator = ProductFactory(company=company, category=ventilators)
    beta_mask = ProductFactory(company=other_company, category=masks)
    gamma_mask = ProductFactory(company=gamma, category=masks)

    started = timezone.now() - dt.timedelta(days=SIXTY_DAYS_AGO)
    with backdated(started):
        d1 = open_direct(company_member, alpha_mask, iraq, quantity=1000, unit_price="0.50")
        _contract_ship_pay(d1, company_member, amounts=[("200", "USD")])
        early = timezone.localdate()

    offer = OfferFactory(broker=brokerage, country=iraq)
    OfferFactory(broker=brokerage, country=afghanistan)
    responses = {}
    for firm, member in ((company, company_member), (other_company, other_company_member), (gamma, goli)):
        responses[firm.pk] = OfferResponseFactory(offer=offer, company=firm, created_by=member)
    response_decide(response=responses[company.pk], status="accepted", by=broker_member)
    response_decide(response=responses[other_company.pk], status="shortlisted", by=broker_member)
    d2 = services.deal_open_from_response(
        response=responses[company.pk], by=broker_member,
        lines=[*lines_of(alpha_mask, 2000, "1.00"), *lines_of(alpha_ventilator, 1, "3000")],
        **deal_terms(iraq, currency="EUR", usd_rate=Decimal("1.10")),
    )  # fmt: skip
    _contract_ship_pay(d2, broker_member, amounts=[("1000", "EUR"), ("500", "USD")])

    d3 = open_direct(other_company_member, beta_mask, afghanistan, quantity=500, unit_price="2.00")
    _contract_ship_pay(d3, other_company_member)
    d4 = open_direct(other_company_member, beta_mask, iraq, quantity=100, unit_price="1.00")
    services.deal_mark_lost(deal=d4, by=other_company_member, reason="price", note="Cheaper elsewhere")
    d5 = open_direct(goli, gamma_mask, afghanistan, quantity=400, unit_price="1.00")

    masks_abroad = ProgramFactory(name_en="Masks abroad", name_fa="ماسک در بازار جهانی", currency="USD")
    fairs = ProgramFactory(name_en="Fairs", name_fa="نمایشگاه‌ها", currency="USD")
    ApplicationFactory(
        program=masks_abroad, company=company, requested_amount=Decimal("10000"), approved=True
    )
    ApplicationFactory(program=fairs, company=other_company, requested_amount=Decimal("2000"), approved=True)
    return World(
        iraq=iraq, afghanistan=afghanistan, masks=masks, ventilators=ventilators, alpha=company,
        beta=other_company, gamma=gamma, pars=brokerage, masks_abroad=masks_abroad, fairs=fairs, early=early,
        deals={"D1": d1, "D2": d2, "D3": d3, "D4": d4, "D5": d5},
    )  # fmt: skip
