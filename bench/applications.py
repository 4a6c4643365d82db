"""Support programmes and applications walked along the real workflow, with their timelines.

Like support.demo, the lifecycle is written directly (bulk inserts) rather than through
support.workflow, but it keeps the workflow's invariants: every status change is an
ApplicationEvent, references are EXP-<Jalali year>-<6 digits> in submission order with the
counter rows left at the last number, grants stay within the request, the cap and the budget,
and the manager who decides never scored the application (four eyes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

import jdatetime
from django.utils import timezone

from companies.models import Company
from portal.models import ReferenceCounter
from support.demo import CRITERIA, DOCUMENTS
from support.demo import PROGRAMS as DEMO_PROGRAMS
from support.models import (
    GRANTED_STATES,
    Application,
    ApplicationEvent,
    DocumentType,
    Payment,
    Review,
    ReviewAssignment,
    ReviewCriterion,
    ReviewScore,
    Status,
    SupportProgram,
)

from .catalog import CompanyPlan
from .context import BATCH, Build

S = Status
TO_REVIEW = (S.SUBMITTED, S.SCREENING, S.UNDER_REVIEW)
# The paths applications walk (after their draft), and how often, per 100 applications.
PATHS: list[tuple[tuple[str, ...], int]] = [
    ((), 10),
    ((S.SUBMITTED,), 3),
    ((S.SUBMITTED, S.SCREENING), 2),
    ((S.SUBMITTED, S.SCREENING, S.REVISION_REQUESTED), 6),
    (TO_REVIEW, 25),
    ((*TO_REVIEW, S.REVISION_REQUESTED), 6),
    ((*TO_REVIEW, S.REVISION_REQUESTED, *TO_REVIEW), 4),
    ((*TO_REVIEW, S.APPROVED), 12),
    ((*TO_REVIEW, S.REJECTED), 10),
    ((*TO_REVIEW, S.APPROVED, S.PAID), 10),
    ((*TO_REVIEW, S.APPROVED, S.PAID, S.CLOSED), 8),
    ((S.SUBMITTED, S.WITHDRAWN), 2),
    ((*TO_REVIEW, S.WITHDRAWN), 2),
]
SUPPORT_TYPES = [
    ("shipping", "یارانه حمل", "Shipping subsidy"),
    ("certification", "حمایت از گواهی‌گیری", "Certification support"),
    ("exhibition", "حضور در نمایشگاه", "Exhibition participation"),
    ("marketing", "بازاریابی و برندسازی", "Marketing and branding"),
    ("insurance", "بیمه صادرات", "Export insurance"),
    ("joint_brand", "برند ملی مشترک", "Joint national brand"),
]
JUSTIFICATION = (
    "صادرات محموله به کشور هدف از طریق کارگزار همکار / "
    "Shipment to the target country through a partner broker."
)
NOTES = {
    "screen_fail": "مدارک الزامی کامل نیست. / Required documents are missing.",
    "request_revision": "پیش‌فاکتور خریدار را پیوست کنید. / Attach the buyer's proforma invoice.",
    "reject": "خارج از دامنه برنامه. / Outside the programme's scope.",
}


@dataclass
class Walk:
    """One application being generated: the row, its timeline and its reviews."""

    application: Application
    plan: CompanyPlan
    events: list[ApplicationEvent] = field(default_factory=list)
    reviews: list[tuple[Review, int]] = field(default_factory=list)  # (review, reviewer id)
    payments: list[Payment] = field(default_factory=list)
    product_ids: list[int] = field(default_factory=list)
    country_ids: list[int] = field(default_factory=list)


# ---------------------------------------------------------------------------
# Programmes
# ---------------------------------------------------------------------------
def create_programmes(build: Build) -> list[SupportProgram]:
    """The demo's three programmes plus nine earlier and later rounds; budgets set later."""
    documents = {
        slug: DocumentType.objects.get_or_create(slug=slug, defaults={"name_fa": fa, "name_en": en})[0]
        for slug, fa, en in DOCUMENTS
    }
    specs = [(fa, en, kind, cap, docs, -120, 210) for fa, en, kind, _, cap, docs, _ in DEMO_PROGRAMS]
    for n in range(9):
        kind, fa, en = SUPPORT_TYPES[n % len(SUPPORT_TYPES)]
        opens = -720 + n * 75  # rounds over the last two years; the last one opens next month
        cap = Decimal(5000 * (1 + n % 4))
        specs.append((f"{fa} — دوره {n + 1}", f"{en} — round {n + 1}", kind, cap, ["proforma"], opens, 240))
    programmes = []
    for fa, en, kind, cap, docs, opens, length in specs:
        programmes.append(
            SupportProgram(
                name_fa=fa,
                name_en=en,
                support_type=kind,
                budget=cap,
                cap_per_application=cap,
                description_fa=f"{fa}: بخشی از هزینه‌های صادرات شرکت‌های دانش‌بنیان را پوشش می‌دهد.",
                description_en=f"{en}: covers part of knowledge-based companies' export costs.",
                opens_on=build.today + timedelta(days=opens),
                closes_on=build.today + timedelta(days=opens + length),
                created_at=build.now + timedelta(days=opens - 30),
            )  # fmt: skip
        )
        programmes[-1].bench_documents = [documents[d] for d in docs]
    SupportProgram.objects.bulk_create(programmes)
    through = SupportProgram.required_documents.through
    through.objects.bulk_create(
        [through(supportprogram_id=p.pk, documenttype_id=d.pk) for p in programmes for d in p.bench_documents]
    )
    for program in programmes:
        program.bench_criteria = ReviewCriterion.objects.bulk_create(
            ReviewCriterion(program=program, name_fa=fa, name_en=en, weight=weight, position=position)
            for position, (fa, en, weight) in enumerate(CRITERIA)
        )
    return programmes


