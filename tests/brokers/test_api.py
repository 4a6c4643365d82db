from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from brokers.models import Broker, Offer, OfferResponse
from portal.models import Notification
from tests.brokers.factories import (
    BrokerFactory,
    BrokerMembershipFactory,
    OfferFactory,
    OfferResponseFactory,
    ServiceTypeFactory,
    broker_suspend_now,
)
from tests.companies.factories import CompanyFactory, MembershipFactory
from tests.portal.factories import TargetCountryFactory
from tests.products.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db

BROKERS = "/api/v1/brokers/"
OFFERS = "/api/v1/offers/"
RESPONSES = "/api/v1/offer-responses/"


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["results"]}


def in_days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def offer_payload(**changes: object) -> dict[str, object]:
    CategoryFactory(slug="masks")
    payload = {
        "kind": "demand",
        "country": "IQ",
        "categories": ["masks"],
        "title_fa": "نیاز به دستکش جراحی",
        "title_en": "Surgical gloves needed",
        "description_fa": "یک توزیع‌کننده در بغداد دستکش می‌خواهد",
        "description_en": "A distributor in Baghdad wants gloves",
        "quantity": 20_000,
        "unit": "pair",
        "target_price": "0.05",
        "currency": "USD",
        "deadline": in_days(21).isoformat(),
    }
    payload.update(changes)
    return payload


def nested(offer: Offer) -> str:
    return f"{OFFERS}{offer.pk}/responses/"


@pytest.fixture
def pending_brokerage(db):
    return BrokerFactory(pending=True, name_en="Pending Brokers")


@pytest.fixture
def pending_broker_member(pending_brokerage):
    return BrokerMembershipFactory(broker=pending_brokerage).user


@pytest.fixture
def board(brokerage, pending_brokerage):
    """Pars's offers in every state, and an open offer of a brokerage not yet approved."""
    return {
        "open": OfferFactory(broker=brokerage),
        "draft": OfferFactory(broker=brokerage, draft=True),
        "closed": OfferFactory(broker=brokerage, closed=True),
        "pending_broker": OfferFactory(broker=pending_brokerage),
    }


# Like the rows the services write, these name their creator.
@pytest.fixture
def open_offer(brokerage, broker_member):
    return OfferFactory(broker=brokerage, created_by=broker_member, title_en="Masks for Baghdad")


@pytest.fixture
def draft_offer(brokerage, broker_member):
    return OfferFactory(
        broker=brokerage,
        created_by=broker_member,
        draft=True,
        title_en="Draft for Basra",
    )


@pytest.fixture
def mask(company):
    """Alpha's published product, which it offers in its responses."""
    return ProductFactory(company=company)


def response_payload(product, **changes: object) -> dict[str, object]:
    payload = {
        "products": [product.pk],
        "unit_price": "0.09",
        "currency": "USD",
        "quantity": 40_000,
        "lead_time_days": 12,
        "message": "Ready to ship from Bandar Abbas",
    }
    payload.update(changes)
    return payload


@pytest.fixture
def alpha_response(open_offer, company, company_member, mask):
    response = OfferResponseFactory(offer=open_offer, company=company, created_by=company_member)
    response.products.set([mask])
    return response


# --- brokers: visibility ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("persona", "sees_pending"),
    [
        ("anonymous", False),
        ("signed_up_user", False),
        ("company_member", False),
        ("broker_member", False),
        ("reviewer", False),
        ("pending_broker_member", True),
    ],
)
def test_broker_list_shows_approved_brokerages_and_only_the_callers_own_pending_one(
    request, client_for, brokerage, pending_brokerage, persona, sees_pending
):
    visible = ids(client_for(request.getfixturevalue(persona)).get(BROKERS))
    assert brokerage.pk in visible
    assert (pending_brokerage.pk in visible) is sees_pending


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", 404), ("broker_member", 404), ("reviewer", 404), ("pending_broker_member", 200)],
)
def test_a_pending_brokerage_is_a_404_except_for_its_own_members(
    request, client_for, pending_brokerage, persona, expected
):
    response = client_for(request.getfixturevalue(persona)).get(f"{BROKERS}{pending_brokerage.pk}/")
    assert response.status_code == expected


@pytest.mark.parametrize(
    ("persona", "sees_licence_number"),
    [
        ("anonymous", False),
        ("company_member", False),
        ("other_broker_member", False),
        ("reviewer", False),
        ("broker_member", True),
    ],
)
def test_the_licence_number_is_shown_only_to_the_brokerages_members_and_the_file_never(
    request, client_for, brokerage, persona, sees_licence_number
):
    data = client_for(request.getfixturevalue(persona)).get(f"{BROKERS}{brokerage.pk}/").json()
    assert ("licence_number" in data) is sees_licence_number
    if sees_licence_number:
        assert data["licence_number"] == brokerage.licence_number
    assert "licence_file" not in data


