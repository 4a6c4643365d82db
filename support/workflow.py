"""The life of a support application, and the only code that changes its status.

    draft ──submit──▶ submitted ──(screening task)──▶ screening ──pass──▶ under_review
      ▲                                                  │fail               │  ▲
      └──────────── revision_requested ◀─────────────────┴──request_revision─┘  │
                          └──────────────────submit (again)─────────────────────┘
    under_review ──approve──▶ approved ──mark_paid──▶ paid ──close──▶ closed
    under_review ──reject───▶ rejected
    any state before a decision ──withdraw──▶ withdrawn

A grant is paid in instalments (`application_payment_record`): each payment short of the grant
stays "approved" (record_payment on the timeline, with what is paid so far); the one that
completes it moves the application to "paid" (mark_paid). Submitted, screening or under review
past the date promised to the applicant, an application is escalated once to the programme
managers (`application_escalate`, from a beat task), also on the timeline.

Each transition is one short function below. They all go through `_transition`, which locks the
row, checks the table (state and role), changes the status, appends an ApplicationEvent (the
timeline and audit log), notifies the company in the same transaction, and leaves slow work
(e-mails, the screening task) to after commit.

Who reviews: passing screening seats the round's panel (support.panel: as many reviewers as the
programme's reviews_needed, least loaded, available and not conflicted, or, for a resubmission,
whoever asked for the changes); a reviewer picks up an application nobody leads
(`application_assign`); a programme manager moves a seat with a note (`application_reassign`).
These write timeline rows without changing the status ("assign", "reassign", and the staff-only
"conflict_skip").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import jdatetime
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from companies.models import Company
from companies.permissions import company_of
from portal.access import ALLOWED, Access, refuse
from portal.db import next_reference
from portal.enqueue import enqueue_on_commit
from portal.http.page_cache import public_content_changed
from portal.models import User, bilingual
from portal.notifications.services import notify, notify_members
from portal.permissions import Role, is_manager, is_reviewer, staff_with_role
from portal.templatetags.portal_tags import localnumber
from products.models import Product

from .evidence import lock_cited, refuse_double_claim, refuse_uncitable, rule_refusal
from .models import (
    CLAIM_STATES,
    GRANTED_STATES,
    Action,
    Application,
    ApplicationEvent,
    Payment,
    ReviewAssignment,
    Status,
    SupportProgram,
)
from .panel import conflict_reason, panel_choose
from .permissions import (
    can_assign,
    can_close,
    can_decide,
    can_manage_assignments,
    can_record_payment,
    can_review,
    is_applicant,
    may_record_payments,
    reviews_complete,
)
from .selectors import program_budget

Rule = Callable[[User | AnonymousUser, Application], Access | bool]
RoleCheck = Callable[[User | AnonymousUser], bool]

BEFORE_DECISION = (
    Status.DRAFT, Status.SUBMITTED, Status.SCREENING, Status.UNDER_REVIEW, Status.REVISION_REQUESTED,
)  # fmt: skip


def is_company_member(user: User | AnonymousUser) -> bool:
    return company_of(user) is not None


def is_reviewer_or_manager(user: User | AnonymousUser) -> bool:
    return is_reviewer(user) or is_manager(user)


@dataclass(frozen=True)
class Transition:
    """Which states an action leaves from, where it lands, and who may take it: `allowed` is the
    rule on one application (support.permissions), `role` the part of it that depends on the
    person alone (what the admin offers before a row is chosen). SYSTEM rows are the tasks'."""

    sources: tuple[str, ...]
    target: str
    allowed: Rule | None
    role: RoleCheck | None

    @property
    def system(self) -> bool:
        return self.allowed is None


def _system(sources: tuple[str, ...], target: str) -> Transition:
    return Transition(sources, target, allowed=None, role=None)


