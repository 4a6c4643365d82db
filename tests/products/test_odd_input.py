"""Odd query strings on the catalog and the products API answer pages, never a 500."""

from __future__ import annotations

import pytest

from tests.products.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "query",
    [
        {"q": "mask", "capacity_min": "3000000000"},  # out of the column's range: no rows, no SQL
        {"q": "mask", "page": "100000000000000000000"},
        {"page": "100000000000000000000"},
        {"page": "-3"},
        {"company": "1e99"},
        {"company": "1.5"},
        {"company": "99999999999999999999"},
        {"q": "&|!:*()'", "category": "no-such-category"},
        {"q": "\u200c\u200c", "ordering": "nonsense"},
    ],
)
def test_odd_catalog_queries_answer_a_page(client, query):
    ProductFactory(name_en="Surgical mask", name_fa="ماسک جراحی")
    assert client.get("/en/products/", query).status_code == 200


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"search": "mask", "capacity_min": "3000000000"}, 200),
        ({"page": "100000000000000000000"}, 404),
        ({"company": "1e99"}, 400),
        ({"broker": "99999999999999999999"}, 200),
    ],
)
def test_odd_api_queries_answer_without_a_server_error(client, query, status):
    ProductFactory(name_en="Surgical mask", name_fa="ماسک جراحی")
    assert client.get("/api/v1/products/", query).status_code == status


def test_a_company_filter_with_a_fraction_is_an_error_not_another_company(client):
    product = ProductFactory(name_en="Surgical mask")
    assert client.get("/api/v1/products/", {"company": product.company_id}).json()["count"] == 1
    assert client.get("/api/v1/products/", {"company": f"{product.company_id}.5"}).status_code == 400


def test_offer_board_broker_filter_takes_a_huge_number(client):
    assert client.get("/en/offers/", {"broker": "99999999999999999999"}).status_code == 200