def test_broker_shows_its_public_profile(client_for, brokerage):
    data = client_for(None).get(f"{BROKERS}{brokerage.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert data["name"] == "Pars Export Brokers"
    assert data["name_fa"] == "کارگزاری پارس"
    assert data["services"] == ["logistics"]
    assert data["countries"] == ["IQ"]
    assert data["languages"] == ["fa", "ar"]
    assert (data["email"], data["phone"]) == (brokerage.email, brokerage.phone)
    assert data["status"] == "approved"
    assert data["logo"] is None


# --- brokers: filters -------------------------------------------------------------------------
def test_brokers_filter_by_covered_country(client_for, brokerage):
    in_kabul = BrokerFactory(countries=[TargetCountryFactory(iso_code="AF")])
    assert ids(client_for(None).get(BROKERS, {"country": "AF"})) == {in_kabul.pk}


def test_brokers_filter_by_service(client_for, brokerage):
    customs = BrokerFactory(services=[ServiceTypeFactory(slug="customs")])
    assert ids(client_for(None).get(BROKERS, {"service": "customs"})) == {customs.pk}


@pytest.mark.parametrize("persona", ["anonymous", "broker_member"])
@pytest.mark.parametrize("text", ["کیان", "كيان", "kian"])
def test_brokers_search_by_name_in_persian_arabic_keyboard_or_english(
    request, client_for, brokerage, persona, text
):
    kian = BrokerFactory(name_fa="بازرگانی کیان", name_en="Kian Trading")
    client = client_for(request.getfixturevalue(persona))
    assert ids(client.get(BROKERS, {"search": text})) == {kian.pk}


def test_an_unknown_broker_filter_value_is_a_400_naming_the_filter(client_for):
    response = client_for(None).get(BROKERS, {"country": "ZZ"})
    assert response.status_code == 400
    assert "country" in response.json()["error"]["fields"]


@pytest.mark.parametrize("persona", ["anonymous", "broker_member"])
def test_broker_list_query_count_does_not_grow_with_length(
    request, client_for, persona, django_assert_max_num_queries, django_assert_num_queries
):
    client = client_for(request.getfixturevalue(persona))
    countries = [TargetCountryFactory(iso_code="IQ"), TargetCountryFactory(iso_code="AF")]
    services = [ServiceTypeFactory(slug="logistics"), ServiceTypeFactory(slug="customs")]
    BrokerFactory.create_batch(3, countries=countries, services=services)
    start = 3 + (persona == "broker_member")
    with django_assert_max_num_queries(10) as few:
        assert client.get(BROKERS).json()["count"] == start
    BrokerFactory.create_batch(12, countries=countries, services=services)
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(BROKERS).json()["count"] == start + 12


@pytest.mark.parametrize(("persona", "expected"), [("anonymous", 403), ("broker_member", 405)])
def test_brokers_are_read_only(request, client_for, brokerage, persona, expected):
    client = client_for(request.getfixturevalue(persona))
    assert client.post(BROKERS, {}, content_type="application/json").status_code == expected
    assert client.patch(f"{BROKERS}{brokerage.pk}/", {}, content_type="application/json").status_code == (
        expected
    )


# --- offers: visibility -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("anonymous", {"open"}),
        ("signed_up_user", {"open"}),
        ("company_member", {"open"}),
        ("other_broker_member", {"open"}),
        ("reviewer", {"open"}),
        ("broker_member", {"open", "draft", "closed"}),
        ("pending_broker_member", {"open", "pending_broker"}),
    ],
)
def test_offer_list_shows_open_offers_of_approved_brokerages_and_the_callers_own(
    request, client_for, board, persona, visible
):
    client = client_for(request.getfixturevalue(persona))
    assert ids(client.get(OFFERS)) == {board[key].pk for key in visible}


@pytest.mark.parametrize(
    ("persona", "key", "expected"),
    [
        ("anonymous", "open", 200),
        ("anonymous", "draft", 404),
        ("anonymous", "closed", 404),
        ("anonymous", "pending_broker", 404),
        ("company_member", "draft", 404),
        ("other_broker_member", "draft", 404),
        ("other_broker_member", "closed", 404),
        ("broker_member", "draft", 200),
        ("broker_member", "closed", 200),
        ("broker_member", "pending_broker", 404),
    ],
)
def test_offer_detail_is_a_404_for_offers_the_caller_may_not_see(
    request, client_for, board, persona, key, expected
):
    response = client_for(request.getfixturevalue(persona)).get(f"{OFFERS}{board[key].pk}/")
    assert response.status_code == expected
    if expected == 404:
        assert response.json()["error"]["code"] == "not_found"


