"""Writes for brokers: registration and approval, members, offers (their fan-out and expiry),
responses and inquiries (their routing)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from companies.models import Company
from companies.permissions import company_of
from portal.db import save_unique
from portal.enqueue import enqueue_on_commit
from portal.http.page_cache import public_content_changed
from portal.models import TargetCountry, User, bilingual
from portal.notifications.services import notify, notify_members
from portal.organisations import invitations
from portal.organisations import services as organisations
from portal.permissions import Role, staff_with_role
from portal.templatetags.portal_tags import jdate
from products.models import Product, ProductCategory

from .models import (
    KIND,
    LICENCE_WARNING_DAYS,
    Broker,
    BrokerInvitation,
    BrokerMembership,
    BrokerService,
    BuyerInquiry,
    Engagement,
    EngagementEvent,
    EngagementRating,
    InboxSettings,
    InquiryReply,
    LicenceNotice,
    LicenceRenewal,
    Offer,
    OfferAttachment,
    OfferNotice,
    OfferResponse,
    ServiceType,
    inquiry_reference,
)
from .permissions import (
    ENGAGEMENT_ACTIONS,
    ENGAGEMENT_TARGETS,
    INQUIRY_MARKS,
    OFFER_ACTIONS,
    RESPONSE_DECISIONS,
    broker_is_active,
    broker_may_publish,
    broker_of,
    can_act_on_engagement,
    can_act_on_inquiry,
    can_book,
    can_decide_licence_renewals,
    can_decide_response,
    can_mark_inquiries,
    can_rate_engagement,
    can_renew_licence,
    company_may_respond,
    engagement_side,
    inquiry_action_refusal,
)
from .working_days import add_working_days

OFFER_FIELDS = {
    "kind", "country", "title_fa", "title_en", "description_fa", "description_en", "quantity", "unit",
    "target_price", "currency", "deadline",
}  # fmt: skip
RESPONSE_FIELDS = {"unit_price", "currency", "quantity", "lead_time_days", "message"}


def _check_fields(fields: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")


# ---------------------------------------------------------------------------
# Brokerages: the organisation core (portal/organisations) does the work, these are its names
# ---------------------------------------------------------------------------
def broker_member_add(*, broker: Broker, user: User, role: str) -> BrokerMembership:
    """Make `user` a member of `broker` (a user works for one organisation only)."""
    return organisations.member_add(organisation=broker, user=user, role=role)


def broker_register(
    *, user: User, services: Iterable[ServiceType], countries: Iterable[TargetCountry], **fields: Any
) -> Broker:
    """Register a brokerage (pending, invisible until approved) with `user` as its owner."""
    return organisations.organisation_register(
        kind=KIND, user=user, services=services, countries=countries, **fields
    )


def broker_update(
    *,
    broker: Broker,
    by: User | None = None,
    services: Iterable[ServiceType] | None = None,
    countries: Iterable[TargetCountry] | None = None,
    **fields: Any,
) -> Broker:
    """Change a brokerage's profile. An approved brokerage that changes its identity (its name) goes
    back to pending, as a company does; its licence is renewed through licence_renewal_submit."""
    if broker.status in (Broker.Status.APPROVED, Broker.Status.SUSPENDED):
        stored = Broker.objects.get(pk=broker.pk)
        if organisations.identity_changed_fields(stored, fields, LICENCE_FIELDS):
            raise ValidationError(
                {"licence_file": _("Submit the renewed licence on the licence renewal page.")},
                code="renewal",
            )
    return organisations.organisation_update(
        organisation=broker, by=by, services=services, countries=countries, **fields
    )


# What an approved brokerage changes only through a renewal the centre approves.
LICENCE_FIELDS = ("licence_file", "licence_expires_on")


def broker_approve(*, broker: Broker, by: User, note: str = "") -> Broker:
    """Approve a brokerage: it becomes public and may publish offers."""
    return organisations.organisation_decide(
        organisation=broker, status=Broker.Status.APPROVED, by=by, note=note
    )


def broker_reject(*, broker: Broker, by: User, note: str) -> Broker:
    """Refuse a pending brokerage and tell its members why."""
    return organisations.organisation_decide(
        organisation=broker, status=Broker.Status.REJECTED, by=by, note=note
    )


def broker_suspend(*, broker: Broker, by: User, note: str) -> Broker:
    """Suspend a brokerage (its offers leave the board) and tell its members why."""
    return organisations.organisation_decide(
        organisation=broker, status=Broker.Status.SUSPENDED, by=by, note=note
    )


def broker_invite(*, broker: Broker, by: User, email: str) -> BrokerInvitation:
    """Invite a colleague by e-mail; the link expires after seven days."""
    return invitations.invitation_create(organisation=broker, by=by, email=email)


def broker_invitation_accept(*, invitation: BrokerInvitation, user: User) -> BrokerMembership:
    """Join the inviting brokerage; the invitation must be open and addressed to this user."""
    return invitations.invitation_accept(invitation=invitation, user=user)


# ---------------------------------------------------------------------------
# Offers
# ---------------------------------------------------------------------------
def _check_broker_may_write(broker: Broker, *, publishing: bool) -> None:
    (broker_may_publish if publishing else broker_is_active)(broker).require()


def _check_offer_rules(offer: Offer, *, publishing: bool, deadline_changed: bool = True) -> None:
    """Who may write comes first (403), then what was written (field errors)."""
    _check_broker_may_write(offer.broker, publishing=publishing)
    errors: dict[str, str] = {}
    if offer.country_id and not offer.broker.countries.filter(pk=offer.country_id).exists():
        errors["country"] = _("Your brokerage does not cover this country. Add it to your profile first.")
    # A past deadline is refused when set or when reopening, not when editing other fields.
    if deadline_changed and offer.deadline and offer.deadline < timezone.localdate():
        errors["deadline"] = _("The deadline cannot be in the past.")
    if errors:
        raise ValidationError(errors)


def _schedule_fanout(offer: Offer) -> None:
    from .tasks import offer_fanout as offer_fanout_task

    enqueue_on_commit(offer_fanout_task, offer.pk)


@transaction.atomic
def offer_create(
    *, broker: Broker, by: User, categories: Iterable[ProductCategory], publish: bool = True, **fields: Any
) -> Offer:
    """Create an offer (open at once when `publish`, else a draft) and tell matching companies."""
    _check_fields(fields, OFFER_FIELDS)
    categories = list(categories)
    _check_broker_may_write(broker, publishing=publish)
    offer = Offer(
        broker=broker, created_by=by, status=Offer.Status.OPEN if publish else Offer.Status.DRAFT, **fields
    )
    offer.full_clean()
    if not categories:
        raise ValidationError({"categories": _("Choose at least one product category.")})
    _check_offer_rules(offer, publishing=publish)
    if publish:
        offer.published_at = timezone.now()
    offer.save()
    offer.categories.set(categories)
    if publish:
        _schedule_fanout(offer)
    return offer


@transaction.atomic
def offer_update(
    *, offer: Offer, categories: Iterable[ProductCategory] | None = None, **fields: Any
) -> Offer:
    _check_fields(fields, OFFER_FIELDS)
    offer = Offer.objects.select_for_update().select_related("broker").get(pk=offer.pk)
    deadline_changed = "deadline" in fields and fields["deadline"] != offer.deadline
    for name, value in fields.items():
        setattr(offer, name, value)
    offer.full_clean()
    if categories is not None:
        categories = list(categories)
        if not categories:
            raise ValidationError({"categories": _("Choose at least one product category.")})
    _check_offer_rules(offer, publishing=offer.status == Offer.Status.OPEN, deadline_changed=deadline_changed)
    offer.save()
    if categories is not None:
        offer.categories.set(categories)
    return offer


@transaction.atomic
def offer_publish(*, offer: Offer) -> Offer:
    """Open a draft or reopen a closed offer; matching companies hear of it once."""
    offer = Offer.objects.select_for_update().select_related("broker").get(pk=offer.pk)
    if offer.status == Offer.Status.OPEN:
        return offer
    if offer.status not in OFFER_ACTIONS["publish"] | OFFER_ACTIONS["reopen"]:
        raise ValidationError(_("This offer cannot be published."), code="state")
    _check_offer_rules(offer, publishing=True)
    offer.status = Offer.Status.OPEN
    offer.published_at = offer.published_at or timezone.now()
    offer.closed_at = None
    offer.save(update_fields=["status", "published_at", "closed_at", "updated_at"])
    _schedule_fanout(offer)  # the notices table keeps a reopening from telling anyone twice
    return offer


@transaction.atomic
def offer_close(*, offer: Offer, by_staff: bool = False) -> Offer:
    """Close an offer; the centre's staff may close even a suspended brokerage's offers."""
    offer = Offer.objects.select_for_update().select_related("broker").get(pk=offer.pk)
    if not by_staff:
        _check_broker_may_write(offer.broker, publishing=False)
    if offer.status in OFFER_ACTIONS["close"]:
        offer.status = Offer.Status.CLOSED
        offer.closed_at = timezone.now()
        offer.save(update_fields=["status", "closed_at", "updated_at"])
    return offer


@transaction.atomic
def offer_attachment_add(*, offer: Offer, file: Any, title: str = "") -> OfferAttachment:
    offer = Offer.objects.select_for_update().select_related("broker").get(pk=offer.pk)
    _check_broker_may_write(offer.broker, publishing=False)
    if offer.attachments.count() >= 5:
        raise ValidationError({"file": _("An offer can have at most 5 attachments.")})
    attachment = OfferAttachment(offer=offer, file=file, title=title)
    attachment.full_clean()
    attachment.save()
    return attachment


# ---------------------------------------------------------------------------
# Responses
# ---------------------------------------------------------------------------
@transaction.atomic
def response_submit(
    *,
    offer: Offer,
    company: Company,
    by: User,
    products: Iterable[Product],
    broker: Broker | None = None,
    **fields: Any,
) -> OfferResponse:
    """Create or change the company's one response to an open offer; the broker is told.

    With `broker`, a member of that brokerage answers on the company's behalf: a mandate from the
    company must cover the offer's country and the chosen products' categories (brokers.mandates),
    the response records the brokerage, and the company's members are told too."""
    _check_fields(fields, RESPONSE_FIELDS)
    offer = Offer.objects.select_for_update().select_related("broker", "country").get(pk=offer.pk)
    if not (offer.is_open and offer.broker.is_publishing):
        raise ValidationError(_("This offer is closed."), code="closed")
    if broker is not None:
        _check_may_act_for(offer, company, broker, by)
    company_may_respond(company).require()
    products = list(products)
    if not products:
        raise ValidationError({"products": _("Choose at least one of your published products.")})
    if any(p.company_id != company.pk or p.status != Product.Status.PUBLISHED for p in products):
        if broker is not None:
            raise ValidationError(
                {"products": _("Choose only published products of %(company)s.") % {"company": company}}
            )
        raise ValidationError({"products": _("Choose only your own published products.")})
    response = OfferResponse.objects.filter(offer=offer, company=company).first()
    created = response is None
    if broker is not None:
        _check_mandate_covers(offer, company, broker, products)
        if not created and response.submitted_by_broker_id != broker.pk:
            raise ValidationError(
                _("%(company)s has already answered this offer; it can change its answer itself.")
                % {"company": company},
                code="answered",
            )
    if created:
        response = OfferResponse(offer=offer, company=company, created_by=by, submitted_by_broker=broker)
    elif not response.is_editable:
        raise ValidationError(_("The broker has already decided on your response."), code="decided")
    elif broker is None:
        # The company changes the answer a brokerage sent for it: the answer is its own from now on.
        response.submitted_by_broker = None
    for name, value in fields.items():
        setattr(response, name, value)
    response.full_clean()
    response.save()
    response.products.set(products)
    context = {"offer": bilingual(offer, "title"), "company": bilingual(company, "name")}
    if response.submitted_by_broker_id is not None:
        context["by_broker"] = bilingual(response.submitted_by_broker, "name")
    notify_members(
        offer.broker,
        kind="offer_response_received" if created else "offer_response_updated",
        url=offer.get_absolute_url(),
        context=context,
    )
    if broker is not None:
        notify_members(
            company, kind="offer_response_sent_for_company", url=offer.get_absolute_url(), context=context
        )
    return response


