"""A verified company or an approved brokerage that changes its identity goes back to pending,
through the same status decision as a manager's, with the reason recorded and its members told;
other edits leave the status alone. One rule for both."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from brokers import services as broker_services
from brokers.models import Broker
from companies import services as company_services
from companies.models import Company
from portal.models import Notification
from tests.brokers.factories import BrokerFactory
from tests.companies.factories import PDF_BYTES
from tests.companies.test_companies import registration_data

pytestmark = pytest.mark.django_db


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


# --- companies ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name_en", "Alpha Renamed"),
        ("name_fa", "شرکت آلفا نو"),
        ("certificate_number", "KB-NEW-1"),
        ("certificate_file", _pdf("new-certificate.pdf")),
    ],
)
def test_a_verified_company_changing_its_identity_is_pending_and_told_why(
    company, company_member, manager, field, value
):
    updated = company_services.company_update(company=company, by=company_member, **{field: value})
    stored = Company.objects.get(pk=company.pk)
    assert updated.status == stored.status == Company.Status.PENDING
    assert stored.status_changed_by == company_member
    assert stored.status_changed_at is not None
    label = str(Company._meta.get_field(field).verbose_name)
    assert label in stored.status_note
    told = Notification.objects.get(recipient=company_member, kind="company_identity_changed")
    assert told.context["note"] == stored.status_note
    assert Notification.objects.filter(recipient=manager, kind="company_registered").exists()


@pytest.mark.parametrize(("field", "value"), [("phone", "02166001122"), ("profile_en", "We make masks.")])
def test_other_company_edits_leave_it_verified_and_tell_nobody(company, company_member, field, value):
    company_services.company_update(company=company, by=company_member, **{field: value})
    stored = Company.objects.get(pk=company.pk)
    assert stored.status == Company.Status.VERIFIED
    assert getattr(stored, field) == value
    assert not Notification.objects.filter(kind="company_identity_changed").exists()


def test_the_same_name_sent_again_changes_nothing(company, company_member):
    company_services.company_update(company=company, by=company_member, name_en=company.name_en)
    assert Company.objects.get(pk=company.pk).status == Company.Status.VERIFIED


def test_a_pending_company_renaming_itself_stays_pending_without_a_second_notice(company_member, company):
    Company.objects.filter(pk=company.pk).update(status=Company.Status.PENDING)
    company.refresh_from_db()
    company_services.company_update(company=company, by=company_member, name_en="Another")
    assert Company.objects.get(pk=company.pk).status == Company.Status.PENDING
    assert not Notification.objects.filter(kind="company_identity_changed").exists()


def test_the_profile_page_says_the_company_is_pending_again(client_for, company_member, company):
    data = registration_data(name_en="Alpha Renamed")
    data.pop("certificate_file")
    data.pop("national_id")
    response = client_for(company_member).post("/en/companies/mine/edit/", data, follow=True)
    assert response.status_code == 200
    assert "the company is pending until the centre checks it again" in response.content.decode()
    company.refresh_from_db()
    assert company.status == Company.Status.PENDING


# --- brokerages -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("field", "value"),
    [("name_en", "Pars Renamed"), ("name_fa", "کارگزاری نو")],
)
def test_an_approved_brokerage_changing_its_identity_is_pending_and_told_why(
    brokerage, broker_member, manager, field, value
):
    updated = broker_services.broker_update(broker=brokerage, by=broker_member, **{field: value})
    stored = Broker.objects.get(pk=brokerage.pk)
    assert updated.status == stored.status == Broker.Status.PENDING
    assert stored.status_changed_by == broker_member
    assert str(Broker._meta.get_field(field).verbose_name) in stored.status_note
    told = Notification.objects.get(recipient=broker_member, kind="broker_identity_changed")
    assert told.context["note"] == stored.status_note
    assert Notification.objects.filter(recipient=manager, kind="broker_registered").exists()


@pytest.mark.parametrize(
    ("field", "value"), [("licence_file", _pdf("new-licence.pdf")), ("licence_expires_on", "2099-01-01")]
)
def test_an_approved_brokerage_renews_its_licence_apart_and_stays_approved(
    brokerage, broker_member, field, value
):
    """A renewed licence is not an identity change: it is sent as a LicenceRenewal, which the centre
    approves while the current licence counts (tests/brokers/test_licence_renewal.py)."""
    with translation.override("en"), pytest.raises(ValidationError, match="licence renewal page"):
        broker_services.broker_update(broker=brokerage, by=broker_member, **{field: value})
    assert Broker.objects.get(pk=brokerage.pk).status == Broker.Status.APPROVED
    assert not Notification.objects.filter(kind="broker_identity_changed").exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("phone", "02188001122"), ("description_en", "Logistics to Iraq"), ("offices", "Tabriz")],
)
def test_other_brokerage_edits_leave_it_approved(brokerage, broker_member, field, value):
    broker_services.broker_update(broker=brokerage, by=broker_member, **{field: value})
    assert Broker.objects.get(pk=brokerage.pk).status == Broker.Status.APPROVED
    assert not Notification.objects.filter(kind="broker_identity_changed").exists()


def test_a_brokerage_pending_again_cannot_publish_offers(brokerage, broker_member):
    brokerage = broker_services.broker_update(broker=brokerage, by=broker_member, name_en="Pars Renamed")
    iraq = brokerage.countries.first()
    with translation.override("en"), pytest.raises(PermissionDenied, match="awaits the centre's approval"):
        broker_services.offer_create(
            broker=brokerage, by=broker_member, categories=[], kind="demand", country=iraq,
            title_fa="نیاز", title_en="Need", description_fa="شرح", description_en="Text",
            quantity=10, unit="piece", deadline=timezone.localdate() + timezone.timedelta(days=10),
        )  # fmt: skip


def test_a_suspended_brokerage_renaming_itself_stays_suspended(broker_member):
    broker = BrokerFactory(suspended=True)
    broker_services.broker_update(broker=broker, by=broker_member, name_en="Elsewhere")
    assert Broker.objects.get(pk=broker.pk).status == Broker.Status.SUSPENDED


def test_the_members_email_says_why_in_their_language(
    company, company_member, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        company_services.company_update(company=company, by=company_member, certificate_number="KB-2")
    [email] = [m for m in mailoutbox if company_member.email in m.to]
    assert "در انتظار بررسی دوباره" in email.subject
    assert "پس از بررسی مرکز تغییر کرد" in email.body


def test_changing_the_certificate_sends_a_verified_company_back_to_checking(
    client_for, company_member, company, manager
):
    data = {
        "name_fa": company.name_fa, "name_en": company.name_en, "company_type": company.company_type,
        "certificate_number": "FAKE-1", "certificate_expiry": "2099-01-01", "province": company.province,
        "city": company.city, "address": company.address, "phone": company.phone,
    }  # fmt: skip
    response = client_for(company_member).post("/en/companies/mine/edit/", data)
    assert response.status_code == 302
    company.refresh_from_db()
    assert company.status == Company.Status.PENDING
    assert Notification.objects.filter(recipient=manager, kind="company_registered").exists()


def test_editing_the_profile_text_keeps_verification(client_for, company_member, company):
    data = {
        "name_fa": company.name_fa, "name_en": company.name_en, "company_type": company.company_type,
        "certificate_number": company.certificate_number, "province": company.province,
        "certificate_expiry": company.certificate_expiry.isoformat(), "city": company.city,
        "address": "New address", "phone": company.phone, "profile_en": "We make masks.",
    }  # fmt: skip
    response = client_for(company_member).post("/en/companies/mine/edit/", data)
    assert response.status_code == 302
    company.refresh_from_db()
    assert company.profile_en == "We make masks."
    assert company.status == Company.Status.VERIFIED


def test_a_profile_saved_from_a_stale_page_keeps_the_decision_taken_meanwhile(
    company, company_member, manager
):
    """The member's request read the company (the edit form's instance) before a manager suspended
    it: saving the profile writes the profile's fields only, never the decision it read."""
    stale = Company.objects.get(pk=company.pk)
    company_services.company_suspend(company=company, by=manager, note="Certificate under review")
    updated = company_services.company_update(company=stale, by=company_member, phone="02166001122")
    stored = Company.objects.get(pk=company.pk)
    assert (stored.status, stored.status_note, stored.status_changed_by) == (
        Company.Status.SUSPENDED,
        "Certificate under review",
        manager,
    )
    assert stored.phone == updated.phone == "02166001122"
    assert updated.status_note == "Certificate under review"
