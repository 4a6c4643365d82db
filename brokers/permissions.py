"""Who may see and change a brokerage, its offers and the responses to them."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.shortcuts import get_object_or_404

from companies.permissions import company_of
from portal.models import User

from .models import Broker, BrokerMembership, Offer, OfferResponse


def broker_of(user: User | AnonymousUser) -> Broker | None:
    """The brokerage the user works for, if any (cached on the user for the request)."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_broker_cache"):
        membership = BrokerMembership.objects.select_related("broker").filter(user=user).first()
        user._broker_cache = membership.broker if membership else None
    return user._broker_cache


def get_own_broker(user: User | AnonymousUser) -> Broker:
    broker = broker_of(user)
    if broker is None:
        raise Http404("no brokerage")
    return broker


def can_edit_broker(user: User | AnonymousUser, broker: Broker) -> bool:
    own = broker_of(user)
    return own is not None and own.pk == broker.pk and broker.status != Broker.Status.SUSPENDED


def can_publish_offers(user: User | AnonymousUser, broker: Broker) -> bool:
    """Only members of an approved brokerage publish offers."""
    return can_edit_broker(user, broker) and broker.status == Broker.Status.APPROVED


def get_offer_for_viewer(user: User | AnonymousUser, pk: int) -> Offer:
    queryset = Offer.objects.visible_to(user).select_related("broker", "country")
    return get_object_or_404(queryset, pk=pk)


def get_offer_for_broker(user: User | AnonymousUser, pk: int) -> Offer:
    """An offer of the user's own brokerage; 404 for anything else."""
    broker = get_own_broker(user)
    return get_object_or_404(Offer.objects.select_related("broker", "country"), pk=pk, broker=broker)


def can_respond(user: User | AnonymousUser, offer: Offer) -> bool:
    company = company_of(user)
    return company is not None and company.is_verified and offer.is_open and offer.broker.is_approved


def get_response_for_broker(user: User | AnonymousUser, pk: int) -> OfferResponse:
    broker = get_own_broker(user)
    return get_object_or_404(
        OfferResponse.objects.select_related("offer__broker", "company"), pk=pk, offer__broker=broker
    )


def can_see_licence_file(user: User | AnonymousUser, name: str) -> bool:
    """A brokerage's licence scan is for its members and the centre's staff only."""
    if not user.is_authenticated:
        return False
    if user.is_staff and user.has_perm("brokers.view_broker"):
        return True
    own = broker_of(user)
    return own is not None and own.licence_file.name == name


def can_see_attachment(user: User | AnonymousUser, name: str) -> bool:
    """Offer attachments follow their offer: public offers' files are public."""
    return Offer.objects.visible_to(user).filter(attachments__file=name).exists()
