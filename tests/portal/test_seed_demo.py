"""The demo data replays its history through the services (issue 11): what it shows agrees with
its timelines, its dates spread over the past months, and no demo module writes a status, a
decision or a timeline event itself."""

from __future__ import annotations

import ast
import io
from datetime import timedelta
from importlib.util import find_spec
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from brokers.models import Offer, OfferResponse, Referral
from companies.models import Company
from deals.models import Deal, DealCredit
from deals.models import Status as DealStatus
from portal.models import Notification, TargetCountry
from products.models import Product, ProductCertification
from support.models import GRANTED_STATES, Action, Application, Status, SupportProgram

# Fields that only a service may write: statuses and what a decision or a step of a lifecycle
# records with them.
LIFECYCLE_FIELDS = {
    "status", "decided_at", "decided_by", "submitted_at", "published_at", "closed_at", "routed_at",
    "status_changed_at", "status_changed_by", "reviewed_at", "reviewed_by", "joint_brand",
    "granted_amount", "reference", "review_started_at", "review_due_at", "escalated_at",
}  # fmt: skip
WRITERS = {"create", "get_or_create", "update_or_create", "bulk_create", "update", "bulk_update"}
EVENT_MODELS = {
    "ApplicationEvent", "Payment", "Review", "ReviewAssignment", "OfferNotice", "DealEvent", "Shipment",
}  # fmt: skip


def demo_modules() -> list[Path]:
    paths = []
    for config in apps.get_app_configs():
        spec = find_spec(f"{config.name}.demo")
        if spec is not None and spec.origin:
            paths.append(Path(spec.origin))
    return paths


