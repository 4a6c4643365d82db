"""Who may see and change a deal: its parties (the company's members and its brokerage's) and,
read-only, the centre's staff. Nobody else learns that a deal exists (404).

Each rule answers an `Access` (allowed, or the reason why not): see portal/access.py. The table
`DEAL_ACTIONS` is the deals' lifecycle: each action, the states it leaves from and where it lands;
the services refuse anything outside it and the pages offer only what it allows."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from brokers.models import Broker, BuyerInquiry, Mandate, OfferResponse
from brokers.permissions import broker_of
from companies.models import Company
from companies.permissions import company_of
from portal.access import ALLOWED, Access, refuse
from portal.models import User
from portal.organisations.permissions import organisation_is_active
from portal.permissions import staff_may_view

from .models import Deal, DealPartner, Status


@dataclass(frozen=True)
class Move:
    sources: frozenset[str]
    target: str | None  # None: the status stays (a further shipment or payment)


DEAL_ACTIONS: dict[str, tuple[Move, ...]] = {
    "contract": (Move(frozenset({Status.NEGOTIATING}), Status.CONTRACTED),),
    # The first shipment makes a contracted deal shipped; more shipments keep it so.
    "ship": (
        Move(frozenset({Status.CONTRACTED}), Status.SHIPPED),
        Move(frozenset({Status.SHIPPED}), None),
    ),
    # The first payment makes a shipped deal paid; more payments (instalments) keep it so.
    "pay": (Move(frozenset({Status.SHIPPED}), Status.PAID), Move(frozenset({Status.PAID}), None)),
    "close": (Move(frozenset({Status.PAID}), Status.CLOSED),),
    "lose": (Move(frozenset({Status.NEGOTIATING, Status.CONTRACTED, Status.SHIPPED}), Status.LOST),),
}


# What each party may do. A co-broker holds the registration or logistics in the destination
# country: it records shipments (with their documents); the contract, the payments, closing and
# losing the deal stay with the company and the deal's own brokerage.
PARTY_ACTIONS: dict[str, frozenset[str]] = {
    "company": frozenset(DEAL_ACTIONS),
    "broker": frozenset(DEAL_ACTIONS),
    "co_broker": frozenset({"ship"}),
}


def move_for(action: str, status: str) -> Move | None:
    """The row of `DEAL_ACTIONS[action]` that leaves from `status`, if any."""
    return next((move for move in DEAL_ACTIONS[action] if status in move.sources), None)


# ---------------------------------------------------------------------------
# Parties and visibility
# ---------------------------------------------------------------------------
def party_role(user: User | AnonymousUser, deal: Deal) -> str | None:
    """ "company", "broker" (the deal's brokerage), "co_broker" (an accepted co-broker) or None."""
    if not user.is_authenticated:
        return None
    company, broker = company_of(user), broker_of(user)
    if company is not None and company.pk == deal.company_id:
        return "company"
    if broker is None:
        return None
    if deal.broker_id is not None and broker.pk == deal.broker_id:
        return "broker"
    if deal.partners.filter(broker=broker, status=DealPartner.Status.ACCEPTED).exists():
        return "co_broker"
    return None


def is_party(user: User | AnonymousUser, deal: Deal) -> bool:
    """A member of the deal's company, of its brokerage or of an accepted co-broker."""
    return party_role(user, deal) is not None


def deals_visible_to(user: User | AnonymousUser):  # noqa: ANN201 - a DealQuerySet
    """The deals the user's company or brokerage is a party to (none for anyone else)."""
    if not user.is_authenticated:
        return Deal.objects.none()
    company, broker = company_of(user), broker_of(user)
    if company is None and broker is None:
        return Deal.objects.none()
    return Deal.objects.of_parties(company=company, broker=broker)


def can_see_deal(user: User | AnonymousUser, deal: Deal) -> bool:
    """The parties, and the centre's staff who may view deals in the admin."""
    return is_party(user, deal) or staff_may_view(user, "deals.view_deal")


def get_deal_for_party(user: User | AnonymousUser, pk: int) -> Deal:
    """A deal of the user's company or brokerage; 404 for any other (its existence does not leak)."""
    queryset = deals_visible_to(user).select_related(
        "company", "broker", "destination", "buyer_country", "offer_response__offer", "mandate__broker"
    )
    return get_object_or_404(queryset, pk=pk)


def can_act_on_deal(user: User | AnonymousUser, deal: Deal, action: str | None = None) -> Access:
    """A party whose organisation is not suspended moves the deal on (a co-broker only as far as
    PARTY_ACTIONS lets it)."""
    role = party_role(user, deal)
    if role is None:
        return refuse(_("Only the deal's company and broker can change it."))
    if action is not None and action not in PARTY_ACTIONS[role]:
        return refuse(
            _("A co-broker records the deal's shipments; the deal's broker and company do the rest.")
        )
    # The deal's own copy of the organisation: its status as read with the deal.
    acting = {"company": deal.company, "broker": deal.broker}.get(role) or broker_of(user)
    return organisation_is_active(acting)


def deal_allowed_actions(user: User | AnonymousUser, deal: Deal) -> list[str]:
    """The actions `user` may take on `deal` now (its page's buttons and forms)."""
    role = party_role(user, deal)
    if role is None or not can_act_on_deal(user, deal):
        return []
    return [
        action
        for action in DEAL_ACTIONS
        if action in PARTY_ACTIONS[role] and move_for(action, deal.status) is not None
    ]


# ---------------------------------------------------------------------------
# Co-brokers
# ---------------------------------------------------------------------------
# An invitation's steps: the states each leaves from and the side that takes it ("deal": the
# deal's brokerage, "invited": the invited brokerage).
PARTNER_ACTIONS: dict[str, tuple[frozenset[str], str]] = {
    "accept": (frozenset({DealPartner.Status.PENDING}), "invited"),
    "decline": (frozenset({DealPartner.Status.PENDING}), "invited"),
    "withdraw": (frozenset({DealPartner.Status.PENDING}), "deal"),
}
# A deal lost or closed takes no new co-broker.
PARTNER_DEAL_STATES = frozenset({Status.NEGOTIATING, Status.CONTRACTED, Status.SHIPPED, Status.PAID})


def can_invite_partner(user: User | AnonymousUser, deal: Deal) -> Access:
    """The deal's own brokerage invites a co-broker while the deal is not lost or closed, and, on a
    deal it opened for the company under a mandate, while that mandate is in force."""
    broker = broker_of(user)
    if broker is None or deal.broker_id is None or broker.pk != deal.broker_id:
        return refuse(_("Only the deal's brokerage invites a co-broker."))
    refusal = _mandate_lapsed(deal)
    if refusal is not None:
        return refusal
    if deal.status not in PARTNER_DEAL_STATES:
        return refuse(
            _("This deal is %(status)s: it takes no co-broker now.") % {"status": deal.get_status_display()}
        )
    return organisation_is_active(broker)


def _mandate_lapsed(deal: Deal) -> Access | None:
    """A refusal when the deal's brokerage opened it for the company under a mandate that is no
    longer in force (revoked, or past its date): no authority left to bring others onto the deal."""
    if deal.mandate_id is None or deal.broker_id is None:
        return None
    mandate = deal.mandate
    if mandate.broker_id != deal.broker_id or mandate.current_status == Mandate.Status.ACTIVE:
        return None
    names = {"company": deal.company.name}
    if mandate.current_status == Mandate.Status.REVOKED:
        reason = _(
            "%(company)s revoked the mandate this deal was opened under: your brokerage can no longer "
            "invite co-brokers onto it. The deal goes on with the company."
        )
    else:
        reason = _(
            "The mandate from %(company)s this deal was opened under has expired: your brokerage can no "
            "longer invite co-brokers onto it. The deal goes on with the company."
        )
    return refuse(reason % names)


def partner_side(user: User | AnonymousUser, partner: DealPartner) -> str | None:
    broker = broker_of(user)
    if broker is None:
        return None
    if broker.pk == partner.broker_id:
        return "invited"
    if broker.pk == partner.deal.broker_id:
        return "deal"
    return None


def can_act_on_partner(user: User | AnonymousUser, partner: DealPartner, action: str) -> Access:
    """The invited brokerage accepts (approved, licence valid) or declines; the deal's brokerage
    withdraws its invitation before the answer."""
    sources, side = PARTNER_ACTIONS[action]
    if partner_side(user, partner) != side:
        if side == "invited":
            return refuse(_("Only the invited brokerage answers the invitation."))
        return refuse(_("Only the deal's brokerage withdraws its invitation."))
    if partner.status not in sources:
        return refuse(
            _("This invitation is “%(status)s”: it cannot be changed now.")
            % {"status": partner.get_status_display()}
        )
    broker = broker_of(user)
    if action == "accept":
        if not broker.is_publishing:
            return refuse(_("Only an approved brokerage with a valid licence joins a deal as co-broker."))
        if partner.deal.status not in PARTNER_DEAL_STATES:
            return refuse(_("The deal is no longer open to a co-broker."))
        if _mandate_lapsed(partner.deal) is not None:
            return refuse(
                _(
                    "%(company)s no longer authorises the brokerage that invited you to act for it: "
                    "the invitation cannot be accepted."
                )
                % {"company": partner.deal.company.name}
            )
    return organisation_is_active(broker)


def partner_allowed_actions(user: User | AnonymousUser, partner: DealPartner) -> list[str]:
    return [action for action in PARTNER_ACTIONS if can_act_on_partner(user, partner, action)]


def partners_visible_to(user: User | AnonymousUser):  # noqa: ANN201 - a QuerySet of DealPartner
    """The invitations the user's brokerage sent (for its deals) or received."""
    broker = broker_of(user)
    if broker is None:
        return DealPartner.objects.none()
    from django.db.models import Q

    return DealPartner.objects.filter(Q(broker=broker) | Q(deal__broker=broker))


def get_partner_for_party(user: User | AnonymousUser, pk: int) -> DealPartner:
    """An invitation the user's brokerage sent or received; 404 for any other."""
    queryset = partners_visible_to(user).select_related(
        "deal__company", "deal__broker", "deal__destination", "deal__mandate", "broker", "invited_by"
    )
    return get_object_or_404(queryset, pk=pk)


# ---------------------------------------------------------------------------
# Opening a deal
# ---------------------------------------------------------------------------
def company_may_open_deals(company: Company) -> Access:
    """Deals are recorded for verified companies that are not suspended."""
    if company.status == Company.Status.PENDING:
        return refuse(
            _("Your company is awaiting verification by the centre; it can record deals once verified.")
        )
    return organisation_is_active(company)


def can_open_direct(user: User | AnonymousUser) -> Access:
    """A member of a verified company records a deal with its own buyer."""
    company = company_of(user)
    if company is None:
        return refuse(_("Only members of a registered company record their own buyers' deals."))
    return company_may_open_deals(company)


def can_open_from_response(user: User | AnonymousUser, response: OfferResponse) -> Access:
    """The responding company or the offer's brokerage, once the response is accepted."""
    company, broker = company_of(user), broker_of(user)
    if company is not None and company.pk == response.company_id:
        acting = company_may_open_deals(company)
    elif broker is not None and broker.pk == response.offer.broker_id:
        acting = organisation_is_active(broker)
    else:
        return refuse(_("Only the responding company and the offer's broker open a deal from it."))
    if not acting:
        return acting
    if response.status != OfferResponse.Status.ACCEPTED:
        return refuse(_("A deal is opened from an accepted response only."))
    return company_may_open_deals(response.company)


def can_open_from_inquiry(user: User | AnonymousUser, inquiry: BuyerInquiry) -> Access:
    """The company the buyer wrote to, or an approved brokerage covering the buyer's country."""
    company, broker = company_of(user), broker_of(user)
    if company is not None and company.pk == inquiry.company_id:
        return company_may_open_deals(company)
    if broker is not None and broker.status == Broker.Status.APPROVED:
        if broker.countries.filter(pk=inquiry.country_id).exists():
            return ALLOWED
    return refuse(_("Only the company the buyer wrote to and the brokers covering the buyer's country can."))


def get_accepted_response(user: User | AnonymousUser, pk: int) -> OfferResponse:
    """A response the user's company sent or the user's brokerage received; 404 for any other."""
    company, broker = company_of(user), broker_of(user)
    queryset = OfferResponse.objects.select_related("offer__broker", "offer__country", "company")
    response = get_object_or_404(queryset, pk=pk)
    if not (
        (company is not None and response.company_id == company.pk)
        or (broker is not None and response.offer.broker_id == broker.pk)
    ):
        raise Http404("not a party to this response")
    return response


def get_inquiry_for_party(user: User | AnonymousUser, pk: int) -> BuyerInquiry:
    """An inquiry the user was told of (their company's, or their brokerage covers its country)."""
    inquiry = get_object_or_404(BuyerInquiry.objects.select_related("country", "company"), pk=pk)
    company, broker = company_of(user), broker_of(user)
    if company is not None and inquiry.company_id == company.pk:
        return inquiry
    if broker is not None and broker.countries.filter(pk=inquiry.country_id).exists():
        return inquiry
    raise Http404("not told of this inquiry")


# ---------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------
def can_see_shipment_file(user: User | AnonymousUser, name: str) -> bool:
    """A shipment's invoice and transport document: the deal's parties and staff who may view
    shipments in the admin, nobody else."""
    if not user.is_authenticated:
        return False
    from django.db.models import Q

    named = Q(shipments__invoice=name) | Q(shipments__transport_document=name)
    if staff_may_view(user, "deals.view_shipment"):
        return Deal.objects.filter(named).exists()
    return deals_visible_to(user).filter(named).exists()
