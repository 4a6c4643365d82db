"""The one door for referrals: a brokerage passes a buyer's inquiry it holds, or a company, to
another brokerage covering the country (or offering the service).

pending → accepted | declined | withdrawn. Accepting an inquiry's referral moves the inquiry to the
receiving brokerage (its accepting member holds it from then on); declining leaves it with the
referrer. A company's referral gives the receiving brokerage no authority over the company: once
it is accepted the company is told who was referred to act for it, with a link to grant it a
mandate, and until the company does, that brokerage cannot act for it (brokers.mandates).

A deal the receiver opens from the inquiry or for the company within REFERRAL_WINDOW_DAYS of
accepting, bound for the referral's country, is the referral's outcome: deals/services.py links it
back, credits the referrer with the agreed share and tells it (or tells it why the deal's shares
left no room for it). Each step notifies the other brokerage's members."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from companies.models import Company
from portal.access import Access
from portal.models import TargetCountry, User, bilingual
from portal.notifications.services import notify_members

from .models import Broker, BuyerInquiry, Referral, ServiceType
from .permissions import (
    REFERABLE_INQUIRY,
    broker_of,
    can_act_on_referral,
    can_refer,
    referral_targets,
)


def _require(access: Access) -> None:
    access.require()


def _tell(referral: Referral, action: str, *, to: Broker) -> None:
    context = {
        "action": action,
        "referrer": bilingual(referral.from_broker, "name"),
        "receiver": bilingual(referral.to_broker, "name"),
        "subject": str(referral.inquiry or referral.company),
        "share": referral.share_percent,
    }
    notify_members(to, kind="referral_update", url=referral.get_absolute_url(), context=context)


@transaction.atomic
def referral_create(
    *,
    by: User,
    to_broker: Broker,
    inquiry: BuyerInquiry | None = None,
    company: Company | None = None,
    country: TargetCountry | None = None,
    service: ServiceType | None = None,
    share_percent: int | None = None,
    note: str = "",
) -> Referral:
    """Pass an inquiry `by` holds (its buyer's country is the referral's) or a company (for a
    country, optionally a service) to another approved brokerage covering that country."""
    _require(can_refer(by))
    own = broker_of(by)
    if (inquiry is None) == (company is None):
        raise ValidationError(_("Refer either an inquiry you hold or a company."), code="subject")
    if inquiry is not None:
        # The row is locked: a claim, a release or a second referral waits for this one.
        inquiry = BuyerInquiry.objects.select_for_update().get(pk=inquiry.pk)
        if inquiry.holder_id != by.pk or inquiry.status not in REFERABLE_INQUIRY:
            raise ValidationError({"inquiry": _("You can refer only an inquiry you hold and are answering.")})
        if inquiry.referrals.filter(status=Referral.Status.PENDING).exists():
            raise ValidationError({"inquiry": _("This inquiry is already referred; wait for the answer.")})
        country = inquiry.country
    elif company.status != Company.Status.VERIFIED:
        raise ValidationError({"company": _("Choose a company verified by the centre.")})
    if country is None:
        raise ValidationError({"country": _("Choose the country the referral is for.")})
    targets = referral_targets(own, country.pk, service.pk if service else None)
    if not targets.filter(pk=to_broker.pk).exists():
        raise ValidationError(
            {"to_broker": _("Choose an approved brokerage covering this country (and offering the service).")}
        )
    referral = Referral(
        from_broker=own, to_broker=to_broker, inquiry=inquiry, company=company, country=country,
        service=service, note=(note or "").strip(), created_by=by,
    )  # fmt: skip
    if share_percent is not None:
        referral.share_percent = share_percent
    referral.full_clean()
    referral.save()
    _tell(referral, "sent", to=to_broker)
    return referral


def _locked(referral: Referral) -> Referral:
    return (
        Referral.objects.select_for_update(of=("self",))
        .select_related("from_broker", "to_broker", "inquiry", "company")
        .get(pk=referral.pk)
    )


@transaction.atomic
def referral_accept(*, referral: Referral, by: User) -> Referral:
    """The receiving brokerage takes the work: a referred inquiry is held by `by` from now on."""
    referral = _locked(referral)
    _require(can_act_on_referral(by, referral, "accept"))
    if referral.inquiry_id is not None:
        inquiry = BuyerInquiry.objects.select_for_update().get(pk=referral.inquiry_id)
        holder_broker = broker_of(inquiry.holder) if inquiry.holder_id else None
        still_referrer = holder_broker is not None and holder_broker.pk == referral.from_broker_id
        if inquiry.status not in REFERABLE_INQUIRY or not still_referrer:
            raise ValidationError(
                _("The inquiry is no longer with the referring brokerage (%(status)s); it cannot move.")
                % {"status": inquiry.get_status_display()},
                code="state",
            )
        if not referral.to_broker.countries.filter(pk=inquiry.country_id).exists():
            raise ValidationError(_("Your brokerage no longer covers the buyer's country."), code="state")
        inquiry.holder = by
        inquiry.claimed_at = timezone.now()
        inquiry.save(update_fields=["holder", "claimed_at", "updated_at"])
    referral = _decide(referral, Referral.Status.ACCEPTED, by=by, tell=referral.from_broker)
    if referral.company_id is not None:
        _tell_company(referral)
    return referral


def _tell_company(referral: Referral) -> None:
    """The referred company hears which brokerage was referred to act for it, and by whom, with a
    link to the mandate form filled in with that brokerage and the referral's country."""
    query = urlencode({"broker": referral.to_broker_id, "country": referral.country_id})
    context = {
        "referrer": bilingual(referral.from_broker, "name"),
        "receiver": bilingual(referral.to_broker, "name"),
        "country": bilingual(referral.country, "name"),
    }
    notify_members(
        referral.company,
        kind="referral_company_notice",
        url=f"{reverse('brokers:mandate_grant')}?{query}",
        context=context,
    )


@transaction.atomic
def referral_decline(*, referral: Referral, by: User) -> Referral:
    """The receiving brokerage turns the work down: an inquiry stays with the referrer."""
    referral = _locked(referral)
    _require(can_act_on_referral(by, referral, "decline"))
    return _decide(referral, Referral.Status.DECLINED, by=by, tell=referral.from_broker)


@transaction.atomic
def referral_withdraw(*, referral: Referral, by: User) -> Referral:
    """The referrer takes a referral back before it is answered."""
    referral = _locked(referral)
    _require(can_act_on_referral(by, referral, "withdraw"))
    return _decide(referral, Referral.Status.WITHDRAWN, by=by, tell=referral.to_broker)


def _decide(referral: Referral, status: str, *, by: User, tell: Broker) -> Referral:
    referral.status = status
    referral.decided_by = by
    referral.decided_at = timezone.now()
    referral.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    _tell(referral, status, to=tell)
    return referral