def _check_may_act_for(offer: Offer, company: Company, broker: Broker, by: User) -> None:
    """A member of `broker`, publishing, answering another brokerage's offer (403s)."""
    from .permissions import can_act_under_mandates

    if broker_of(by) != broker:
        raise PermissionDenied(_("Only members of a brokerage act for companies under a mandate."))
    can_act_under_mandates(by).require()
    if offer.broker_id == broker.pk:
        raise PermissionDenied(_("Your brokerage cannot answer its own offer on a company's behalf."))


def _mandate_covers_response(response: OfferResponse) -> bool:
    """Whether a mandate in force still lets the brokerage that sent `response` act for its company
    on the offer (its country, the answer's products' categories)."""
    from .mandates import mandate_for

    categories = set(response.products.values_list("category_id", flat=True))
    offer = response.offer
    return (
        mandate_for(response.submitted_by_broker, response.company, offer.country, categories=categories)
        is not None
    )


def _check_mandate_covers(offer: Offer, company: Company, broker: Broker, products: list[Product]) -> None:
    from .mandates import mandate_refusal

    refusal = mandate_refusal(broker, company, offer.country, {p.category_id for p in products})
    if refusal is not None:
        what, reason = refusal
        raise ValidationError({"products": reason} if what == "categories" else reason, code="mandate")