TRANSITIONS: dict[Action, Transition] = {
    Action.SUBMIT: Transition(
        (Status.DRAFT, Status.REVISION_REQUESTED), Status.SUBMITTED, is_applicant, is_company_member
    ),
    Action.SCREEN_START: _system((Status.SUBMITTED,), Status.SCREENING),
    Action.SCREEN_PASS: _system((Status.SCREENING,), Status.UNDER_REVIEW),
    Action.SCREEN_FAIL: _system((Status.SCREENING,), Status.REVISION_REQUESTED),
    Action.ASSIGN: Transition(
        (Status.UNDER_REVIEW,), Status.UNDER_REVIEW, can_assign, is_reviewer_or_manager
    ),
    Action.REQUEST_REVISION: Transition(
        (Status.UNDER_REVIEW,), Status.REVISION_REQUESTED, can_review, is_reviewer_or_manager
    ),
    Action.APPROVE: Transition((Status.UNDER_REVIEW,), Status.APPROVED, can_decide, is_manager),
    Action.REJECT: Transition((Status.UNDER_REVIEW,), Status.REJECTED, can_decide, is_manager),
    Action.RECORD_PAYMENT: Transition(
        (Status.APPROVED,), Status.APPROVED, can_record_payment, may_record_payments
    ),
    Action.MARK_PAID: Transition((Status.APPROVED,), Status.PAID, can_record_payment, may_record_payments),
    Action.CLOSE: Transition((Status.PAID,), Status.CLOSED, can_close, is_manager),
    Action.WITHDRAW: Transition(BEFORE_DECISION, Status.WITHDRAWN, is_applicant, is_company_member),
}


def _access(rule: Transition, user: User | AnonymousUser | None, application: Application) -> Access:
    """The table's answer for one application: system rows are the tasks' (no user)."""
    if rule.system:
        return ALLOWED if user is None else refuse()
    if user is None or not user.is_authenticated:
        return refuse()
    answer = rule.allowed(user, application)
    return answer if isinstance(answer, Access) else Access(bool(answer))


def allowed_actions(user: User | AnonymousUser, application: Application) -> list[str]:
    """The actions `user` may take on `application` now (for buttons and admin actions)."""
    return [
        action
        for action, rule in TRANSITIONS.items()
        if not rule.system and application.status in rule.sources and _access(rule, user, application)
    ]


def offered_actions(
    user: User | AnonymousUser, statuses: set[str], among: Iterable[Action] | None = None
) -> set[Action]:
    """The actions (of `among`, all by default) worth offering `user` over applications in
    `statuses` (the admin's action menu): one of the applications is in a state they leave from
    and the user's role allows them. Each application's own rule is checked when one runs."""
    return {
        action
        for action in (TRANSITIONS if among is None else among)
        if not TRANSITIONS[action].system
        and statuses & set(TRANSITIONS[action].sources)
        and TRANSITIONS[action].role(user)
    }


def _transition(
    application: Application,
    action: Action,
    *,
    by: User | None,
    note: str | Callable[[Application], str] = "",
    changes: dict[str, Any] | None = None,
    notify_company: bool = True,
    check: Callable[[Application], None] | None = None,
) -> Application:
    """Lock, check the table (state and rule) and `check(locked row)`, change the status, record
    the event, notify. `note` may be written from the locked row, before the change. Call inside
    a transaction."""
    rule = TRANSITIONS[action]
    application = (
        Application.objects.select_for_update().select_related("program", "company").get(pk=application.pk)
    )
    if application.status not in rule.sources:
        raise ValidationError(
            _("This application is %(status)s; it cannot be changed that way now.")
            % {"status": application.get_status_display()},
            code="invalid_state",
        )
    access = _access(rule, by, application)
    if not access:
        raise PermissionDenied(str(access.reason) or _("You may not do this with this application."))
    if check is not None:
        check(application)
    if callable(note):
        note = note(application)
    previous = application.status
    application.status = rule.target
    for name, value in (changes or {}).items():
        setattr(application, name, value)
    application.save()
    ApplicationEvent.objects.create(
        application=application,
        from_status=previous,
        to_status=rule.target,
        action=action,
        actor=by,
        note=note,
    )
    if notify_company:
        notify_members(
            application.company,
            kind="application_status",
            url=application.get_absolute_url(),
            context={
                "reference": application.reference or "",
                "program": bilingual(application.program, "name"),
                "status": rule.target,
                "note": note,
            },
        )
    return application


