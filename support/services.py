"""Writes that do not change an application's status: drafts, documents, reviews, screening tries,
reminders and the managers' weekly summary."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from companies.models import Company
from companies.permissions import company_is_active
from deals.models import Deal, Shipment
from portal.http.page_cache import staff_content_changed
from portal.models import TargetCountry, User, bilingual
from portal.notifications.services import notify
from portal.permissions import Role, is_manager, staff_with_role
from portal.templatetags.portal_tags import localnumber
from portal.uploads.files import cleared_to_empty
from portal.uploads.media import delete_after_commit
from products.models import Product

from . import workflow
from .evidence import check_citations
from .models import (
    Action,
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ApplicationEvidence,
    DocumentType,
    Review,
    ReviewScore,
    StaffTie,
    Status,
    SupportProgram,
)
from .panel import panel_of
from .permissions import can_review

DRAFT_FIELDS = {"requested_amount", "justification", "broker"}
# Screening tries per submission (the task's own retries and the sweep's together); after the
# last one the application waits in "submitted" and shows in the admin under "Screening failed".
SCREENING_MAX_ATTEMPTS = 5


def _check_selection(company: Company, products: list[Product], countries: list[TargetCountry]) -> None:
    errors = {}
    if not products:
        errors["products"] = _("Choose at least one product.")
    elif any(p.company_id != company.pk for p in products):
        errors["products"] = _("Choose only your own products.")
    if not countries:
        errors["countries"] = _("Choose at least one target country.")
    if errors:
        raise ValidationError(errors)


def _check_amount(program: SupportProgram, amount: Decimal | None) -> None:
    """A draft never asks for more than the cap its form shows (screening checks it again, should
    the cap have been lowered since)."""
    cap = program.cap_per_application
    if amount is not None and amount > cap:
        whole = cap.to_integral_value() if cap == cap.to_integral_value() else cap
        raise ValidationError(
            {"requested_amount": _("At most %(cap)s %(currency)s: the programme's cap per application.")
             % {"cap": localnumber(whole), "currency": program.currency}}
        )  # fmt: skip


@transaction.atomic
def application_create_draft(
    *,
    program: SupportProgram,
    company: Company,
    by: User,
    products: Iterable[Product],
    countries: Iterable[TargetCountry],
    evidence: Iterable[Deal | Shipment] = (),
    **fields: Any,
) -> Application:
    """Start an application to an open programme; it stays a draft until submitted. `evidence`
    are the company's deals and shipments it cites (support.evidence)."""
    if set(fields) - DRAFT_FIELDS:
        raise TypeError(f"unexpected fields: {sorted(set(fields) - DRAFT_FIELDS)}")
    company_is_active(company).require()
    if not program.is_open:
        raise ValidationError(_("This programme is not open for applications."), code="closed")
    products, countries = list(products), list(countries)
    _check_selection(company, products, countries)
    _check_amount(program, fields.get("requested_amount"))
    cited = check_citations(company, evidence)
    application = Application(program=program, company=company, created_by=by, **fields)
    application.full_clean()
    application.save()
    application.products.set(products)
    application.countries.set(countries)
    _cite(application, cited)
    return application


def _cite(application: Application, items: list[Deal | Shipment]) -> None:
    """Make the application's citations exactly `items` (already checked), keeping the rows that stay."""
    wanted = {(item.deal_id, item.pk) if isinstance(item, Shipment) else (item.pk, None) for item in items}
    current = {(row.deal_id, row.shipment_id): row for row in application.evidence.all()}
    gone = [row.pk for key, row in current.items() if key not in wanted]
    if gone:
        ApplicationEvidence.objects.filter(pk__in=gone).delete()
    ApplicationEvidence.objects.bulk_create(
        [
            ApplicationEvidence(application=application, deal_id=deal_id, shipment_id=shipment_id)
            for deal_id, shipment_id in sorted(wanted - set(current), key=lambda k: (k[0], k[1] or 0))
        ]
    )