@transaction.atomic
def response_decide(*, response: OfferResponse, status: str, by: User | None = None) -> OfferResponse:
    """Shortlist, accept or decline a response; the company is told, and so is the brokerage that
    sent the response for the company, if one did and its mandate still covers the response.

    `by`, when given, must be allowed to decide (a member of the offer's active brokerage); the
    decisions and the states they leave from are brokers.permissions.RESPONSE_DECISIONS."""
    if status not in RESPONSE_DECISIONS:
        raise ValidationError(_("Unknown decision."), code="invalid")
    response = (
        OfferResponse.objects.select_for_update()
        .select_related("offer__broker", "company")
        .get(pk=response.pk)
    )
    if by is not None:
        can_decide_response(by, response, status).require()
    if response.status == status:
        return response  # shortlisting twice tells the company nothing new
    if response.status not in RESPONSE_DECISIONS[status]:
        raise ValidationError(_("This response has already been decided."), code="decided")
    response.status = status
    if status != OfferResponse.Status.SHORTLISTED:
        response.decided_at = timezone.now()
    response.save(update_fields=["status", "decided_at", "updated_at"])
    notify_members(
        response.company,
        kind=f"offer_response_{status}",
        url=response.offer.get_absolute_url(),
        context={"offer": bilingual(response.offer, "title")},
    )
    if response.submitted_by_broker_id is not None and _mandate_covers_response(response):
        notify_members(
            response.submitted_by_broker,
            kind="offer_response_sent_decided",
            url=response.offer.get_absolute_url(),
            context={
                "offer": bilingual(response.offer, "title"), "company": bilingual(response.company, "name"),
                "by": bilingual(response.offer.broker, "name"), "status": status,
            },
        )  # fmt: skip
    return response


# ---------------------------------------------------------------------------
# Buyer inquiries: received, routed to an inbox, claimed, answered, converted or closed
# ---------------------------------------------------------------------------
@transaction.atomic
def inquiry_submit(*, source_ip: str | None, language: str, **fields: Any) -> BuyerInquiry:
    """Store a buyer's inquiry with its reference; after commit, route it to the company and the
    brokers and acknowledge it to the buyer by e-mail."""
    inquiry = BuyerInquiry(source_ip=source_ip, language=language, **fields)
    if inquiry.product_id and not inquiry.company_id:
        inquiry.company_id = inquiry.product.company_id
    inquiry.full_clean()
    inquiry.save()
    inquiry.reference = inquiry_reference(inquiry.created_at, inquiry.pk)
    BuyerInquiry.objects.filter(pk=inquiry.pk).update(reference=inquiry.reference)
    from .tasks import inquiry_acknowledge as inquiry_acknowledge_task
    from .tasks import inquiry_route as inquiry_route_task

    enqueue_on_commit(inquiry_route_task, inquiry.pk)
    enqueue_on_commit(inquiry_acknowledge_task, inquiry.pk)
    return inquiry


@transaction.atomic
def inquiry_mark(*, inquiry: BuyerInquiry, status: str, by: User) -> bool:
    """Mark a buyer's inquiry answered, closed or spam (the centre's staff, in the admin).

    The marks and the states they leave from are brokers.permissions.INQUIRY_MARKS; returns whether
    the inquiry changed (marking it as it already is changes nothing). Who held it stays recorded."""
    can_mark_inquiries(by).require()
    if status not in INQUIRY_MARKS:
        raise ValidationError(_("Unknown decision."), code="invalid")
    inquiry = _inquiry_locked(inquiry)
    if inquiry.status == status:
        return False
    if inquiry.status not in INQUIRY_MARKS[status]:
        raise ValidationError(
            _("This inquiry is %(status)s: it cannot be marked so.")
            % {"status": inquiry.get_status_display()},
            code="state",
        )
    now = timezone.now()
    inquiry.status = status
    if status == BuyerInquiry.Status.ANSWERED:
        inquiry.answered_at = inquiry.answered_at or now
    else:
        inquiry.closed_at = now
        if status == BuyerInquiry.Status.SPAM:
            inquiry.close_reason = BuyerInquiry.CloseReason.SPAM
    inquiry.save(update_fields=["status", "answered_at", "closed_at", "close_reason", "updated_at"])
    return True


