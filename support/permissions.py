"""Who may do what with an application. The workflow table, views, admin, API and media all ask
here; each rule is stated once."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connections
from django.db.models import Exists, F, Lookup, OuterRef, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from companies.permissions import company_of
from portal.access import ALLOWED, Access, refuse
from portal.models import User
from portal.permissions import is_manager, is_reviewer

from .models import Application, ReviewAssignment, Status
from .panel import conflict_reason, conflicted_ids, is_on_panel


def is_applicant(user: User | AnonymousUser, application: Application) -> bool:
    """A member of the applying company."""
    company = company_of(user)
    return company is not None and company.pk == application.company_id


def applications_for_staff(
    user: User | AnonymousUser, applications: QuerySet[Application] | None = None
) -> QuerySet[Application]:
    """The applications a member of the centre's staff may open (their admin list, their files):
    programme managers every one; a reviewer those they lead or sit on the current panel of, and
    the unassigned ones under review, which they may pick up; anyone else none."""
    applications = Application.objects.all() if applications is None else applications
    if is_manager(user):
        return applications
    if is_reviewer(user):
        seats = ReviewAssignment.objects.filter(reviewer=user, ended_at__isnull=True)
        on_panel = Exists(seats.filter(application=OuterRef("pk"), review_round=OuterRef("review_round")))
        if connections[applications.db].vendor == "postgresql":
            # The same test, led by the ids of the applications the reviewer has a seat on: with
            # it each of the three conditions is an index's, so PostgreSQL reads only the rows
            # they find (a BitmapOr), where EXISTS in an OR made it test every application (the
            # list's count: 6.0 -> 1.8 ms at 20,000 applications, and no longer growing with them).
            seated = ArraySubquery(seats.order_by().values("application_id"))
            on_panel = Q(_EqualsAny(F("pk"), seated)) & on_panel
        return applications.filter(
            Q(assigned_reviewer=user)
            | on_panel
            | Q(status=Status.UNDER_REVIEW, assigned_reviewer__isnull=True)
        )
    return applications.none()


class _EqualsAny(Lookup):
    """`lhs = ANY(rhs)`, rhs an array (PostgreSQL)."""

    lookup_name = "equals_any"
    prepare_rhs = False

    def as_sql(self, compiler, connection):  # noqa: ANN001, ANN201 - Django's Lookup signature
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


def free_of_conflict(user: User | AnonymousUser, application: Application) -> Access:
    """Refused when `user` is tied to the applying company or its brokerage (support.panel)."""
    reason = conflict_reason(user, application)
    if reason:
        return refuse(_("Conflict of interest: %(reason)s") % {"reason": reason})
    return ALLOWED


def can_review(user: User | AnonymousUser, application: Application) -> Access:
    """A reviewer on the current panel, or any programme manager; never a conflicted person."""
    if not ((is_reviewer(user) and is_on_panel(user, application)) or is_manager(user)):
        return refuse(_("Only the assigned reviewers or a programme manager can review this application."))
    return free_of_conflict(user, application)


def can_manage_assignments(user: User | AnonymousUser) -> Access:
    """Programme managers move applications between reviewers."""
    if not is_manager(user):
        return refuse(_("Only programme managers reassign applications."))
    return ALLOWED


def can_reassign(user: User | AnonymousUser, application: Application) -> Access:
    """A programme manager moves the seats of an application under review (workflow's
    application_reassign refuses any other state)."""
    if application.status != Status.UNDER_REVIEW:
        return refuse(_("Only applications under review can be reassigned."))
    return can_manage_assignments(user)


def has_scored(user: User | AnonymousUser, application: Application) -> bool:
    return user.is_authenticated and application.reviews.filter(reviewer=user).exists()


def can_decide(user: User | AnonymousUser, application: Application) -> Access:
    """A programme manager who has not scored this application (four eyes)."""
    if not is_manager(user):
        return refuse(_("Only programme managers approve or reject applications."))
    if has_scored(user, application) or application.assigned_reviewer_id == user.pk:
        return refuse(_("The person who scored an application cannot decide it."))
    return free_of_conflict(user, application)


def can_assign(user: User | AnonymousUser, application: Application) -> Access:
    """Taking the lead of an application under review that nobody leads (or that the user leads):
    a reviewer picks one up unless conflicted; a programme manager may give it to any reviewer.
    Moving it from another lead is a reassignment (`can_manage_assignments`), with a reason, so
    that the old lead's seat is ended; whether the reviewer it goes to may take it is the
    workflow's check (support.workflow._check_assignable)."""
    if not (is_manager(user) or is_reviewer(user)):
        return refuse(_("Only reviewers and programme managers assign applications."))
    if is_manager(user):
        if application.assigned_reviewer_id not in (None, user.pk):
            return refuse(_("This application is assigned to another reviewer; move it with Reassign."))
        return ALLOWED
    if application.assigned_reviewer_id not in (None, user.pk):
        return refuse(_("This application is assigned to another reviewer; ask a programme manager."))
    return free_of_conflict(user, application)


def may_record_payments(user: User | AnonymousUser) -> bool:
    """A programme manager holding the payment permission (given to the role by migration 0011)."""
    return is_manager(user) and user.has_perm("support.add_payment")


def can_record_payment(user: User | AnonymousUser, application: Application) -> Access:
    """One who may record payments (`may_record_payments`), not conflicted on the application."""
    if not may_record_payments(user):
        return refuse(_("Only programme managers with the payment permission record payments."))
    return free_of_conflict(user, application)


def can_close(user: User | AnonymousUser, application: Application) -> Access:
    """A programme manager not conflicted on the application."""
    if not is_manager(user):
        return refuse(_("Only programme managers close applications."))
    return free_of_conflict(user, application)


def reviews_complete(user: User | AnonymousUser, application: Application) -> Access:
    """The programme's number of completed reviews of the current round, by people other than
    `user` (the decider), are in: no decision before them. A review counts when its author may
    still review the application (can_review): a seat on the current panel that was not moved to
    another reviewer, or a programme manager; and no conflict of interest now."""
    needed = application.program.reviews_needed(application.requested_amount)
    seated = set(
        application.assignments.current()
        .filter(review_round=application.review_round)
        .values_list("reviewer", flat=True)
    ) | {application.assigned_reviewer_id}
    conflicted = conflicted_ids(application)
    reviewers = {
        review.reviewer
        for review in application.reviews.filter(review_round=application.review_round)
        .exclude(reviewer=user)
        .select_related("reviewer")
    }
    done = sum(1 for r in reviewers if (r.pk in seated or is_manager(r)) and r.pk not in conflicted)
    if done < needed:
        return refuse(
            ngettext(
                "A decision needs %(needed)d completed review of this round; it has %(done)d.",
                "A decision needs %(needed)d completed reviews of this round; it has %(done)d.",
                needed,
            )
            % {"needed": needed, "done": done}
        )
    return ALLOWED


def get_application_for_member(user: User | AnonymousUser, pk: int) -> Application:
    """An application of the user's own company; 404 for anything else."""
    company = company_of(user)
    if company is None:
        raise Http404("no company")
    return get_object_or_404(Application.objects.select_related("program", "company"), pk=pk, company=company)


def can_see_document_file(user: User | AnonymousUser, name: str) -> bool:
    """An application's documents are for the applying company and the staff who may open the
    application (`applications_for_staff`)."""
    if not user.is_authenticated:
        return False
    applications = Application.objects.filter(documents__file=name)
    company = company_of(user)
    if company is not None and applications.filter(company=company).exists():
        return True
    return applications_for_staff(user, applications).exists()
