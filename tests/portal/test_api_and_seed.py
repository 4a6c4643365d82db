from __future__ import annotations

import pytest
from django.core.management import call_command

from portal.models import TargetCountry, User

pytestmark = pytest.mark.django_db


def test_openapi_schema_and_docs_are_served_without_a_cdn(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/countries/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in docs


def test_seed_demo_is_safe_to_run_twice(capsys):
    call_command("seed_demo")
    counts = (TargetCountry.objects.count(), User.objects.count())
    call_command("seed_demo")
    assert (TargetCountry.objects.count(), User.objects.count()) == counts
    assert TargetCountry.objects.confirmed().count() == 10
    assert TargetCountry.objects.filter(buyer_status="prospective").count() >= 3
    out = capsys.readouterr().out
    for email in [
        "manager@demo.example",
        "reviewer@demo.example",
        "company@demo.example",
        "broker@demo.example",
    ]:
        assert email in out
    from django.db.models import Count

    from brokers.models import Broker, Offer, OfferResponse
    from companies.models import Company
    from products.models import Product
    from support.models import Application, Status

    assert Company.objects.count() == 30
    assert Product.objects.count() == 150
    assert Broker.objects.count() == 12
    assert Broker.objects.filter(status="pending").exists()
    assert Offer.objects.count() == 40
    assert set(Offer.objects.values_list("kind", flat=True)) == {"demand", "service"}
    assert OfferResponse.objects.exists()
    # 60 along every path, one panel of two reviews, and two citing deals as export evidence
    assert Application.objects.count() == 63
    from support.models import StaffTie

    panel = Application.objects.get(justification__contains="panel application")
    assert panel.reviews.filter(review_round=panel.review_round).count() == 2
    assert StaffTie.objects.filter(user__email="reviewer2@demo.example").exists()
    transient = {Status.SCREENING}
    assert set(Application.objects.values_list("status", flat=True)) == set(Status.values) - transient
    # Issue 10: an application escalated as overdue, and a grant paid in two instalments, both of
    # the demo applicant's company (company@demo.example sees them on "My applications").
    escalated = Application.objects.get(events__action="escalate")
    in_two = Application.objects.annotate(n=Count("payments")).get(n=2)
    assert (
        escalated.company
        == in_two.company
        == Company.objects.get(memberships__user__email="company@demo.example")
    )
    assert in_two.status == Status.PAID
    assert sum(p.amount for p in in_two.payments.all()) == in_two.granted_amount
    manager = User.objects.get(email="manager@demo.example")
    assert manager.check_password("demo-pass-1405")
    assert manager.is_staff
