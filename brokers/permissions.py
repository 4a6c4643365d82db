"""Who may see and change a brokerage, its offers and the responses to them.

Each rule answers an `Access` (allowed, or the reason why not): see portal/access.py."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from companies.models import KIND as COMPANY
from companies.models import Company
from companies.permissions import can_edit_company, company_is_active, company_of
from portal.access import ALLOWED, Access, refuse
from portal.models import User
from portal.organisations.permissions import (
    can_act_for_own,
    can_edit_organisation,
    get_own,
    organisation_is_active,
    organisation_of,
    organisation_read,
)
from portal.permissions import staff_may_view
from portal.templatetags.portal_tags import jdate

from .models import (
    KIND,
    Broker,
    BrokerService,
    BuyerInquiry,
    BuyerInquiryQuerySet,
    Engagement,
    Mandate,
    Offer,
    OfferPartner,
    OfferResponse,
    Referral,
)

_Inquiry = BuyerInquiry.Status

# The lifecycles of offers, responses and inquiries: each action and the states it leaves from.
# The services refuse a transition outside this table; the pages offer only what it allows.
OFFER_ACTIONS: dict[str, frozenset[str]] = {
    "publish": frozenset({Offer.Status.DRAFT}),
    "reopen": frozenset({Offer.Status.CLOSED}),
    "close": frozenset({Offer.Status.DRAFT, Offer.Status.OPEN}),
}

RESPONSE_DECISIONS: dict[str, frozenset[str]] = {
    OfferResponse.Status.SHORTLISTED: frozenset({OfferResponse.Status.SUBMITTED}),
    OfferResponse.Status.ACCEPTED: frozenset(
        {OfferResponse.Status.SUBMITTED, OfferResponse.Status.SHORTLISTED}
    ),
    OfferResponse.Status.DECLINED: frozenset(
        {OfferResponse.Status.SUBMITTED, OfferResponse.Status.SHORTLISTED}
    ),
}

# An engagement's steps: the states each leaves from and the side that takes it.
ENGAGEMENT_ACTIONS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "accept": (frozenset({Engagement.Status.REQUESTED}), frozenset({"broker"})),
    "decline": (frozenset({Engagement.Status.REQUESTED}), frozenset({"broker"})),
    "deliver": (frozenset({Engagement.Status.ACCEPTED}), frozenset({"broker"})),
    "close": (
        frozenset({Engagement.Status.REQUESTED, Engagement.Status.ACCEPTED, Engagement.Status.DELIVERED}),
        frozenset({"broker", "company"}),
    ),
}

ENGAGEMENT_TARGETS: dict[str, str] = {
    "accept": Engagement.Status.ACCEPTED,
    "decline": Engagement.Status.DECLINED,
    "deliver": Engagement.Status.DELIVERED,
    "close": Engagement.Status.CLOSED,
}

# The centre's marks in the admin (services.inquiry_mark).
INQUIRY_MARKS: dict[str, frozenset[str]] = {
    _Inquiry.ANSWERED: frozenset({_Inquiry.NEW, _Inquiry.ROUTED, _Inquiry.CLAIMED}),
    _Inquiry.CLOSED: frozenset(
        {_Inquiry.NEW, _Inquiry.ROUTED, _Inquiry.CLAIMED, _Inquiry.ANSWERED, _Inquiry.SPAM}
    ),
    _Inquiry.SPAM: frozenset({_Inquiry.NEW, _Inquiry.ROUTED, _Inquiry.CLAIMED, _Inquiry.ANSWERED}),
}


def broker_of(user: User | AnonymousUser) -> Broker | None:
    """The brokerage the user works for, if any (cached on the user for the request)."""
    return organisation_of(user, KIND)


def get_own_broker(user: User | AnonymousUser) -> Broker:
    """The user's brokerage, or 404 for users without one."""
    return get_own(user, KIND)


