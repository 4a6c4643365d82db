"""Who is credited with a deal, and with which share (called by deals/services.py only).

The brokerage that brought the buyer (`deal.broker`: the offer's brokerage for an accepted
response, the inquiry's holder, or the brokerage acting under a mandate) is credited with the
introduction. An accepted referral that led to the deal gives the referrer its agreed share; each
accepted co-broker its agreed share; the introducer keeps the rest. Shares are whole percent and
sum to 100 whenever any brokerage is credited: the rows are always rewritten together.

A response a brokerage sent for a company under the company's mandate makes that brokerage a
co-broker of the deal opened from it (nobody invited it: it brought the seller), for
ANSWERING_BROKER_SHARE percent: the brokerage that introduced the buyer keeps the larger part, as
in the 60/40 split co-brokers usually agree. The share never takes what the offer's own co-brokers
were promised: it is cut to what they leave the introducer (less the 1% the introducer always keeps).
When the co-brokers' shares and a referral's would leave the introducer nothing, the referral is
the one not credited on that deal (deals/services.py tells the referrer)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from brokers.models import Referral

from .models import CreditRole, Deal, DealCredit, DealPartner, Origin

# The share of a deal's credit for the brokerage that answered the offer for the company.
ANSWERING_BROKER_SHARE = 40


def referral_for(deal: Deal) -> Referral | None:
    """The accepted referral, still within its window, whose outcome `deal` is: the receiving
    brokerage opened it from the referred inquiry, or for the referred company bound for the
    country it was referred for."""
    if deal.broker_id is None:
        return None
    about = Q(company=deal.company_id, country=deal.destination_id)
    if deal.inquiry_id is not None:
        about |= Q(inquiry=deal.inquiry_id)
    return (
        Referral.objects.in_window()
        .filter(about, to_broker=deal.broker_id)
        .select_related("from_broker")
        .order_by("-decided_at", "-pk")
        .first()
    )


def _shares(deal: Deal, referral: Referral | None, partners: list[DealPartner]) -> list[DealCredit]:
    source = {
        "offer_id": deal.offer_response.offer_id if deal.origin == Origin.RESPONSE else None,
        "inquiry_id": deal.inquiry_id,
    }
    others = (referral.share_percent if referral else 0) + sum(p.share_percent for p in partners)
    if others >= 100:
        raise ValidationError(
            _("The shares agreed leave nothing to the brokerage that introduced the buyer."), code="shares"
        )
    rows = [DealCredit(deal=deal, broker_id=deal.broker_id, role=CreditRole.INTRODUCED,
                       share_percent=100 - others, **source)]  # fmt: skip
    if referral is not None:
        rows.append(
            DealCredit(deal=deal, broker_id=referral.from_broker_id, role=CreditRole.REFERRAL,
                       share_percent=referral.share_percent, referral=referral, **source)
        )  # fmt: skip
    rows += [
        DealCredit(deal=deal, broker_id=p.broker_id, role=CreditRole.CO_BROKER,
                   share_percent=p.share_percent, **source)
        for p in partners
    ]  # fmt: skip
    return rows


def credits_write(
    deal: Deal, *, referral: Referral | None = None, keep_referral: bool = True
) -> list[DealCredit]:
    """(Re)write the deal's credits from its brokerage, its referral and its accepted co-brokers.
    A deal without a brokerage credits nobody. Call in the transaction that locked the deal."""
    if deal.broker_id is None:
        return []
    if referral is None and keep_referral:
        kept = deal.credits.filter(role=CreditRole.REFERRAL).select_related("referral").first()
        referral = kept.referral if kept is not None else None
    partners = list(deal.partners.filter(status=DealPartner.Status.ACCEPTED).order_by("pk"))
    rows = _shares(deal, referral, partners)
    deal.credits.all().delete()
    return DealCredit.objects.bulk_create(rows)


def answering_broker_share(offer_partners_share: int) -> int:
    """The share of the brokerage that answered for the company, beside offer co-brokers holding
    `offer_partners_share` percent: ANSWERING_BROKER_SHARE, or less to leave the introducer 1%
    (0: nothing is left to share)."""
    return max(0, min(ANSWERING_BROKER_SHARE, 99 - offer_partners_share))


def credited_as_referrer(deal: Deal, broker_id: int) -> bool:
    """Whether the brokerage is credited on `deal` as the referrer of its accepted referral."""
    return deal.credits.filter(role=CreditRole.REFERRAL, broker=broker_id).exists()


def introducer_share_left(deal: Deal, extra: int) -> int:
    """What the introducing brokerage would keep with one more co-broker taking `extra` percent."""
    taken = sum(credit.share_percent for credit in deal.credits.all() if credit.role != CreditRole.INTRODUCED)
    return 100 - taken - extra
