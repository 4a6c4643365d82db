from __future__ import annotations

import pytest

from tests.portal.factories import TargetCountryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def countries():
    return [
        TargetCountryFactory(iso_code="IQ", name_fa="عراق", name_en="Iraq"),
        TargetCountryFactory(iso_code="OM", name_fa="عمان", name_en="Oman"),
        TargetCountryFactory(iso_code="KE", name_fa="کنیا", name_en="Kenya", prospective=True),
        TargetCountryFactory(iso_code="VE", name_fa="ونزوئلا", name_en="Venezuela", inactive=True),
    ]


def test_country_pages_show_active_countries_in_both_languages(client, countries):
    fa = client.get("/fa/countries/").content.decode()
    en = client.get("/en/countries/").content.decode()
    assert "عراق" in fa
    assert "کنیا" in fa
    assert "ونزوئلا" not in fa
    assert "Iraq" in en
    assert "Kenya" in en
    assert "Venezuela" not in en


def test_country_detail_and_inactive_country_404(client, countries):
    response = client.get("/en/countries/iq/")
    assert response.status_code == 200
    assert "Iraq" in response.content.decode()
    assert client.get("/en/countries/ve/").status_code == 404
    assert client.get("/en/countries/zz/").status_code == 404


def test_home_lists_confirmed_countries(client, countries):
    content = client.get("/en/").content.decode()
    assert "Iraq" in content
    assert "Oman" in content
    assert "Kenya" not in content  # prospective markets are counted, not listed


def test_api_lists_active_countries_with_a_count_and_filters(client, countries):
    body = client.get("/api/v1/countries/").json()
    assert body["count"] == 3
    assert client.get("/api/v1/countries/?buyer_status=prospective").json()["count"] == 1
    assert client.get("/api/v1/countries/?search=عمان").json()["results"][0]["iso_code"] == "OM"


def test_api_country_detail_by_iso_code(client, countries):
    body = client.get("/api/v1/countries/iq/").json()
    assert body["name_en"] == "Iraq"
    assert client.get("/api/v1/countries/VE/").status_code == 404


def test_api_country_name_follows_accept_language(client, countries):
    body = client.get("/api/v1/countries/IQ/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["name"] == "Iraq"
    body = client.get("/api/v1/countries/IQ/", HTTP_ACCEPT_LANGUAGE="fa").json()
    assert body["name"] == "عراق"


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_api_countries_are_read_only(client_for, manager, countries, method):
    response = getattr(client_for(manager), method)(
        "/api/v1/countries/IQ/", {}, content_type="application/json"
    )
    assert response.status_code == 405
    assert set(response.json()) == {"error"}


def test_api_errors_have_one_shape(client):
    body = client.get("/api/v1/countries/zz/").json()
    assert body["error"]["code"] == "not_found"
    assert client.get("/api/v1/notifications/").json()["error"]["code"] == "not_authenticated"


def test_iso_code_is_unique_and_upper_case(countries):
    from django.core.exceptions import ValidationError

    from portal.models import TargetCountry

    country = TargetCountry(iso_code="iq", name_fa="x", name_en="x")
    with pytest.raises(ValidationError) as excinfo:
        country.full_clean()
    assert "iso_code" in excinfo.value.message_dict


def test_home_shows_live_figures_from_the_apps(client, django_assert_max_num_queries):
    from tests.brokers.factories import OfferFactory
    from tests.products.factories import ProductFactory
    from tests.support.factories import ProgramFactory

    ProductFactory.create_batch(3)
    OfferFactory()
    ProgramFactory()
    with django_assert_max_num_queries(8):
        response = client.get("/en/")
    figures = {f["label"]: f["value"] for f in response.context["figures"]}
    assert figures["products in the catalog"] == 3
    assert figures["open offers"] == 1
    assert figures["support programmes open now"] == 1
    assert figures["licensed export brokers"] == 1