def _inquiry_locked(inquiry: BuyerInquiry) -> BuyerInquiry:
    """The inquiry's row, locked until the transaction ends: two people acting on it at once take
    turns, and the second sees what the first did."""
    # The lock first, on the row alone; then the read with its relations. Read in the same
    # statement, the joined holder would be the one before a concurrent claim committed (PostgreSQL
    # re-reads only the locked row after the wait), and the loser would not learn who won.
    BuyerInquiry.objects.select_for_update().filter(pk=inquiry.pk).values_list("pk").get()
    return BuyerInquiry.objects.select_related(
        "country", "company", "holder__broker_membership__broker", "holder__company_membership__company"
    ).get(pk=inquiry.pk)


def _check_inquiry_action(inquiry: BuyerInquiry, *, by: User, action: str) -> None:
    """May `by` take `action` on the (locked) inquiry now? 403 outside their inbox, a message
    naming the state or the holder otherwise."""
    can_act_on_inquiry(by, inquiry).require()
    refusal = inquiry_action_refusal(by, inquiry, action)
    if refusal:
        raise ValidationError(refusal, code="state")


def _inquiry_for_action(inquiry: BuyerInquiry, *, by: User, action: str) -> BuyerInquiry:
    inquiry = _inquiry_locked(inquiry)
    _check_inquiry_action(inquiry, by=by, action=action)
    return inquiry


@transaction.atomic
def inquiry_claim(*, inquiry: BuyerInquiry, by: User) -> BuyerInquiry:
    """Take an unclaimed inquiry: from now on only `by` replies, converts or closes it, and the
    others whose inbox it is in see who holds it. Of two people claiming at once, the first to
    lock the row wins; the second is told who holds it."""
    inquiry = _inquiry_locked(inquiry)
    if inquiry.holder_id == by.pk and inquiry.status == BuyerInquiry.Status.CLAIMED:
        can_act_on_inquiry(by, inquiry).require()
        return inquiry  # a double click: still theirs
    _check_inquiry_action(inquiry, by=by, action="claim")
    inquiry.status = BuyerInquiry.Status.CLAIMED
    inquiry.holder = by
    inquiry.claimed_at = timezone.now()
    inquiry.save(update_fields=["status", "holder", "claimed_at", "updated_at"])
    return inquiry


@transaction.atomic
def inquiry_release(*, inquiry: BuyerInquiry, by: User) -> BuyerInquiry:
    """Give back an inquiry claimed and not answered yet: it is unclaimed again for all."""
    inquiry = _inquiry_for_action(inquiry, by=by, action="release")
    inquiry.status = BuyerInquiry.Status.ROUTED
    inquiry.holder = None
    inquiry.claimed_at = None
    inquiry.save(update_fields=["status", "holder", "claimed_at", "updated_at"])
    return inquiry


@transaction.atomic
def inquiry_reply(*, inquiry: BuyerInquiry, by: User, body: str) -> InquiryReply:
    """The holder's reply: kept on the inquiry's thread and e-mailed to the buyer (after commit)."""
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write your reply to the buyer.")}, code="required")
    inquiry = _inquiry_for_action(inquiry, by=by, action="reply")
    with translation.override(inquiry.language):
        organisation = inquiry.holder_label  # in the buyer's language, as the e-mail says it
    reply = InquiryReply(inquiry=inquiry, author=by, sender=organisation[:300], body=body)
    reply.full_clean()
    reply.save()
    now = timezone.now()
    inquiry.status = BuyerInquiry.Status.ANSWERED
    inquiry.answered_at = inquiry.answered_at or now
    inquiry.save(update_fields=["status", "answered_at", "updated_at"])
    from .tasks import inquiry_reply_send as inquiry_reply_send_task

    enqueue_on_commit(inquiry_reply_send_task, reply.pk)
    return reply


@transaction.atomic
def inquiry_convert(*, inquiry: BuyerInquiry, by: User) -> BuyerInquiry:
    """The holder records that the inquiry became a deal (the deal itself is recorded elsewhere)."""
    inquiry = _inquiry_for_action(inquiry, by=by, action="convert")
    inquiry.status = BuyerInquiry.Status.CONVERTED
    inquiry.closed_at = timezone.now()
    inquiry.save(update_fields=["status", "closed_at", "updated_at"])
    return inquiry


@transaction.atomic
def inquiry_close(*, inquiry: BuyerInquiry, by: User, reason: str, note: str = "") -> BuyerInquiry:
    """Close an inquiry with a reason from the list (and a note, which "other" needs): its holder,
    or anyone whose inbox it is in while nobody has claimed it."""
    note = (note or "").strip()
    if reason not in BuyerInquiry.CloseReason.values:
        raise ValidationError({"reason": _("Choose a reason from the list.")}, code="invalid")
    if reason == BuyerInquiry.CloseReason.OTHER and not note:
        raise ValidationError({"note": _("Say in a few words why the inquiry is closed.")}, code="required")
    inquiry = _inquiry_for_action(inquiry, by=by, action="close")
    inquiry.status = BuyerInquiry.Status.CLOSED
    inquiry.holder = inquiry.holder or by  # who closed an unclaimed one stays recorded
    inquiry.close_reason = reason
    inquiry.close_note = note
    inquiry.closed_at = timezone.now()
    inquiry.save(update_fields=["status", "holder", "close_reason", "close_note", "closed_at", "updated_at"])
    return inquiry