def broker_is_active(broker: Broker) -> Access:
    """A suspended brokerage keeps read access to its data but cannot change it."""
    return organisation_is_active(broker)


def broker_may_publish(broker: Broker) -> Access:
    """Offers go on the board only from an approved brokerage."""
    if broker.status == Broker.Status.PENDING:
        return refuse(_("Your brokerage awaits the centre's approval; it can write offers once approved."))
    if broker.status == Broker.Status.REJECTED:
        return refuse(
            _(
                "The centre did not approve your brokerage, so it cannot publish offers. "
                "Contact the export support desk."
            )
        )
    active = broker_is_active(broker)
    if not active:
        return active
    if broker.licence_expired:
        return refuse(
            _(
                "Your brokerage's licence expired on %(date)s, so it cannot publish offers or services "
                "nor accept bookings. Submit the renewed licence with its new expiry date; publishing "
                "resumes once the centre approves it."
            )
            % {"date": jdate(broker.licence_expires_on)}
        )
    return ALLOWED


def can_edit_broker(user: User | AnonymousUser, broker: Broker) -> Access:
    """A member of the brokerage, while it is not suspended: its profile, offers, decisions."""
    return can_edit_organisation(user, broker)


def can_act_for_own_broker(user: User | AnonymousUser) -> Access:
    """The user has a brokerage and may change it (write offers, decide on responses)."""
    return can_act_for_own(user, KIND)


def can_publish_offers(user: User | AnonymousUser, broker: Broker) -> Access:
    """Members of an approved brokerage publish offers."""
    return can_edit_broker(user, broker) and broker_may_publish(broker)


def offer_allowed_actions(user: User | AnonymousUser, offer: Offer) -> list[str]:
    """The actions `user` may take on `offer` now (its page's buttons): "edit" and "close" for a
    member of its active brokerage, "publish" a draft and "reopen" a closed offer for a member of
    its approved brokerage. Closing is offered on an open offer only (a draft is published or left)."""
    actions: list[str] = []
    if not can_edit_broker(user, offer.broker):
        return actions
    actions.append("edit")
    if offer.status == Offer.Status.OPEN:
        actions.append("close")
    elif can_publish_offers(user, offer.broker):
        actions += [action for action in ("publish", "reopen") if offer.status in OFFER_ACTIONS[action]]
    return actions


def get_offer_for_viewer(user: User | AnonymousUser, pk: int) -> Offer:
    queryset = Offer.objects.visible_to(user).select_related("broker", "country")
    return get_object_or_404(queryset, pk=pk)


def get_offer_for_broker(user: User | AnonymousUser, pk: int) -> Offer:
    """An offer of the user's own brokerage; 404 for anything else."""
    broker = get_own_broker(user)
    return get_object_or_404(Offer.objects.select_related("broker", "country"), pk=pk, broker=broker)


def company_may_respond(company: Company) -> Access:
    """Offers are answered by verified companies (not pending, not suspended)."""
    if company.status == Company.Status.PENDING:
        return refuse(
            _("Your company is awaiting verification by the centre; it can answer offers once verified.")
        )
    return company_is_active(company)


def can_respond(user: User | AnonymousUser, offer: Offer) -> Access:
    """A member of a verified company, to an open offer of an approved brokerage."""
    company = company_of(user)
    if company is None:
        return refuse(_("Only members of a registered company can answer offers."))
    if not (offer.is_open and offer.broker.is_publishing):
        return refuse(_("This offer is closed."))
    return company_may_respond(company)


def get_response_for_broker(user: User | AnonymousUser, pk: int) -> OfferResponse:
    broker = get_own_broker(user)
    return get_object_or_404(
        OfferResponse.objects.select_related("offer__broker", "company"), pk=pk, offer__broker=broker
    )


