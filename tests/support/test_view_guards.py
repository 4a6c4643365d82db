"""Every page of support/views.py against the three visitors it must turn away: the anonymous one
(log-in page; the programmes and the joint-brand page open), the wrong HTTP method (405) and a
member of another company reaching for an application that is not theirs (404, nothing changed)."""

from __future__ import annotations

import pytest

from support.models import Application
from tests.conftest import answered_methods, assert_sent_to_log_in, refused_methods, send
from tests.support.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

PAGES = {  # name: (path, the methods it answers)
    "program_list": ("/en/support/programmes/", {"GET"}),
    "program_detail": ("/en/support/programmes/{program}/", {"GET"}),
    "application_create": ("/en/support/programmes/{program}/apply/", {"GET", "POST"}),
    "application_list": ("/en/support/applications/", {"GET"}),
    "application_detail": ("/en/support/applications/{application}/", {"GET"}),
    "application_edit": ("/en/support/applications/{application}/edit/", {"GET", "POST"}),
    "document_add": ("/en/support/applications/{application}/documents/", {"POST"}),
    "application_submit": ("/en/support/applications/{application}/submit/", {"POST"}),
    "application_withdraw": ("/en/support/applications/{application}/withdraw/", {"POST"}),
    "joint_brand": ("/en/joint-brand/", {"GET"}),
}
PUBLIC = {"program_list", "program_detail", "joint_brand"}
APPLICANTS_OWN = [name for name, (path, _) in PAGES.items() if "{application}" in path]


@pytest.fixture
def draft(company, company_member):
    return ApplicationFactory(company=company, created_by=company_member)


@pytest.fixture
def paths(draft):
    ids = {"program": draft.program_id, "application": draft.pk}
    return {name: path.format(**ids) for name, (path, _) in PAGES.items()}


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


@pytest.mark.parametrize(("name", "method"), [(n, m) for n in APPLICANTS_OWN for m in sorted(PAGES[n][1])])
def test_another_companys_application_is_not_found(
    client_for, other_company_member, draft, paths, name, method
):
    before = Application.objects.values().get(pk=draft.pk)
    assert send(client_for(other_company_member), method, paths[name]).status_code == 404
    assert Application.objects.values().get(pk=draft.pk) == before
    assert not draft.events.exists()
    assert not draft.documents.exists()


@pytest.mark.parametrize("persona", ["reviewer", "manager", "broker_member"])
def test_staff_and_brokers_work_on_applications_elsewhere(request, client_for, paths, persona):
    """The company's pages are the company's: staff use the admin, brokers have no application."""
    assert (
        send(client_for(request.getfixturevalue(persona)), "GET", paths["application_detail"]).status_code
        == 404
    )