def test_offer_detail_shows_country_categories_and_broker(client_for, brokerage):
    offer = OfferFactory(
        broker=brokerage,
        categories=[CategoryFactory(slug="masks"), CategoryFactory(slug="ppe")],
        title_fa="ماسک برای بغداد",
        title_en="Masks for Baghdad",
        target_price=Decimal("0.08"),
    )
    client = client_for(None)
    data = client.get(f"{OFFERS}{offer.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert data["title"] == "Masks for Baghdad"
    assert data["country"] == "IQ"
    assert sorted(data["categories"]) == ["masks", "ppe"]
    assert data["broker"] == {"id": brokerage.pk, "name": "Pars Export Brokers"}
    assert (data["kind"], data["status"], data["unit"]) == ("demand", "open", "piece")
    assert (data["quantity"], data["target_price"], data["currency"]) == (100_000, "0.08", "USD")
    assert data["deadline"] == offer.deadline.isoformat()
    assert data["published_at"]
    assert client.get(f"{OFFERS}{offer.pk}/", HTTP_ACCEPT_LANGUAGE="fa").json()["title"] == "ماسک برای بغداد"


# --- offers: filters --------------------------------------------------------------------------
def test_offers_filter_by_country(client_for, brokerage):
    iraq = OfferFactory(broker=brokerage)
    afghanistan = TargetCountryFactory(iso_code="AF")
    OfferFactory(broker=BrokerFactory(countries=[afghanistan]), country=afghanistan)
    assert ids(client_for(None).get(OFFERS, {"country": "IQ"})) == {iraq.pk}


def test_offers_filter_by_category(client_for, brokerage):
    ventilators = OfferFactory(broker=brokerage, categories=[CategoryFactory(slug="ventilators")])
    OfferFactory(broker=brokerage, categories=[CategoryFactory(slug="masks")])
    assert ids(client_for(None).get(OFFERS, {"category": "ventilators"})) == {ventilators.pk}


def test_offers_filter_by_kind(client_for, brokerage):
    service = OfferFactory(broker=brokerage, kind=Offer.Kind.SERVICE)
    OfferFactory(broker=brokerage, kind=Offer.Kind.DEMAND)
    assert ids(client_for(None).get(OFFERS, {"kind": "service"})) == {service.pk}


def test_offers_filter_by_deadline_and_broker(client_for, brokerage, other_broker_member):
    soon = OfferFactory(broker=brokerage, deadline=in_days(3))
    OfferFactory(broker=brokerage, deadline=in_days(60))
    OfferFactory(broker=Broker.objects.get(name_en="Rival Brokers"), deadline=in_days(3))
    query = {"deadline_before": in_days(7).isoformat(), "broker": brokerage.pk}
    assert ids(client_for(None).get(OFFERS, query)) == {soon.pk}


@pytest.mark.parametrize("text", ["اکسیژن", "اكسيژن", "oxygen"])
def test_offers_search_by_a_word_of_the_title(client_for, brokerage, text):
    oxygen = OfferFactory(broker=brokerage, title_fa="نیاز به اکسیژن ساز", title_en="Oxygen needed")
    OfferFactory(broker=brokerage, title_fa="نیاز به ماسک", title_en="Masks needed")
    assert ids(client_for(None).get(OFFERS, {"search": text})) == {oxygen.pk}


def test_an_unknown_offer_filter_value_is_a_400_naming_the_filter(client_for):
    response = client_for(None).get(OFFERS, {"category": "no-such-category"})
    assert response.status_code == 400
    assert "category" in response.json()["error"]["fields"]


@pytest.mark.parametrize("persona", ["anonymous", "broker_member"])
def test_offer_list_query_count_does_not_grow_with_length(
    request, client_for, brokerage, persona, django_assert_max_num_queries, django_assert_num_queries
):
    client = client_for(request.getfixturevalue(persona))
    categories = [CategoryFactory(slug="masks"), CategoryFactory(slug="ppe")]
    OfferFactory.create_batch(3, broker=brokerage, categories=categories)
    with django_assert_max_num_queries(10) as few:
        assert client.get(OFFERS).json()["count"] == 3
    OfferFactory.create_batch(12, broker=brokerage, categories=categories)
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(OFFERS).json()["count"] == 15


# --- offers: writes ---------------------------------------------------------------------------
def test_broker_member_creates_an_open_offer_for_their_own_brokerage(
    client_for, broker_member, brokerage, other_broker_member
):
    rival = Broker.objects.get(name_en="Rival Brokers")
    payload = offer_payload(broker=rival.pk, status="closed")

    response = client_for(broker_member).post(OFFERS, payload, content_type="application/json")

    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["status"], data["broker"]["id"], data["country"]) == ("open", brokerage.pk, "IQ")
    assert data["categories"] == ["masks"]
    assert data["published_at"]
    offer = Offer.objects.get(pk=data["id"])
    assert (offer.broker, offer.created_by, offer.status) == (brokerage, broker_member, Offer.Status.OPEN)
    assert offer.pk in ids(client_for(None).get(OFFERS))