def can_decide_response(
    user: User | AnonymousUser, response: OfferResponse, decision: str | None = None
) -> Access:
    """A member of the offer's brokerage, while it is not suspended, decides on its responses;
    accepting one (a deal's start) also needs a licence valid today."""
    allowed = can_edit_broker(user, response.offer.broker)
    if allowed and decision == OfferResponse.Status.ACCEPTED:
        return broker_may_publish(response.offer.broker)
    return allowed


def response_allowed_actions(user: User | AnonymousUser, response: OfferResponse) -> list[str]:
    """The decisions `user` may take on `response` now ("shortlisted", "accepted", "declined")."""
    if not can_decide_response(user, response):
        return []
    return [
        decision
        for decision, sources in RESPONSE_DECISIONS.items()
        if response.status in sources and can_decide_response(user, response, decision)
    ]


def can_mark_inquiries(user: User | AnonymousUser) -> Access:
    """The centre's staff who may change buyer inquiries in the admin mark them handled."""
    if (
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm("brokers.change_buyerinquiry")
    ):
        return ALLOWED
    return refuse(_("Only the centre's staff mark buyer inquiries."))


def inquiry_allowed_actions(user: User | AnonymousUser, inquiry: BuyerInquiry) -> list[str]:
    """The marks `user` may put on `inquiry` now ("answered", "closed", "spam")."""
    if not can_mark_inquiries(user):
        return []
    return [status for status, sources in INQUIRY_MARKS.items() if inquiry.status in sources]


def inquiry_offered_marks(user: User | AnonymousUser, statuses: set[str]) -> set[str]:
    """The marks worth offering `user` over inquiries in `statuses` (the admin's action menu): one of
    the inquiries is in a state the mark leaves from. Each inquiry's own rule is checked when one runs."""
    if not can_mark_inquiries(user):
        return set()
    return {status for status, sources in INQUIRY_MARKS.items() if statuses & sources}


def can_see_licence_file(user: User | AnonymousUser, name: str) -> bool:
    """A brokerage's licence scans (the current one and those of its renewals) are for its members
    and the centre's staff only."""
    if not user.is_authenticated:
        return False
    if staff_may_view(user, "brokers.view_broker") or staff_may_view(user, "brokers.view_licencerenewal"):
        return True
    own = broker_of(user)
    if own is None:
        return False
    return own.licence_file.name == name or own.licence_renewals.filter(licence_file=name).exists()


# ---------------------------------------------------------------------------
# Licence renewals
# ---------------------------------------------------------------------------
def can_renew_licence(user: User | AnonymousUser, broker: Broker) -> Access:
    """Members of an approved brokerage (its licence expired or not) submit its renewed licence;
    before the centre's approval the licence is corrected in the profile, which the centre checks."""
    allowed = can_edit_broker(user, broker)
    if not allowed:
        return allowed
    if broker.status != Broker.Status.APPROVED:
        return refuse(
            _(
                "Your brokerage is not approved yet: correct its licence in the profile; the centre "
                "checks it before approving the brokerage."
            )
        )
    return ALLOWED


def can_decide_licence_renewals(user: User | AnonymousUser) -> Access:
    """The centre's staff who may change licence renewals in the admin (programme managers) approve
    or refuse them."""
    if (
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm("brokers.change_licencerenewal")
    ):
        return ALLOWED
    return refuse(_("Only the centre's programme managers approve or refuse licence renewals."))


def can_see_attachment(user: User | AnonymousUser, name: str) -> bool:
    """Offer attachments follow their offer: public offers' files are public, a brokerage sees its
    own, and staff who may view attachments in the admin (which links them) see those too."""
    staff = staff_may_view(user, "brokers.view_offerattachment")
    offers = Offer.objects.all() if staff else Offer.objects.visible_to(user)
    return offers.filter(attachments__file=name).exists()


# ---------------------------------------------------------------------------
# Brokerage services and engagements
# ---------------------------------------------------------------------------
def can_list_services(user: User | AnonymousUser, broker: Broker) -> Access:
    """Members of an approved brokerage with a valid licence list (and relist) services."""
    return can_edit_broker(user, broker) and broker_may_publish(broker)