@transaction.atomic
def application_update_draft(
    *,
    application: Application,
    products: Iterable[Product] | None = None,
    countries: Iterable[TargetCountry] | None = None,
    evidence: Iterable[Deal | Shipment] | None = None,
    **fields: Any,
) -> Application:
    """Change a draft, or an application sent back for revision (`evidence` None keeps its citations)."""
    if set(fields) - DRAFT_FIELDS:
        raise TypeError(f"unexpected fields: {sorted(set(fields) - DRAFT_FIELDS)}")
    application = Application.objects.select_for_update().select_related("company").get(pk=application.pk)
    if not application.is_editable:
        raise ValidationError(_("Only drafts and applications sent back for revision can be changed."))
    products = list(products) if products is not None else list(application.products.all())
    countries = list(countries) if countries is not None else list(application.countries.all())
    _check_selection(application.company, products, countries)
    if "requested_amount" in fields:
        _check_amount(application.program, fields["requested_amount"])
    cited = check_citations(application.company, evidence) if evidence is not None else None
    for name, value in fields.items():
        setattr(application, name, value)
    application.full_clean()
    application.save()
    application.products.set(products)
    application.countries.set(countries)
    if cited is not None:
        _cite(application, cited)
    return application


@transaction.atomic
def application_document_add(
    *, application: Application, document_type: DocumentType, file: Any
) -> ApplicationDocument:
    """Attach a document; a new file of the same type replaces the old one."""
    # Locked so a submission running now cannot pass screening with a document half-replaced.
    application = Application.objects.select_for_update().get(pk=application.pk)
    if not application.is_editable:
        raise ValidationError(_("Documents can only be changed on drafts or when a revision is asked for."))
    fields = cleared_to_empty({"file": file})
    document = ApplicationDocument(application=application, document_type=document_type, **fields)
    document.full_clean()
    replaced = list(application.documents.filter(document_type=document_type))
    document.save()
    for old in replaced:
        old.delete()
        delete_after_commit(old.file.name)
    return document


@transaction.atomic
def review_submit(
    *,
    application: Application,
    reviewer: User,
    scores: dict[int, int],
    recommendation: str,
    no_conflict: bool,
    comment: str = "",
) -> Review:
    """Record a reviewer's scores per criterion; the weighted score is kept on the review.

    The reviewer confirms they have no conflict of interest; the confirmation is kept on the
    review and on the (staff-only) timeline."""
    application = Application.objects.select_for_update().select_related("program").get(pk=application.pk)
    can_review(reviewer, application).require()  # refuses a conflicted reviewer too
    if not no_conflict:
        raise ValidationError(
            {"no_conflict": _("Confirm that you have no conflict of interest with this application.")}
        )
    if application.status != Status.UNDER_REVIEW:
        raise ValidationError(_("Only applications under review can be scored."))
    if application.reviews.filter(reviewer=reviewer, review_round=application.review_round).exists():
        raise ValidationError(_("You have already reviewed this application."))
    criteria = list(application.program.criteria.all())
    if not criteria:
        raise ValidationError(_("This programme has no review criteria yet."))
    missing = [c for c in criteria if c.pk not in scores]
    if missing or any(not 0 <= scores[c.pk] <= 10 for c in criteria):
        raise ValidationError(_("Score every criterion from 0 to 10."))
    total_weight = sum(c.weight for c in criteria)
    weighted = Decimal(sum(c.weight * scores[c.pk] for c in criteria)) / Decimal(total_weight)
    review = Review.objects.create(
        application=application,
        reviewer=reviewer,
        recommendation=recommendation,
        comment=comment,
        weighted_score=weighted.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
        review_round=application.review_round,
        no_conflict_confirmed=True,
    )
    # One INSERT for the scores, with their history rows (a plain bulk_create would skip them).
    bulk_create_with_history(
        [ReviewScore(review=review, criterion=c, score=scores[c.pk]) for c in criteria],
        ReviewScore,
        default_user=reviewer,
    )
    ApplicationEvent.objects.create(
        application=application, from_status=application.status, to_status=application.status,
        action=Action.REVIEW, actor=reviewer, internal=True,
        note=_("Scored %(score)s (round %(round)d); confirmed no conflict of interest.")
        % {"score": review.weighted_score, "round": review.review_round},
    )  # fmt: skip
    return review