@transaction.atomic
def inquiry_route(*, inquiry: BuyerInquiry) -> int:
    """Notify the company concerned and the approved brokers covering the buyer's country, once:
    the inquiry is in their inbox from now on.

    Returns how many people were told (0 when the inquiry was routed already).
    """
    # The conditional update claims the inquiry: a redelivered or concurrent routing finds it
    # claimed and tells nobody twice (the claim commits with the notifications, or not at all);
    # one staff marked as spam or closed before it was routed stays so, and nobody is told.
    unrouted = BuyerInquiry.objects.filter(
        pk=inquiry.pk, routed_at__isnull=True, status=BuyerInquiry.Status.NEW
    )
    claimed = unrouted.update(routed_at=timezone.now(), status=BuyerInquiry.Status.ROUTED)
    if not claimed:
        return 0
    inquiry = BuyerInquiry.objects.select_related("country", "company", "product").get(pk=inquiry.pk)
    recipients: dict[int, User] = {}
    if inquiry.company_id:
        for user in User.objects.filter(company_membership__company=inquiry.company_id, is_active=True):
            recipients[user.pk] = user
    for user in User.objects.filter(
        broker_membership__broker__in=Broker.objects.publishing().covering(inquiry.country), is_active=True
    ):
        recipients[user.pk] = user
    # The buyer's address is not in it: it is shown to whoever claims the inquiry, in the inbox.
    context = {
        "reference": inquiry.reference or "",
        "name": inquiry.name,
        "organisation": inquiry.organisation,
        "message": inquiry.message,
        "country": bilingual(inquiry.country, "name"),
        "product": bilingual(inquiry.product, "name") if inquiry.product else None,
        "company": bilingual(inquiry.company, "name") if inquiry.company else None,
    }
    for user in recipients.values():
        notify(recipient=user, kind="inquiry_received", url=inquiry.get_absolute_url(), context=context)
    BuyerInquiry.objects.filter(pk=inquiry.pk).update(routed_to=len(recipients))
    return len(recipients)


@transaction.atomic
def inquiry_escalate(*, inquiry: BuyerInquiry, now: datetime | None = None) -> bool:
    """Tell the programme managers, once, that nobody has answered an inquiry for the working days
    set in the inbox settings. Returns False when it is not due, answered or escalated already."""
    now = now or timezone.now()
    days = InboxSettings.load().escalate_after_days
    inquiry = BuyerInquiry.objects.to_escalate().filter(pk=inquiry.pk).select_related("country").first()
    if inquiry is None or add_working_days(inquiry.routed_at, days) > now:
        return False
    if not BuyerInquiry.objects.to_escalate().filter(pk=inquiry.pk).update(escalated_at=now):
        return False  # a concurrent run took it
    context = {
        "reference": inquiry.reference or "",
        "organisation": inquiry.organisation,
        "country": bilingual(inquiry.country, "name"),
        "days": days,
        "claimed": inquiry.status == BuyerInquiry.Status.CLAIMED,
    }
    for manager in staff_with_role(Role.PROGRAMME_MANAGER):
        notify(
            recipient=manager,
            kind="inquiry_escalated",
            url=f"/admin/brokers/buyerinquiry/{inquiry.pk}/change/",
            context=context,
        )
    return True


# ---------------------------------------------------------------------------
# E-mails to the buyer (who has no account): the acknowledgement and each reply, in the language
# of the page the buyer wrote from. Each is claimed by a conditional update before it is sent, so
# a redelivered task sends nothing twice, and released if sending fails (the sweep tries again).
# ---------------------------------------------------------------------------
def _thread_id(inquiry: BuyerInquiry) -> str:
    """The Message-ID of the acknowledgement; replies name it, so mail programs show one thread."""
    domain = urlsplit(settings.SITE_URL).hostname or "export-portal.local"
    return f"<{inquiry.reference}@{domain}>"


def _buyer_email(
    inquiry: BuyerInquiry, kind: str, context: dict[str, Any], headers: dict[str, str], reply_to: list[str]
) -> None:
    context = {**context, "inquiry": inquiry, "site_url": settings.SITE_URL}
    with translation.override(inquiry.language):
        subject = " ".join(render_to_string(f"emails/{kind}_subject.txt", context).split())
        body = render_to_string(f"emails/{kind}_body.txt", context).strip()
    message = EmailMessage(subject=subject, body=body, to=[inquiry.email], reply_to=reply_to)
    message.extra_headers.update({"Content-Language": inquiry.language, **headers})
    message.send()


def inquiry_acknowledge(*, inquiry_id: int) -> bool:
    """E-mail the buyer that the inquiry arrived, with its reference; once."""
    due = BuyerInquiry.objects.filter(pk=inquiry_id, acknowledged_at__isnull=True).exclude(
        status=BuyerInquiry.Status.SPAM
    )
    if not due.update(acknowledged_at=timezone.now()):
        return False
    inquiry = BuyerInquiry.objects.select_related("country", "product", "company").get(pk=inquiry_id)
    try:
        _buyer_email(inquiry, "inquiry_acknowledgement", {}, {"Message-ID": _thread_id(inquiry)}, [])
    except Exception:
        BuyerInquiry.objects.filter(pk=inquiry_id).update(acknowledged_at=None)
        raise
    return True


def inquiry_reply_email(*, reply_id: int) -> bool:
    """E-mail a reply to the buyer, in the inquiry's thread; once. The buyer's answer goes to the
    one who replied."""
    due = InquiryReply.objects.filter(pk=reply_id, emailed_at__isnull=True)
    if not due.update(emailed_at=timezone.now()):
        return False
    reply = InquiryReply.objects.select_related("inquiry", "author").get(pk=reply_id)
    thread = _thread_id(reply.inquiry)
    try:
        _buyer_email(
            reply.inquiry,
            "inquiry_reply",
            {"reply": reply},
            {"In-Reply-To": thread, "References": thread},
            [reply.author.email] if reply.author and reply.author.email else [],
        )
    except Exception:
        InquiryReply.objects.filter(pk=reply_id).update(emailed_at=None)
        raise
    return True