# ---------------------------------------------------------------------------
# The transitions
# ---------------------------------------------------------------------------
def _refuse_a_second_claim(application: Application, claims: tuple[str, ...]) -> None:
    """One claim per export: no other application of the company to the programme, in one of
    the `claims` states, may cover one of this one's products for one of its countries."""
    earlier = (
        Application.objects.filter(
            company_id=application.company_id,
            program_id=application.program_id,
            status__in=claims,
            products__in=application.products.all(),
            countries__in=application.countries.all(),
        )
        .exclude(pk=application.pk)
        .order_by("submitted_at", "pk")
        .first()
    )
    if earlier is not None:
        raise ValidationError(
            _(
                "Application %(reference)s (%(status)s) already claims this programme's support for one "
                "of these products in one of these countries. Withdraw it, or leave that product or "
                "country out of this one."
            )
            % {"reference": earlier.reference or "—", "status": earlier.get_status_display()},
            code="second_claim",
        )


@transaction.atomic
def application_submit(*, application: Application, by: User) -> Application:
    """Send a draft (or a revised application) to screening; it gets its reference number once.

    The company's row is locked first, so that two submissions of the same claim at once are
    checked one after the other: the second is refused with the first one's reference."""
    Company.objects.select_for_update().filter(pk=application.company_id).first()
    _refuse_a_second_claim(application, CLAIM_STATES)
    now = timezone.now()
    changes: dict[str, Any] = {
        "submitted_at": now,
        "review_round": application.review_round + 1,
        "screening_attempts": 0,
        # The date promised to the applicant; screening sets it again when the review starts.
        "review_due_at": now + timedelta(days=application.program.review_period_days),
        # A new round has its own promised date: past it, it is escalated again.
        "escalated_at": None,
    }
    if not application.reference:
        changes["reference"] = next_reference("EXP", timezone.localdate())
    application = _transition(application, Action.SUBMIT, by=by, changes=changes, check=_check_evidence)
    from .tasks import application_screen as application_screen_task

    enqueue_on_commit(application_screen_task, application.pk)
    return application


def _check_evidence(application: Application) -> None:
    """At submission, under the company's and the application's locks: the programme's evidence
    rule is met and cited, and no cited shipment backs another application of the company that is
    submitted, in review or granted (the cited deals and shipments are locked first)."""
    refusal = rule_refusal(application)
    if refusal:
        raise ValidationError(refusal, code="evidence_missing")
    claimed = lock_cited(application)
    refuse_uncitable(claimed)  # a deal cited in the draft may have been lost since
    refuse_double_claim(application, CLAIM_STATES, claimed)


def _revision_asked_by(application: Application) -> User | None:
    """The reviewer who last asked for changes (a failed screening in between does not forget them)."""
    event = (
        application.events.filter(action=Action.REQUEST_REVISION)
        .select_related("actor")
        .order_by("-created_at", "-pk")
        .first()
    )
    return event.actor if event is not None else None


def _previous_panel(application: Application) -> list[User]:
    """The reviewers still seated at the end of the last earlier round that had a panel (a round
    that failed screening had none)."""
    seats = application.assignments.current().filter(review_round__lt=application.review_round)
    last_round = seats.order_by("-review_round").values_list("review_round", flat=True).first()
    if last_round is None:
        return []
    return [seat.reviewer for seat in seats.filter(review_round=last_round).select_related("reviewer")]