def get_service_for_broker(user: User | AnonymousUser, pk: int) -> BrokerService:
    """A service of the user's own brokerage; 404 for anything else."""
    broker = get_own_broker(user)
    queryset = BrokerService.objects.select_related("broker", "service_type")
    return get_object_or_404(queryset, pk=pk, broker=broker)


def can_book(user: User | AnonymousUser, service: BrokerService) -> Access:
    """A member of a verified company books a listed service of a publishing brokerage."""
    company = company_of(user)
    if company is None:
        return refuse(_("Only members of a registered company can book a service."))
    if not (service.is_active and service.broker.is_publishing):
        return refuse(_("This service is not offered at the moment."))
    if not company_may_respond(company):
        return refuse(_("Your company can book services once the centre has verified it."))
    return company_is_active(company)


def engagement_side(user: User | AnonymousUser, engagement: Engagement) -> str | None:
    """ "company" or "broker" for a member of either party, else None."""
    own_company = company_of(user)
    if own_company is not None and own_company.pk == engagement.company_id:
        return "company"
    own_broker = broker_of(user)
    if own_broker is not None and own_broker.pk == engagement.broker_id:
        return "broker"
    return None


def can_act_on_engagement(user: User | AnonymousUser, engagement: Engagement, action: str) -> Access:
    """The side named for `action` in ENGAGEMENT_ACTIONS, from the states it leaves, while that side
    may act (an active company; an active brokerage, licensed and approved to accept)."""
    side = engagement_side(user, engagement)
    sources, sides = ENGAGEMENT_ACTIONS[action]
    if side not in sides:
        return refuse(_("Only the other party can take this step."))
    if engagement.status not in sources:
        return refuse(_("This step is no longer possible: the engagement is %(status)s.")
                      % {"status": engagement.get_status_display()})  # fmt: skip
    if side == "company":
        return can_edit_company(user, engagement.company)
    allowed = can_edit_broker(user, engagement.broker)
    if allowed and action == "accept":
        return broker_may_publish(engagement.broker)
    return allowed


def can_rate_engagement(user: User | AnonymousUser, engagement: Engagement, rated_sides: set[str]) -> Access:
    """Each side rates once, after delivery."""
    side = engagement_side(user, engagement)
    if side is None:
        return refuse(_("Only the company and the brokerage of this engagement rate it."))
    if not engagement.was_delivered:
        return refuse(_("An engagement is rated after the service is delivered."))
    if side in rated_sides:
        return refuse(_("You have already rated this engagement."))
    if side == "company":
        return can_edit_company(user, engagement.company)
    return can_edit_broker(user, engagement.broker)


def engagement_allowed_actions(user: User | AnonymousUser, engagement: Engagement) -> list[str]:
    """The steps `user` may take on `engagement` now (its page's buttons)."""
    return [action for action in ENGAGEMENT_ACTIONS if can_act_on_engagement(user, engagement, action)]


def get_engagement_for_party(user: User | AnonymousUser, pk: int) -> Engagement:
    """An engagement of the user's company or brokerage; 404 for anyone else."""
    queryset = Engagement.objects.visible_to(user).select_related(
        "service__service_type", "broker", "company"
    )
    return get_object_or_404(queryset, pk=pk)


# The inbox's actions (services.inquiry_claim ... inquiry_close): the states each leaves from, and
# whether the one acting must hold the inquiry. An unclaimed inquiry may be closed (spam, not our
# product) by anyone whose inbox it is in; once claimed, only its holder acts on it.
INBOX_ACTIONS: dict[str, tuple[frozenset[str], bool]] = {
    "claim": (frozenset({_Inquiry.ROUTED}), False),
    "release": (frozenset({_Inquiry.CLAIMED}), True),
    "reply": (frozenset({_Inquiry.CLAIMED, _Inquiry.ANSWERED}), True),
    "convert": (frozenset({_Inquiry.CLAIMED, _Inquiry.ANSWERED}), True),
    "close": (frozenset({_Inquiry.ROUTED, _Inquiry.CLAIMED, _Inquiry.ANSWERED}), False),
}