def test_broker_member_creates_a_draft_with_publish_false(client_for, broker_member):
    response = client_for(broker_member).post(
        OFFERS, offer_payload(publish=False), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert (response.json()["status"], response.json()["published_at"]) == ("draft", None)
    assert response.json()["id"] not in ids(client_for(None).get(OFFERS))


def test_offer_create_accepts_persian_and_arabic_indic_digits(client_for, broker_member):
    deadline = in_days(30).isoformat()
    persian_deadline = deadline.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    payload = offer_payload(quantity="۵۰۰۰", target_price="١٫٢٥", deadline=persian_deadline)
    response = client_for(broker_member).post(OFFERS, payload, content_type="application/json")
    assert response.status_code == 201, response.content
    offer = Offer.objects.get(pk=response.json()["id"])
    assert (offer.quantity, offer.target_price, offer.deadline.isoformat()) == (
        5000,
        Decimal("1.25"),
        deadline,
    )


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", 403),
        ("signed_up_user", 403),
        ("company_member", 403),
        ("reviewer", 403),
        ("manager", 403),
        ("broker_member", 201),
    ],
)
def test_only_brokerage_members_may_create_offers(request, client_for, brokerage, persona, expected):
    client = client_for(request.getfixturevalue(persona))
    response = client.post(OFFERS, offer_payload(), content_type="application/json")
    assert response.status_code == expected
    if expected == 403:
        assert response.json()["error"]["code"] in {"permission_denied", "not_authenticated"}
        assert not Offer.objects.exists()


def test_a_pending_brokerage_cannot_publish_an_offer(client_for, pending_broker_member):
    response = client_for(pending_broker_member).post(
        OFFERS, offer_payload(), content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert not Offer.objects.exists()


def test_a_pending_brokerage_may_prepare_a_draft(client_for, pending_broker_member, pending_brokerage):
    response = client_for(pending_broker_member).post(
        OFFERS, offer_payload(publish=False), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert Offer.objects.get().status == Offer.Status.DRAFT


def test_a_suspended_brokerage_cannot_create_or_change_offers(
    client_for, broker_member, brokerage, draft_offer
):
    broker_suspend_now(brokerage)
    client = client_for(broker_member)
    created = client.post(OFFERS, offer_payload(publish=False), content_type="application/json")
    changed = client.patch(f"{OFFERS}{draft_offer.pk}/", {"title_en": "x"}, content_type="application/json")
    assert (created.status_code, changed.status_code) == (403, 403)
    assert Offer.objects.count() == 1
    draft_offer.refresh_from_db()
    assert draft_offer.title_en == "Draft for Basra"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("country", "AF"),  # active, but the brokerage does not cover it
        ("country", "ZZ"),
        ("deadline", (timezone.localdate() - dt.timedelta(days=1)).isoformat()),
        ("quantity", -5),
        ("quantity", "۰"),
        ("currency", "XYZ"),
        ("unit", "barrel"),
        ("target_price", "-1"),
        ("categories", ["no-such-category"]),
        ("categories", []),
        ("kind", "auction"),
    ],
)
def test_offer_create_with_an_invalid_field_is_a_400_naming_the_field_and_saves_nothing(
    client_for, broker_member, field, value
):
    TargetCountryFactory(iso_code="AF")
    response = client_for(broker_member).post(
        OFFERS, offer_payload(**{field: value}), content_type="application/json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"]
    assert not Offer.objects.exists()


def test_a_demand_without_a_quantity_is_a_400_naming_the_quantity(client_for, broker_member):
    response = client_for(broker_member).post(
        OFFERS, offer_payload(quantity=None, unit=""), content_type="application/json"
    )
    assert response.status_code == 400
    assert "quantity" in response.json()["error"]["fields"]