def _seat_panel(application: Application) -> Application:
    """Give a round that has just passed screening its panel, say how it was chosen, notify it.

    A resubmission goes back to whoever asked for the changes, with the rest of the last
    round's panel, unless they are away or conflicted; the other seats go to the least loaded
    available reviewers who are not conflicted. Skips for a conflict are kept from the company."""
    asked_by = _revision_asked_by(application) if application.review_round > 1 else None
    previous = _previous_panel(application)
    choice = panel_choose(application, preferred=[u for u in [asked_by, *previous] if u is not None])
    for skip in choice.skipped:
        _record(application, Action.CONFLICT_SKIP, by=None, note=skip, internal=True)
    if not choice.reviewers:
        if choice.notes:
            _record(application, Action.ASSIGN, by=None, note="\n".join(choice.notes))
        return application
    application.assigned_reviewer = choice.reviewers[0]
    application.save(update_fields=["assigned_reviewer", "updated_at"])
    ReviewAssignment.objects.bulk_create(
        [ReviewAssignment(application=application, reviewer=r, review_round=application.review_round)
         for r in choice.reviewers]
    )  # fmt: skip
    notes = list(choice.notes)
    if asked_by is not None and choice.reviewers[0] == asked_by:
        notes.append(_("Returned to %(user)s, who asked for the changes.") % {"user": asked_by})
    elif asked_by is not None:
        notes.append(
            _("%(user)s asked for the changes but cannot take it: given to %(other)s (least loaded).")
            % {"user": asked_by, "other": choice.reviewers[0]}
        )
    notes.append(_("Panel: %(names)s.") % {"names": ", ".join(str(r) for r in choice.reviewers)})
    _record(application, Action.ASSIGN, by=None, note="\n".join(notes))
    for reviewer in choice.reviewers:
        _notify_assigned(application, reviewer)
    return application


def _record(
    application: Application, action: Action, *, by: User | None, note: str, internal: bool = False
) -> None:
    """A timeline row that does not change the status (assignments, skips, reviews)."""
    ApplicationEvent.objects.create(
        application=application, from_status=application.status, to_status=application.status,
        action=action, actor=by, note=note, internal=internal,
    )  # fmt: skip


def _notify_assigned(application: Application, reviewer: User) -> None:
    notify(
        recipient=reviewer,
        kind="application_assigned",
        url=f"/admin/support/application/{application.pk}/change/",
        context={"reference": application.reference, "program": bilingual(application.program, "name")},
    )


