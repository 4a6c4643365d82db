"""Every page of companies/views.py against the three visitors it must turn away: the anonymous
one (log-in page; public pages open), the wrong HTTP method (405) and a member of another company
reaching for an object that is not theirs (404, never a 200 or a 500)."""

from __future__ import annotations

import pytest

from companies.models import CompanyInvitation
from tests.companies.factories import CompanyFactory
from tests.conftest import answered_methods, assert_sent_to_log_in, refused_methods, send

pytestmark = pytest.mark.django_db

PAGES = {  # name: (path, the methods it answers)
    "directory": ("/en/companies/", {"GET"}),
    "detail": ("/en/companies/{company}/", {"GET"}),
    "register": ("/en/companies/register/", {"GET", "POST"}),
    "mine": ("/en/companies/mine/", {"GET"}),
    "edit": ("/en/companies/mine/edit/", {"GET", "POST"}),
    "invite": ("/en/companies/mine/invite/", {"POST"}),
    "invitation_accept": ("/en/companies/invitations/{token}/", {"GET", "POST"}),
}
PUBLIC = {"directory", "detail"}


@pytest.fixture
def paths(company, company_member):
    invitation = CompanyInvitation.objects.create(
        company=company, email="new@company.example", invited_by=company_member
    )
    return {
        name: path.format(company=company.pk, token=invitation.token) for name, (path, _) in PAGES.items()
    }


@pytest.mark.parametrize(("name", "method"), answered_methods(PAGES))
def test_an_anonymous_visitor_is_sent_to_log_in_except_on_public_pages(client, paths, name, method):
    response = send(client, method, paths[name])
    if name in PUBLIC:
        assert response.status_code == 200
    else:
        assert_sent_to_log_in(response)


@pytest.mark.parametrize(("name", "method"), refused_methods(PAGES))
def test_a_method_the_page_does_not_take_is_405(client_for, company_member, paths, name, method):
    assert send(client_for(company_member), method, paths[name]).status_code == 405


def test_a_pending_company_is_not_found_by_a_competitor(client_for, other_company_member):
    pending = CompanyFactory(pending=True)
    assert send(client_for(other_company_member), "GET", f"/en/companies/{pending.pk}/").status_code == 404


def test_another_companys_invitation_does_not_join_it(client_for, company, other_company_member, paths):
    response = send(client_for(other_company_member), "POST", paths["invitation_accept"])
    assert response.status_code == 200  # the page again, saying why
    assert "This invitation was sent to another e-mail address." in response.content.decode()
    assert not company.memberships.filter(user=other_company_member).exists()