def test_broker_member_updates_their_offer_with_patch(client_for, broker_member, draft_offer):
    CategoryFactory(slug="ppe")
    response = client_for(broker_member).patch(
        f"{OFFERS}{draft_offer.pk}/",
        {"title_en": "Renamed", "quantity": "۲۵۰۰", "categories": ["ppe"]},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert (response.json()["title_en"], response.json()["categories"]) == ("Renamed", ["ppe"])
    draft_offer.refresh_from_db()
    assert (draft_offer.title_en, draft_offer.quantity) == ("Renamed", 2500)
    assert draft_offer.status == Offer.Status.DRAFT  # a patch never publishes
    assert draft_offer.title_fa.startswith("نیاز")  # untouched by a partial update


def test_put_replaces_every_writable_field_of_the_offer(client_for, broker_member, draft_offer):
    response = client_for(broker_member).put(
        f"{OFFERS}{draft_offer.pk}/", offer_payload(title_en="Replaced"), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    draft_offer.refresh_from_db()
    assert (draft_offer.title_en, draft_offer.unit, draft_offer.quantity) == ("Replaced", "pair", 20_000)
    assert list(draft_offer.categories.values_list("slug", flat=True)) == ["masks"]


def test_put_without_the_required_fields_is_a_400(client_for, broker_member, draft_offer):
    response = client_for(broker_member).put(
        f"{OFFERS}{draft_offer.pk}/", {"title_en": "Only this"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "deadline" in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("deadline", "2001-01-01"), ("country", "AF"), ("quantity", -1), ("currency", "XYZ")],
)
def test_an_invalid_offer_update_is_a_400_and_changes_nothing(
    client_for, broker_member, open_offer, field, value
):
    TargetCountryFactory(iso_code="AF")
    response = client_for(broker_member).patch(
        f"{OFFERS}{open_offer.pk}/", {"title_en": "New", field: value}, content_type="application/json"
    )
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    open_offer.refresh_from_db()
    assert open_offer.title_en == "Masks for Baghdad"


def test_broker_member_publishes_closes_and_reopens_their_offer(client_for, broker_member, draft_offer):
    client = client_for(broker_member)

    published = client.post(f"{OFFERS}{draft_offer.pk}/publish/")
    assert published.status_code == 200, published.content
    assert published.json()["status"] == "open"
    assert published.json()["published_at"]
    assert draft_offer.pk in ids(client_for(None).get(OFFERS))

    closed = client.post(f"{OFFERS}{draft_offer.pk}/close/")
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    assert draft_offer.pk not in ids(client_for(None).get(OFFERS))

    reopened = client.post(f"{OFFERS}{draft_offer.pk}/publish/")
    assert reopened.json()["status"] == "open"
    draft_offer.refresh_from_db()
    assert (draft_offer.status, draft_offer.closed_at) == (Offer.Status.OPEN, None)


def test_publishing_a_draft_whose_deadline_passed_is_a_400(client_for, broker_member, brokerage):
    stale = OfferFactory(broker=brokerage, draft=True, deadline=in_days(-2))
    response = client_for(broker_member).post(f"{OFFERS}{stale.pk}/publish/")
    assert response.status_code == 400
    assert "deadline" in response.json()["error"]["fields"]
    stale.refresh_from_db()
    assert stale.status == Offer.Status.DRAFT


def test_a_pending_brokerage_cannot_publish_its_draft(client_for, pending_broker_member, pending_brokerage):
    draft = OfferFactory(broker=pending_brokerage, draft=True)
    response = client_for(pending_broker_member).post(f"{OFFERS}{draft.pk}/publish/")
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == Offer.Status.DRAFT


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", 403),
        ("signed_up_user", 403),
        ("company_member", 403),
        ("reviewer", 403),
        ("other_broker_member", 404),
    ],
)
@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("patch", "", {"title_en": "Hijacked"}),
        ("put", "", "full"),
        ("post", "publish/", None),
        ("post", "close/", None),
    ],
)
def test_only_the_offers_brokerage_may_change_it(
    request, client_for, draft_offer, persona, expected, method, suffix, body
):
    body = offer_payload(title_en="Hijacked") if body == "full" else body
    client = client_for(request.getfixturevalue(persona))
    response = getattr(client, method)(
        f"{OFFERS}{draft_offer.pk}/{suffix}", body, content_type="application/json"
    )
    assert response.status_code == expected
    draft_offer.refresh_from_db()
    assert (draft_offer.title_en, draft_offer.status) == ("Draft for Basra", Offer.Status.DRAFT)