# ---------------------------------------------------------------------------
# The buyers' inquiry inbox
# ---------------------------------------------------------------------------
@dataclass
class InboxScope:
    """Whose inbox an inquiry is in: the approved brokerage covering the buyer's country, or the
    company the inquiry was routed to (as the routing chose them: services.inquiry_route)."""

    broker: Broker | None
    company: Company | None

    @property
    def has_inbox(self) -> bool:
        return self.broker is not None or self.company is not None

    @cached_property
    def country_ids(self) -> frozenset[int]:
        return frozenset(self.broker.countries.values_list("pk", flat=True)) if self.broker else frozenset()

    def covers(self, inquiry: BuyerInquiry) -> bool:
        if inquiry.routed_at is None:
            return False
        in_company = self.company is not None and inquiry.company_id == self.company.pk
        return in_company or inquiry.country_id in self.country_ids

    def inquiries(self) -> BuyerInquiryQuerySet:
        """The inquiries in this inbox (none for someone without one); one query, however used."""
        scope = Q(pk__in=[])
        if self.broker is not None:
            covered = Broker.countries.through.objects.filter(broker=self.broker).values("targetcountry_id")
            scope |= Q(country_id__in=covered)
        if self.company is not None:
            scope |= Q(company=self.company)
        return BuyerInquiry.objects.routed().filter(scope)


def in_inbox_of(user: User) -> Q:
    """The inquiries in `user`'s inbox as one condition, without reading their memberships first
    (the header's count): as InboxScope.inquiries(), for routed inquiries.

    When the page read the user's company already (their dashboard, their products), the inbox is
    the company's, one account working for one organisation: without the memberships' subqueries
    the header's count costs a third of the CPU (0.4 ms instead of 1.25)."""
    company = organisation_read(user, COMPANY)
    if company is not None:
        return Q(company=company)
    covered = Broker.countries.through.objects.filter(
        broker__memberships__user=user, broker__status=Broker.Status.APPROVED
    ).values("targetcountry_id")
    companies = Company.objects.filter(memberships__user=user).values("pk")
    return Q(country_id__in=covered) | Q(company_id__in=companies)


# The holder's organisation, for "claimed by Reza Moradi (Pars Export Brokers)" (BuyerInquiry.holder_label).
INQUIRY_HOLDER = ("holder__broker_membership__broker", "holder__company_membership__company")


def inbox_scope(user: User | AnonymousUser) -> InboxScope:
    """The user's inbox (cached on the user for the request: the list asks once for every row)."""
    if not user.is_authenticated:
        return InboxScope(None, None)
    if not hasattr(user, "_inbox_scope"):
        broker = broker_of(user)
        if broker is not None:
            # Inquiries reach approved brokerages only; a user works for one organisation only.
            user._inbox_scope = InboxScope(broker if broker.is_approved else None, None)
        else:
            user._inbox_scope = InboxScope(None, company_of(user))
    return user._inbox_scope


def get_inquiry_for_inbox(user: User | AnonymousUser, pk: int) -> BuyerInquiry:
    """An inquiry in the user's inbox; 404 for any other (another country, another company)."""
    inquiries = (
        inbox_scope(user)
        .inquiries()
        .select_related("country", "product", "company", "holder", *INQUIRY_HOLDER)
    )
    return get_object_or_404(inquiries, pk=pk)


def can_act_on_inquiry(user: User | AnonymousUser, inquiry: BuyerInquiry) -> Access:
    """Members of a brokerage or company whose inbox the inquiry is in, while it is not suspended."""
    scope = inbox_scope(user)
    if not scope.covers(inquiry):
        return refuse(_("This inquiry is not in your inbox."))
    if scope.company is not None and inquiry.company_id == scope.company.pk:
        return company_is_active(scope.company)
    return ALLOWED