@transaction.atomic
def application_screen(*, application: Application, today: date | None = None) -> Application:
    """Run eligibility screening (the Celery task calls this): to review, or back with reasons."""
    from .screening import screen

    application = _transition(application, Action.SCREEN_START, by=None, notify_company=False)
    application = Application.objects.select_related("program", "company", "created_by").get(
        pk=application.pk
    )
    on = (
        timezone.localdate(application.submitted_at)
        if application.submitted_at
        else (today or timezone.localdate())
    )
    # The reasons go to the company: write them in the language of whoever prepared it.
    language = getattr(application.created_by, "preferred_language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        reasons = screen(application, on=on)
    if reasons:
        return _transition(application, Action.SCREEN_FAIL, by=None, note="\n".join(reasons))
    application = _transition(
        application,
        "screen_pass",
        by=None,
        changes={
            "assigned_reviewer": None,
            "review_started_at": timezone.now(),
            "review_due_at": timezone.now() + timedelta(days=application.program.review_period_days),
        },
    )
    return _seat_panel(application)


def _check_assignable(application: Application, reviewer: User) -> None:
    if not is_reviewer(reviewer):
        raise ValidationError(_("Only reviewers can be assigned."), code="not_reviewer")
    conflict = conflict_reason(reviewer, application)
    if conflict:
        raise ValidationError(
            _("%(user)s cannot review this application: %(reason)s") % {"user": reviewer, "reason": conflict},
            code="conflict",
        )


def _check_lead_is_free(application: Application, reviewer: User) -> None:
    """An application led by someone else than `reviewer` moves by reassignment, which ends the
    old lead's seat; `reviewer` must be free to take it."""
    if application.assigned_reviewer_id not in (None, reviewer.pk):
        raise PermissionDenied(_("This application is assigned to another reviewer; move it with Reassign."))
    _check_assignable(application, reviewer)


@transaction.atomic
def application_assign(*, application: Application, by: User, reviewer: User) -> Application:
    """Give an application under review to `reviewer`: a reviewer picks up one nobody leads
    ("assign to me"), a programme manager gives it to anyone (support.permissions.can_assign)."""
    if not (is_manager(by) or by == reviewer):
        raise PermissionDenied(_("Reviewers can only assign applications to themselves."))
    application = _transition(
        application, Action.ASSIGN, by=by, changes={"assigned_reviewer": reviewer}, notify_company=False,
        check=lambda current: _check_lead_is_free(current, reviewer),
        note=lambda current: f"{current.assigned_reviewer or '-'} → {reviewer}",
    )  # fmt: skip
    ReviewAssignment.objects.current().get_or_create(
        application=application, reviewer=reviewer, review_round=application.review_round
    )
    if reviewer != by:
        _notify_assigned(application, reviewer)
    return application


@transaction.atomic
def application_reassign(
    *, application: Application, by: User, to: User, note: str, replacing: User | None = None
) -> Application:
    """Move a seat on the current panel (the lead's, unless `replacing` names another member)
    to reviewer `to`, with the manager's reason; the new reviewer is notified. On a panel short
    of the programme's number of reviewers, no `replacing` adds `to` to it instead."""
    can_manage_assignments(by).require()
    if not note.strip():
        raise ValidationError({"note": _("Say why the application moves to another reviewer.")})
    application = (
        Application.objects.select_for_update().select_related("program", "company").get(pk=application.pk)
    )
    if application.status != Status.UNDER_REVIEW:
        raise ValidationError(_("Only applications under review can be reassigned."), code="invalid_state")
    _check_assignable(application, to)
    seats = application.assignments.current().filter(review_round=application.review_round)
    seated = set(seats.values_list("reviewer", flat=True)) | {application.assigned_reviewer_id} - {None}
    short = len(seated) < application.program.reviews_needed(application.requested_amount)
    if replacing is None and not short:  # a full panel: the lead hands over
        replacing = application.assigned_reviewer
    if replacing == to or seats.filter(reviewer=to).exists():
        raise ValidationError({"reviewer": _("%(user)s already reviews this application.") % {"user": to}})
    if replacing is not None:
        if replacing.pk not in seated:
            raise ValidationError(
                {"replacing": _("%(user)s has no seat on this application's panel.") % {"user": replacing}}
            )
        if application.reviews.filter(reviewer=replacing, review_round=application.review_round).exists():
            raise ValidationError(
                {"replacing": _("%(user)s has already scored this round.") % {"user": replacing}}
            )
        # Ended, not deleted: the panel's history keeps who sat on it and who took the seat over.
        seats.filter(reviewer=replacing).update(ended_at=timezone.now(), replaced_by=to)
    ReviewAssignment.objects.create(
        application=application, reviewer=to, review_round=application.review_round
    )
    if application.assigned_reviewer_id is None or (
        replacing is not None and application.assigned_reviewer_id == replacing.pk
    ):
        application.assigned_reviewer = to
        application.save(update_fields=["assigned_reviewer", "updated_at"])
    moved = _("Reassigned from %(old)s to %(new)s: %(note)s") % {
        "old": replacing or "-",
        "new": to,
        "note": note.strip(),
    }
    _record(application, Action.REASSIGN, by=by, note=moved)
    _notify_assigned(application, to)
    return application


@transaction.atomic
def application_request_revision(*, application: Application, by: User, note: str) -> Application:
    """Send an application back to the company with what to change."""
    if not note.strip():
        raise ValidationError({"note": _("Say what the company should change.")})
    return _transition(application, Action.REQUEST_REVISION, by=by, note=note)


def _jalali_year(day: date) -> tuple[date, date]:
    """The first day of the Jalali year holding `day`, and the first day of the next one."""
    year = jdatetime.date.fromgregorian(date=day).year
    return jdatetime.date(year, 1, 1).togregorian(), jdatetime.date(year + 1, 1, 1).togregorian()


def _check_company_ceiling(program: SupportProgram, application: Application, amount: Decimal) -> None:
    """The programme's ceiling per company and Jalali year, counting what it granted this year."""
    if program.ceiling_per_company_year is None:
        return
    start, end = _jalali_year(timezone.localdate())
    granted = Application.objects.filter(
        program=program, company_id=application.company_id, status__in=GRANTED_STATES,
        decided_at__date__gte=start, decided_at__date__lt=end,
    ).aggregate(total=Sum("granted_amount"))["total"] or Decimal("0")  # fmt: skip
    left = max(program.ceiling_per_company_year - granted, Decimal("0"))
    if amount > left:
        message = _("This company can be granted %(left)s %(currency)s more in this programme this year.")
        raise ValidationError({"amount": message % {"left": _amount(left), "currency": program.currency}})


def _amount(value: Decimal) -> str:
    """An amount in a refusal, to the cent in the reader's digits: "12,500.00", "۱۲٬۵۰۰٫۰۰"."""
    return localnumber(value.quantize(Decimal("0.01")))


def _locked_for_decision(application: Application, by: User) -> Application:
    """The one lock-and-check step of approve and reject: the programme first, then the
    application (always this order, so two managers deciding at once wait for each other and
    an approval sums what is granted only under the programme's lock); then four eyes on the
    locked row, and under review, the programme's reviews complete."""
    program = SupportProgram.objects.select_for_update().get(pk=application.program_id)
    current = Application.objects.select_for_update().get(pk=application.pk)
    current.program = program  # locked above: the rules below read it without a second query
    can_decide(by, current).require()
    if current.status == Status.UNDER_REVIEW:  # elsewhere the table refuses the decision itself
        complete = reviews_complete(by, current)
        if not complete:
            raise ValidationError(str(complete.reason), code="reviews_missing")
    return current


def _decision(by: User, note: str, **changes: Any) -> dict[str, Any]:
    return {"decided_at": timezone.now(), "decided_by": by, "decision_note": note, **changes}


@transaction.atomic
def application_approve(
    *, application: Application, by: User, amount: Decimal, note: str = ""
) -> Application:
    """Grant `amount`; never more than requested, the cap, or what is left of the budget."""
    current = _locked_for_decision(application, by)
    program = current.program
    if not amount.is_finite() or amount.quantize(Decimal("0.01")) <= 0:
        raise ValidationError({"amount": _("Grant a positive amount.")})
    amount = amount.quantize(Decimal("0.01"))
    if amount > current.requested_amount:
        raise ValidationError({"amount": _("The grant cannot exceed the requested amount.")})
    if amount > program.cap_per_application:
        raise ValidationError({"amount": _("The grant cannot exceed the programme's cap per application.")})
    _refuse_a_second_claim(current, GRANTED_STATES)  # checked again, under the programme's lock
    # One export backs one grant: the cited deals and shipments are locked after the programme
    # and the application (primary-key order), so approvals in two programmes citing the same
    # shipment wait for each other and the second one sees the first's grant. Under that lock, a
    # deal marked lost since the submission (its parties lock it to do so) is seen and refused.
    claimed = lock_cited(current)
    refuse_uncitable(claimed)
    refuse_double_claim(current, GRANTED_STATES, claimed)
    _check_company_ceiling(program, current, amount)
    left = program_budget(program).remaining
    if amount > left:
        raise ValidationError(
            {"amount": _("Only %(left)s %(currency)s is left in this programme's budget.")
             % {"left": _amount(left), "currency": program.currency}}
        )  # fmt: skip
    if program.support_type == SupportProgram.SupportType.JOINT_BRAND:
        # Screening checked the products' papers; certificates may have lapsed since.
        from .screening import joint_brand_not_ready

        not_ready = joint_brand_not_ready(current, on=timezone.localdate())
        if not_ready:
            raise ValidationError(not_ready, code="not_ready")
    changes = _decision(by, note, granted_amount=amount)
    application = _transition(application, Action.APPROVE, by=by, note=note, changes=changes)
    if program.support_type == SupportProgram.SupportType.JOINT_BRAND:
        # Each product's history says who granted the badge (an update() would leave no row).
        products = [p for p in application.products.select_for_update() if not p.joint_brand]
        for product in products:
            product.joint_brand = True
        bulk_update_with_history(products, Product, ["joint_brand"], default_user=by)
        public_content_changed()  # the joint-brand badge shows in the catalog
    return application


@transaction.atomic
def application_reject(*, application: Application, by: User, reason: str) -> Application:
    _locked_for_decision(application, by)
    if not reason.strip():
        raise ValidationError({"note": _("Give the reason for the rejection.")})
    changes = _decision(by, reason)
    return _transition(application, Action.REJECT, by=by, note=reason, changes=changes)


@transaction.atomic
def application_payment_record(
    *, application: Application, by: User, amount: Decimal, reference: str, paid_on: date | None = None
) -> Payment:
    """Record one instalment of the grant; the one that completes it moves the application to paid."""
    reference = reference.strip()
    if not reference:
        raise ValidationError({"reference": _("Enter the bank or treasury reference.")})
    if len(reference) > 100:
        raise ValidationError({"reference": _("A payment reference has at most 100 characters.")})
    if not amount.is_finite() or amount.quantize(Decimal("0.01")) <= 0:
        raise ValidationError({"amount": _("Enter a positive amount.")})
    amount = amount.quantize(Decimal("0.01"))
    paid_on = paid_on or timezone.localdate()
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("A payment is recorded once it has been made.")})
    # Locked before the sum: two clerks recording at once are counted one after the other, so
    # together they never pay more than the grant (a database trigger refuses it as well).
    current = Application.objects.select_for_update().select_related("program").get(pk=application.pk)
    can_record_payment(by, current).require()
    if current.status != Status.APPROVED:
        raise ValidationError(_("Only approved applications that are not fully paid take payments."))
    if current.decided_at is not None and paid_on < timezone.localdate(current.decided_at):
        raise ValidationError({"paid_on": _("A payment cannot be made before the grant was decided.")})
    if current.payments.filter(reference=reference).exists():
        raise ValidationError({"reference": _("A payment with this reference is already recorded.")})
    left = current.left_to_pay()
    if amount > left:
        raise ValidationError(
            {"amount": _("Only %(left)s %(currency)s of the grant is left to pay.")
             % {"left": _amount(left), "currency": current.program.currency}}
        )  # fmt: skip
    payment = Payment(
        application=current, amount=amount, currency=current.program.currency, paid_on=paid_on,
        reference=reference, recorded_by=by,
    )  # fmt: skip
    payment.full_clean()
    payment.save()
    # Figures and the reference only: the timeline's heading says what happened in the reader's
    # language, and the applicant's page lists the payments with what is left.
    paid, granted = current.granted_amount - left + amount, current.granted_amount
    note = f"{amount:,.2f} {current.program.currency} · {reference} · {paid:,.2f} / {granted:,.2f}"
    if amount == left:  # paid in full: the company hears of the new status
        _transition(current, Action.MARK_PAID, by=by, note=note)
        return payment
    # Still approved: no "new status" notice, a payment notice instead.
    _transition(current, Action.RECORD_PAYMENT, by=by, note=note, notify_company=False)
    notify_members(
        current.company,
        kind="application_payment",
        url=current.get_absolute_url(),
        context={
            "reference": current.reference or "",
            "program": bilingual(current.program, "name"),
            "amount": f"{amount:,.2f}",
            "paid": f"{paid:,.2f}",
            "granted": f"{granted:,.2f}",
            "currency": current.program.currency,
        },
    )
    return payment