def test_a_public_offer_of_another_brokerage_is_a_404_on_write(client_for, other_broker_member, open_offer):
    client = client_for(other_broker_member)
    assert client.get(f"{OFFERS}{open_offer.pk}/").status_code == 200
    assert client.post(f"{OFFERS}{open_offer.pk}/close/").status_code == 404
    open_offer.refresh_from_db()
    assert open_offer.status == Offer.Status.OPEN


@pytest.mark.parametrize("persona", ["broker_member", "other_broker_member"])
def test_offers_cannot_be_deleted_through_the_api(request, client_for, open_offer, persona):
    response = client_for(request.getfixturevalue(persona)).delete(f"{OFFERS}{open_offer.pk}/")
    assert response.status_code == 405
    assert Offer.objects.filter(pk=open_offer.pk).exists()


def test_the_offer_list_rejects_put(client_for, broker_member):
    assert client_for(broker_member).put(OFFERS, {}, content_type="application/json").status_code == 405


# --- responses: writes ------------------------------------------------------------------------
def test_company_member_responds_to_an_open_offer_and_the_brokerage_is_told(
    client_for, company_member, company, broker_member, open_offer, mask
):
    response = client_for(company_member).post(
        nested(open_offer), response_payload(mask), content_type="application/json"
    )

    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["offer"], data["company"]) == (open_offer.pk, {"id": company.pk, "name": company.name})
    assert (data["products"], data["unit_price"], data["quantity"]) == ([mask.pk], "0.09", 40_000)
    assert (data["status"], data["decided_at"]) == ("submitted", None)
    stored = OfferResponse.objects.get()
    assert (stored.offer, stored.company, stored.created_by) == (open_offer, company, company_member)
    assert Notification.objects.filter(recipient=broker_member, kind="offer_response_received").exists()


def test_a_second_post_changes_the_companys_one_response(client_for, company_member, open_offer, mask):
    client = client_for(company_member)
    first = client.post(nested(open_offer), response_payload(mask), content_type="application/json")
    second = client.post(
        nested(open_offer),
        response_payload(mask, unit_price="0.07", lead_time_days=9),
        content_type="application/json",
    )
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["id"] == first.json()["id"]
    stored = OfferResponse.objects.get()
    assert (stored.unit_price, stored.lead_time_days) == (Decimal("0.07"), 9)


def test_response_accepts_persian_and_arabic_indic_digits(client_for, company_member, open_offer, mask):
    payload = response_payload(mask, unit_price="۰٫۱۲", quantity="۳۰۰۰۰", lead_time_days="١٤")
    response = client_for(company_member).post(nested(open_offer), payload, content_type="application/json")
    assert response.status_code == 201, response.content
    stored = OfferResponse.objects.get()
    assert (stored.unit_price, stored.quantity, stored.lead_time_days) == (Decimal("0.12"), 30_000, 14)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", 403),
        ("signed_up_user", 403),
        ("broker_member", 403),
        ("other_broker_member", 403),
        ("reviewer", 403),
        ("company_member", 201),
    ],
)
def test_only_company_members_may_respond_to_offers(request, client_for, open_offer, mask, persona, expected):
    client = client_for(request.getfixturevalue(persona))
    response = client.post(nested(open_offer), response_payload(mask), content_type="application/json")
    assert response.status_code == expected
    if expected == 403:
        assert not OfferResponse.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("products", "foreign"),
        ("products", "draft"),
        ("products", []),
        ("unit_price", "-1"),
        ("quantity", 0),
        ("lead_time_days", "abc"),
        ("currency", "XYZ"),
    ],
)
def test_an_invalid_response_is_a_400_naming_the_field_and_saves_nothing(
    client_for, company_member, company, open_offer, mask, field, value
):
    if value == "foreign":
        value = [ProductFactory(company=CompanyFactory()).pk]
    elif value == "draft":
        value = [ProductFactory(company=company, draft=True).pk]
    response = client_for(company_member).post(
        nested(open_offer), response_payload(mask, **{field: value}), content_type="application/json"
    )
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not OfferResponse.objects.exists()


@pytest.mark.parametrize("status", [Offer.Status.DRAFT, Offer.Status.CLOSED])
def test_a_draft_or_closed_offer_is_a_404_to_a_responding_company(
    client_for, company_member, open_offer, mask, status
):
    Offer.objects.filter(pk=open_offer.pk).update(status=status)
    response = client_for(company_member).post(
        nested(open_offer), response_payload(mask), content_type="application/json"
    )
    assert response.status_code == 404
    assert not OfferResponse.objects.exists()


