"""The one door for co-brokering an offer: the offer's brokerage invites another approved brokerage
with an agreed share; the invited one accepts (it then reads the offer's responses, and deals opened
from them take it on as co-broker: deals/services.py) or declines; the inviter may withdraw first."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import User, bilingual
from portal.notifications.services import notify_members

from .models import Broker, CoBrokerInvitation, Offer, OfferPartner
from .permissions import can_act_on_offer_partner, can_invite_offer_partner


def co_broker_invite_check(
    partner: CoBrokerInvitation, *, inviter_id: int | None, invitations: QuerySet[Any], already: str
) -> None:
    """Refuse an invitation (on an offer or a deal), as a field error: a bad share or note; the
    inviting brokerage itself or one not approved with a valid licence; a brokerage holding a live
    invitation among `invitations` (the offer's or the deal's) already, which `already` says."""
    partner.full_clean(validate_constraints=False)
    if (
        partner.broker_id == inviter_id
        or not Broker.objects.publishing().filter(pk=partner.broker_id).exists()
    ):
        raise ValidationError({"broker": _("Choose another approved brokerage with a valid licence.")})
    if invitations.filter(broker=partner.broker_id, status__in=CoBrokerInvitation.LIVE).exists():
        raise ValidationError({"broker": already})


def co_broker_decide(partner: CoBrokerInvitation, status: str, *, by: User) -> None:
    """Record the answer to an invitation (or its withdrawal): its row is locked by the caller."""
    partner.status = status
    partner.decided_by, partner.decided_at = by, timezone.now()
    partner.save(update_fields=["status", "decided_by", "decided_at"])


def _tell(partner: OfferPartner, action: str, *, to: Broker) -> None:
    context = {
        "reference": partner.offer.title_en, "is_offer": True, "action": action,
        "share": partner.share_percent,
        "by": bilingual(partner.offer.broker, "name"), "partner": bilingual(partner.broker, "name"),
    }  # fmt: skip
    url = (
        reverse("deals:partner_list")
        if action in ("invite", "withdraw")
        else partner.offer.get_absolute_url()
    )
    notify_members(to, kind="deal_partner_update", url=url, context=context)


@transaction.atomic
def offer_partner_invite(
    *, offer: Offer, by: User, broker: Broker, share_percent: int, role_note: str = ""
) -> OfferPartner:
    """Invite `broker` to co-broker `offer` for `share_percent` (1–99) of its deals' credit."""
    offer = Offer.objects.select_for_update().select_related("broker").get(pk=offer.pk)
    can_invite_offer_partner(by, offer).require()
    partner = OfferPartner(
        offer=offer,
        broker=broker,
        share_percent=share_percent,
        role_note=(role_note or "").strip(),
        invited_by=by,
    )
    co_broker_invite_check(
        partner, inviter_id=offer.broker_id, invitations=offer.partners.all(),
        already=_("This brokerage is already invited onto the offer."),
    )  # fmt: skip
    taken = sum(offer.partners.filter(status__in=OfferPartner.LIVE).values_list("share_percent", flat=True))
    if taken + share_percent > 99:
        raise ValidationError(
            {"share_percent": _("This share leaves nothing to your brokerage: agree a smaller one.")}
        )
    partner.save()
    _tell(partner, "invite", to=broker)
    return partner


def _decide(partner: OfferPartner, action: str, status: str, *, by: User) -> OfferPartner:
    partner = (
        OfferPartner.objects.select_for_update(of=("self",))
        .select_related("offer__broker", "broker")
        .get(pk=partner.pk)
    )
    can_act_on_offer_partner(by, partner, action).require()
    co_broker_decide(partner, status, by=by)
    kind = {"accept": "partner", "decline": "decline", "withdraw": "withdraw"}[action]
    _tell(partner, kind, to=partner.offer.broker if action != "withdraw" else partner.broker)
    return partner


@transaction.atomic
def offer_partner_accept(*, partner: OfferPartner, by: User) -> OfferPartner:
    return _decide(partner, "accept", OfferPartner.Status.ACCEPTED, by=by)


@transaction.atomic
def offer_partner_decline(*, partner: OfferPartner, by: User) -> OfferPartner:
    return _decide(partner, "decline", OfferPartner.Status.DECLINED, by=by)


@transaction.atomic
def offer_partner_withdraw(*, partner: OfferPartner, by: User) -> OfferPartner:
    return _decide(partner, "withdraw", OfferPartner.Status.WITHDRAWN, by=by)