def direct_writes(path: Path) -> list[str]:
    """Where the module writes a lifecycle field or an event row itself, not through a service."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        where = f"{path.parent.name}/{path.name}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Name) and node.id in EVENT_MODELS:
            found.append(f"{where} names {node.id}")
        elif isinstance(node, (ast.Assign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for element in target.elts if isinstance(target, ast.Tuple) else [target]:
                    if isinstance(element, ast.Attribute) and element.attr in LIFECYCLE_FIELDS:
                        found.append(f"{where} assigns .{element.attr}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            receiver = ast.unparse(node.func.value)
            if node.func.attr not in WRITERS or "objects" not in receiver:
                continue
            if node.func.attr in {"update", "bulk_update"}:
                found.append(f"{where} updates rows in bulk ({receiver}.{node.func.attr})")
                continue
            names = {keyword.arg for keyword in node.keywords}
            for keyword in node.keywords:
                if keyword.arg == "defaults" and isinstance(keyword.value, ast.Dict):
                    names |= {k.value for k in keyword.value.keys if isinstance(k, ast.Constant)}
            for name in sorted(names & LIFECYCLE_FIELDS):
                found.append(f"{where} writes {name} in {receiver}.{node.func.attr}")
    return found


def test_no_demo_module_writes_a_status_or_an_event_itself():
    modules = demo_modules()
    expected = {"portal", "companies", "products", "brokers", "deals", "support"}
    assert {path.parent.name for path in modules} >= expected
    assert [finding for path in modules for finding in direct_writes(path)] == []


def test_the_check_finds_a_direct_write(tmp_path):
    """The check above is not blind: each way the old demo wrote its data is caught."""
    sample = tmp_path / "demo.py"
    sample.write_text(
        "Company.objects.get_or_create(national_id='1', defaults={'status': 'verified'})\n"
        "ApplicationEvent.objects.create(application=a, to_status='approved')\n"
        "application.products.update(joint_brand=True)\n"
        "Application.objects.filter(pk=1).update(review_due_at=now)\n"
        "application.status = previous\n"
        "Offer.objects.create(broker=b, status='closed', closed_at=now)\n"
    )
    found = direct_writes(sample)
    assert any("writes status in Company.objects.get_or_create" in f for f in found)
    assert any("names ApplicationEvent" in f for f in found)
    assert any("Application.objects.filter(pk=1).update" in f for f in found)
    assert any("assigns .status" in f for f in found)
    assert any("writes closed_at in Offer.objects.create" in f for f in found)


@pytest.mark.django_db
def test_the_seeded_data_agrees_with_its_timelines():
    call_command("seed_demo", stdout=io.StringIO())
    now = timezone.now()

    applications = list(Application.objects.prefetch_related("events", "products").select_related("program"))
    assert len(applications) == 63  # 60, one panel of two reviews, two citing deals
    for application in applications:
        events = sorted(application.events.all(), key=lambda e: (e.created_at, e.pk))
        # The timeline was written in the order it happened, and in the past.
        assert [e.pk for e in events] == sorted(e.pk for e in events), application.pk
        assert all(e.created_at < now for e in events)
        last = events[-1].to_status if events else Status.DRAFT
        assert last == application.status, (application.pk, [e.action for e in events])
        if application.status != Status.DRAFT:
            submit = [e for e in events if e.action == Action.SUBMIT]
            assert submit
            assert application.reference
            assert application.submitted_at == submit[-1].created_at
        if application.status in (*GRANTED_STATES, Status.REJECTED):
            decision = [e for e in events if e.action in (Action.APPROVE, Action.REJECT)][-1]
            assert application.decided_by is not None
            assert application.decided_by == decision.actor
            assert application.decided_at == decision.created_at
            assert application.submitted_at < application.decided_at
            assert application.reviews.filter(review_round=application.review_round).exists()
        else:
            assert application.decided_at is None
            assert application.decided_by is None
        if application.status in (Status.PAID, Status.CLOSED):
            assert sum(p.amount for p in application.payments.all()) == application.granted_amount
            assert all(
                p.paid_on >= timezone.localdate(application.decided_at) for p in application.payments.all()
            )

    # Months of use, not one afternoon: the history spreads over the last three months and more.
    submitted = [a.submitted_at for a in applications if a.submitted_at]
    assert min(submitted) < now - timedelta(days=60)
    assert max(submitted) > now - timedelta(days=2)
    assert Company.objects.order_by("created_at").first().created_at < now - timedelta(days=150)

    # The joint brand is granted by an approved joint-brand application, and only so.
    joint = SupportProgram.objects.get(support_type=SupportProgram.SupportType.JOINT_BRAND)
    branded = set(Product.objects.filter(joint_brand=True).values_list("pk", flat=True))
    granted = set(
        Product.objects.filter(
            applications__program=joint, applications__status__in=GRANTED_STATES
        ).values_list("pk", flat=True)
    )
    assert branded == granted

    # The other lifecycles carry the dates of their steps.
    for company in Company.objects.verified():
        assert company.status_changed_by is not None
        assert company.created_at < company.status_changed_at < now
    for offer in Offer.objects.exclude(status=Offer.Status.DRAFT):
        assert offer.published_at is not None
        assert offer.published_at < now
        if offer.status == Offer.Status.CLOSED:
            assert offer.published_at < offer.closed_at < now
    for response in OfferResponse.objects.select_related("offer"):
        assert response.offer.published_at <= response.created_at
        if response.decided_at:
            assert response.created_at < response.decided_at
            assert response.offer.closed_at is None or response.decided_at <= response.offer.closed_at
    for certificate in ProductCertification.objects.exclude(status=ProductCertification.Status.PENDING):
        assert certificate.reviewed_by is not None
        assert certificate.created_at < certificate.reviewed_at < now

    # Deals in every stage, in every confirmed country, each timeline ending where its deal stands.
    deals = list(Deal.objects.prefetch_related("events", "shipments", "payments"))
    assert {deal.status for deal in deals} == set(DealStatus.values)
    confirmed = TargetCountry.objects.filter(buyer_status=TargetCountry.BuyerStatus.CONFIRMED)
    assert set(confirmed.values_list("pk", flat=True)) <= {deal.destination_id for deal in deals}
    assert {deal.origin for deal in deals} >= {"response", "direct"}
    for deal in deals:
        events = sorted(deal.events.all(), key=lambda e: (e.created_at, e.pk))
        assert events[0].action == "open"
        assert events[-1].to_status == deal.status, (deal.reference, [e.action for e in events])
        assert all(e.created_at < now for e in events)
        shipped = sum(s.quantity for s in deal.shipments.all())
        if deal.status in (DealStatus.SHIPPED, DealStatus.PAID, DealStatus.CLOSED):
            assert shipped == deal.quantity_total()
        if deal.status in (DealStatus.PAID, DealStatus.CLOSED):
            assert sum(p.amount for p in deal.payments.all()) == deal.expected_value
        if deal.status == DealStatus.LOST:
            assert deal.lost_reason

    # The brokers' network (deals/network_demo.py): Pars's deal co-brokered 60/40 with Novin, which
    # recorded its shipment, is paid; the deal opened from the answer Pars sent for the demo company
    # under its mandate makes Pars its co-broker; the company was told of the referral accepted for it.
    shares: dict[int, list[tuple[str, str, int]]] = {}
    for credit in DealCredit.objects.select_related("broker"):
        shares.setdefault(credit.deal_id, []).append(
            (credit.broker.name_en, credit.role, credit.share_percent)
        )
    co_brokered = [
        deal for deal in deals
        if sorted(shares.get(deal.pk, [])) == [
            ("Novin Middle East Trading", "co_broker", 40), ("Pars Export Brokers", "introduced", 60),
        ]
    ]  # fmt: skip
    assert [deal.status for deal in co_brokered] == [DealStatus.PAID]
    novin = co_brokered[0].partners.get().broker
    assert co_brokered[0].shipments.get().recorded_by.broker_membership.broker == novin
    answered = Deal.objects.select_related("mandate", "offer_response").get(
        offer_response__submitted_by_broker__isnull=False
    )
    assert answered.mandate.broker_id == answered.offer_response.submitted_by_broker_id
    assert answered.partners.get().broker_id == answered.mandate.broker_id
    assert sorted(role for _name, role, _share in shares[answered.pk]) == ["co_broker", "introduced"]
    referred = Referral.objects.get(company__isnull=False, status=Referral.Status.ACCEPTED)
    told = Notification.objects.filter(
        kind="referral_company_notice", recipient__company_membership__company=referred.company
    )
    assert told.exists()
