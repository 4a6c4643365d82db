"""The organisation core (portal/organisations): what companies and brokerages now do alike.

Each test runs for both kinds; where the two had drifted apart, it pins the behaviour both now share."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from brokers import services as broker_services
from brokers.models import Broker, BrokerInvitation
from companies import services as company_services
from companies.models import Company, CompanyInvitation
from portal.models import Notification
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_company_member_cannot_also_join_a_brokerage(company_member, brokerage):
    with translation.override("en"), pytest.raises(ValidationError) as error:
        broker_services.broker_member_add(broker=brokerage, user=company_member, role="member")
    assert error.value.messages == ["Members of a company cannot also join a brokerage."]
    assert not hasattr(company_member, "broker_membership")


def test_a_broker_member_cannot_also_join_a_company(broker_member, company):
    with translation.override("en"), pytest.raises(ValidationError) as error:
        company_services.company_member_add(company=company, user=broker_member, role="member")
    assert error.value.messages == ["Members of a brokerage cannot also join a company."]


@pytest.mark.parametrize(("persona", "register", "own_page", "message"), [
    ("company_member", "/en/brokers/register/", "/en/companies/mine/",
     "You are a member of a company; a brokerage needs its own account."),
    ("broker_member", "/en/companies/register/", "/en/brokers/mine/",
     "You are a member of a brokerage; a company needs its own account."),
])  # fmt: skip
def test_registering_the_other_kind_sends_the_member_to_their_own_organisation(
    request, client_for, persona, register, own_page, message
):
    client = client_for(request.getfixturevalue(persona))
    response = client.get(register, follow=True)
    assert response.redirect_chain[0][0] == own_page
    assert message in response.content.decode()


@pytest.mark.parametrize(("decide", "fixture"), [
    (lambda org, by, note: company_services.company_suspend(company=org, by=by, note=note), "company"),
    (lambda org, by, note: broker_services.broker_reject(broker=org, by=by, note=note), "brokerage"),
    (lambda org, by, note: broker_services.broker_suspend(broker=org, by=by, note=note), "brokerage"),
])  # fmt: skip
def test_a_decision_against_an_organisation_needs_a_reason_even_outside_the_admin(
    request, manager, decide, fixture
):
    organisation = request.getfixturevalue(fixture)
    before = organisation.status
    with pytest.raises(ValidationError):
        decide(organisation, manager, "  ")
    organisation.refresh_from_db()
    assert organisation.status == before
    assert not Notification.objects.exists()


def test_approving_needs_no_note_and_a_second_approval_tells_no_one_again(manager, company, company_member):
    company.status = Company.Status.PENDING
    company.save()
    company_services.company_verify(company=company, by=manager)
    company_services.company_verify(company=company, by=manager)
    company.refresh_from_db()
    assert company.status == Company.Status.VERIFIED
    assert Notification.objects.filter(recipient=company_member, kind="company_verified").count() == 1


@pytest.mark.parametrize(("persona", "page", "invite_url"), [
    ("company_member", "/en/companies/mine/", "/en/companies/mine/invite/"),
    ("broker_member", "/en/brokers/mine/", "/en/brokers/mine/invite/"),
])  # fmt: skip
def test_the_dashboard_lists_members_with_their_address_and_a_labelled_invite_box(
    request, client_for, persona, page, invite_url
):
    member = request.getfixturevalue(persona)
    content = client_for(member).get(page).content.decode()
    assert member.full_name in content
    assert member.email in content
    assert f'action="{invite_url}"' in content
    assert '<label class="form-label small" for="id_email">' in content
    assert 'id="id_email"' in content


@pytest.mark.parametrize(("persona", "page", "model", "field"), [
    ("company_member", "/en/companies/mine/invite/", CompanyInvitation, "company"),
    ("broker_member", "/en/brokers/mine/invite/", BrokerInvitation, "broker"),
])  # fmt: skip
def test_an_invitation_is_emailed_after_commit_and_shown_as_waiting(
    request, client_for, django_capture_on_commit_callbacks, persona, page, model, field
):
    client = client_for(request.getfixturevalue(persona))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page, {"email": "Colleague@Example.com"}, follow=True)
    assert "The invitation has been sent." in response.content.decode()
    invitation = model.objects.get()
    assert invitation.email == "colleague@example.com"
    assert len(mail.outbox) == 1
    assert invitation.get_absolute_url() in mail.outbox[0].body
    assert "colleague@example.com" in client.get(page.replace("invite/", "")).content.decode()


def test_the_invitation_page_names_the_brokerage_it_joins(client_for, broker_member, brokerage):
    invitation = BrokerInvitation.objects.create(broker=brokerage, email="new@example.com")
    page = f"/en/brokers/invitations/{invitation.token}/"
    content = client_for(UserFactory(email="new@example.com")).get(page).content.decode()
    title = content.split("<title>")[1].split("</title>")[0]
    assert "Join Pars Export Brokers" in title
    assert "company" not in title


@pytest.mark.parametrize(("sweep", "model", "fixture"), [
    ("companies.tasks.company_invitations_sweep", CompanyInvitation, "company"),
    ("brokers.tasks.broker_invitations_sweep", BrokerInvitation, "brokerage"),
])  # fmt: skip
def test_the_sweep_sends_lost_invitations_once_and_leaves_recent_ones(request, sweep, model, fixture):
    from django.utils.module_loading import import_string

    organisation = request.getfixturevalue(fixture)
    field = model.organisation_field
    lost = model.objects.create(**{field: organisation}, email="lost@example.com")
    model.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(minutes=10))
    model.objects.create(**{field: organisation}, email="recent@example.com")
    assert import_string(sweep)() == 1
    assert [message.to for message in mail.outbox] == [["lost@example.com"]]
    assert import_string(sweep)() == 0


@pytest.mark.parametrize(("fixture", "url"), [
    ("company", "/admin/companies/company/{pk}/change/"),
    ("brokerage", "/admin/brokers/broker/{pk}/change/"),
])  # fmt: skip
def test_the_admin_page_of_an_organisation_lists_its_members_and_invitations(
    request, client_for, fixture, url
):
    organisation = request.getfixturevalue(fixture)
    member = UserFactory(email="member@example.com", full_name="Mina Member")
    services = company_services if isinstance(organisation, Company) else broker_services
    add = services.company_member_add if isinstance(organisation, Company) else services.broker_member_add
    add(**{organisation._meta.model_name: organisation}, user=member, role="owner")
    organisation.invitations.create(email="invitee@example.com")
    admin = UserFactory(email="root@centre.example", is_staff=True, is_superuser=True)
    content = client_for(admin).get(url.format(pk=organisation.pk)).content.decode()
    assert "Mina Member" in content
    assert "invitee@example.com" in content


def test_a_brokerage_whose_identity_changes_goes_back_to_pending_through_a_recorded_decision(
    broker_member, brokerage, manager
):
    with translation.override("en"):
        broker_services.broker_update(broker=brokerage, by=broker_member, name_en="Renamed Brokers")
    brokerage.refresh_from_db()
    assert brokerage.status == Broker.Status.PENDING
    assert brokerage.status_changed_by == broker_member
    assert "name (English)" in brokerage.status_note
    assert Notification.objects.filter(recipient=broker_member, kind="broker_identity_changed").exists()
    told = Notification.objects.get(recipient=manager, kind="broker_registered")
    assert told.url == f"/admin/brokers/broker/{brokerage.pk}/change/"


@pytest.mark.parametrize(("persona", "fixture", "status", "page", "expected"), [
    ("company_member", "company", "pending", "/en/companies/mine/", "The centre is checking your company"),
    ("broker_member", "brokerage", "pending", "/en/brokers/mine/", "The centre is checking your licence"),
    ("company_member", "company", "suspended", "/en/companies/mine/", "Your company is suspended."),
    ("broker_member", "brokerage", "suspended", "/en/brokers/mine/", "Suspended<br>"),
    ("broker_member", "brokerage", "rejected", "/en/brokers/mine/", "Rejected<br>"),
])  # fmt: skip
def test_the_dashboard_tells_members_the_centres_decision_and_its_reason(
    request, client_for, persona, fixture, status, page, expected
):
    member = request.getfixturevalue(persona)
    organisation = request.getfixturevalue(fixture)
    type(organisation).objects.filter(pk=organisation.pk).update(status=status, status_note="Licence expired")
    content = client_for(member).get(page).content.decode()
    assert expected in content
    assert ("<strong>Reason:</strong> Licence expired" in content) == (status != "pending")


@pytest.mark.parametrize(("persona", "page"), [
    ("company_member", "/en/companies/mine/"),
    ("broker_member", "/en/brokers/mine/"),
])  # fmt: skip
def test_an_approved_organisations_dashboard_shows_no_status_alert(request, client_for, persona, page):
    content = client_for(request.getfixturevalue(persona)).get(page).content.decode()
    assert 'class="alert alert-info"' not in content
    assert 'class="alert alert-danger"' not in content
