"""The parties' deal pages: the list, a deal, and the forms that open and move it, with bad input."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from deals.models import Deal, Shipment, Status
from tests.companies.factories import PDF_BYTES
from tests.deals.factories import open_direct, pay, ship, walk_to

pytestmark = pytest.mark.django_db


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def _deal_form(iraq, product, **changes: str) -> dict[str, object]:
    return {
        "buyer_name": "Basra Hospital", "buyer_country": iraq.pk, "buyer_type": "hospital",
        "destination": iraq.pk, "incoterm": "CIF", "currency": "USD", "usd_rate": "1",
        "lines-TOTAL_FORMS": "3", "lines-INITIAL_FORMS": "0",
        "lines-0-product": product.pk, "lines-0-quantity": "5000", "lines-0-unit_price": "0.20",
        **changes,
    }  # fmt: skip


# ---------------------------------------------------------------------------
# The list
# ---------------------------------------------------------------------------
def test_the_list_shows_the_partys_deals_with_values_in_both_currencies(
    client_for, brokered_deal, broker_member, company_member, other_company_member, product, iraq
):
    from decimal import Decimal

    euro = open_direct(company_member, product, iraq, currency="EUR", usd_rate=Decimal("1.10"))
    page = client_for(company_member).get("/en/deals/")
    text = page.content.decode()
    assert brokered_deal.reference in text
    assert euro.reference in text
    assert "500.00 EUR" in text
    assert "550.00 USD" in text
    broker_page = client_for(broker_member).get("/en/deals/").content.decode()
    assert brokered_deal.reference in broker_page
    assert euro.reference not in broker_page  # a direct deal is the company's alone
    assert brokered_deal.reference not in client_for(other_company_member).get("/en/deals/").content.decode()


def test_the_list_filters_by_status(client_for, brokered_deal, company_member, product, iraq):
    lost = walk_to(open_direct(company_member, product, iraq), Status.LOST, company_member)
    text = client_for(company_member).get("/en/deals/?status=lost").content.decode()
    assert lost.reference in text
    assert brokered_deal.reference not in text


@pytest.mark.parametrize("count", [1, 25])
def test_the_list_reads_a_fixed_number_of_queries(
    count, client_for, company_member, product, iraq, django_assert_max_num_queries
):
    for _ in range(count):
        open_direct(company_member, product, iraq)
    client = client_for(company_member)
    client.get("/en/deals/")  # session and caches warm
    with django_assert_max_num_queries(9):
        page = client.get("/en/deals/")
    assert page.status_code == 200
    assert len(page.context["page_obj"]) == min(count, 20)


def test_the_deal_page_reads_a_fixed_number_of_queries(
    client_for, brokered_deal, broker_member, company_member, django_assert_max_num_queries
):
    deal = walk_to(brokered_deal, Status.SHIPPED, broker_member)
    client = client_for(company_member)
    client.get(deal.get_absolute_url())
    with django_assert_max_num_queries(16) as few:
        client.get(f"/en/deals/{deal.pk}/")
    ship(deal, broker_member, quantity=100)
    ship(deal, broker_member, quantity=100)
    from tests.deals.factories import pay

    pay(deal, broker_member)
    pay(deal, broker_member)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(f"/en/deals/{deal.pk}/")


# ---------------------------------------------------------------------------
# A deal's page
# ---------------------------------------------------------------------------
def test_the_deal_page_shows_lines_values_shipments_payments_and_timeline(
    client_for, brokered_deal, broker_member, company_member
):
    deal = walk_to(brokered_deal, Status.PAID, broker_member)
    page = client_for(company_member).get(f"/en/deals/{deal.pk}/")
    text = page.content.decode()
    assert "Three-ply mask" in text
    assert "500.00 USD" in text
    shipment = deal.shipments.get()
    assert shipment.invoice.url in text
    assert shipment.transport_document.url in text
    assert "Payment recorded" in text
    assert "Contract signed" in text
    assert page.context["allowed_actions"] == ["pay", "close"]


def test_the_deal_page_is_persian_first(client_for, brokered_deal, company_member):
    text = client_for(company_member).get(f"/fa/deals/{brokered_deal.pk}/").content.decode()
    assert 'dir="rtl"' in text
    assert "در حال مذاکره" in text  # negotiating
    assert "۵۰۰٫۰۰" in text


def test_buttons_follow_the_stage(client_for, brokered_deal, broker_member, company_member):
    client = client_for(company_member)
    text = client.get(f"/en/deals/{brokered_deal.pk}/").content.decode()
    assert f"/en/deals/{brokered_deal.pk}/contract/" in text
    assert f"/en/deals/{brokered_deal.pk}/shipments/" not in text
    walk_to(brokered_deal, Status.CONTRACTED, broker_member)
    text = client.get(f"/en/deals/{brokered_deal.pk}/").content.decode()
    assert f"/en/deals/{brokered_deal.pk}/contract/" not in text
    assert f"/en/deals/{brokered_deal.pk}/shipments/" in text


def test_contract_then_close_through_the_pages(client_for, brokered_deal, broker_member, company_member):
    client = client_for(company_member)
    assert client.post(f"/en/deals/{brokered_deal.pk}/contract/", {"note": "Signed"}).status_code == 302
    brokered_deal.refresh_from_db()
    assert brokered_deal.status == Status.CONTRACTED
    assert brokered_deal.events.last().note == "Signed"
    # Closing a deal not yet paid is refused with a message, and changes nothing.
    response = client.post(f"/en/deals/{brokered_deal.pk}/close/", follow=True)
    assert "cannot be changed that way now" in response.content.decode()
    brokered_deal.refresh_from_db()
    assert brokered_deal.status == Status.CONTRACTED


# ---------------------------------------------------------------------------
# Opening a deal
# ---------------------------------------------------------------------------
def test_a_company_opens_a_direct_deal_with_persian_digits(client_for, company_member, product, iraq):
    data = _deal_form(iraq, product, **{"lines-0-quantity": "۵٬۰۰۰", "lines-0-unit_price": "۰٫۲۰"})
    response = client_for(company_member).post("/en/deals/new/", data)
    deal = Deal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/en/deals/{deal.pk}/"
    assert deal.lines.get().quantity == 5000
    assert str(deal.expected_value) == "1000.00"


def test_a_product_of_another_company_is_a_field_error_and_the_typing_is_kept(
    client_for, company_member, other_product, iraq
):
    data = _deal_form(iraq, other_product, buyer_name="Najaf Clinic")
    response = client_for(company_member).post("/en/deals/new/", data)
    assert response.status_code == 400
    assert response.context["lines"].forms[0].errors["product"]
    assert "Najaf Clinic" in response.content.decode()
    assert not Deal.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("lines-0-quantity", "-5", "greater than or equal to 1"),
        ("lines-0-quantity", "0", "greater than or equal to 1"),
        ("lines-0-unit_price", "-1", "greater than or equal to 0"),
        ("lines-0-quantity", "abc", "Enter a whole number"),
        ("usd_rate", "0", "greater than or equal to"),
    ],
)
def test_bad_numbers_are_field_errors_in_english(
    client_for, company_member, product, iraq, field, value, message
):
    response = client_for(company_member).post("/en/deals/new/", _deal_form(iraq, product, **{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert f'value="{value}"' in response.content.decode()
    assert not Deal.objects.exists()


def test_bad_numbers_are_field_errors_in_persian(client_for, company_member, product, iraq):
    response = client_for(company_member).post(
        "/fa/deals/new/", _deal_form(iraq, product, **{"lines-0-quantity": "-۵"})
    )
    assert response.status_code == 400
    assert "مطمئن شوید" in response.content.decode()  # Django's Persian "ensure this value…"
    assert not Deal.objects.exists()


def test_a_line_half_filled_says_what_is_missing(client_for, company_member, product, iraq):
    response = client_for(company_member).post(
        "/en/deals/new/", _deal_form(iraq, product, **{"lines-0-unit_price": ""})
    )
    assert response.status_code == 400
    assert "Fill in the product, its quantity and its unit price." in response.content.decode()


def test_no_line_at_all_is_refused(client_for, company_member, product, iraq):
    data = _deal_form(
        iraq, product, **{"lines-0-product": "", "lines-0-quantity": "", "lines-0-unit_price": ""}
    )
    response = client_for(company_member).post("/en/deals/new/", data)
    assert response.status_code == 400
    assert "Add at least one product" in response.content.decode()


def test_sent_twice_the_form_opens_one_deal(client_for, company_member, product, iraq):
    from portal.http.once import new_token

    client = client_for(company_member)
    data = {**_deal_form(iraq, product), "form_token": new_token()}
    first = client.post("/en/deals/new/", data)
    second = client.post("/en/deals/new/", data)
    assert first["Location"] == second["Location"]
    assert Deal.objects.count() == 1


def test_the_accepted_response_leads_to_its_deal_form_prefilled(client_for, accepted_response, broker_member):
    page = client_for(broker_member).get(f"/en/deals/new/from-response/{accepted_response.pk}/")
    assert page.status_code == 200
    assert page.context["form"].initial["destination"] == accepted_response.offer.country
    assert page.context["lines"].forms[0].initial["product"] == accepted_response.products.get()


def test_the_accepted_response_has_a_deal_link_for_both_sides(
    client_for, accepted_response, broker_member, company_member
):
    link = f"/en/deals/new/from-response/{accepted_response.pk}/"
    assert link in client_for(company_member).get("/en/responses/mine/").content.decode()
    assert link in client_for(broker_member).get(f"/en/offers/{accepted_response.offer_id}/").content.decode()


def test_a_broker_opens_the_deal_of_an_accepted_response(
    client_for, accepted_response, broker_member, product, iraq
):
    response = client_for(broker_member).post(
        f"/en/deals/new/from-response/{accepted_response.pk}/", _deal_form(iraq, product)
    )
    deal = Deal.objects.get()
    assert response.status_code == 302
    assert (deal.broker, deal.offer_response) == (accepted_response.offer.broker, accepted_response)
    # Once open, the response's link leads to the deal.
    again = client_for(broker_member).get(f"/en/deals/new/from-response/{accepted_response.pk}/")
    assert again["Location"] == f"/en/deals/{deal.pk}/"


# ---------------------------------------------------------------------------
# Shipments, payments and losses through the pages
# ---------------------------------------------------------------------------
def _shipment(quantity: str, **changes: object) -> dict[str, object]:
    return {
        "shipped_on": timezone.localdate().isoformat(), "quantity": quantity, "declaration_number": "DECL-۱۲",
        "invoice": _pdf("invoice.pdf"), "transport_document": _pdf("awb.pdf"), **changes,
    }  # fmt: skip


def test_a_shipment_with_persian_digits_is_recorded(client_for, brokered_deal, broker_member, company_member):
    walk_to(brokered_deal, Status.CONTRACTED, broker_member)
    response = client_for(company_member).post(f"/en/deals/{brokered_deal.pk}/shipments/", _shipment("۴۰۰"))
    assert response.status_code == 302
    shipment = Shipment.objects.get()
    assert (shipment.quantity, shipment.declaration_number) == (400, "DECL-12")
    brokered_deal.refresh_from_db()
    assert brokered_deal.status == Status.SHIPPED


@pytest.mark.parametrize(
    ("quantity", "message"), [("1001", "Only 1,000 units"), ("-3", "greater than or equal to 1")]
)
def test_a_bad_shipment_quantity_is_a_field_error(
    quantity, message, client_for, brokered_deal, broker_member, company_member
):
    walk_to(brokered_deal, Status.CONTRACTED, broker_member)
    response = client_for(company_member).post(
        f"/en/deals/{brokered_deal.pk}/shipments/", _shipment(quantity, declaration_number="DECL-99")
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert response.context["shipment_form"].errors["quantity"]
    assert message.replace(",", "") in text.replace(",", "")
    assert 'value="DECL-99"' in text
    assert not Shipment.objects.exists()


def test_a_shipment_larger_than_the_deal_is_refused_in_persian(
    client_for, brokered_deal, broker_member, company_member
):
    walk_to(brokered_deal, Status.CONTRACTED, broker_member)
    response = client_for(company_member).post(f"/fa/deals/{brokered_deal.pk}/shipments/", _shipment("۲۰۰۰"))
    assert response.status_code == 400
    assert "باقی" in str(response.context["shipment_form"].errors["quantity"])


def test_a_payment_before_the_first_shipment_is_a_field_error(
    client_for, brokered_deal, broker_member, company_member
):
    walk_to(brokered_deal, Status.CONTRACTED, broker_member)
    ship(brokered_deal, broker_member, shipped_on=timezone.localdate() - timedelta(days=2))
    early = (timezone.localdate() - timedelta(days=5)).isoformat()
    response = client_for(company_member).post(
        f"/en/deals/{brokered_deal.pk}/payments/", {"amount": "۱۲۰", "currency": "USD", "received_on": early}
    )
    assert response.status_code == 400
    assert "before the first shipment" in str(response.context["payment_form"].errors["received_on"])
    assert 'value="120"' in response.content.decode()
    assert not brokered_deal.payments.exists()


def test_a_payment_with_no_shipment_is_refused_with_a_clear_error(
    client_for, brokered_deal, broker_member, company_member
):
    walk_to(brokered_deal, Status.CONTRACTED, broker_member)
    response = client_for(company_member).post(
        f"/en/deals/{brokered_deal.pk}/payments/",
        {"amount": "120", "currency": "USD", "received_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 400
    assert "No shipment has been recorded" in response.content.decode()
    assert not brokered_deal.payments.exists()


def test_a_payment_in_persian_digits_is_recorded(client_for, brokered_deal, broker_member, company_member):
    deal = walk_to(brokered_deal, Status.SHIPPED, broker_member)
    response = client_for(company_member).post(
        f"/en/deals/{deal.pk}/payments/",
        {"amount": "۱٬۲۰۰٫۵۰", "currency": "USD", "received_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    assert str(deal.payments.get().amount) == "1200.50"
    deal.refresh_from_db()
    assert deal.status == Status.PAID


def test_marking_lost_needs_a_reason(client_for, brokered_deal, company_member):
    response = client_for(company_member).post(
        f"/en/deals/{brokered_deal.pk}/lost/", {"lost_note": "Gone quiet"}
    )
    assert response.status_code == 400
    assert "Gone quiet" in response.content.decode()
    response = client_for(company_member).post(
        f"/en/deals/{brokered_deal.pk}/lost/",
        {"lost_reason": "payment_terms", "lost_note": "Wanted 180 days"},
    )
    assert response.status_code == 302
    brokered_deal.refresh_from_db()
    assert (brokered_deal.status, brokered_deal.lost_reason) == (Status.LOST, "payment_terms")


def test_a_covering_broker_opens_a_deal_from_an_inquiry_naming_the_company(
    client_for, broker_member, brokerage, company, company_member, product, iraq
):
    from brokers.models import BuyerInquiry
    from tests.brokers.mandates import give_mandate

    # The brokerage acts for the company under the mandate it gave (deals for Iraq, this category).
    give_mandate(
        company=company, broker=brokerage, by=company_member, countries=[iraq], categories=[product.category]
    )

    inquiry = BuyerInquiry.objects.create(
        name="Ahmed", organisation="Basra Clinic", country=iraq, email="a@clinic.example", message="Masks",
        company=company,
    )  # fmt: skip
    client = client_for(broker_member)
    page = client.get(f"/en/deals/new/from-inquiry/{inquiry.pk}/")
    assert page.context["form"].initial["company"] == company
    assert product in page.context["lines"].forms[0].fields["product"].queryset  # the company's products
    assert page.context["form"].initial["buyer_name"] == "Basra Clinic"
    response = client.post(
        f"/en/deals/new/from-inquiry/{inquiry.pk}/", _deal_form(iraq, product, company=str(company.pk))
    )
    assert response.status_code == 302
    deal = Deal.objects.get()
    assert (deal.origin, deal.inquiry, deal.company, deal.broker) == ("inquiry", inquiry, company, brokerage)


# ---------------------------------------------------------------------------
# The timeline reads in each reader's language
# ---------------------------------------------------------------------------
def test_shipment_and_payment_events_read_in_each_readers_language(
    client_for, brokered_deal, broker_member, company_member
):
    walk_to(brokered_deal, Status.CONTRACTED, broker_member)
    ship(brokered_deal, company_member, quantity=800, declaration_number="EXP-77")
    pay(brokered_deal, company_member, amount="1450.5")
    shipped, paid = brokered_deal.events.filter(action__in=["ship", "pay"]).order_by("pk")
    assert (shipped.note, paid.note) == ("", "")  # nothing stored in the recorder's language
    english = client_for(broker_member).get(f"/en/deals/{brokered_deal.pk}/")
    persian = client_for(company_member).get(f"/fa/deals/{brokered_deal.pk}/")
    english_timeline = english.content.decode().split('class="timeline ')[1]
    persian_timeline = persian.content.decode().split('class="timeline ')[1]
    assert "800 units" in english_timeline
    assert "1,450.50 USD" in english_timeline
    assert "۸۰۰" in persian_timeline
    assert "۱٬۴۵۰٫۵۰ USD" in persian_timeline
    assert "units" not in persian_timeline


def test_the_usd_rate_is_shown_without_trailing_zeros(client_for, company_member, product, iraq):
    deal = open_direct(company_member, product, iraq, currency="EUR", usd_rate=Decimal("1.08"))
    text = client_for(company_member).get(f"/en/deals/{deal.pk}/").content.decode()
    assert "1 EUR = 1.08 USD" in text
    assert "1.080000" not in text