def _set_budgets(walks: list[Walk], programmes: list[SupportProgram]) -> None:
    """Each budget covers what was granted with room to spare (approval never exceeds it)."""
    granted = {p.pk: Decimal(0) for p in programmes}
    for walk in walks:
        granted[walk.application.program_id] += walk.application.granted_amount or 0
    for program in programmes:
        program.budget = max(
            program.cap_per_application * 20, (granted[program.pk] * Decimal("1.25")).quantize(Decimal(1))
        )
    SupportProgram.objects.bulk_update(programmes, ["budget"])


# ---------------------------------------------------------------------------
# Applications
# ---------------------------------------------------------------------------
def create_applications(build: Build, programmes: list[SupportProgram]) -> list[Walk]:
    """Applications of verified companies over every workflow state, with events and reviews."""
    rng = build.rng
    applicants = [p for p in build.companies if p.published and p.company.status == Company.Status.VERIFIED]
    running = [p for p in programmes if p.opens_on <= build.today]
    confirmed = [c for c in build.countries if c.buyer_status == "confirmed"]
    paths, weights = zip(*PATHS, strict=True)
    walks = []
    for _ in range(build.sizes.applications if applicants else 0):
        program = rng.choice(running)
        plan = applicants[0] if rng.random() < 0.01 else rng.choice(applicants)  # the largest applies often
        walk = _walk(build, program, plan, rng.choices(paths, weights)[0])
        own = [pk for ids in plan.published.values() for pk in ids]
        walk.product_ids = rng.sample(own, min(len(own), rng.choice([1, 1, 2])))
        walk.country_ids = [c.pk for c in rng.sample(confirmed, rng.choice([1, 2]))]
        walks.append(walk)
    _number(walks)
    _set_budgets(walks, programmes)
    _insert(walks)
    return walks


