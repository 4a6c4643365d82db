from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from companies.models import Company, CompanyInvitation, CompanyMembership
from companies.services import company_invite, company_register
from companies.validators import is_valid_national_id
from portal.models import Notification
from portal.permissions import Role, is_company_member
from tests.companies.factories import PDF_BYTES, CompanyFactory, company_suspend_now, valid_national_id
from tests.products.factories import png_bytes

pytestmark = pytest.mark.django_db


def registration_data(**overrides: object) -> dict[str, object]:
    data = {
        "name_fa": "شرکت نوآوران تنفس",
        "name_en": "Breath Innovators",
        "national_id": "۱۰۱۰۰۳۸۷۴۴۵",  # typed with Persian digits
        "company_type": "private_joint_stock",
        "certificate_number": "KB-1404-77",
        "certificate_expiry": (timezone.localdate() + dt.timedelta(days=300)).isoformat(),
        "province": "tehran",
        "city": "تهران",
        "address": "خیابان انقلاب",
        "phone": "۰۲۱-۶۶۰۰۰۰۰۰",
        "website": "breath.example",
        "profile_fa": "",
        "profile_en": "",
        "certificate_file": SimpleUploadedFile("licence.pdf", PDF_BYTES, content_type="application/pdf"),
    }
    data.update(overrides)
    return data


# --- national ID ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("10100387445", True),
        ("10100387446", False),
        ("10100000005", False),
        ("1010038744", False),
        ("1010038744a", False),
    ],
)
def test_national_id_check_digit(value, valid):
    assert is_valid_national_id(value) is valid


