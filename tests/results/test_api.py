"""/api/v1/results/: the same aggregates as JSON, for programme managers only."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

URL = "/api/v1/results/"


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", 403), ("company_member", 403), ("broker_member", 403), ("reviewer", 403),
        ("manager", 200),
    ],
)  # fmt: skip
def test_only_programme_managers_read_the_results(request, client_for, persona, expected):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(URL).status_code == expected


def test_the_results_are_the_hand_sums(world, client_for, manager):
    data = client_for(manager).get(URL).json()
    assert data["totals"] == {
        "contracted_usd": "7000.00", "paid_usd": "1800.00", "contracted_deals": 3, "paid_deals": 2,
    }  # fmt: skip
    iraq = next(row for row in data["country"] if row["id"] == world.iraq.pk)
    assert (iraq["contracted_usd"], iraq["paid_usd"], iraq["name_en"]) == (
        "6000.00",
        "1800.00",
        world.iraq.name_en,
    )
    assert [row["id"] for row in data["broker"]] == [world.pars.pk, None]
    assert [(step["step"], step["count"]) for step in data["funnel"]][:3] == [
        ("offers", 2), ("responses", 3), ("shortlisted", 2),
    ]  # fmt: skip
    assert data["lost"] == [{"reason": "price", "deals": 1, "value_usd": "100.00"}]
    masks_abroad = next(row for row in data["programmes"] if row["id"] == world.masks_abroad.pk)
    assert (masks_abroad["granted"], masks_abroad["exported_usd"], masks_abroad["export_per_unit"]) == (
        "10000.00", "1800.00", "0.18",
    )  # fmt: skip


def test_the_filters_are_query_parameters(world, client_for, manager):
    client = client_for(manager)
    data = client.get(URL, {"programme": world.fairs.pk, "calendar": "jalali"}).json()
    assert data["totals"]["contracted_usd"] == "1000.00"
    assert [row["id"] for row in data["company"]] == [world.beta.pk]
    assert all(1390 < row["year"] < 1500 for row in data["month"])
    by_country = client.get(URL, {"country": world.afghanistan.pk}).json()
    assert [row["id"] for row in by_country["country"]] == [world.afghanistan.pk]


def test_bad_parameters_are_a_400_naming_the_field(world, client_for, manager):
    response = client_for(manager).get(URL, {"start": "yesterday", "programme": 999999, "calendar": "mayan"})
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert {"start", "programme", "calendar"} <= set(fields)


def test_the_results_are_read_only(client_for, manager):
    assert client_for(manager).post(URL, {}).status_code == 405


def test_the_schema_describes_the_results(client):
    schema = client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/results/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {
        "start",
        "end",
        "programme",
        "country",
        "calendar",
    }