def inquiry_action_refusal(user: User | AnonymousUser, inquiry: BuyerInquiry, action: str) -> str:
    """Why `user` may not take `action` on `inquiry` in its present state ("" when they may)."""
    sources, needs_hold = INBOX_ACTIONS[action]
    holder = inquiry.holder
    if action == "claim" and inquiry.status in (_Inquiry.CLAIMED, _Inquiry.ANSWERED) and holder:
        if holder.pk == user.pk:
            return str(_("You already hold this inquiry."))
        return str(_("%(name)s has already claimed this inquiry.") % {"name": inquiry.holder_label})
    if needs_hold and inquiry.status == _Inquiry.ROUTED:
        return str(_("Claim this inquiry first."))
    if inquiry.status not in sources:
        return str(INBOX_STATE_REFUSALS[action] % {"status": inquiry.get_status_display()})
    if (needs_hold or inquiry.status != _Inquiry.ROUTED) and inquiry.holder_id != user.pk:
        if holder is None:
            return str(_("Claim this inquiry first."))
        return str(
            _("%(name)s holds this inquiry: only they can act on it now.") % {"name": inquiry.holder_label}
        )
    return ""


INBOX_STATE_REFUSALS = {
    "claim": _("This inquiry is “%(status)s”: it can no longer be claimed."),
    "release": _("This inquiry is “%(status)s”: only a claimed inquiry not yet answered is released."),
    "reply": _("This inquiry is “%(status)s”: no more replies can be sent."),
    "convert": _("This inquiry is “%(status)s”: it cannot be marked as converted to a deal."),
    "close": _("This inquiry is “%(status)s”: it cannot be closed."),
}


def inquiry_inbox_actions(user: User | AnonymousUser, inquiry: BuyerInquiry) -> list[str]:
    """The inbox actions `user` may take on `inquiry` now (its page's buttons and forms)."""
    if not can_act_on_inquiry(user, inquiry):
        return []
    return [action for action in INBOX_ACTIONS if not inquiry_action_refusal(user, inquiry, action)]


def can_see_buyer_email(user: User | AnonymousUser, inquiry: BuyerInquiry) -> bool:
    """The buyer's address is for whoever holds the inquiry (who replies to the buyer) while it is
    in their inbox, and for the centre's staff; the others see who holds it, not the address."""
    if staff_may_view(user, "brokers.view_buyerinquiry"):
        return True
    return (
        inquiry.holder_id is not None
        and inquiry.holder_id == user.pk
        and bool(can_act_on_inquiry(user, inquiry))
    )


# ---------------------------------------------------------------------------
# Mandates: a company authorises a brokerage to act for it (brokers/mandates.py)
# ---------------------------------------------------------------------------
def can_grant_mandate(user: User | AnonymousUser, company: Company) -> Access:
    """A member of a verified company that is not suspended authorises a brokerage."""
    allowed = can_edit_company(user, company)
    if allowed and company.status == Company.Status.PENDING:
        return refuse(
            _("Your company is awaiting verification by the centre; it can give mandates once verified.")
        )
    return allowed


def can_revoke_mandate(user: User | AnonymousUser, mandate: Mandate) -> Access:
    """The granting company's members revoke a mandate at any time (even while the company is
    suspended: taking authority back never needs the centre)."""
    own = company_of(user)
    if own is None or own.pk != mandate.company_id:
        return refuse(_("Only the company that gave the mandate can revoke it."))
    if not mandate.is_revocable:
        return refuse(
            _("This mandate is %(status)s: there is nothing to revoke.")
            % {"status": mandate.get_current_status_display()}
        )
    return ALLOWED