def test_an_open_offer_past_its_deadline_takes_no_responses(client_for, company_member, brokerage, mask):
    late = OfferFactory(broker=brokerage, deadline=in_days(-1))
    response = client_for(company_member).post(
        nested(late), response_payload(mask), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["non_field_errors"]
    assert not OfferResponse.objects.exists()


def test_an_unverified_companys_member_cannot_respond(client_for, open_offer):
    member = MembershipFactory(company=CompanyFactory(pending=True)).user
    product = ProductFactory(company=member.company_membership.company)
    response = client_for(member).post(
        nested(open_offer), response_payload(product), content_type="application/json"
    )
    assert response.status_code == 403
    assert not OfferResponse.objects.exists()


# --- responses: reads -------------------------------------------------------------------------
@pytest.fixture
def beta_response(open_offer, other_company):
    return OfferResponseFactory(offer=open_offer, company=other_company)


@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("broker_member", {"alpha", "beta"}),
        ("company_member", {"alpha"}),
        ("other_company_member", {"beta"}),
    ],
)
def test_nested_responses_show_all_to_the_brokerage_and_only_their_own_to_a_company(
    request, client_for, alpha_response, beta_response, persona, visible
):
    responses = {"alpha": alpha_response, "beta": beta_response}
    client = client_for(request.getfixturevalue(persona))
    assert ids(client.get(nested(alpha_response.offer))) == {responses[key].pk for key in visible}


def test_a_company_that_has_not_responded_sees_an_empty_nested_list(
    client_for, alpha_response, other_company_member
):
    assert ids(client_for(other_company_member).get(nested(alpha_response.offer))) == set()


@pytest.mark.parametrize("persona", ["anonymous", "signed_up_user", "other_broker_member", "reviewer"])
def test_anyone_else_gets_a_404_for_an_offers_responses(request, client_for, alpha_response, persona):
    response = client_for(request.getfixturevalue(persona)).get(nested(alpha_response.offer))
    assert response.status_code == 404


def test_the_responses_of_an_offer_the_company_cannot_see_are_a_404(client_for, company_member, draft_offer):
    assert client_for(company_member).get(nested(draft_offer)).status_code == 404


@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("anonymous", set()),
        ("signed_up_user", set()),
        ("other_company_member", set()),
        ("other_broker_member", set()),
        ("reviewer", set()),
        ("company_member", {"alpha"}),
        ("broker_member", {"alpha", "elsewhere"}),
    ],
)
def test_response_list_shows_a_companys_own_and_a_brokerages_received_responses(
    request, client_for, brokerage, alpha_response, persona, visible
):
    responses = {
        "alpha": alpha_response,
        "elsewhere": OfferResponseFactory(offer=OfferFactory(broker=brokerage)),
    }
    client = client_for(request.getfixturevalue(persona))
    assert ids(client.get(RESPONSES)) == {responses[key].pk for key in visible}


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", 404),
        ("other_company_member", 404),
        ("other_broker_member", 404),
        ("reviewer", 404),
        ("company_member", 200),
        ("broker_member", 200),
    ],
)
def test_response_detail_is_a_404_for_anyone_but_the_company_and_the_brokerage(
    request, client_for, alpha_response, persona, expected
):
    response = client_for(request.getfixturevalue(persona)).get(f"{RESPONSES}{alpha_response.pk}/")
    assert response.status_code == expected


def test_response_detail_shows_offer_company_and_products(
    client_for, company_member, company, alpha_response, mask
):
    data = client_for(company_member).get(f"{RESPONSES}{alpha_response.pk}/").json()
    assert (data["offer"], data["company"]["id"], data["products"]) == (
        alpha_response.offer_id,
        company.pk,
        [mask.pk],
    )
    assert (data["unit_price"], data["quantity"], data["lead_time_days"]) == ("0.10", 50_000, 14)
    assert (data["status"], data["decided_at"]) == ("submitted", None)
    assert data["created_at"]


def test_responses_filter_by_status(client_for, broker_member, alpha_response, beta_response):
    OfferResponse.objects.filter(pk=beta_response.pk).update(status=OfferResponse.Status.SHORTLISTED)
    assert ids(client_for(broker_member).get(RESPONSES, {"status": "shortlisted"})) == {beta_response.pk}


