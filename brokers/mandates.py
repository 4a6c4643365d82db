"""Mandates: a company authorises a brokerage to represent it for chosen countries and product
categories until a date; the brokerage may then answer offers and open deals on the company's
behalf. The company revokes a mandate at any time.

A mandate counts (`Mandate.objects.in_force()`) while it is not revoked, until the end of its
`valid_until` day, and while its brokerage is approved with a valid licence. `mandate_for()` is
the one question the rest of the portal asks: which mandate, if any, covers this brokerage acting
for this company in this country for these categories. Granting and revoking go through
`mandate_grant` and `mandate_revoke` (each appends a `MandateEvent` and tells both sides).

Revoking also undoes, in the same transaction, what other apps let the brokerage start under the
mandate and not finish: each app registers its part with `register_revoke_hook` (the deals app
withdraws the co-broker invitations the brokerage sent on deals opened under it), so that brokers
imports nothing of the apps built on it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from companies.models import Company
from portal.models import TargetCountry, User, bilingual
from portal.notifications.services import notify
from products.models import ProductCategory

from .models import Broker, Mandate, MandateEvent
from .permissions import can_grant_mandate, can_revoke_mandate


# ---------------------------------------------------------------------------
# The question: does a mandate cover it?
# ---------------------------------------------------------------------------
def mandate_for(
    broker: Broker,
    company: Company,
    country: TargetCountry | None = None,
    category: ProductCategory | None = None,
    *,
    categories: Iterable[ProductCategory | int] = (),
    today: date | None = None,
) -> Mandate | None:
    """The mandate in force today by which `company` authorises `broker` for `country` and every
    one of the categories (`category` and `categories`), or None. One mandate must cover them all;
    of several, the one valid longest."""
    mandates = Mandate.objects.in_force(today=today).filter(broker=broker, company=company)
    if country is not None:
        mandates = mandates.filter(countries=country)
    wanted = {getattr(c, "pk", c) for c in categories}
    if category is not None:
        wanted.add(category.pk)
    for category_id in sorted(wanted):
        mandates = mandates.filter(categories=category_id)  # one join each: the same mandate covers all
    return mandates.order_by("-valid_until", "-pk").first()


def mandate_refusal(
    broker: Broker,
    company: Company,
    country: TargetCountry | None = None,
    categories: Iterable[ProductCategory | int] = (),
    *,
    today: date | None = None,
) -> tuple[str, str] | None:
    """Why no mandate covers `broker` acting for `company` here, as (what is not covered, the
    reason): "company" (no mandate in force at all), "country" or "categories"; None when one does."""
    categories = list(categories)
    if mandate_for(broker, company, country, categories=categories, today=today) is not None:
        return None
    names = {"company": company.name}
    if mandate_for(broker, company, today=today) is None:
        return "company", _("%(company)s has given your brokerage no mandate in force.") % names
    if country is not None and mandate_for(broker, company, country, today=today) is None:
        return "country", _("Your mandate from %(company)s does not cover %(country)s.") % {
            **names,
            "country": country.name,
        }
    return "categories", _(
        "Your mandate from %(company)s does not cover the product categories chosen here%(where)s."
    ) % {**names, "where": _(" in %(country)s") % {"country": country.name} if country else ""}


def companies_represented(broker: Broker, *, country: TargetCountry | None = None, today: date | None = None):  # noqa: ANN201 - a QuerySet
    """The verified companies with a mandate in force to `broker` (covering `country` if given):
    whom it may choose to act for."""
    held = Mandate.objects.in_force(today=today).filter(broker=broker)
    if country is not None:
        held = held.filter(countries=country)
    return Company.objects.verified().filter(pk__in=held.values("company_id")).order_by("name_en")


# ---------------------------------------------------------------------------
# Granting and revoking
# ---------------------------------------------------------------------------
# What the apps built on brokers do when a mandate is revoked: each hook gets the revoked mandate
# (its row locked) and who revoked it, inside the revoking transaction.
_revoke_hooks: list[Callable[[Mandate, User], object]] = []


def register_revoke_hook(hook: Callable[[Mandate, User], object]) -> None:
    """Call `hook(mandate, by)` whenever a mandate is revoked (registered once, at start-up)."""
    if hook not in _revoke_hooks:
        _revoke_hooks.append(hook)


def _context(mandate: Mandate) -> dict[str, object]:
    return {
        "company": bilingual(mandate.company, "name"),
        "broker": bilingual(mandate.broker, "name"),
        "valid_until": mandate.valid_until.isoformat(),
    }


def _tell_both_sides(mandate: Mandate, kind: str, by: User, note: str = "") -> None:
    """Every member of the brokerage and of the company, but the one acting."""
    context = {**_context(mandate), "note": note}
    people = {}
    for organisation in (mandate.broker, mandate.company):
        for membership in organisation.memberships.select_related("user"):
            if membership.user.is_active and membership.user.pk != by.pk:
                people[membership.user.pk] = membership.user
    for user in people.values():
        notify(recipient=user, kind=kind, url=mandate.get_absolute_url(), context=context)


@transaction.atomic
def mandate_grant(
    *,
    company: Company,
    broker: Broker | None,
    by: User,
    countries: Iterable[TargetCountry],
    categories: Iterable[ProductCategory],
    valid_until: date | None,
    note: str = "",
) -> Mandate:
    """A company's member authorises an approved, licensed brokerage for some countries and
    categories until a date; both sides are told."""
    can_grant_mandate(by, company).require()
    countries, categories = list(countries), list(categories)
    errors: dict[str, str] = {}
    if broker is None:
        errors["broker"] = _("Choose a brokerage.")
    elif not broker.is_publishing:
        errors["broker"] = _("Choose an approved brokerage whose licence is valid.")
    if not countries:
        errors["countries"] = _("Choose at least one country.")
    elif any(not country.is_active for country in countries):
        errors["countries"] = _("Choose countries from the list.")
    if not categories:
        errors["categories"] = _("Choose at least one product category.")
    if valid_until is not None and valid_until < timezone.localdate():
        errors["valid_until"] = _("The end date cannot be in the past.")
    mandate = Mandate(
        company=company, broker=broker, valid_until=valid_until, note=note.strip(), granted_by=by
    )
    try:
        mandate.full_clean(exclude=["broker"] if broker is None else None)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, messages[0])
    if errors:
        raise ValidationError(errors)
    mandate.save()
    mandate.countries.set(countries)
    mandate.categories.set(categories)
    MandateEvent.objects.create(
        mandate=mandate, action=MandateEvent.Action.GRANT, actor=by, note=mandate.note
    )
    _tell_both_sides(mandate, "mandate_granted", by)
    return mandate


@transaction.atomic
def mandate_revoke(*, mandate: Mandate, by: User, note: str = "") -> Mandate:
    """The company takes its authority back, at any time; the brokerage can no longer act under
    this mandate from now on (what it did before stays recorded as done for the company, and the
    deals opened under it go on with the company as their party)."""
    mandate = (
        Mandate.objects.select_for_update(of=("self",)).select_related("company", "broker").get(pk=mandate.pk)
    )
    allowed = can_revoke_mandate(by, mandate)
    if not allowed and mandate.company.memberships.filter(user=by).exists():
        raise ValidationError(str(allowed.reason), code="state")  # the right person, too late
    allowed.require()
    mandate.status = Mandate.Status.REVOKED
    mandate.revoked_at = timezone.now()
    mandate.revoked_by = by
    mandate.save(update_fields=["status", "revoked_at", "revoked_by", "updated_at"])
    MandateEvent.objects.create(
        mandate=mandate, action=MandateEvent.Action.REVOKE, actor=by, note=note.strip()
    )
    for hook in _revoke_hooks:
        hook(mandate, by)
    _tell_both_sides(mandate, "mandate_revoked", by, note=note.strip())
    return mandate