def application_screen_attempt(*, application: Application) -> str:
    """Count a screening try and screen a submitted application; return its status after.

    "skipped" when it has moved on (a redelivered task) or has used up its tries.
    """
    # Counted (and committed) before the work, so a try that crashes or is killed still counts.
    claimed = Application.objects.filter(
        pk=application.pk, status=Status.SUBMITTED, screening_attempts__lt=SCREENING_MAX_ATTEMPTS
    ).update(screening_attempts=F("screening_attempts") + 1)
    if claimed:
        staff_content_changed()  # the admin's "screening failed" filter counts the tries
    application = Application.objects.filter(pk=application.pk, status=Status.SUBMITTED).first()
    if not claimed or application is None:
        return "skipped"
    return workflow.application_screen(application=application).status


@transaction.atomic
def application_reviewers_remind(*, application: Application, today: date) -> int:
    """Remind, once a day, each reviewer of the current round who has not scored; return how many."""
    if (
        not Application.objects.filter(pk=application.pk)
        .exclude(last_reminded_on=today)
        .update(last_reminded_on=today)
    ):
        return 0  # reminded today already
    application = Application.objects.select_related("assigned_reviewer", "program").get(pk=application.pk)
    # Every seat of the current round whose review is not in yet (the lead's too, seated or not).
    scored = set(
        application.reviews.filter(review_round=application.review_round).values_list("reviewer", flat=True)
    )
    waiting = {seat.reviewer for seat in panel_of(application)}
    if application.assigned_reviewer:
        waiting.add(application.assigned_reviewer)
    waiting = sorted((reviewer for reviewer in waiting if reviewer.pk not in scored), key=lambda r: r.pk)
    for reviewer in waiting:
        notify(
            recipient=reviewer,
            kind="review_overdue",
            url=f"/admin/support/application/{application.pk}/change/",
            context={"reference": application.reference, "program": bilingual(application.program, "name")},
        )
    return len(waiting)


def managers_weekly_summary_send(*, figures: dict[str, Any]) -> int:
    """Send each programme manager the week's `figures` once; return to how many it went now."""
    sent = 0
    for manager in staff_with_role(Role.PROGRAMME_MANAGER):
        # A redelivered run in the same week sends nothing new.
        if manager.notifications.filter(
            kind="managers_weekly_summary", context__week=figures["week"]
        ).exists():
            continue
        notify(
            recipient=manager,
            kind="managers_weekly_summary",
            url="/admin/support/application/dashboard/",
            context=figures,
        )
        sent += 1
    return sent


# ---------------------------------------------------------------------------
# Declared ties (conflicts of interest)
# ---------------------------------------------------------------------------
# A manager's decision and the states it leaves from: a decided tie may be decided again (a manager
# corrects a mistake), never put back to pending.
TIE_DECISIONS: dict[str, frozenset[str]] = {
    StaffTie.Status.APPROVED: frozenset({StaffTie.Status.PENDING, StaffTie.Status.REJECTED}),
    StaffTie.Status.REJECTED: frozenset({StaffTie.Status.PENDING, StaffTie.Status.APPROVED}),
}


@transaction.atomic
def staff_tie_decide(*, tie: StaffTie, by: User, status: str) -> StaffTie:
    """A programme manager approves a declared tie, or rejects it as no conflict."""
    if not is_manager(by):
        raise PermissionDenied(_("Only programme managers decide on declared ties."))
    if status not in TIE_DECISIONS:
        raise ValidationError(_("Unknown decision."), code="invalid")
    tie = StaffTie.objects.select_for_update().get(pk=tie.pk)
    if tie.status == status:
        return tie  # deciding twice changes nothing
    tie.status, tie.decided_by, tie.decided_at = status, by, timezone.now()
    tie.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    return tie