@transaction.atomic
def application_escalate(*, application: Application, now: datetime | None = None) -> bool:
    """Tell the programme managers, once, that an application waits past the promised date.

    Whether a reviewer is assigned or not; the applicant sees it on the timeline. Returns False
    when it was escalated already (a second run, a redelivered task) or is no longer waiting."""
    now = now or timezone.now()
    claimed = Application.objects.to_escalate(now=now).filter(pk=application.pk).update(escalated_at=now)
    if not claimed:
        return False
    application = Application.objects.select_related("program").get(pk=application.pk)
    ApplicationEvent.objects.create(
        application=application, from_status=application.status, to_status=application.status,
        action=Action.ESCALATE,  # no note: the beat task knows no reader's language; the heading says it
    )  # fmt: skip
    for manager in staff_with_role(Role.PROGRAMME_MANAGER):
        notify(
            recipient=manager,
            kind="application_escalated",
            url=f"/admin/support/application/{application.pk}/change/",
            context={
                "reference": application.reference or "",
                "program": bilingual(application.program, "name"),
                "due": application.review_due_at.isoformat() if application.review_due_at else "",
            },
        )
    return True


@transaction.atomic
def application_close(*, application: Application, by: User, note: str = "") -> Application:
    return _transition(application, Action.CLOSE, by=by, note=note)


@transaction.atomic
def application_withdraw(*, application: Application, by: User, note: str = "") -> Application:
    """The company takes its application back before a decision."""
    return _transition(application, Action.WITHDRAW, by=by, note=note)