# ---------------------------------------------------------------------------
# Offers in the background: the fan-out to companies and the expiry
# ---------------------------------------------------------------------------
@transaction.atomic
def offer_company_tell(*, offer: Offer, company: Company) -> bool:
    """Tell the company's members about a new offer, once; return whether they were told now."""
    # The notice row and the notifications commit together; the unique (offer, company) row makes
    # a redelivered or concurrent batch skip companies already told.
    _, created = OfferNotice.objects.get_or_create(offer=offer, company=company)
    if not created:
        return False
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
    return True


@transaction.atomic
def offer_expire(*, offer: Offer) -> bool:
    """Close an open offer whose deadline has passed and tell its broker.

    The one door for an offer's expiry; returns False when the offer is no longer open or past its
    deadline (closed or extended meanwhile), so running it twice closes and tells once.
    """
    # Locked and saved, not a bulk UPDATE: the offer's history records the closing (by nobody).
    offer = (
        Offer.objects.past_deadline()
        .select_for_update(of=("self",))
        .select_related("broker")
        .filter(pk=offer.pk)
        .first()
    )
    if offer is None:
        return False
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
    return True


# ---------------------------------------------------------------------------
# Licence expiry: warnings before, publishing suspended after (Broker.is_publishing)
# ---------------------------------------------------------------------------
@transaction.atomic
def broker_licence_check(*, broker: Broker, today: date | None = None) -> str:
    """Warn the members of an approved brokerage as its licence nears its end (30 and 7 days
    before, each once per expiry date, unless their renewal is waiting for the centre) and tell them
    once when it has expired (that the renewal sent is being checked, if one is).

    Publishing stops by itself when the date passes (Broker.is_publishing, the offer board's query);
    this makes the public pages show it at once. Returns what was sent: "expiring", "expired" or ""."""
    today = today or timezone.localdate()
    broker = Broker.objects.select_for_update().get(pk=broker.pk)
    expires_on = broker.licence_expires_on
    if broker.status != Broker.Status.APPROVED or expires_on is None:
        return ""
    days_left = (expires_on - today).days
    renewal_pending = broker.licence_renewals.filter(status=LicenceRenewal.Status.PENDING).exists()
    if days_left < 0:
        step = 0
    else:
        due = [days for days in LICENCE_WARNING_DAYS if days_left <= days]
        if not due:
            return ""
        step = min(due)
        if renewal_pending:
            # The members have done what the warning asks; it is the centre's turn. Nothing is
            # recorded, so a warning still due is sent on the next run if the renewal is refused.
            return ""
    _, created = LicenceNotice.objects.get_or_create(broker=broker, expires_on=expires_on, days_before=step)
    if not created:
        return ""
    context = {
        "broker": bilingual(broker, "name"),
        "expiry": expires_on.isoformat(),
        "days": max(days_left, 0),
        "renewal_pending": renewal_pending,  # the expired notice then says the renewal is being checked
    }
    kind = "broker_licence_expired" if step == 0 else "broker_licence_expiring"
    notify_members(broker, kind=kind, url=reverse("brokers:licence_renewal"), context=context)
    if step == 0:
        public_content_changed()  # its offers and services leave the public pages
    return "expired" if step == 0 else "expiring"


# ---------------------------------------------------------------------------
# Licence renewals: submitted by the members, checked by the centre; the current licence keeps
# counting meanwhile, and the approval swaps the new one in (ending an "expired" pause at once).
# ---------------------------------------------------------------------------
@transaction.atomic
def licence_renewal_submit(
    *, broker: Broker, by: User, expires_on: date, licence_file: Any = None
) -> LicenceRenewal:
    """Submit the renewed licence (its scan and its new end) for the centre's check; the programme
    managers are asked to check it. A renewal already waiting is superseded by the new submission.

    A brokerage whose expiry date was never recorded may send the date of its current licence
    without a new scan."""
    broker = Broker.objects.select_for_update().get(pk=broker.pk)
    can_renew_licence(by, broker).require()
    errors: dict[str, str] = {}
    today = timezone.localdate()
    current = broker.licence_expires_on
    if expires_on < today:
        errors["expires_on"] = _("This date has passed: enter the end of a valid licence.")
    elif current is not None and expires_on <= current:
        errors["expires_on"] = _("The renewed licence must end after the current one (%(date)s).") % {
            "date": jdate(current)
        }
    if not licence_file and current is not None:
        errors["licence_file"] = _("Upload the renewed licence.")
    if errors:
        raise ValidationError(errors)
    # Sent again before the centre decided: the one waiting is set aside (kept, with its scan, in
    # the history) and the new one is checked instead, so a manager never approves a file or date
    # they did not see and a decision taken on the old page fails as "already decided". The
    # brokerage's row is locked first, as the decisions do (_renewal_to_decide), so the two never
    # wait on each other's lock.
    now = timezone.now()
    broker.licence_renewals.filter(status=LicenceRenewal.Status.PENDING).update(
        status=LicenceRenewal.Status.SUPERSEDED, decided_at=now, updated_at=now
    )
    renewal = LicenceRenewal(broker=broker, expires_on=expires_on, submitted_by=by, submitted_at=now)
    if licence_file:
        renewal.licence_file = licence_file
    renewal.full_clean(validate_constraints=False)
    save_unique(renewal, message=_("A renewal of this licence is already waiting for the centre."))
    context = {"broker": bilingual(broker, "name"), "expiry": expires_on.isoformat()}
    for manager in staff_with_role(Role.PROGRAMME_MANAGER):
        notify(
            recipient=manager,
            kind="broker_licence_renewal_submitted",
            url=renewals_to_decide_url(),
            context=context,
        )
    return renewal