def _walk(build: Build, program: SupportProgram, plan: CompanyPlan, path: tuple[str, ...]) -> Walk:
    rng = build.rng
    steps = [timedelta(hours=rng.randint(2, 72)) for _ in path]
    latest = min(build.now, timezone.make_aware(datetime.combine(program.closes_on, datetime.min.time())))
    earliest = timezone.make_aware(datetime.combine(program.opens_on, datetime.min.time()))
    span = max(0, int((latest - sum(steps, timedelta()) - earliest).total_seconds()))
    # One draw whatever the span: randint's draws per call depend on its range, which depends on
    # today, and the rest of the data set must not change with the day it is generated on.
    share = rng.random()
    moment = earliest + timedelta(seconds=int(share * span)) if span else latest - sum(steps, timedelta())
    requested = min(program.cap_per_application, Decimal(rng.randrange(2000, 30000, 500)))
    application = Application(
        program=program, company=plan.company, created_by_id=plan.owner_id, requested_amount=requested,
        justification=JUSTIFICATION,
        broker=rng.choice(build.brokers) if build.brokers and rng.random() < 0.3 else None,
        created_at=moment, status=Status.DRAFT,
    )  # fmt: skip
    walk = Walk(application=application, plan=plan)
    previous = Status.DRAFT
    for status, step in zip(path, steps, strict=True):
        moment += step
        _step(build, walk, previous, status, moment)
        previous = status
    application.status = previous
    return walk


def _step(build: Build, walk: Walk, previous: str, status: str, moment: datetime) -> None:
    """Apply one transition to the application and append its event (and review)."""
    rng, app = build.rng, walk.application
    action, actor = _action(previous, status), None
    if status == S.SUBMITTED:
        app.submitted_at, app.review_round = moment, app.review_round + 1
        actor = walk.plan.owner_id
    elif status == S.UNDER_REVIEW:
        unassigned = rng.random() < 0.1 or not build.reviewer_ids
        app.assigned_reviewer_id = None if unassigned else rng.choice(build.reviewer_ids)
        app.review_started_at = moment
        app.review_due_at = moment + timedelta(days=app.program.review_period_days)
    elif status == S.REVISION_REQUESTED and previous == S.UNDER_REVIEW:
        actor = _reviewed(build, walk, "revise", moment)
    elif status in (S.APPROVED, S.REJECTED):
        _reviewed(build, walk, "approve" if status == S.APPROVED else "reject", moment)
        actor = rng.choice(build.manager_ids)  # never a reviewer: four eyes
        app.decided_at, app.decided_by_id = moment, actor
        if status == S.APPROVED:
            share = Decimal(str(rng.choice([0.6, 0.8, 1.0])))
            app.granted_amount = (app.requested_amount * share).quantize(Decimal("1"))
        else:
            app.decision_note = NOTES["reject"]
    elif status == S.PAID:
        actor = app.decided_by_id
        walk.payments.append(
            Payment(
                amount=app.granted_amount,
                currency=app.program.currency,
                paid_on=moment.date(),
                reference=f"PAY-{rng.randint(100000, 999999)}",
                recorded_by_id=actor,
                created_at=moment,
            )  # fmt: skip
        )
    elif status == S.CLOSED:
        actor = app.decided_by_id
    elif status == S.WITHDRAWN:
        actor = walk.plan.owner_id
    walk.events.append(
        ApplicationEvent(
            from_status=previous,
            to_status=status,
            action=action,
            actor_id=actor,
            note=NOTES.get(action, ""),
            created_at=moment,
        )  # fmt: skip
    )


def _action(previous: str, status: str) -> str:
    if status == S.REVISION_REQUESTED:
        return "screen_fail" if previous == S.SCREENING else "request_revision"
    return {
        S.SUBMITTED: "submit", S.SCREENING: "screen_start", S.UNDER_REVIEW: "screen_pass",
        S.APPROVED: "approve", S.REJECTED: "reject", S.PAID: "mark_paid", S.CLOSED: "close",
        S.WITHDRAWN: "withdraw",
    }[status]  # fmt: skip


