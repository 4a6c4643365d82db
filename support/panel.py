"""Who reviews an application: conflicts of interest, availability, workload and the panel.

A member of staff is conflicted on an application when they belong to the applying company or to
its brokerage, or declared a tie (StaffTie) to either that a manager has not rejected. A reviewer
is available when active and not away (User.away_until). Automatic assignment fills the panel
(as many reviewers as the programme's reviews_needed) with distinct available, non-conflicted
reviewers, the least loaded first; a resubmission goes back to whoever asked for the changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from brokers.models import BrokerMembership
from companies.models import CompanyMembership
from portal.models import User
from portal.permissions import Role, is_manager, is_reviewer, staff_with_role
from portal.templatetags.portal_tags import jdate

from .models import Application, ReviewAssignment, StaffTie, Status


def conflict_reason(user: User | AnonymousUser, application: Application) -> str:
    """Why `user` is conflicted on `application` (empty when they are not)."""
    if not user.is_authenticated:
        return ""
    ties = _ties_of(user)
    if application.company_id in ties["member_company"]:
        return _("%(user)s is a member of the applying company.") % {"user": user}
    if application.broker_id and application.broker_id in ties["member_broker"]:
        return _("%(user)s is a member of the application's brokerage.") % {"user": user}
    if application.company_id in ties["declared_company"]:
        return _("%(user)s declared a tie to the applying company.") % {"user": user}
    if application.broker_id and application.broker_id in ties["declared_broker"]:
        return _("%(user)s declared a tie to the application's brokerage.") % {"user": user}
    return ""


def _ties_of(user: User) -> dict[str, set[int]]:
    """The companies and brokerages `user` is tied to (four small queries, cached on the user)."""
    cached = getattr(user, "_ties_cache", None)
    if cached is None:
        declared = StaffTie.objects.filter(user=user).exclude(status=StaffTie.Status.REJECTED)
        companies = CompanyMembership.objects.filter(user=user).values_list("company", flat=True)
        brokers = BrokerMembership.objects.filter(user=user).values_list("broker", flat=True)
        cached = {
            "member_company": set(companies),
            "member_broker": set(brokers),
            "declared_company": {pk for pk in declared.values_list("company", flat=True) if pk},
            "declared_broker": {pk for pk in declared.values_list("broker", flat=True) if pk},
        }
        user._ties_cache = cached
    return cached


def conflicted_ids(application: Application) -> set[int]:
    """Every user conflicted on `application` (for picking a panel without a query per reviewer)."""
    members = CompanyMembership.objects.filter(company_id=application.company_id)
    ids = set(members.values_list("user", flat=True))
    ties = Q(company_id=application.company_id)
    if application.broker_id:
        members = BrokerMembership.objects.filter(broker_id=application.broker_id)
        ids |= set(members.values_list("user", flat=True))
        ties |= Q(broker_id=application.broker_id)
    declared = StaffTie.objects.filter(ties).exclude(status=StaffTie.Status.REJECTED)
    return ids | set(declared.values_list("user", flat=True))


def available_reviewers(day: date | None = None) -> QuerySet[User]:
    """Active staff reviewers who are not away on `day`, with their load: the applications under
    review on whose current panel they sit."""
    day = day or timezone.localdate()
    current = Q(
        review_assignments__application__status=Status.UNDER_REVIEW,
        review_assignments__review_round=F("review_assignments__application__review_round"),
        review_assignments__ended_at__isnull=True,
    )
    return (
        staff_with_role(Role.REVIEWER)
        .filter(Q(away_until__isnull=True) | Q(away_until__lt=day))
        .annotate(load=Count("review_assignments", filter=current))
        .order_by("load", "pk")
    )


@dataclass
class PanelChoice:
    """The reviewers chosen for a round, and what the timeline should say about the choice."""

    reviewers: list[User] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # the company sees that a reviewer was assigned
    skipped: list[str] = field(default_factory=list)  # staff only: "skipped X: conflict"


def panel_choose(application: Application, *, preferred: list[User] | None = None) -> PanelChoice:
    """Pick the panel for the application's current round: `preferred` first (whoever asked for
    the changes, then the previous panel) when available and not conflicted, then the least
    loaded available reviewers. Conflicted ones are skipped, and the skip is recorded."""
    size = application.program.reviews_needed(application.requested_amount)
    conflicted = conflicted_ids(application)
    today = timezone.localdate()
    choice = PanelChoice()

    def take(user: User) -> bool:
        if user in choice.reviewers:
            return False
        if user.pk in conflicted:
            choice.skipped.append(_("Skipped %(user)s: conflict of interest.") % {"user": user})
            conflicted.discard(user.pk)  # say it once
            return False
        choice.reviewers.append(user)
        return True

    for user in preferred or []:
        if len(choice.reviewers) >= size:
            break
        if not is_reviewer(user):
            continue
        if user.is_away_on(today):
            choice.notes.append(
                _("%(user)s is away until %(day)s.") % {"user": user, "day": jdate(user.away_until)}
            )
            continue
        take(user)
    # Enough candidates for the seats left even if some of them are conflicted.
    for user in available_reviewers(today)[: size + len(conflicted) + len(choice.reviewers)]:
        if len(choice.reviewers) >= size:
            break
        take(user)
    return choice


def panel_of(application: Application) -> list[ReviewAssignment]:
    """The current round's panel (the seats held now), lead first."""
    seats = list(
        application.assignments.current()
        .filter(review_round=application.review_round)
        .select_related("reviewer")
    )
    seats.sort(key=lambda seat: (seat.reviewer_id != application.assigned_reviewer_id, seat.created_at))
    return seats


def is_on_panel(user: User | AnonymousUser, application: Application) -> bool:
    if not user.is_authenticated:
        return False
    if application.assigned_reviewer_id == user.pk:
        return True
    seats = application.assignments.current()
    return seats.filter(reviewer=user, review_round=application.review_round).exists()


@dataclass
class PanelScores:
    """The current round's completed reviews (each with its weighted score) and their mean;
    `hidden` when the reader may not see them yet (panel_scores_for)."""

    reviews: list = field(default_factory=list)
    combined: Decimal | None = None
    hidden: bool = False


def may_see_panel_scores(user: User | AnonymousUser, application: Application) -> bool:
    """Reviews are independent: a reviewer sees the others' scores of the round only once they
    have submitted their own; programme managers always see them."""
    if not user.is_authenticated:
        return False
    if is_manager(user):
        return True
    return application.reviews.filter(reviewer=user, review_round=application.review_round).exists()


def panel_scores_for(user: User | AnonymousUser, application: Application) -> PanelScores:
    """panel_scores, or nothing (hidden) for a reviewer who has not scored this round yet."""
    if not may_see_panel_scores(user, application):
        return PanelScores(hidden=True)
    return panel_scores(application)


def panel_scores(application: Application) -> PanelScores:
    """Each reviewer's weighted score (the programme's criterion weights) for the current round,
    and the panel's combined score: the mean of those, to the cent."""
    reviews = list(
        application.reviews.filter(review_round=application.review_round)
        .select_related("reviewer")
        .order_by("created_at", "pk")
    )
    if not reviews:
        return PanelScores()
    mean = sum((r.weighted_score for r in reviews), Decimal("0")) / len(reviews)
    return PanelScores(reviews, mean.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