# --- registration -----------------------------------------------------------------------------------
def test_registration_creates_pending_company_with_owner_and_tells_managers(
    client_for, signed_up_user, manager, django_capture_on_commit_callbacks
):
    client = client_for(signed_up_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/fa/companies/register/", registration_data())
    assert response.status_code == 302, response.context["form"].errors
    company = Company.objects.get()
    assert company.national_id == "10100387445"
    assert company.phone == "02166000000"
    assert company.website == "https://breath.example"
    assert company.status == Company.Status.PENDING
    assert company.certificate_file.name.startswith("companies/certificates/")
    assert "licence" not in company.certificate_file.name  # stored under a generated name
    assert CompanyMembership.objects.get(user=signed_up_user).role == CompanyMembership.Role.OWNER
    signed_up_user.refresh_from_db()
    assert is_company_member(signed_up_user)
    assert Notification.objects.filter(recipient=manager, kind="company_registered").exists()
    assert any(manager.email in m.to for m in mail.outbox)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("national_id", "10100387446"),  # wrong check digit
        ("national_id", "123"),
        ("certificate_expiry", "1404/13/40"),
        ("phone", "call us"),
        ("province", "atlantis"),
        ("website", "not a url at all"),
    ],
)
def test_registration_field_errors_save_nothing_and_keep_input(client_for, signed_up_user, field, value):
    response = client_for(signed_up_user).post("/fa/companies/register/", registration_data(**{field: value}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Company.objects.exists()
    assert 'value="شرکت نوآوران تنفس"' in response.content.decode()


def test_certificate_file_is_checked_by_content_not_name(client_for, signed_up_user):
    fake = SimpleUploadedFile("licence.pdf", b"plain text, not really a pdf", content_type="application/pdf")
    response = client_for(signed_up_user).post(
        "/en/companies/register/", registration_data(certificate_file=fake)
    )
    assert response.context["form"].errors["certificate_file"] == [
        "Upload a PDF document or a JPEG, PNG or WebP image."
    ]
    picture = SimpleUploadedFile("scan.pdf", png_bytes(), content_type="application/pdf")
    response = client_for(signed_up_user).post(
        "/en/companies/register/", registration_data(certificate_file=picture)
    )
    assert response.status_code == 302
    assert Company.objects.get().certificate_file.name.endswith(".png")


def test_oversized_logo_is_refused(client_for, signed_up_user, monkeypatch):
    monkeypatch.setattr("portal.uploads.files.IMAGE_MAX_BYTES", 100)
    logo = SimpleUploadedFile("logo.png", png_bytes((200, 200)), content_type="image/png")
    response = client_for(signed_up_user).post("/en/companies/register/", registration_data(logo=logo))
    assert "logo" in response.context["form"].errors


def test_duplicate_national_id_is_a_field_error(client_for, signed_up_user):
    CompanyFactory(national_id="10100387445")
    response = client_for(signed_up_user).post("/en/companies/register/", registration_data())
    assert response.context["form"].errors["national_id"] == [
        "A company with this national ID is already registered."
    ]


def test_a_member_cannot_register_a_second_company(client_for, company_member):
    response = client_for(company_member).get("/fa/companies/register/")
    assert response.status_code == 302
    assert response["Location"] == "/fa/companies/mine/"
    data = registration_data(national_id=valid_national_id(5), phone="02166000000", website="")
    with translation.override("en"), pytest.raises(ValidationError, match="already a member"):
        company_register(user=company_member, **data)


def test_registration_needs_login(client):
    response = client.get("/fa/companies/register/")
    assert response["Location"].startswith("/fa/accounts/login/")


# --- public directory and profile -----------------------------------------------------------------
def test_directory_lists_only_verified_companies(client, company):
    CompanyFactory(name_en="Hidden Pending", pending=True)
    CompanyFactory(name_en="Hidden Suspended", suspended=True)
    content = client.get("/en/companies/").content.decode()
    assert company.name_en in content
    assert "Hidden Pending" not in content
    assert "Hidden Suspended" not in content


def test_directory_filters_by_province_and_name(client):
    CompanyFactory(name_en="Shiraz Masks", province="fars")
    CompanyFactory(name_en="Tehran Kits", province="tehran")
    content = client.get("/en/companies/?province=fars").content.decode()
    assert "Shiraz Masks" in content
    assert "Tehran Kits" not in content
    assert "Tehran Kits" in client.get("/en/companies/?q=kits").content.decode()
    assert client.get("/en/companies/?province=<script>").status_code == 200


@pytest.mark.parametrize(
    ("persona", "status"), [("anonymous", 404), ("other_company_member", 404), ("company_member", 200)]
)
def test_a_pending_company_page_is_seen_only_by_its_members(request, client_for, company, persona, status):
    company.status = Company.Status.PENDING
    company.save()
    user = request.getfixturevalue(persona)
    assert client_for(user).get(f"/en/companies/{company.pk}/").status_code == status


def test_expired_certificate_shows_a_warning(client_for, company_member, company):
    company.certificate_expiry = timezone.localdate() - dt.timedelta(days=3)
    company.save()
    assert "certificate expired on" in client_for(None).get(f"/en/companies/{company.pk}/").content.decode()
    assert "certificate expired on" in client_for(company_member).get("/en/companies/mine/").content.decode()


# --- own company ----------------------------------------------------------------------------------
def test_member_edits_own_company_but_not_its_national_id(client_for, company_member, company):
    data = registration_data(name_en="Alpha Renamed", national_id="10100387445")
    data.pop("certificate_file")
    response = client_for(company_member).post("/en/companies/mine/edit/", data)
    assert response.status_code == 302, response.context["form"].errors
    company.refresh_from_db()
    assert company.name_en == "Alpha Renamed"
    assert company.national_id != "10100387445"


def test_company_pages_for_users_without_company(client_for, signed_up_user):
    client = client_for(signed_up_user)
    assert client.get("/en/companies/mine/")["Location"] == "/en/companies/register/"
    assert client.get("/en/companies/mine/edit/").status_code == 404
    assert client.post("/en/companies/mine/invite/", {"email": "x@example.com"}).status_code == 404


def test_suspended_company_cannot_be_edited(client_for, company_member, company):
    company_suspend_now(company)
    assert client_for(company_member).get("/en/companies/mine/edit/").status_code == 403


def test_company_state_changes_need_post(client_for, company_member):
    assert client_for(company_member).get("/en/companies/mine/invite/").status_code == 405


# --- invitations ----------------------------------------------------------------------------------
def test_invitation_is_emailed_once_and_accepted_by_the_invitee(
    client_for, company_member, company, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(company_member).post(
            "/en/companies/mine/invite/", {"email": "Colleague@Example.com"}
        )
    assert response.status_code == 302
    invitation = CompanyInvitation.objects.get()
    assert invitation.email == "colleague@example.com"
    assert len(mail.outbox) == 1
    assert invitation.token in mail.outbox[0].body
    from companies.tasks import company_invitation_send

    assert company_invitation_send(invitation.pk) is False  # redelivered: nothing sent twice
    assert len(mail.outbox) == 1

    from tests.portal.factories import UserFactory

    colleague = UserFactory(email="colleague@example.com")
    response = client_for(colleague).post(f"/en/companies/invitations/{invitation.token}/")
    assert response["Location"] == "/en/companies/mine/"
    assert CompanyMembership.objects.get(user=colleague).company == company
    assert colleague.groups.filter(name=Role.COMPANY_MEMBER).exists()


def test_invitation_for_someone_else_or_expired_is_refused(
    client_for, company_member, company, signed_up_user
):
    invitation = company_invite(company=company, by=company_member, email="other@example.com")
    response = client_for(signed_up_user).post(f"/en/companies/invitations/{invitation.token}/", follow=True)
    assert "sent to another e-mail address" in response.content.decode()
    assert not CompanyMembership.objects.filter(user=signed_up_user).exists()

    invitation.email = signed_up_user.email
    invitation.expires_at = timezone.now() - dt.timedelta(minutes=1)
    invitation.save()
    response = client_for(signed_up_user).post(f"/en/companies/invitations/{invitation.token}/", follow=True)
    assert "expired" in response.content.decode()
    assert not CompanyMembership.objects.filter(user=signed_up_user).exists()


def test_inviting_twice_or_a_member_is_a_clear_message(client_for, company_member, company):
    client = client_for(company_member)
    client.post("/en/companies/mine/invite/", {"email": "new@example.com"})
    response = client.post("/en/companies/mine/invite/", {"email": "new@example.com"}, follow=True)
    assert "already waiting" in response.content.decode()
    response = client.post("/en/companies/mine/invite/", {"email": company_member.email}, follow=True)
    assert "already a member" in response.content.decode()
    response = client.post("/en/companies/mine/invite/", {"email": "not-an-email"}, follow=True)
    assert "valid email" in response.content.decode()
    assert CompanyInvitation.objects.count() == 1


def test_unknown_invitation_token_is_404(client_for, signed_up_user):
    assert client_for(signed_up_user).get("/en/companies/invitations/nope/").status_code == 404


def test_knowledge_based_certificate_expiry_warns_members_once(company, company_member):
    from companies.tasks import company_certificates_expiry_warn

    company.certificate_expiry = timezone.localdate() + dt.timedelta(days=45)
    company.save()
    CompanyFactory(certificate_expiry=timezone.localdate() + dt.timedelta(days=200))  # far off: no warning
    assert company_certificates_expiry_warn() == 1
    assert company_certificates_expiry_warn() == 0
    notification = Notification.objects.get(kind="company_certificate_expiring")
    assert notification.recipient == company_member
    assert company.name_fa in notification.title