def _reviewed(build: Build, walk: Walk, recommendation: str, moment: datetime) -> int | None:
    """The assigned reviewer's scored review for this round; return the reviewer's id."""
    app, rng = walk.application, build.rng
    if app.assigned_reviewer_id is None:
        app.assigned_reviewer_id = rng.choice(build.reviewer_ids)
    low, high = (6, 10) if recommendation == "approve" else (2, 7)
    scores = {c: rng.randint(low, high) for c in app.program.bench_criteria}
    weighted = Decimal(sum(c.weight * s for c, s in scores.items())) / sum(c.weight for c in scores)
    review = Review(
        reviewer_id=app.assigned_reviewer_id, recommendation=recommendation, review_round=app.review_round,
        weighted_score=weighted.quantize(Decimal("0.01")),
        comment="", created_at=moment - timedelta(hours=1),
    )  # fmt: skip
    review.bench_scores = scores
    walk.reviews.append((review, app.assigned_reviewer_id))
    return app.assigned_reviewer_id


def _number(walks: list[Walk]) -> None:
    """Give submitted applications references in submission order, per Jalali year."""
    last = dict(ReferenceCounter.objects.filter(prefix="EXP").values_list("jalali_year", "last"))
    submitted = sorted((w for w in walks if w.application.review_round), key=lambda w: w.events[0].created_at)
    for walk in submitted:
        first_submit = timezone.localdate(walk.events[0].created_at)
        year = jdatetime.date.fromgregorian(date=first_submit).year
        last[year] = last.get(year, 0) + 1
        walk.application.reference = f"EXP-{year}-{last[year]:06d}"
    for year, number in last.items():
        ReferenceCounter.objects.update_or_create(prefix="EXP", jalali_year=year, defaults={"last": number})


def _insert(walks: list[Walk]) -> None:
    Application.objects.bulk_create([w.application for w in walks], batch_size=BATCH)
    for walk in walks:
        for event in walk.events:
            event.application_id = walk.application.pk
        for review, _ in walk.reviews:
            review.application_id = walk.application.pk
        for payment in walk.payments:
            payment.application_id = walk.application.pk
    ApplicationEvent.objects.bulk_create([e for w in walks for e in w.events], batch_size=BATCH)
    Payment.objects.bulk_create([p for w in walks for p in w.payments], batch_size=BATCH)
    reviews = [r for w in walks for r, _ in w.reviews]
    Review.objects.bulk_create(reviews, batch_size=BATCH)
    ReviewScore.objects.bulk_create(
        [ReviewScore(review=r, criterion=c, score=s) for r in reviews for c, s in r.bench_scores.items()],
        batch_size=BATCH,
    )
    ReviewAssignment.objects.bulk_create(_seats(walks), batch_size=BATCH)
    products, countries = Application.products.through, Application.countries.through
    products.objects.bulk_create(
        [products(application_id=w.application.pk, product_id=pk) for w in walks for pk in w.product_ids],
        batch_size=BATCH,
    )
    countries.objects.bulk_create(
        [
            countries(application_id=w.application.pk, targetcountry_id=c)
            for w in walks
            for c in w.country_ids
        ],
        batch_size=BATCH,
    )


def _seats(walks: list[Walk]) -> list[ReviewAssignment]:
    """A panel seat for each reviewer who scored a round and for the current lead (as the workflow
    gives them), so the reviewers' admin lists find their applications as in production."""
    seats = []
    for walk in walks:
        app = walk.application
        taken = {(review.review_round, reviewer) for review, reviewer in walk.reviews}
        if app.assigned_reviewer_id is not None:
            taken.add((app.review_round, app.assigned_reviewer_id))
        seats += [
            ReviewAssignment(
                application_id=app.pk, reviewer_id=reviewer, review_round=round_, created_at=app.created_at
            )
            for round_, reviewer in sorted(taken)
        ]
    return seats


def joint_brand_product_ids(walks: list[Walk]) -> list[int]:
    """Products granted the joint national brand by an approved joint-brand application."""
    return sorted(
        {
            pk
            for w in walks
            if w.application.status in GRANTED_STATES and w.application.program.support_type == "joint_brand"
            for pk in w.product_ids
        }
    )
