"""Broker tasks: invitation e-mails, the offer fan-out, deadline closing, the inquiries' routing,
e-mails to buyers and escalation, and the licence-expiry warnings.

Each fetches by id and calls a service (brokers.services); beat's tasks select what is due.
"""

from __future__ import annotations

from datetime import timedelta
from itertools import islice

from celery import shared_task
from django.utils import timezone

from companies.models import Company
from portal.enqueue import enqueue, sweep
from portal.organisations.invitations import invitation_email_send, invitations_sweep
from portal.tasks import PortalTask

from . import services
from .models import KIND, LICENCE_WARNING_DAYS, Broker, BuyerInquiry, InboxSettings, InquiryReply, Offer
from .selectors import offer_companies_to_tell
from .working_days import add_working_days

FANOUT_BATCH = 100
SWEEP_GRACE = timedelta(minutes=5)


@shared_task(base=PortalTask)
def broker_invitation_send(invitation_id: int) -> bool:
    """E-mail an invitation to join a brokerage; a no-op once sent or closed."""
    return invitation_email_send(kind=KIND, invitation_id=invitation_id)


@shared_task(base=PortalTask)
def offer_fanout(offer_id: int) -> int:
    """Split the companies to tell about a new offer into batches; return how many batches."""
    offer = Offer.objects.public().filter(pk=offer_id).first()
    if offer is None:
        return 0
    company_ids = iter(offer_companies_to_tell(offer).values_list("pk", flat=True))
    batches = 0
    while batch := list(islice(company_ids, FANOUT_BATCH)):
        enqueue(offer_fanout_batch, offer_id, batch)
        batches += 1
    return batches


@shared_task(base=PortalTask)
def offer_fanout_batch(offer_id: int, company_ids: list[int]) -> int:
    """Tell each company once about the offer; return how many companies were told now."""
    offer = Offer.objects.select_related("country").filter(pk=offer_id).first()
    if offer is None:
        return 0
    companies = Company.objects.filter(pk__in=company_ids).prefetch_related("memberships__user")
    return sum(services.offer_company_tell(offer=offer, company=company) for company in companies)


@shared_task(base=PortalTask)
def offers_expire() -> int:
    """Close open offers whose deadline has passed and tell their brokers; return how many."""
    due = list(Offer.objects.past_deadline().only("pk"))
    return sum(services.offer_expire(offer=offer) for offer in due)


@shared_task(base=PortalTask)
def inquiry_route(inquiry_id: int) -> int:
    """Notify the company concerned and the approved brokers covering the buyer's country, once."""
    inquiry = BuyerInquiry.objects.filter(pk=inquiry_id).first()
    return services.inquiry_route(inquiry=inquiry) if inquiry else 0


@shared_task(base=PortalTask)
def inquiries_route_sweep() -> int:
    """Route inquiries whose routing message was lost (still new a few minutes on)."""
    unrouted = BuyerInquiry.objects.filter(routed_at__isnull=True, status=BuyerInquiry.Status.NEW)
    return sweep(unrouted, inquiry_route, grace=SWEEP_GRACE)


@shared_task(base=PortalTask)
def inquiry_acknowledge(inquiry_id: int) -> bool:
    """E-mail the buyer that the inquiry arrived, with its reference; a no-op once sent."""
    return services.inquiry_acknowledge(inquiry_id=inquiry_id)


@shared_task(base=PortalTask)
def inquiry_reply_send(reply_id: int) -> bool:
    """E-mail a reply to the buyer; a no-op once sent."""
    return services.inquiry_reply_email(reply_id=reply_id)


@shared_task(base=PortalTask)
def inquiry_emails_sweep() -> int:
    """Send acknowledgements and replies whose message was lost (from the last two days)."""
    since = timezone.now() - timedelta(days=2)
    unacknowledged = BuyerInquiry.objects.filter(acknowledged_at__isnull=True, created_at__gte=since).exclude(
        status=BuyerInquiry.Status.SPAM
    )
    unsent = InquiryReply.objects.filter(emailed_at__isnull=True, created_at__gte=since)
    return sweep(unacknowledged, inquiry_acknowledge, grace=SWEEP_GRACE) + sweep(
        unsent, inquiry_reply_send, grace=SWEEP_GRACE
    )


@shared_task(base=PortalTask)
def inquiries_escalate() -> int:
    """Escalate to the programme managers, once each, inquiries unanswered for the working days set
    in the inbox settings; return how many."""
    now = timezone.now()
    days = InboxSettings.load().escalate_after_days
    # Working days are never fewer than calendar days: older than `days` days is the first sieve.
    waiting = (
        BuyerInquiry.objects.to_escalate()
        .filter(routed_at__lte=now - timedelta(days=days))
        .order_by("routed_at")
        .values_list("pk", "routed_at")[:500]
    )
    due = [pk for pk, routed_at in waiting if add_working_days(routed_at, days) <= now]
    return sum(services.inquiry_escalate(inquiry=BuyerInquiry(pk=pk), now=now) for pk in due)


@shared_task(base=PortalTask)
def offers_fanout_sweep() -> int:
    """Re-run the fan-out of recently published open offers; companies already told are skipped."""
    recent = Offer.objects.public().filter(published_at__gte=timezone.now() - timedelta(days=2))
    return sweep(recent, offer_fanout, grace=timedelta(0), since="published_at")


@shared_task(base=PortalTask)
def broker_invitations_sweep() -> int:
    """Send brokerage invitations whose e-mail message was lost."""
    return invitations_sweep(kind=KIND)


@shared_task(base=PortalTask)
def brokers_licence_check() -> int:
    """Warn brokerages whose licence ends within 30 days, and tell those whose licence has expired,
    each step once (brokers.services.broker_licence_check); return how many were told now."""
    horizon = timezone.localdate() + timedelta(days=max(LICENCE_WARNING_DAYS))
    due = list(Broker.objects.approved().filter(licence_expires_on__lte=horizon).only("pk"))
    return sum(bool(services.broker_licence_check(broker=broker)) for broker in due)
