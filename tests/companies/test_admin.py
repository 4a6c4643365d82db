from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry

from companies.models import Company
from portal.models import Notification
from tests.companies.factories import CompanyFactory, MembershipFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/companies/company/"


def run_action(client, action: str, companies, note: str = ""):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [c.pk for c in companies], "note": note, "index": 0},
        follow=True,
        headers={"accept-language": "en"},
    )


def test_manager_verifies_a_pending_company_and_its_members_are_notified(
    client_for, manager, company, company_member
):
    company.status = Company.Status.PENDING
    company.save()
    response = run_action(client_for(manager), "verify", [company], note="مدارک تأیید شد")
    assert response.status_code == 200
    company.refresh_from_db()
    assert company.status == Company.Status.VERIFIED
    assert company.status_changed_by == manager
    assert company.status_note == "مدارک تأیید شد"
    notification = Notification.objects.get(recipient=company_member, kind="company_verified")
    assert company.name_fa in notification.title
    assert LogEntry.objects.filter(object_id=str(company.pk), change_message__contains="Verified").exists()


def test_suspension_needs_a_reason(client_for, manager, company, company_member):
    response = run_action(client_for(manager), "suspend", [company])
    assert "Write the reason in the note" in response.content.decode()
    company.refresh_from_db()
    assert company.status == Company.Status.VERIFIED
    run_action(client_for(manager), "suspend", [company], note="Certificate revoked")
    company.refresh_from_db()
    assert company.status == Company.Status.SUSPENDED
    assert Notification.objects.filter(recipient=company_member, kind="company_suspended").exists()


def test_reviewer_may_look_but_not_verify(client_for, reviewer, company):
    company.status = Company.Status.PENDING
    company.save()
    client = client_for(reviewer)
    assert client.get(CHANGELIST).status_code == 200
    run_action(client, "verify", [company])
    company.refresh_from_db()
    assert company.status == Company.Status.PENDING


@pytest.mark.parametrize("persona", ["anonymous", "company_member", "broker_member"])
def test_admin_company_list_is_closed_to_non_staff(request, client_for, persona):
    response = client_for(request.getfixturevalue(persona)).get(CHANGELIST)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_admin_lists_filter_expired_certificates_and_search_by_national_id(client_for, manager):
    expired = CompanyFactory(name_en="Old Cert Ltd", expired_certificate=True)
    CompanyFactory(name_en="Fresh Cert Ltd")
    client = client_for(manager)
    content = client.get(CHANGELIST + "?certificate=expired").content.decode()
    assert "Old Cert Ltd" in content
    assert "Fresh Cert Ltd" not in content
    content = client.get(CHANGELIST + f"?q={expired.national_id}").content.decode()
    assert "Old Cert Ltd" in content


def test_csv_export_of_selected_companies(client_for, manager):
    companies = [CompanyFactory(name_en="=HYPERLINK(evil)"), CompanyFactory(name_en="Plain Co")]
    response = run_action(client_for(manager), "export_csv", companies)
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8-sig")
    assert "Plain Co" in body
    assert "'=HYPERLINK(evil)" in body  # neutralised formula
    assert body.splitlines()[0].startswith("national ID")


def test_verifying_twice_notifies_once(manager):
    from companies.services import company_verify

    company = CompanyFactory(pending=True)
    MembershipFactory(company=company)
    company_verify(company=company, by=manager)
    company_verify(company=company, by=manager)
    assert Notification.objects.filter(kind="company_verified").count() == 1
