"""/api/v1/deals/: a party's deals with their lines, shipments and payments; filters and search."""

from __future__ import annotations

import pytest

from deals.models import Status
from tests.deals.factories import open_direct, walk_to

pytestmark = pytest.mark.django_db


def test_the_detail_carries_lines_shipments_payments_and_usd_values(client_for, brokered_deal, broker_member):
    deal = walk_to(brokered_deal, Status.PAID, broker_member)
    data = client_for(broker_member).get(f"/api/v1/deals/{deal.pk}/").json()
    assert data["reference"] == deal.reference
    assert data["status"] == "paid"
    assert data["expected_value"] == "500.00"
    assert data["expected_value_usd"] == "500.00"
    assert [line["quantity"] for line in data["lines"]] == [1000]
    [shipment] = data["shipments"]
    assert shipment["quantity"] == 400
    assert shipment["invoice"].endswith(deal.shipments.get().invoice.url)
    [payment] = data["payments"]
    assert payment["amount"] == "200.00"
    assert [event["to_status"] for event in data["events"]] == [
        "negotiating", "contracted", "shipped", "paid",
    ]  # fmt: skip


def test_filters_and_search(client_for, brokered_deal, company_member, product, iraq):
    direct = open_direct(company_member, product, iraq, buyer_name="Karbala Pharmacy")
    walk_to(direct, Status.LOST, company_member)
    client = client_for(company_member)

    def refs(query: str) -> set[str]:
        return {row["reference"] for row in client.get(f"/api/v1/deals/{query}").json()["results"]}

    assert refs("") == {brokered_deal.reference, direct.reference}
    assert refs("?status=lost") == {direct.reference}
    assert refs("?origin=response") == {brokered_deal.reference}
    assert refs("?destination=IQ") == {brokered_deal.reference, direct.reference}
    assert refs("?search=Karbala") == {direct.reference}
    assert refs(f"?search={brokered_deal.reference}") == {brokered_deal.reference}


def test_the_list_reads_a_fixed_number_of_queries(
    client_for, company_member, product, iraq, django_assert_max_num_queries
):
    for _ in range(3):
        walk_to(open_direct(company_member, product, iraq), Status.PAID, company_member)
    client = client_for(company_member)
    client.get("/api/v1/deals/")
    with django_assert_max_num_queries(20) as few:
        client.get("/api/v1/deals/")
    for _ in range(5):
        walk_to(open_direct(company_member, product, iraq), Status.PAID, company_member)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/api/v1/deals/").json()["count"] == 8


def test_the_api_is_read_only(client_for, brokered_deal, broker_member):
    client = client_for(broker_member)
    assert client.post("/api/v1/deals/", {}, content_type="application/json").status_code == 405
    assert client.delete(f"/api/v1/deals/{brokered_deal.pk}/").status_code == 405


def test_the_schema_documents_the_deals(client):
    schema = client.get("/api/schema/", headers={"accept": "application/json"}).json()
    assert "/api/v1/deals/" in schema["paths"]
    assert "/api/v1/deals/{id}/" in schema["paths"]
    names = {p["name"] for p in schema["paths"]["/api/v1/deals/"]["get"]["parameters"]}
    assert {"status", "destination", "company", "broker", "search"} <= names
