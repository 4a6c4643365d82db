"""The broker directory shows each brokerage's service types, countries and languages, filters by
service type (declared or listed), country and working language, and reads a page in a constant
number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.brokers.factories import BrokerFactory, BrokerServiceFactory, ServiceTypeFactory
from tests.portal.factories import TargetCountryFactory

pytestmark = pytest.mark.django_db


def names(client, query: str = "") -> set[str]:  # noqa: ANN001
    return {b.name_en for b in client.get(f"/en/brokers/{query}").context["page_obj"]}


def test_directory_shows_service_types_countries_and_languages(client):
    oman = TargetCountryFactory(iso_code="OM")
    broker = BrokerFactory(name_en="Gulf Translators", countries=[oman], languages=["ar", "en"])
    BrokerServiceFactory(
        broker=broker, service_type=ServiceTypeFactory(slug="translation", name_en="Translation")
    )
    page = client.get("/en/brokers/").content.decode()
    assert "Translation" in page  # listed
    assert "Logistics" in page  # declared on the profile
    assert "Arabic" in page
    assert "English" in page
    assert oman.name_en in page
    assert "1 service to book" in page


def test_directory_filters_by_listed_service_type_and_by_country(client):
    oman = TargetCountryFactory(iso_code="OM")
    translation = ServiceTypeFactory(slug="translation")
    BrokerFactory(name_en="Iraq Logistics")
    lister = BrokerFactory(name_en="Gulf Translators", countries=[oman])
    BrokerServiceFactory(broker=lister, service_type=translation)
    withdrawn = BrokerFactory(name_en="Quiet Translators")
    BrokerServiceFactory(broker=withdrawn, service_type=translation, is_active=False)
    assert names(client, "?service=translation") == {"Gulf Translators"}
    assert names(client, "?service=translation&country=OM") == {"Gulf Translators"}
    assert names(client, "?service=translation&country=IQ") == set()
    assert names(client, "?service=logistics") == {"Iraq Logistics", "Gulf Translators", "Quiet Translators"}


def test_directory_query_count_does_not_grow_with_its_length(client, django_assert_num_queries):
    countries = [TargetCountryFactory(iso_code="IQ"), TargetCountryFactory(iso_code="AF")]
    types = [ServiceTypeFactory(slug="logistics"), ServiceTypeFactory(slug="customs")]

    def add(count: int) -> None:
        for broker in BrokerFactory.create_batch(count, countries=countries, services=types):
            for service_type in types:
                BrokerServiceFactory(broker=broker, service_type=service_type)

    add(2)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get("/en/brokers/?x=1").context["page_obj"]) == 2
    with CaptureQueriesContext(connection) as few_filtered:
        assert len(client.get("/en/brokers/?service=customs&country=AF&language=fa").context["page_obj"]) == 2
    add(10)
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(client.get("/en/brokers/?x=2").context["page_obj"]) == 12
    with django_assert_num_queries(len(few_filtered.captured_queries)):
        page = client.get("/en/brokers/?service=customs&country=AF&language=fa&x=2")
        assert len(page.context["page_obj"]) == 12


def test_directory_and_api_filter_by_working_language(client, django_assert_num_queries):
    BrokerFactory(name_en="Gulf Translators", languages=["ar", "en"])
    BrokerFactory(name_en="Caspian Brokers", languages=["fa", "ru", "az"])
    BrokerFactory(name_en="Silent Brokers", languages=[])
    assert names(client, "?language=ar") == {"Gulf Translators"}
    assert names(client, "?language=ru") == {"Caspian Brokers"}
    assert names(client, "?language=fa&country=IQ") == {"Caspian Brokers"}
    assert names(client, "?language=zh") == set()
    page = client.get("/en/brokers/?language=ar").content.decode()
    assert 'name="language"' in page
    assert '<option value="ar" selected>Arabic</option>' in page
    assert names(client, "?language=xx") == {"Gulf Translators", "Caspian Brokers", "Silent Brokers"}
    api = client.get("/api/v1/brokers/?language=ru").json()
    assert [b["name_en"] for b in api["results"]] == ["Caspian Brokers"]
    assert client.get("/api/v1/brokers/?language=xx").status_code == 400