def renewals_to_decide_url() -> str:
    """The admin's list of the renewals waiting for the centre, where they are approved or refused."""
    return reverse("admin:brokers_licencerenewal_changelist") + "?status__exact=pending"


def _renewal_to_decide(renewal: LicenceRenewal, by: User) -> LicenceRenewal:
    """Lock the brokerage, then the renewal (the order licence_renewal_submit takes them in, so a
    resend and a decision wait for each other instead of deadlocking); refuse one already decided."""
    can_decide_licence_renewals(by).require()
    broker_id = LicenceRenewal.objects.filter(pk=renewal.pk).values_list("broker_id", flat=True).get()
    broker = Broker.objects.select_for_update().get(pk=broker_id)
    renewal = LicenceRenewal.objects.select_for_update().get(pk=renewal.pk)
    renewal.broker = broker
    if not renewal.is_pending:
        raise ValidationError(
            _("This renewal has already been decided: %(status)s.")
            % {"status": renewal.get_status_display()},
            code="state",
        )
    return renewal


@transaction.atomic
def licence_renewal_approve(*, renewal: LicenceRenewal, by: User) -> LicenceRenewal:
    """Approve a renewal: its scan and date become the brokerage's licence. An expired brokerage
    publishes again at once (its offers, services and inquiries), and the expiry warnings start
    afresh for the new date (LicenceNotice is keyed by it).

    A date that has passed, or that does not end after the brokerage's current licence (approved
    meanwhile from another renewal, say), is refused: approving it would shorten the licence."""
    renewal = _renewal_to_decide(renewal, by)
    broker = renewal.broker
    current = broker.licence_expires_on
    if renewal.expires_on < timezone.localdate():
        raise ValidationError(
            _("Its date (%(date)s) has passed: ask the brokerage for a valid licence.")
            % {"date": jdate(renewal.expires_on)},
            code="expired",
        )
    if current is not None and renewal.expires_on <= current:
        raise ValidationError(
            _("Its date (%(date)s) does not end after the current licence (%(current)s).")
            % {"date": jdate(renewal.expires_on), "current": jdate(current)},
            code="not_later",
        )
    was_publishing = broker.is_publishing
    if renewal.licence_file:
        broker.licence_file = renewal.licence_file.name
    broker.licence_expires_on = renewal.expires_on
    broker._change_reason = "licence renewed"  # the brokerage's history says why
    broker.save(update_fields=["licence_file", "licence_expires_on", "updated_at"])
    renewal.status = LicenceRenewal.Status.APPROVED
    renewal.decided_at = timezone.now()
    renewal.decided_by = by
    renewal.save(update_fields=["status", "decided_at", "decided_by", "updated_at"])
    if broker.is_publishing != was_publishing:
        public_content_changed()  # its offers and services are back on the public pages
    notify_members(
        broker,
        kind="broker_licence_renewal_approved",
        url=reverse("brokers:licence_renewal"),
        context={
            "broker": bilingual(broker, "name"),
            "expiry": renewal.expires_on.isoformat(),
            # A suspended brokerage stays off the public pages: the e-mail must not promise otherwise.
            "suspended": broker.status == Broker.Status.SUSPENDED,
        },
    )
    return renewal


@transaction.atomic
def licence_renewal_reject(*, renewal: LicenceRenewal, by: User, note: str) -> LicenceRenewal:
    """Refuse a renewal with the reason, which the members are told; the current licence stands."""
    if not note.strip():
        raise ValidationError(
            {"note": _("Write the reason: the members are told why.")}, code="note_required"
        )
    renewal = _renewal_to_decide(renewal, by)
    renewal.status = LicenceRenewal.Status.REJECTED
    renewal.decided_at = timezone.now()
    renewal.decided_by = by
    renewal.note = note.strip()
    renewal.save(update_fields=["status", "decided_at", "decided_by", "note", "updated_at"])
    notify_members(
        renewal.broker,
        kind="broker_licence_renewal_rejected",
        url=reverse("brokers:licence_renewal"),
        context={
            "broker": bilingual(renewal.broker, "name"),
            "expiry": renewal.expires_on.isoformat(),
            "note": renewal.note,
        },
    )
    return renewal


# ---------------------------------------------------------------------------
# Brokerage services
# ---------------------------------------------------------------------------
SERVICE_FIELDS = {
    "service_type", "fee_model", "fee_amount", "fee_percent", "currency", "description_fa", "description_en",
}  # fmt: skip


def _check_service(service: BrokerService, countries: list[TargetCountry]) -> None:
    # The unused fee field is cleared: a percentage fee has no amount, a fixed one no percentage.
    if service.fee_model == BrokerService.FeeModel.PERCENT:
        service.fee_amount = None
    elif service.fee_model:
        service.fee_percent = None
    service.full_clean()
    if not countries:
        raise ValidationError({"countries": _("Choose at least one country served.")})
    covered = set(service.broker.countries.values_list("pk", flat=True))
    if any(country.pk not in covered for country in countries):
        raise ValidationError(
            {
                "countries": _(
                    "Your brokerage does not cover every chosen country. Add them to your profile first."
                )
            }
        )


@transaction.atomic
def broker_service_create(
    *, broker: Broker, countries: Iterable[TargetCountry], **fields: Any
) -> BrokerService:
    """List a service of an approved, licensed brokerage."""
    _check_fields(fields, SERVICE_FIELDS)
    broker_may_publish(broker).require()
    countries = list(countries)
    service = BrokerService(broker=broker, **fields)
    _check_service(service, countries)
    service.save()
    service.countries.set(countries)
    return service


