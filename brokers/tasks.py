"""Broker tasks: invitation e-mails, the offer fan-out, deadline closing and inquiry routing."""

from __future__ import annotations

from itertools import islice

from celery import shared_task
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from companies.models import Company
from portal.enqueue import enqueue
from portal.models import User, bilingual
from portal.notifications import notify, notify_members
from portal.organisations.invitations import invitation_email_send, invitations_sweep
from portal.page_cache import public_content_changed
from products.models import Product

from .models import KIND, Broker, BuyerInquiry, Offer, OfferNotice

FANOUT_BATCH = 100


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def broker_invitation_send(invitation_id: int) -> bool:
    """E-mail an invitation to join a brokerage; a no-op once sent or closed."""
    return invitation_email_send(kind=KIND, invitation_id=invitation_id)


@shared_task(acks_late=True)
def offer_fanout(offer_id: int) -> int:
    """Split the companies to tell about a new offer into batches; return how many batches."""
    offer = Offer.objects.public().filter(pk=offer_id).first()
    if offer is None:
        return 0
    company_ids = iter(
        Company.objects.verified()
        .filter(products__status=Product.Status.PUBLISHED, products__category__in=offer.categories.all())
        .exclude(offer_notice_exists_for(offer))
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    batches = 0
    while batch := list(islice(company_ids, FANOUT_BATCH)):
        enqueue(offer_fanout_batch, offer_id, batch)
        batches += 1
    return batches


def offer_notice_exists_for(offer: Offer) -> Exists:
    return Exists(OfferNotice.objects.filter(offer=offer, company=OuterRef("pk")))


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=10, max_retries=5)
def offer_fanout_batch(offer_id: int, company_ids: list[int]) -> int:
    """Tell each company once about the offer; return how many companies were told now."""
    offer = Offer.objects.select_related("country").filter(pk=offer_id).first()
    if offer is None:
        return 0
    told = 0
    for company in Company.objects.filter(pk__in=company_ids).prefetch_related("memberships__user"):
        told += _tell_company(offer, company)
    return told


@transaction.atomic
def _tell_company(offer: Offer, company: Company) -> int:
    # The notice row and the notifications commit together; the unique (offer, company) row makes
    # a redelivered or concurrent batch skip companies already told.
    _, created = OfferNotice.objects.get_or_create(offer=offer, company=company)
    if not created:
        return 0
    for membership in company.memberships.all():
        notify(
            recipient=membership.user,
            kind="offer_published",
            url=offer.get_absolute_url(),
            context={
                "offer": bilingual(offer, "title"),
                "country": bilingual(offer.country, "name"),
                "deadline": offer.deadline.isoformat(),
            },
        )
    return 1


@shared_task(acks_late=True)
def offers_expire() -> int:
    """Close open offers whose deadline has passed and tell their brokers; return how many."""
    closed = 0
    for pk in list(Offer.objects.past_deadline().values_list("pk", flat=True)):
        closed += _expire(pk)
    return closed


@transaction.atomic
def _expire(offer_id: int) -> int:
    # Locked and saved, not a bulk UPDATE: the offer's history records the closing (by nobody).
    offer = (
        Offer.objects.past_deadline()
        .select_for_update(of=("self",))
        .select_related("broker")
        .filter(pk=offer_id)
    ).first()
    if offer is None:
        return 0  # closed meanwhile
    offer.status = Offer.Status.CLOSED
    offer.closed_at = timezone.now()
    offer.save(update_fields=["status", "closed_at", "updated_at"])
    public_content_changed()  # the board and the offer's page no longer list it as open
    notify_members(
        offer.broker,
        kind="offer_expired",
        url=offer.get_absolute_url(),
        context={"offer": bilingual(offer, "title"), "responses": offer.responses.count()},
    )
    return 1


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=10, max_retries=5)
def inquiry_route(inquiry_id: int) -> int:
    """Notify the company concerned and the approved brokers covering the buyer's country, once."""
    with transaction.atomic():
        claimed = BuyerInquiry.objects.filter(pk=inquiry_id, routed_at__isnull=True).update(
            routed_at=timezone.now(), status=BuyerInquiry.Status.ROUTED
        )
        if not claimed:
            return 0
        inquiry = BuyerInquiry.objects.select_related("country", "company", "product").get(pk=inquiry_id)
        recipients: dict[int, User] = {}
        if inquiry.company_id:
            for user in User.objects.filter(company_membership__company=inquiry.company_id, is_active=True):
                recipients[user.pk] = user
        for user in User.objects.filter(
            broker_membership__broker__in=Broker.objects.approved().covering(inquiry.country), is_active=True
        ):
            recipients[user.pk] = user
        context = {
            "name": inquiry.name,
            "organisation": inquiry.organisation,
            "email": inquiry.email,
            "message": inquiry.message,
            "country": bilingual(inquiry.country, "name"),
            "product": bilingual(inquiry.product, "name") if inquiry.product else None,
            "company": bilingual(inquiry.company, "name") if inquiry.company else None,
        }
        for user in recipients.values():
            notify(recipient=user, kind="inquiry_received", url="/notifications/", context=context)
        BuyerInquiry.objects.filter(pk=inquiry_id).update(routed_to=len(recipients))
    return len(recipients)


@shared_task(acks_late=True)
def inquiries_route_sweep() -> int:
    """Route inquiries whose routing message was lost (still new a few minutes on)."""
    cutoff = timezone.now() - timezone.timedelta(minutes=5)
    ids = list(
        BuyerInquiry.objects.filter(
            routed_at__isnull=True, status=BuyerInquiry.Status.NEW, created_at__lt=cutoff
        ).values_list("pk", flat=True)[:200]
    )
    for pk in ids:
        enqueue(inquiry_route, pk)
    return len(ids)


@shared_task(acks_late=True)
def offers_fanout_sweep() -> int:
    """Re-run the fan-out of recently published open offers; companies already told are skipped."""
    since = timezone.now() - timezone.timedelta(days=2)
    ids = list(Offer.objects.public().filter(published_at__gte=since).values_list("pk", flat=True)[:200])
    for pk in ids:
        enqueue(offer_fanout, pk)
    return len(ids)


@shared_task(acks_late=True)
def broker_invitations_sweep() -> int:
    """Send brokerage invitations whose e-mail message was lost."""
    return invitations_sweep(kind=KIND)