def test_response_list_query_count_does_not_grow_with_length(
    client_for, broker_member, brokerage, django_assert_max_num_queries, django_assert_num_queries
):
    client = client_for(broker_member)

    def stock(count: int) -> None:
        for response in OfferResponseFactory.create_batch(count, offer=OfferFactory(broker=brokerage)):
            response.products.set(ProductFactory.create_batch(2, company=response.company))

    stock(3)
    with django_assert_max_num_queries(10) as few:
        assert client.get(RESPONSES).json()["count"] == 3
    stock(12)
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(RESPONSES).json()["count"] == 15


# --- responses: decisions ---------------------------------------------------------------------
@pytest.mark.parametrize("decision", ["shortlisted", "accepted", "declined"])
def test_broker_member_decides_and_the_company_is_told(
    client_for, broker_member, company_member, alpha_response, decision
):
    response = client_for(broker_member).post(
        f"{RESPONSES}{alpha_response.pk}/decide/", {"status": decision}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == decision
    assert bool(response.json()["decided_at"]) is (decision != "shortlisted")
    alpha_response.refresh_from_db()
    assert alpha_response.status == decision
    assert Notification.objects.filter(recipient=company_member, kind=f"offer_response_{decision}").exists()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", 403),
        ("signed_up_user", 404),
        ("company_member", 404),
        ("other_company_member", 404),
        ("other_broker_member", 404),
        ("reviewer", 404),
    ],
)
def test_only_the_offers_brokerage_may_decide_on_a_response(
    request, client_for, company_member, alpha_response, persona, expected
):
    client = client_for(request.getfixturevalue(persona))
    response = client.post(
        f"{RESPONSES}{alpha_response.pk}/decide/", {"status": "accepted"}, content_type="application/json"
    )
    assert response.status_code == expected
    alpha_response.refresh_from_db()
    assert alpha_response.status == OfferResponse.Status.SUBMITTED
    assert not Notification.objects.filter(kind__startswith="offer_response_").exists()


@pytest.mark.parametrize("decision", ["submitted", "maybe", ""])
def test_an_unknown_decision_is_a_400_naming_the_status(client_for, broker_member, alpha_response, decision):
    response = client_for(broker_member).post(
        f"{RESPONSES}{alpha_response.pk}/decide/", {"status": decision}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "status" in response.json()["error"]["fields"]


def test_a_decided_response_cannot_be_decided_again_nor_changed_by_the_company(
    client_for, broker_member, company_member, alpha_response, mask
):
    url = f"{RESPONSES}{alpha_response.pk}/decide/"
    assert (
        client_for(broker_member)
        .post(url, {"status": "declined"}, content_type="application/json")
        .status_code
        == 200
    )
    again = client_for(broker_member).post(url, {"status": "accepted"}, content_type="application/json")
    changed = client_for(company_member).post(
        nested(alpha_response.offer),
        response_payload(mask, unit_price="0.01"),
        content_type="application/json",
    )
    assert (again.status_code, changed.status_code) == (400, 400)
    alpha_response.refresh_from_db()
    assert (alpha_response.status, alpha_response.unit_price) == ("declined", Decimal("0.10"))


def test_a_suspended_brokerage_cannot_decide(client_for, broker_member, brokerage, alpha_response):
    broker_suspend_now(brokerage)
    response = client_for(broker_member).post(
        f"{RESPONSES}{alpha_response.pk}/decide/", {"status": "accepted"}, content_type="application/json"
    )
    assert response.status_code == 403
    alpha_response.refresh_from_db()
    assert alpha_response.status == OfferResponse.Status.SUBMITTED


# --- anonymous --------------------------------------------------------------------------------
def test_anonymous_writes_are_refused_everywhere(client_for, open_offer, alpha_response, mask):
    client = client_for(None)
    writes = [
        ("post", OFFERS, offer_payload()),
        ("patch", f"{OFFERS}{open_offer.pk}/", {"title_en": "x"}),
        ("post", f"{OFFERS}{open_offer.pk}/publish/", None),
        ("post", f"{OFFERS}{open_offer.pk}/close/", None),
        ("post", nested(open_offer), response_payload(mask)),
        ("post", f"{RESPONSES}{alpha_response.pk}/decide/", {"status": "accepted"}),
    ]
    for method, url, body in writes:
        response = getattr(client, method)(url, body, content_type="application/json")
        assert response.status_code == 403, (method, url)
        assert response.json()["error"]["code"] == "not_authenticated"
    open_offer.refresh_from_db()
    alpha_response.refresh_from_db()
    assert (open_offer.status, alpha_response.status) == (Offer.Status.OPEN, OfferResponse.Status.SUBMITTED)