def get_mandate_for_party(user: User | AnonymousUser, pk: int) -> Mandate:
    """A mandate the user's company gave or the user's brokerage holds; 404 for any other."""
    queryset = Mandate.objects.visible_to(user).select_related(
        "company", "broker", "granted_by", "revoked_by"
    )
    return get_object_or_404(queryset, pk=pk)


def can_act_under_mandates(user: User | AnonymousUser) -> Access:
    """A member of an approved brokerage with a valid licence acts for the companies that gave it
    a mandate (which mandates cover what is asked is brokers.mandates.mandate_for's answer)."""
    broker = broker_of(user)
    if broker is None:
        return refuse(_("Only members of a brokerage act for companies under a mandate."))
    return can_edit_broker(user, broker) and broker_may_publish(broker)


# ---------------------------------------------------------------------------
# Referrals between brokerages
# ---------------------------------------------------------------------------
# A referral's steps: the states each leaves from and the side that takes it.
REFERRAL_ACTIONS: dict[str, tuple[frozenset[str], str]] = {
    "accept": (frozenset({Referral.Status.PENDING}), "to"),
    "decline": (frozenset({Referral.Status.PENDING}), "to"),
    "withdraw": (frozenset({Referral.Status.PENDING}), "from"),
}

# An inquiry is passed on while its holder is still working on it.
REFERABLE_INQUIRY = frozenset({_Inquiry.CLAIMED, _Inquiry.ANSWERED})


def can_refer(user: User | AnonymousUser) -> Access:
    """Members of an approved brokerage with a valid licence pass work to other brokerages."""
    broker = broker_of(user)
    if broker is None:
        return refuse(_("Only members of a brokerage refer inquiries and companies."))
    return broker_may_publish(broker)


def referral_targets(broker: Broker | None, country_id: int | None = None, service_id: int | None = None):  # noqa: ANN201
    """The brokerages work may be passed to: approved, licensed today, not `broker` itself, covering
    `country_id` (and declaring `service_id`) when given."""
    targets = Broker.objects.publishing()
    if broker is not None:
        targets = targets.exclude(pk=broker.pk)
    if country_id is not None:
        targets = targets.filter(countries=country_id)
    if service_id is not None:
        targets = targets.filter(services=service_id)
    return targets.distinct()


def referable_inquiries(user: User | AnonymousUser):  # noqa: ANN201
    """The inquiries `user` holds and may pass on (claimed or answered, not referred already)."""
    if not user.is_authenticated:
        return BuyerInquiry.objects.none()
    pending = Referral.objects.filter(inquiry=OuterRef("pk"), status=Referral.Status.PENDING)
    return (
        BuyerInquiry.objects.filter(holder=user, status__in=REFERABLE_INQUIRY)
        .exclude(Exists(pending))
        .select_related("country")
    )


def referral_side(user: User | AnonymousUser, referral: Referral) -> str | None:
    """ "from" for the referring brokerage's members, "to" for the receiving one's, else None."""
    broker = broker_of(user)
    if broker is None:
        return None
    if broker.pk == referral.from_broker_id:
        return "from"
    if broker.pk == referral.to_broker_id:
        return "to"
    return None


def can_act_on_referral(user: User | AnonymousUser, referral: Referral, action: str) -> Access:
    """The receiving brokerage accepts or declines a pending referral, the referring one withdraws it."""
    sources, side = REFERRAL_ACTIONS[action]
    if referral_side(user, referral) != side:
        if side == "to":
            return refuse(_("Only the brokerage the referral was sent to answers it."))
        return refuse(_("Only the referring brokerage withdraws its referral."))
    if referral.status not in sources:
        return refuse(
            _("This referral is “%(status)s”: it cannot be changed now.")
            % {"status": referral.get_status_display()}
        )
    broker = referral.to_broker if side == "to" else referral.from_broker
    if action == "accept":
        return broker_may_publish(broker)
    return broker_is_active(broker)


