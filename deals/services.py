"""The one door for deals: opening them, and every change of their status.

Each function locks the deal's row (`select_for_update`), checks the lifecycle table
(deals.permissions.DEAL_ACTIONS) and who is acting, writes the change, appends a `DealEvent` (the
timeline both parties read) and notifies the other party: the in-app `Notification` is written
in the same transaction, its e-mail goes out after commit in the recipient's language
(portal.notifications.notify). Views, the admin and the API call these functions; nothing else
writes `Deal.status` (tests/portal/test_one_door.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Min
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from brokers.mandates import mandate_for, mandate_refusal
from brokers.models import Broker, BuyerInquiry, Mandate, OfferPartner, OfferResponse
from brokers.partners import co_broker_decide, co_broker_invite_check
from brokers.permissions import broker_of, can_act_under_mandates, inquiry_inbox_actions
from brokers.services import inquiry_convert
from companies.models import Company
from companies.permissions import company_of
from portal.access import Access
from portal.db import next_reference
from portal.models import User, bilingual
from portal.notifications.services import notify, notify_members
from portal.templatetags.portal_tags import jdate, localnumber
from products.models import Product

from .credits import (
    answering_broker_share,
    credited_as_referrer,
    credits_write,
    introducer_share_left,
    referral_for,
)
from .models import (
    CENTS,
    Action,
    Deal,
    DealEvent,
    DealLine,
    DealPartner,
    Origin,
    Payment,
    Shipment,
    Status,
)
from .permissions import (
    can_act_on_deal,
    can_act_on_partner,
    can_invite_partner,
    can_open_direct,
    can_open_from_inquiry,
    can_open_from_response,
    company_may_open_deals,
    move_for,
)

DEAL_FIELDS = {
    "buyer_name", "buyer_country", "buyer_type", "destination", "incoterm", "currency", "usd_rate",
}  # fmt: skip

LINE_FIELDS = {"product", "quantity", "unit_price"}


def _check_fields(fields: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")


def _require(access: Access) -> None:
    if not access:
        raise PermissionDenied(str(access.reason) or _("You may not do this with this deal."))


# ---------------------------------------------------------------------------
# Notifying the other party
# ---------------------------------------------------------------------------
def _recipients(deal: Deal, by: User | None) -> list[User]:
    """The other parties' members: the brokerages' (its own and its accepted co-brokers') when the
    company acts, the company's and the other brokerages' when a brokerage acts (all of them when
    nobody in particular does)."""
    acting_company = by is not None and (own := company_of(by)) is not None and own.pk == deal.company_id
    acting_broker = broker_of(by) if by is not None else None
    brokers = set(
        deal.partners.filter(status=DealPartner.Status.ACCEPTED).values_list("broker_id", flat=True)
    )
    if deal.broker_id is not None:
        brokers.add(deal.broker_id)
    brokers.discard(getattr(acting_broker, "pk", None))
    people: dict[int, User] = {}
    if not acting_company:
        for user in User.objects.filter(company_membership__company=deal.company_id, is_active=True):
            people[user.pk] = user
    for user in User.objects.filter(broker_membership__broker__in=brokers, is_active=True):
        people[user.pk] = user
    people.pop(getattr(by, "pk", None), None)
    return list(people.values())


def _tell_other_party(deal: Deal, event: DealEvent, by: User | None) -> None:
    acting = None
    if by is not None:
        own = company_of(by)
        acting = own if own is not None and own.pk == deal.company_id else broker_of(by)
    context = {
        "reference": deal.reference,
        "action": event.action,
        "status": event.to_status,
        "note": event.note,
        "buyer": deal.buyer_name,
        # Rendered in each recipient's language by the e-mail template, never stored as text.
        "shipment": (
            {"quantity": event.shipment.quantity, "declaration": event.shipment.declaration_number}
            if event.shipment is not None
            else None
        ),
        "payment": (
            {"amount": str(event.payment.amount.quantize(CENTS)), "currency": event.payment.currency}
            if event.payment is not None
            else None
        ),
        "by": bilingual(acting, "name") if acting is not None else None,
    }
    if deal.mandate_id is not None:
        context["for_company"] = bilingual(deal.company, "name")  # "opened by broker X for company Y"
        if deal.mandate.broker_id != deal.broker_id:
            # Opened from the response another brokerage sent for the company under its mandate.
            context["answered_by"] = bilingual(deal.mandate.broker, "name")
    for user in _recipients(deal, by):
        notify(recipient=user, kind="deal_update", url=deal.get_absolute_url(), context=context)


def _event(
    deal: Deal,
    action: str,
    *,
    previous: str,
    by: User | None,
    note: str = "",
    shipment: Shipment | None = None,
    payment: Payment | None = None,
) -> DealEvent:
    event = DealEvent.objects.create(
        deal=deal,
        action=action,
        from_status=previous,
        to_status=deal.status,
        actor=by,
        note=note,
        shipment=shipment,
        payment=payment,
    )
    _tell_other_party(deal, event, by)
    return event


# ---------------------------------------------------------------------------
# Opening a deal
# ---------------------------------------------------------------------------
def _clean_lines(company: Company, lines: Iterable[dict[str, Any]]) -> list[DealLine]:
    """The deal's lines, checked: at least one, each a product of the deal's company."""
    rows = []
    for line in lines:
        _check_fields(line, LINE_FIELDS)
        rows.append(DealLine(**line))
    if not rows:
        raise ValidationError({"lines": _("Add at least one product with its quantity and unit price.")})
    for row in rows:
        if row.product.company_id != company.pk or row.product.status == Product.Status.ARCHIVED:
            raise ValidationError(
                {
                    "lines": _("Choose only products of %(company)s that are not archived.")
                    % {"company": company}
                }
            )
        row.full_clean(exclude=["deal"])
    return rows


def _open(
    *,
    by: User,
    company: Company,
    broker: Broker | None,
    origin: str,
    lines: Iterable[dict[str, Any]],
    offer_response: OfferResponse | None = None,
    inquiry: BuyerInquiry | None = None,
    under_mandate: bool = False,
    answered_by: Broker | None = None,
    **fields: Any,
) -> Deal:
    """Open the deal; `under_mandate`: the deal's brokerage opens it for the company; `answered_by`:
    the brokerage that sent the response the deal comes from for the company."""
    _check_fields(fields, DEAL_FIELDS)
    deal = Deal(
        company=company, broker=broker, origin=origin, offer_response=offer_response, inquiry=inquiry,
        created_by=by, reference="-", **fields,
    )  # fmt: skip
    if deal.currency == Product.Currency.USD:
        deal.usd_rate = Decimal(1)
    deal.full_clean(exclude=["reference", "offer_response", "mandate"])
    rows = _clean_lines(company, lines)
    answering_mandate = None
    if under_mandate:
        deal.mandate = _covering_mandate(deal, rows)
    elif answered_by is not None:
        # The response was sent under the company's mandate: its brokerage joins while the mandate
        # still covers the deal (revoked, expired or not covering: that brokerage is not on the deal).
        categories = {row.product.category_id for row in rows}
        answering_mandate = _locked_in_force(
            mandate_for(answered_by, company, deal.destination, categories=categories)
        )
    deal.expected_value = sum((row.total for row in rows), Decimal(0)).quantize(CENTS)
    deal.reference = next_reference("DL", timezone.localdate())
    deal.save()
    for row in rows:
        row.deal = deal
    DealLine.objects.bulk_create(rows)
    _offer_partners_join(deal)
    referral = referral_for(deal)
    if answering_mandate is not None and _answering_broker_joins(deal, answering_mandate, referral, by=by):
        deal.mandate = answering_mandate  # recorded only once its brokerage is on the deal
        deal.save(update_fields=["mandate"])
    _event(deal, Action.OPEN, previous="", by=by)  # told to the co-brokers too
    _credit_opening(deal, referral, by=by)
    return deal


def _locked_in_force(mandate: Mandate | None) -> Mandate | None:
    """`mandate`, its row locked, if it is still in force once locked (a revocation that got the
    lock first has then committed): the lock keeps it in force until the caller's transaction ends."""
    if mandate is None:
        return None
    return Mandate.objects.select_for_update(of=("self",)).in_force().filter(pk=mandate.pk).first()


def _covering_mandate(deal: Deal, rows: list[DealLine]) -> Any:
    """The company's mandate by which the deal's brokerage opens it for the company: it covers the
    destination and every line's category. Else a field error (the company, the destination or
    the lines), before anything is saved."""
    categories = {row.product.category_id for row in rows}
    refusal = mandate_refusal(deal.broker, deal.company, deal.destination, categories)
    if refusal is not None:
        what, reason = refusal
        raise ValidationError({{"company": "company", "country": "destination"}.get(what, "lines"): reason})
    mandate = _locked_in_force(
        mandate_for(deal.broker, deal.company, deal.destination, categories=categories)
    )
    if mandate is None:  # revoked while we looked
        reason = _("%(company)s has given your brokerage no mandate in force.") % {
            "company": deal.company.name
        }
        raise ValidationError({"company": reason})
    return mandate


def _broker_acting_for(by: User, company: Company | None) -> Broker:
    """The brokerage of `by`, allowed to act under mandates, naming the company it acts for."""
    _require(can_act_under_mandates(by))
    if company is None:
        raise ValidationError({"company": _("Choose the company you act for.")})
    if not company_may_open_deals(company):
        raise ValidationError({"company": _("Choose a verified company.")})
    return broker_of(by)


def _offer_partners_join(deal: Deal) -> None:
    if deal.broker_id is not None and deal.origin == Origin.RESPONSE:
        # The offer's accepted co-brokers are the deal's, with the shares agreed on the offer.
        offer_partners = OfferPartner.objects.filter(
            offer=deal.offer_response.offer_id, status=OfferPartner.Status.ACCEPTED
        ).exclude(broker=deal.broker_id)
        DealPartner.objects.bulk_create(
            DealPartner(
                deal=deal, broker_id=p.broker_id, share_percent=p.share_percent, role_note=p.role_note,
                status=DealPartner.Status.ACCEPTED, invited_by=p.invited_by, decided_by=p.decided_by,
                decided_at=p.decided_at,
            )
            for p in offer_partners
        )  # fmt: skip


def _answering_broker_joins(deal: Deal, mandate: Mandate, referral: Any, *, by: User) -> bool:
    """The brokerage that sent the response for the company under `mandate` (locked, in force) is a
    party of the deal: an accepted co-broker for its share (deals/credits.py), unless it co-brokers
    the offer already (it then holds the share agreed on the offer). Whether it is on the deal.

    It stays a full party if the company later revokes the mandate: it brought the seller's answer
    the deal comes from, and that is done (only the invitations its mandate let it send are undone).

    A brokerage is credited once on a deal: when it also referred the company to the deal's
    brokerage (`referral`), the larger share wins, co-broker or referrer, and the other role is
    not taken (a larger referral's share: it does not join, and is credited as the referrer)."""
    if deal.origin != Origin.RESPONSE or mandate.broker_id == deal.broker_id:
        return True  # the deal's own brokerage: a party already
    joined = list(deal.partners.filter(status=DealPartner.Status.ACCEPTED))
    if any(partner.broker_id == mandate.broker_id for partner in joined):
        return True
    share = answering_broker_share(sum(partner.share_percent for partner in joined))
    if share < 1:
        return False  # the offer's co-brokers were promised all the introducer could give
    if (
        referral is not None
        and referral.from_broker_id == mandate.broker_id
        and referral.share_percent > share
    ):
        return False  # credited as the referrer, its larger share
    DealPartner.objects.create(
        deal=deal, broker_id=mandate.broker_id, share_percent=share, status=DealPartner.Status.ACCEPTED,
        invited_by=by, decided_by=deal.offer_response.created_by, decided_at=timezone.now(),
    )  # fmt: skip
    return True


def _credit_opening(deal: Deal, referral: Any, *, by: User) -> None:
    """Credit the brokerage that brought the buyer, its co-brokers (from the offer, and the
    brokerage that answered for the company) and the referrer, when the deal is the outcome of an
    accepted referral; the timeline records a split, and the referrer is told either way. A
    referrer that is the deal's co-broker already is credited as the co-broker only."""
    if deal.broker_id is None:
        return
    if referral is not None:
        co_broker = deal.partners.filter(
            broker=referral.from_broker_id, status=DealPartner.Status.ACCEPTED
        ).first()
        if co_broker is not None:
            credits = credits_write(deal, referral=None, keep_referral=False)
            _tell_referrer(deal, referral, "co_broker", co_broker_share=co_broker.share_percent)
            _credit_event(deal, credits, by=by)
            return
    try:
        credits = credits_write(deal, referral=referral, keep_referral=False)
    except ValidationError:
        # The offer's co-brokers and the referral together would leave the introducer nothing:
        # the shares agreed on the offer stand, the referral is not credited (never a lost deal).
        credits = credits_write(deal, referral=None, keep_referral=False)
        if referral is not None:
            _tell_referrer(deal, referral, "dropped")
    else:
        if referral is not None:
            _tell_referrer(deal, referral, "credited")
    _credit_event(deal, credits, by=by)


def _credit_event(deal: Deal, credits: list[Any], *, by: User) -> None:
    if len(credits) > 1:
        DealEvent.objects.create(
            deal=deal, action=Action.CREDIT, from_status=deal.status, to_status=deal.status, actor=by,
            credits=_credit_split(credits),
        )  # fmt: skip


def _tell_referrer(deal: Deal, referral: Any, action: str, *, co_broker_share: int = 0) -> None:
    """The referring brokerage hears that the deal its referral led to credits it ("credited"), or
    that the shares agreed on the deal left no room for its share ("dropped"), or that it is
    credited as the deal's co-broker instead ("co_broker": it answered the offer for the company,
    for a larger share). Not a party of the deal, or not as the referrer: the link is its
    referral's page, which lists the deals credited through it."""
    context = {
        "action": action, "reference": deal.reference, "share": referral.share_percent,
        "receiver": bilingual(deal.broker, "name"), "co_broker_share": co_broker_share,
        "subject": bilingual(referral.company, "name") if referral.company_id else referral.subject,
    }  # fmt: skip
    url = referral.get_absolute_url()
    notify_members(referral.from_broker, kind="referral_credit", url=url, context=context)


def _credit_split(credits: Iterable[Any]) -> list[dict[str, Any]]:
    """The split as the timeline keeps it: rendered in each reader's language, never stored as text."""
    return [{"broker": c.broker_id, "share": c.share_percent, "role": c.role} for c in credits]


@transaction.atomic
def deal_open_direct(
    *, company: Company | None, by: User, lines: Iterable[dict[str, Any]], **fields: Any
) -> Deal:
    """A company records a deal with its own buyer (no brokerage); or a brokerage records one for a
    company under the company's mandate (the mandate must cover the destination and the lines'
    categories), as "opened by broker X for company Y"."""
    own = company_of(by)
    if own is None and broker_of(by) is not None:
        broker = _broker_acting_for(by, company)
        return _open(
            by=by, company=company, broker=broker, origin=Origin.DIRECT, lines=lines, under_mandate=True,
            **fields,
        )  # fmt: skip
    _require(can_open_direct(by))
    if company is None or own.pk != company.pk:
        raise PermissionDenied(_("Only the company's members record its own buyers' deals."))
    return _open(by=by, company=company, broker=None, origin=Origin.DIRECT, lines=lines, **fields)


@transaction.atomic
def deal_open_from_response(
    *, response: OfferResponse, by: User, lines: Iterable[dict[str, Any]], **fields: Any
) -> Deal:
    """Open the deal an accepted response became, by the company or the offer's brokerage (which
    becomes the deal's brokerage). One deal per response: the response's row is locked, so two
    openings at once make one deal and a clear refusal."""
    response = (
        OfferResponse.objects.select_for_update(of=("self",))
        .select_related("offer__broker", "company", "submitted_by_broker")
        .get(pk=response.pk)
    )
    _require(can_open_from_response(by, response))
    existing = Deal.objects.filter(offer_response=response).first()
    if existing is not None:
        raise ValidationError(
            _("Deal %(reference)s was already opened from this response.")
            % {"reference": existing.reference},
            code="duplicate",
        )
    return _open(
        by=by, company=response.company, broker=response.offer.broker, origin=Origin.RESPONSE,
        offer_response=response, lines=lines, answered_by=response.submitted_by_broker, **fields,
    )  # fmt: skip


@transaction.atomic
def deal_open_from_inquiry(
    *, inquiry: BuyerInquiry, by: User, lines: Iterable[dict[str, Any]], company: Company | None = None,
    **fields: Any,
) -> Deal:  # fmt: skip
    """Open the deal a buyer's inquiry became: by the company the buyer wrote to, or by a covering
    brokerage for a company whose mandate covers the destination and the lines' categories (the
    brokerage names the company that sells and becomes the deal's brokerage)."""
    _require(can_open_from_inquiry(by, inquiry))
    own_company, broker = company_of(by), None
    if own_company is not None:
        company = own_company
    else:
        broker = _broker_acting_for(by, company)
    deal = _open(
        by=by, company=company, broker=broker, origin=Origin.INQUIRY, inquiry=inquiry, lines=lines,
        under_mandate=broker is not None, **fields,
    )  # fmt: skip
    # The inquiry's holder opening its deal has converted it: the inbox says so to the others.
    current = BuyerInquiry.objects.select_related("holder").get(pk=inquiry.pk)
    if "convert" in inquiry_inbox_actions(by, current):
        inquiry_convert(inquiry=current, by=by)
    return deal


# ---------------------------------------------------------------------------
# Moving a deal on
# ---------------------------------------------------------------------------
def _move(
    deal: Deal,
    action: str,
    *,
    by: User,
    note: str = "",
    check: Callable[[Deal], None] | None = None,
    changes: dict[str, Any] | None = None,
) -> tuple[Deal, str]:
    """Lock the deal, check who acts and the table, run `check(locked deal)`, change the status
    (when the table says so). Returns the locked deal and its previous status. Call in a transaction."""
    deal = (
        Deal.objects.select_for_update(of=("self",))
        .select_related("company", "broker", "mandate__broker")
        .get(pk=deal.pk)
    )
    _require(can_act_on_deal(by, deal, action))
    move = move_for(action, deal.status)
    if move is None:
        raise ValidationError(
            _("This deal is %(status)s; it cannot be changed that way now.")
            % {"status": deal.get_status_display()},
            code="invalid_state",
        )
    if check is not None:
        check(deal)
    previous = deal.status
    fields = ["updated_at"]
    if move.target is not None and move.target != previous:
        deal.status = move.target
        fields.append("status")
    for name, value in (changes or {}).items():
        setattr(deal, name, value)
        fields.append(name)
    deal.save(update_fields=fields)
    return deal, previous


@transaction.atomic
def deal_contract(*, deal: Deal, by: User, note: str = "") -> Deal:
    """The buyer signed: negotiating → contracted."""
    deal, previous = _move(deal, "contract", by=by)
    _event(deal, Action.CONTRACT, previous=previous, by=by, note=note)
    return deal


@transaction.atomic
def shipment_record(
    *, deal: Deal, by: User, shipped_on: date, quantity: int, declaration_number: str, invoice: Any,
    transport_document: Any,
) -> Shipment:  # fmt: skip
    """Record a shipment with its documents; the first one makes a contracted deal shipped.
    A shipment never takes more than what remains of the deal's quantity."""
    shipment = Shipment(
        shipped_on=shipped_on, quantity=quantity, declaration_number=declaration_number.strip(),
        invoice=invoice, transport_document=transport_document, recorded_by=by,
    )  # fmt: skip

    def check(locked: Deal) -> None:
        errors: dict[str, str] = {}
        remaining = locked.quantity_total() - locked.quantity_shipped()
        if quantity is not None and quantity > remaining:
            errors["quantity"] = _("Only %(remaining)s units of this deal remain to be shipped.") % {
                "remaining": localnumber(remaining)
            }
        if shipped_on and shipped_on > timezone.localdate():
            errors["shipped_on"] = _("The shipping date cannot be in the future.")
        shipment.deal = locked
        try:
            shipment.full_clean()
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(field, messages[0])
        if errors:
            raise ValidationError(errors)

    deal, previous = _move(deal, "ship", by=by, check=check)
    shipment.save()
    _event(deal, Action.SHIP, previous=previous, by=by, shipment=shipment)
    return shipment


@transaction.atomic
def payment_record(*, deal: Deal, by: User, amount: Decimal, currency: str, received_on: date) -> Payment:
    """Record money received from the buyer, in the deal's currency or in US dollars; the first
    payment makes a shipped deal paid. A payment follows a shipment: never before the first."""
    payment = Payment(amount=amount, currency=currency, received_on=received_on, recorded_by=by)

    def check(locked: Deal) -> None:
        first = locked.shipments.aggregate(first=Min("shipped_on"))["first"]
        errors: dict[str, str] = {}
        if currency not in (locked.currency, Product.Currency.USD):
            errors["currency"] = _("Record the payment in the deal's currency (%(currency)s) or in USD.") % {
                "currency": locked.currency
            }
        if received_on and first and received_on < first:
            errors["received_on"] = _("A payment cannot be dated before the first shipment (%(date)s).") % {
                "date": jdate(first)
            }
        if received_on and received_on > timezone.localdate():
            errors["received_on"] = _("The date received cannot be in the future.")
        payment.deal = locked
        try:
            payment.full_clean()
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(field, messages[0])
        if errors:
            raise ValidationError(errors)

    locked = Deal.objects.select_for_update().get(pk=deal.pk)
    if not locked.shipments.exists() and locked.status in (Status.NEGOTIATING, Status.CONTRACTED):
        _require(can_act_on_deal(by, locked, "pay"))
        raise ValidationError(
            _("No shipment has been recorded for this deal yet: record the shipment before its payment."),
            code="no_shipment",
        )
    deal, previous = _move(deal, "pay", by=by, check=check)
    payment.save()
    _event(deal, Action.PAY, previous=previous, by=by, payment=payment)
    return payment


@transaction.atomic
def deal_close(*, deal: Deal, by: User, note: str = "") -> Deal:
    """Paid and done: paid → closed, by the company or the brokerage."""
    deal, previous = _move(deal, "close", by=by)
    _event(deal, Action.CLOSE, previous=previous, by=by, note=note)
    return deal


@transaction.atomic
def deal_mark_lost(*, deal: Deal, by: User, reason: str, note: str = "") -> Deal:
    """The deal fell through, from any open stage, with a reason from the list and a note."""

    def check(locked: Deal) -> None:
        from .models import LostReason

        if reason not in LostReason.values:
            raise ValidationError({"lost_reason": _("Choose a reason from the list.")})
        if reason == LostReason.OTHER and not note.strip():
            raise ValidationError({"lost_note": _("Say what happened when the reason is “other”.")})

    deal, previous = _move(
        deal, "lose", by=by, check=check, changes={"lost_reason": reason, "lost_note": note.strip()}
    )
    _event(deal, Action.LOSE, previous=previous, by=by, note=note.strip())
    return deal


# ---------------------------------------------------------------------------
# Co-brokers: the deal's brokerage invites another onto the deal with an agreed split
# ---------------------------------------------------------------------------
def _partner_locked(partner: DealPartner) -> tuple[DealPartner, Deal]:
    """The deal's row locked first (as every change of the deal), then the invitation's."""
    deal = (
        Deal.objects.select_for_update(of=("self",))
        .select_related("company", "broker")
        .get(pk=partner.deal_id)
    )
    partner = DealPartner.objects.select_for_update().select_related("broker").get(pk=partner.pk)
    partner.deal = deal
    return partner, deal


def _partner_event(
    deal: Deal, action: str, partner: DealPartner, *, by: User, credits: Iterable[Any] = ()
) -> DealEvent:
    event = DealEvent.objects.create(
        deal=deal, action=action, from_status=deal.status, to_status=deal.status, actor=by,
        partner=partner, credits=_credit_split(credits),
    )  # fmt: skip
    context = {
        "reference": deal.reference, "action": action, "share": partner.share_percent,
        "by": bilingual(broker_of(by), "name"), "partner": bilingual(partner.broker, "name"),
    }  # fmt: skip
    if action == Action.REVOKE:
        context.update(company=bilingual(deal.company, "name"), holder=bilingual(deal.broker, "name"))
    # The invited brokerage hears of its invitation (and its withdrawal) on its co-brokering page;
    # the deal's parties hear of the answer on the deal's page.
    if action in (Action.INVITE, Action.WITHDRAW, Action.REVOKE):
        people = User.objects.filter(broker_membership__broker=partner.broker_id, is_active=True)
        url = reverse("deals:partner_list")
    else:
        people = _recipients(deal, by)
        url = deal.get_absolute_url()
    for user in people:
        notify(recipient=user, kind="deal_partner_update", url=url, context=context)
    return event


@transaction.atomic
def deal_partner_invite(
    *, deal: Deal, by: User, broker: Broker, share_percent: int, role_note: str = ""
) -> DealPartner:
    """Invite an approved brokerage with a valid licence to co-broker the deal for `share_percent`
    (1–99) of its credit; the deal's brokerage keeps the rest (less any other agreed share). Not
    the deal's referrer: a brokerage is credited once on a deal.

    The deal's mandate is read after the deal's row is locked, by a query of its own: a revocation
    locks the mandate, then its deals (mandate_invitations_withdraw), so either it withdraws this
    invitation once made, or this reads the mandate revoked."""
    deal = Deal.objects.select_for_update(of=("self",)).select_related("company", "broker").get(pk=deal.pk)
    _require(can_invite_partner(by, deal))
    partner = DealPartner(
        deal=deal, broker=broker, share_percent=share_percent, role_note=(role_note or "").strip(),
        invited_by=by,
    )  # fmt: skip
    co_broker_invite_check(
        partner, inviter_id=deal.broker_id, invitations=deal.partners.all(),
        already=_("This brokerage is already invited onto the deal."),
    )  # fmt: skip
    _refuse_referrer(deal, broker.pk)
    pending = sum(
        deal.partners.filter(status=DealPartner.Status.PENDING).values_list("share_percent", flat=True)
    )
    if introducer_share_left(deal, share_percent + pending) < 1:
        raise ValidationError(
            {"share_percent": _("This share leaves nothing to your brokerage: agree a smaller one.")}
        )
    partner.save()
    _partner_event(deal, Action.INVITE, partner, by=by)
    return partner


def _refuse_referrer(deal: Deal, broker_id: int) -> None:
    """A brokerage is credited once on a deal: its referral's share already is (accepting would
    credit it twice, as referrer and as co-broker)."""
    if credited_as_referrer(deal, broker_id):
        reason = _("This brokerage is credited on the deal as its referrer: it cannot also co-broker it.")
        raise ValidationError({"broker": reason})


@transaction.atomic
def deal_partner_accept(*, partner: DealPartner, by: User) -> DealPartner:
    """The invited brokerage accepts: it becomes a party of the deal and the credits are re-split.
    The referrer check again: an invitation sent before it existed may still be pending."""
    partner, deal = _partner_locked(partner)
    _require(can_act_on_partner(by, partner, "accept"))
    _refuse_referrer(deal, partner.broker_id)
    co_broker_decide(partner, DealPartner.Status.ACCEPTED, by=by)
    credits = credits_write(deal)
    _partner_event(deal, Action.PARTNER, partner, by=by, credits=credits)
    return partner


@transaction.atomic
def deal_partner_decline(*, partner: DealPartner, by: User) -> DealPartner:
    """The invited brokerage declines: nothing changes on the deal but its timeline."""
    partner, deal = _partner_locked(partner)
    _require(can_act_on_partner(by, partner, "decline"))
    co_broker_decide(partner, DealPartner.Status.DECLINED, by=by)
    _partner_event(deal, Action.DECLINE, partner, by=by)
    return partner


@transaction.atomic
def deal_partner_withdraw(*, partner: DealPartner, by: User) -> DealPartner:
    """The deal's brokerage takes its invitation back before the answer."""
    partner, deal = _partner_locked(partner)
    _require(can_act_on_partner(by, partner, "withdraw"))
    co_broker_decide(partner, DealPartner.Status.WITHDRAWN, by=by)
    _partner_event(deal, Action.WITHDRAW, partner, by=by)
    return partner


def mandate_invitations_withdraw(mandate: Mandate, by: User) -> list[DealPartner]:
    """The company revoked `mandate`: the co-broker invitations its brokerage sent on the deals it
    opened under it, not answered yet, are withdrawn, each on its deal's timeline and told to the
    invited brokerage. The deals go on, the company their party (brokers.mandates calls this
    inside the revoking transaction, the mandate's row locked).

    The deals' rows are locked before their invitations are read (lock order: mandate, deal,
    invitation, as inviting and answering lock the deal first): an invitation sent while the
    revocation waited for the deal is seen and withdrawn; one sent after reads the mandate revoked."""
    deals = list(
        Deal.objects.select_for_update(of=("self",))
        .filter(mandate=mandate, broker=mandate.broker_id)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    pending = DealPartner.objects.filter(deal__in=deals, status=DealPartner.Status.PENDING).order_by(
        "deal_id", "pk"
    )
    withdrawn = []
    for partner in list(pending.only("pk", "deal_id")):
        partner, deal = _partner_locked(partner)  # its deal locked already: the invitation's row now
        if partner.status != DealPartner.Status.PENDING:
            continue
        co_broker_decide(partner, DealPartner.Status.WITHDRAWN, by=by)
        _partner_event(deal, Action.REVOKE, partner, by=by)
        withdrawn.append(partner)
    return withdrawn
