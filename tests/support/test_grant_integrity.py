"""Grant integrity: a budget never falls below what it has granted, in the form and in the
database; a grant never lands beyond the budget even past the workflow."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from support.models import Application, Status, SupportProgram
from tests.conftest import admin_form_data, skip_or_fail
from tests.support.factories import ApplicationFactory, ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def granted(company):
    """A programme of 50,000 with 30,000 granted."""
    program = ProgramFactory(budget=Decimal("50000"), cap_per_application=Decimal("30000"))
    ApplicationFactory(company=company, program=program, requested_amount=Decimal("30000"), approved=True)
    return program


def _post_change(client, program: SupportProgram, **changes: object):
    url = f"/admin/support/supportprogram/{program.pk}/change/"
    return client.post(url, admin_form_data(client.get(url), _save="Save", **changes))


def test_the_budget_cannot_be_lowered_below_what_is_granted_in_the_admin(client_for, manager, granted):
    client = client_for(manager)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = _post_change(client, granted, budget="20000", cap_per_application="20000")
    assert response.status_code == 200
    assert "The budget cannot fall below the 30,000.00 USD already granted." in response.content.decode()
    granted.refresh_from_db()
    assert granted.budget == Decimal("50000")


def test_the_budget_can_be_lowered_down_to_what_is_granted(client_for, manager, granted):
    """The same form saves when the budget still covers the grants (so the refusal above is the rule's)."""
    response = _post_change(client_for(manager), granted, budget="30000", cap_per_application="20000")
    assert response.status_code == 302
    granted.refresh_from_db()
    assert granted.budget == Decimal("30000")


def test_the_database_refuses_a_budget_below_the_grants(granted):
    if connection.vendor != "postgresql":
        skip_or_fail("the budget trigger is PostgreSQL's (set DATABASE_URL)")
    with pytest.raises(IntegrityError), transaction.atomic():
        SupportProgram.objects.filter(pk=granted.pk).update(budget=Decimal("29999.99"), cap_per_application=1)
    SupportProgram.objects.filter(pk=granted.pk).update(budget=Decimal("30000"), cap_per_application=1)


def test_the_database_refuses_a_grant_beyond_the_budget(company, granted):
    if connection.vendor != "postgresql":
        skip_or_fail("the budget trigger is PostgreSQL's (set DATABASE_URL)")
    second = ApplicationFactory(company=company, program=granted, requested_amount=Decimal("25000"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.filter(pk=second.pk).update(
            status=Status.APPROVED, granted_amount=Decimal("20000.01")
        )
    Application.objects.filter(pk=second.pk).update(status=Status.APPROVED, granted_amount=Decimal("20000"))