@transaction.atomic
def broker_service_update(
    *, service: BrokerService, countries: Iterable[TargetCountry] | None = None, **fields: Any
) -> BrokerService:
    _check_fields(fields, SERVICE_FIELDS)
    service = BrokerService.objects.select_for_update().select_related("broker").get(pk=service.pk)
    broker_is_active(service.broker).require()
    for name, value in fields.items():
        setattr(service, name, value)
    countries = list(countries) if countries is not None else list(service.countries.all())
    _check_service(service, countries)
    service.save()
    service.countries.set(countries)
    return service


@transaction.atomic
def broker_service_list(*, service: BrokerService, listed: bool) -> BrokerService:
    """Withdraw a service from show, or list it again (which needs a publishing brokerage)."""
    service = BrokerService.objects.select_for_update().select_related("broker").get(pk=service.pk)
    (broker_may_publish if listed else broker_is_active)(service.broker).require()
    if service.is_active != listed:
        service.is_active = listed
        service.save(update_fields=["is_active", "updated_at"])
    return service


# ---------------------------------------------------------------------------
# Engagements: a company books a service, the brokerage accepts, delivers; either side closes;
# both rate. Each step is an event on its trail and a notification to the other side.
# ---------------------------------------------------------------------------
def _engagement_context(engagement: Engagement) -> dict[str, Any]:
    return {
        "service": bilingual(engagement.service.service_type, "name"),
        "company": bilingual(engagement.company, "name"),
        "broker": bilingual(engagement.broker, "name"),
    }


def _tell_other_side(engagement: Engagement, side: str, kind: str, **extra: Any) -> None:
    other = engagement.broker if side == "company" else engagement.company
    notify_members(
        other,
        kind=kind,
        url=engagement.get_absolute_url(),
        context={**_engagement_context(engagement), **extra},
    )


def open_booking(*, service: BrokerService, company: Company) -> Engagement | None:
    """The company's booking of the service still open (requested or accepted), if any."""
    return (
        Engagement.objects.filter(service=service, company=company, status__in=Engagement.OPEN)
        .order_by("-created_at")
        .first()
    )


@transaction.atomic
def engagement_book(*, service: BrokerService, company: Company, by: User, message: str) -> Engagement:
    """A company's member books a listed service; the brokerage is told."""
    # Locked: two bookings of the same service sent at once are checked one after the other.
    service = (
        BrokerService.objects.select_for_update(of=("self",))
        .select_related("broker", "service_type")
        .get(pk=service.pk)
    )
    can_book(by, service).require()
    if company_of(by) != company:
        raise ValidationError(_("Only members of a registered company can book a service."), code="company")
    if open_booking(service=service, company=company) is not None:
        raise ValidationError(
            _(
                "Your company already has an open booking of this service. Follow it up on its page; "
                "you can book again once it is closed or declined."
            ),
            code="duplicate",
        )
    engagement = Engagement(
        service=service, broker=service.broker, company=company, message=message, requested_by=by
    )
    engagement.full_clean()
    engagement.save()
    EngagementEvent.objects.create(
        engagement=engagement, action=EngagementEvent.Action.REQUEST, actor=by, side="company", note=message
    )
    _tell_other_side(engagement, "company", "engagement_requested")
    return engagement


@transaction.atomic
def engagement_act(*, engagement: Engagement, action: str, by: User, note: str = "") -> Engagement:
    """Accept, decline, deliver or close an engagement (brokers.permissions.ENGAGEMENT_ACTIONS: who
    and from which states); the other side is told."""
    if action not in ENGAGEMENT_TARGETS:
        raise ValidationError(_("Unknown decision."), code="invalid")
    engagement = (
        Engagement.objects.select_for_update(of=("self",))
        .select_related("broker", "company", "service__service_type")
        .get(pk=engagement.pk)
    )
    side = engagement_side(by, engagement)
    sources, sides = ENGAGEMENT_ACTIONS[action]
    if side in sides and engagement.status not in sources:  # the right side, too late: say why
        raise ValidationError(
            _("This step is no longer possible: the engagement is %(status)s.")
            % {"status": engagement.get_status_display()},
            code="state",
        )
    can_act_on_engagement(by, engagement, action).require()
    engagement.status = ENGAGEMENT_TARGETS[action]
    now = timezone.now()
    if action == "deliver":
        engagement.delivered_at = now
    if action in ("close", "decline"):
        engagement.closed_at = now
    engagement.save(update_fields=["status", "delivered_at", "closed_at", "updated_at"])
    EngagementEvent.objects.create(engagement=engagement, action=action, actor=by, side=side, note=note)
    _tell_other_side(engagement, side, f"engagement_{engagement.status}", note=note)
    return engagement


@transaction.atomic
def engagement_rate(*, engagement: Engagement, by: User, score: int, comment: str = "") -> EngagementRating:
    """Each side rates a delivered engagement once (1–5, a comment); the other side is told."""
    engagement = (
        Engagement.objects.select_for_update(of=("self",))
        .select_related("broker", "company", "service__service_type")
        .get(pk=engagement.pk)
    )
    rated = set(engagement.ratings.values_list("side", flat=True))
    allowed = can_rate_engagement(by, engagement, rated)
    side = engagement_side(by, engagement)
    if not allowed:
        if side is None:
            allowed.require()
        raise ValidationError({"score": allowed.reason})
    rating = EngagementRating(engagement=engagement, side=side, score=score, comment=comment, rated_by=by)
    already = _("You have already rated this engagement.")
    rating.full_clean(validate_constraints=False)
    try:
        # Two tabs (or a double click) rating at once: the second is told, not a server error.
        save_unique(rating, message=already)
    except ValidationError as error:
        raise ValidationError({"score": already}, code="already_rated") from error
    EngagementEvent.objects.create(
        engagement=engagement, action=EngagementEvent.Action.RATE, actor=by, side=side, note=comment
    )
    _tell_other_side(engagement, side, "engagement_rated", score=score)
    return rating