def referral_allowed_actions(user: User | AnonymousUser, referral: Referral) -> list[str]:
    return [action for action in REFERRAL_ACTIONS if can_act_on_referral(user, referral, action)]


def referrals_visible_to(user: User | AnonymousUser):  # noqa: ANN201
    """The referrals the user's brokerage sent or received."""
    return Referral.objects.of_broker(broker_of(user))


def get_referral_for_party(user: User | AnonymousUser, pk: int) -> Referral:
    """A referral the user's brokerage sent or received; 404 for any other."""
    queryset = referrals_visible_to(user).select_related(
        "from_broker", "to_broker", "inquiry__country", "company", "country", "service", "created_by"
    )
    return get_object_or_404(queryset, pk=pk)


# ---------------------------------------------------------------------------
# Co-brokers on offers
# ---------------------------------------------------------------------------
OFFER_PARTNER_ACTIONS: dict[str, tuple[frozenset[str], str]] = {
    "accept": (frozenset({OfferPartner.Status.PENDING}), "invited"),
    "decline": (frozenset({OfferPartner.Status.PENDING}), "invited"),
    "withdraw": (frozenset({OfferPartner.Status.PENDING}), "offer"),
}


def can_invite_offer_partner(user: User | AnonymousUser, offer: Offer) -> Access:
    """The offer's brokerage, approved and licensed, invites a co-broker onto an offer not closed."""
    broker = broker_of(user)
    if broker is None or broker.pk != offer.broker_id:
        return refuse(_("Only the offer's brokerage invites a co-broker."))
    if offer.status == Offer.Status.CLOSED:
        return refuse(_("This offer is closed: it takes no co-broker now."))
    return broker_may_publish(broker)


def offer_partner_side(user: User | AnonymousUser, partner: OfferPartner) -> str | None:
    broker = broker_of(user)
    if broker is None:
        return None
    if broker.pk == partner.broker_id:
        return "invited"
    if broker.pk == partner.offer.broker_id:
        return "offer"
    return None


def can_act_on_offer_partner(user: User | AnonymousUser, partner: OfferPartner, action: str) -> Access:
    """The invited brokerage (approved, licensed) accepts or declines; the offer's withdraws."""
    sources, side = OFFER_PARTNER_ACTIONS[action]
    if offer_partner_side(user, partner) != side:
        if side == "invited":
            return refuse(_("Only the invited brokerage answers the invitation."))
        return refuse(_("Only the offer's brokerage withdraws its invitation."))
    if partner.status not in sources:
        return refuse(
            _("This invitation is “%(status)s”: it cannot be changed now.")
            % {"status": partner.get_status_display()}
        )
    broker = broker_of(user)
    if action == "accept":
        return broker_may_publish(broker)
    return broker_is_active(broker)


def offer_partner_allowed_actions(user: User | AnonymousUser, partner: OfferPartner) -> list[str]:
    return [action for action in OFFER_PARTNER_ACTIONS if can_act_on_offer_partner(user, partner, action)]


def offer_partners_visible_to(user: User | AnonymousUser):  # noqa: ANN201
    """The offer co-brokering invitations the user's brokerage sent or received."""
    broker = broker_of(user)
    if broker is None:
        return OfferPartner.objects.none()
    return OfferPartner.objects.filter(Q(broker=broker) | Q(offer__broker=broker))


def get_offer_partner_for_party(user: User | AnonymousUser, pk: int) -> OfferPartner:
    queryset = offer_partners_visible_to(user).select_related("offer__broker", "offer__country", "broker")
    return get_object_or_404(queryset, pk=pk)


def is_offer_co_broker(user: User | AnonymousUser, offer: Offer) -> bool:
    """The user's brokerage accepted to co-broker `offer`: it reads the responses."""
    broker = broker_of(user)
    return (
        broker is not None
        and offer.partners.filter(broker=broker, status=OfferPartner.Status.ACCEPTED).exists()
    )
