from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from brokers.models import Broker, BrokerMembership
from portal.models import Notification
from portal.permissions import Role, is_broker_member
from tests.brokers.factories import BrokerFactory, ServiceTypeFactory
from tests.companies.factories import PDF_BYTES
from tests.portal.factories import TargetCountryFactory

pytestmark = pytest.mark.django_db


def registration_data(**overrides: object) -> dict[str, object]:
    iraq = TargetCountryFactory(iso_code="IQ")
    logistics = ServiceTypeFactory(slug="logistics")
    data = {
        "name_fa": "کارگزاری دجله",
        "name_en": "Tigris Brokers",
        "licence_number": "EB-۱۴۰۴-۹۹",
        "licence_file": SimpleUploadedFile("licence.pdf", PDF_BYTES, content_type="application/pdf"),
        "licence_expires_on": (timezone.localdate() + dt.timedelta(days=365)).isoformat(),
        "services": [logistics.pk],
        "countries": [iraq.pk],
        "languages": ["fa", "ar"],
        "offices": "تهران، بغداد",
        "phone": "۰۲۱ ۸۸۰۰ ۰۰۰۰",
        "email": "desk@tigris.example",
    }
    data.update(overrides)
    return data


def test_registration_creates_a_pending_brokerage_hidden_from_the_public(
    client, client_for, signed_up_user, manager
):
    response = client_for(signed_up_user).post("/fa/brokers/register/", registration_data())
    assert response.status_code == 302, response.context["form"].errors
    broker = Broker.objects.get()
    assert broker.status == Broker.Status.PENDING
    assert broker.licence_number == "EB-1404-99"
    assert broker.phone == "02188000000"
    assert broker.languages == ["fa", "ar"]
    assert BrokerMembership.objects.get(user=signed_up_user).role == BrokerMembership.Role.OWNER
    signed_up_user.refresh_from_db()
    assert is_broker_member(signed_up_user)
    assert Notification.objects.filter(recipient=manager, kind="broker_registered").exists()
    assert client.get(f"/en/brokers/{broker.pk}/").status_code == 404
    assert "Tigris" not in client.get("/en/brokers/").content.decode()
    assert client_for(signed_up_user).get(f"/en/brokers/{broker.pk}/").status_code == 200


@pytest.mark.parametrize(
    ("field", "value"),
    [("services", []), ("countries", []), ("languages", ["xx"]), ("email", "nope"), ("phone", "x")],
)
def test_registration_field_errors_keep_input(client_for, signed_up_user, field, value):
    response = client_for(signed_up_user).post("/en/brokers/register/", registration_data(**{field: value}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert "Tigris Brokers" in response.content.decode()
    assert not Broker.objects.exists()


def test_duplicate_licence_number_is_a_field_error(client_for, signed_up_user):
    BrokerFactory(licence_number="EB-1404-99")
    response = client_for(signed_up_user).post("/en/brokers/register/", registration_data())
    assert response.context["form"].errors["licence_number"] == [
        "A brokerage with this licence number is already registered."
    ]


def test_a_company_member_cannot_also_register_a_brokerage(client_for, company_member):
    response = client_for(company_member).get("/en/brokers/register/")
    assert response["Location"] == "/en/companies/mine/"


CHANGELIST = "/admin/brokers/broker/"


def run_action(client, action, brokers, note=""):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [b.pk for b in brokers], "note": note, "index": 0},
        follow=True,
        headers={"accept-language": "en"},
    )


@pytest.mark.parametrize(("action", "status", "kind"), [
    ("approve", "approved", "broker_approved"),
    ("reject", "rejected", "broker_rejected"),
    ("suspend", "suspended", "broker_suspended"),
])  # fmt: skip
def test_manager_decides_on_a_brokerage_and_members_hear_of_it(
    client_for, manager, brokerage, broker_member, action, status, kind
):
    brokerage.status = Broker.Status.PENDING
    brokerage.save()
    run_action(client_for(manager), action, [brokerage], note="Licence checked")
    brokerage.refresh_from_db()
    assert brokerage.status == status
    assert Notification.objects.filter(recipient=broker_member, kind=kind).exists()


def test_rejection_needs_a_reason(client_for, manager, brokerage):
    brokerage.status = Broker.Status.PENDING
    brokerage.save()
    response = run_action(client_for(manager), "reject", [brokerage])
    assert "Write the reason in the note" in response.content.decode()
    brokerage.refresh_from_db()
    assert brokerage.status == Broker.Status.PENDING


def test_reviewer_cannot_approve(client_for, reviewer, brokerage):
    brokerage.status = Broker.Status.PENDING
    brokerage.save()
    run_action(client_for(reviewer), "approve", [brokerage])
    brokerage.refresh_from_db()
    assert brokerage.status == Broker.Status.PENDING


def test_directory_filters_by_country_and_service(client):
    oman = TargetCountryFactory(iso_code="OM")
    legal = ServiceTypeFactory(slug="legal")
    BrokerFactory(name_en="Iraq Logistics")
    BrokerFactory(name_en="Oman Legal", countries=[oman], services=[legal])
    BrokerFactory(name_en="Pending One", pending=True)
    names = lambda query: {b.name_en for b in client.get(f"/en/brokers/{query}").context["page_obj"]}  # noqa: E731
    assert names("") == {"Iraq Logistics", "Oman Legal"}
    assert names("?country=OM") == {"Oman Legal"}
    assert names("?service=legal") == {"Oman Legal"}
    # A country the directory does not know (an old link, a typed URL) filters nothing: the whole
    # directory, not an empty page or an error.
    response = client.get("/en/brokers/?country=ZZ")
    assert response.status_code == 200
    assert {b.name_en for b in response.context["page_obj"]} == {"Iraq Logistics", "Oman Legal"}


def test_licence_scan_is_private(client_for, brokerage, broker_member, other_broker_member, manager):
    url = brokerage.licence_file.url
    assert client_for(None).get(url).status_code == 404
    assert client_for(other_broker_member).get(url).status_code == 404
    assert client_for(broker_member).get(url).status_code == 200
    assert client_for(manager).get(url).status_code == 200


def test_broker_invitation_joins_the_colleague(
    client_for, broker_member, brokerage, django_capture_on_commit_callbacks
):
    from django.core import mail

    from brokers.models import BrokerInvitation
    from tests.portal.factories import UserFactory

    with django_capture_on_commit_callbacks(execute=True):
        client_for(broker_member).post("/en/brokers/mine/invite/", {"email": "colleague@broker.example"})
    invitation = BrokerInvitation.objects.get()
    assert len(mail.outbox) == 1
    colleague = UserFactory(email="colleague@broker.example")
    client_for(colleague).post(f"/en/brokers/invitations/{invitation.token}/")
    assert colleague.broker_membership.broker == brokerage
    assert colleague.groups.filter(name=Role.BROKER_MEMBER).exists()
