"""Demo support programmes and 60 applications spread over every workflow state.

Their history is replayed: each application is written, submitted, screened, reviewed, decided,
paid and closed (or withdrawn) by its company's people and the centre's staff, through the same
workflow functions the pages call, at moments of the last months (portal.demo.replayed_at). The
steps of all applications run in the order of their dates, so reference numbers, budgets and
the one-claim rule see them as they happened.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TextIO

from django.core.files.base import ContentFile
from django.db.models import Count
from django.utils import timezone

from companies.demo import DEMO_PDF, company_member
from companies.models import Company
from portal.demo import demo_moment, demo_user, replayed_at
from portal.models import TargetCountry, User
from portal.permissions import Role, staff_with_role
from products.models import Product, ProductCategory

from .models import (
    Application,
    DocumentType,
    ReviewCriterion,
    StaffTie,
    Status,
    SupportProgram,
)
from .panel import panel_of
from .services import application_create_draft, application_document_add, review_submit, staff_tie_decide
from .workflow import (
    application_approve,
    application_close,
    application_escalate,
    application_payment_record,
    application_reassign,
    application_reject,
    application_request_revision,
    application_submit,
    application_withdraw,
)

DOCUMENTS = [
    ("proforma", "پیش‌فاکتور خریدار", "Buyer's proforma invoice"),
    ("export-licence", "پروانه صادرات", "Export licence"),
    ("freight-quote", "استعلام هزینه حمل", "Freight quotation"),
    ("exhibition-invoice", "صورتحساب نمایشگاه", "Exhibition invoice"),
]  # fmt: skip

PROGRAMS = [
    ("یارانه حمل بین‌المللی تجهیزات مقابله با کرونا", "International shipping subsidy for anti-COVID equipment", "shipping",
     Decimal("500000"), Decimal("25000"), ["proforma", "freight-quote"], []),
    ("حمایت از ثبت و گواهی‌گیری در کشورهای هدف", "Support for registration and certification in target countries", "certification",
     Decimal("300000"), Decimal("30000"), ["proforma", "export-licence"], ["test-kits", "ventilators", "oxygen"]),
    ("عضویت در برند ملی مشترک", "Joint national brand membership", "joint_brand",
     Decimal("100000"), Decimal("5000"), ["export-licence"], []),
]  # fmt: skip

CRITERIA = [("ظرفیت صادراتی", "Export capacity", 3), ("کیفیت و گواهی‌ها", "Quality and certifications", 2),
            ("اعتبار خریدار و کارگزار", "Buyer and broker credibility", 2)]  # fmt: skip

# The path each demo application walks, and how many of each.
PATHS = [
    ([Status.DRAFT], 8),
    ([Status.SUBMITTED], 3),
    ([Status.SUBMITTED, Status.SCREENING, Status.REVISION_REQUESTED], 6),
    ([Status.SUBMITTED, Status.SCREENING, Status.UNDER_REVIEW], 14),
    ([Status.SUBMITTED, Status.SCREENING, Status.UNDER_REVIEW, Status.REVISION_REQUESTED], 4),
    ([Status.SUBMITTED, Status.SCREENING, Status.UNDER_REVIEW, Status.APPROVED], 8),
    ([Status.SUBMITTED, Status.SCREENING, Status.UNDER_REVIEW, Status.REJECTED], 5),
    ([Status.SUBMITTED, Status.SCREENING, Status.UNDER_REVIEW, Status.APPROVED, Status.PAID], 5),
    (
        [
            Status.SUBMITTED,
            Status.SCREENING,
            Status.UNDER_REVIEW,
            Status.APPROVED,
            Status.PAID,
            Status.CLOSED,
        ],
        4,
    ),
    ([Status.SUBMITTED, Status.UNDER_REVIEW, Status.WITHDRAWN], 3),
]
# The programme's promised review period is 14 days: what is still under review was submitted
# within it, except one application of the demo company, escalated as overdue.
RECENT_DAYS = 12
OVERDUE_DAYS_AGO = 19


def seed(*, stdout: TextIO) -> None:
    documents = {}
    for slug, fa, en in DOCUMENTS:
        documents[slug], _ = DocumentType.objects.update_or_create(
            slug=slug, defaults={"name_fa": fa, "name_en": en}
        )
    today = timezone.localdate()
    programs = []
    for fa, en, kind, budget, cap, docs, categories in PROGRAMS:
        with replayed_at(demo_moment(PROGRAMS_WRITTEN_DAYS_AGO, hour=8)):
            program, created = SupportProgram.objects.get_or_create(
                name_en=en,
                defaults={
                    "name_fa": fa, "support_type": kind, "budget": budget, "cap_per_application": cap,
                    "description_fa": f"{fa}: بخشی از هزینه‌های صادرات شرکت‌های دانش‌بنیان را پوشش می‌دهد.",
                    "description_en": f"{en}: covers part of knowledge-based companies' export costs.",
                    "opens_on": today - timedelta(days=120), "closes_on": today + timedelta(days=90),
                },
            )  # fmt: skip
            if created:
                program.required_documents.set([documents[d] for d in docs])
                program.eligible_categories.set(ProductCategory.objects.filter(slug__in=categories))
                for position, (cfa, cen, weight) in enumerate(CRITERIA):
                    ReviewCriterion.objects.create(
                        program=program, name_fa=cfa, name_en=cen, weight=weight, position=position
                    )
        programs.append(program)
    _seed_tie()
    if not Application.objects.exists():
        _seed_applications(programs)
    _seed_panel(programs[0])
    _seed_evidence(stdout)
    by_status = Application.objects.values_list("status").annotate(n=Count("pk")).order_by()
    counts = ", ".join(f"{status}: {n}" for status, n in by_status)
    stdout.write(
        f"Support programmes: {len(programs)}; applications: {Application.objects.count()} ({counts})"
    )


PROGRAMS_WRITTEN_DAYS_AGO = 125
TIE_NOTE = "برادرم مدیرعامل این شرکت است. / My brother runs this company."


def _seed_tie() -> None:
    """The second reviewer declared a tie to a company (its brother runs it) and the manager
    approved it, before the applications came in: screening skips them for that company's
    applications, and the timeline says so (to staff). Safe to run twice."""
    second = User.objects.filter(email="reviewer2@demo.example").first()
    applicant = demo_user(Role.COMPANY_MEMBER).company_membership.company
    tied = Company.objects.verified().exclude(pk=applicant.pk).order_by("pk").first()
    if second is None or tied is None or StaffTie.objects.filter(user=second, company=tied).exists():
        return
    with replayed_at(demo_moment(PROGRAMS_WRITTEN_DAYS_AGO - 5, hour=10)):
        tie = StaffTie.objects.create(user=second, company=tied, nature=StaffTie.Nature.FAMILY, note=TIE_NOTE)
    with replayed_at(demo_moment(PROGRAMS_WRITTEN_DAYS_AGO - 4, hour=12)):
        staff_tie_decide(tie=tie, by=demo_user(Role.PROGRAMME_MANAGER), status=StaffTie.Status.APPROVED)


@dataclass
class _Plan:
    """One application's history: what to do at which moment, replayed with all the others in
    the order of their dates."""

    program: SupportProgram
    company: Company
    products: list[Product]
    countries: list[TargetCountry]
    requested: Decimal
    path: list[str]
    steps: list[tuple[datetime, Callable[[], None], bool]] = field(default_factory=list)
    application: Application | None = None


def _choose(
    n: int,
    program: SupportProgram, company: Company, countries: list[TargetCountry],
    claimed: set[tuple[int, int, int, int]], rng: random.Random, *, after: datetime,
) -> tuple[list[Product], list[TargetCountry]] | None:  # fmt: skip
    """One or two of the company's products published before `after`, in the programme's
    categories, and two target countries neither of them already claims in the programme (for
    the joint brand: countries they are ready for); None when there are none."""
    products = company.products.filter(
        status=Product.Status.PUBLISHED, published_at__lt=after - timedelta(days=10)
    )
    categories = list(program.eligible_categories.values_list("pk", flat=True))
    if categories:
        products = products.filter(category__in=categories)
    products = list(products.order_by("published_at", "pk"))
    if not products:
        return None
    first = n % len(products)  # one or two of them, in turn
    products = (products[first:] + products[:first])[: 1 + n % 2]
    candidates = list(countries)
    if program.support_type == SupportProgram.SupportType.JOINT_BRAND:
        ready = None
        for product in products:
            mine = set(
                product.readiness.filter(valid_until__gte=timezone.localdate()).values_list(
                    "country", flat=True
                )
            )
            ready = mine if ready is None else ready & mine
        candidates = [c for c in countries if c.pk in (ready or set())]
    free = [
        c for c in candidates
        if not any((company.pk, program.pk, p.pk, c.pk) in claimed for p in products)
    ]  # fmt: skip
    if not free:
        return None
    chosen = rng.sample(free, min(2, len(free)))
    claimed.update((company.pk, program.pk, p.pk, c.pk) for p in products for c in chosen)
    return products, chosen


def _seed_applications(programs: list[SupportProgram]) -> None:
    rng = random.Random(1405_0909)  # noqa: S311 - demo data
    manager = demo_user(Role.PROGRAMME_MANAGER)
    mine = demo_user(Role.COMPANY_MEMBER).company_membership.company
    companies = list(Company.objects.verified().order_by("pk"))
    countries = list(TargetCountry.objects.confirmed().order_by("pk"))
    claimed: set[tuple[int, int, int, int]] = set()
    plans: list[_Plan] = []
    overdue_planned = reassign_planned = False
    tied = set(StaffTie.objects.filter(status=StaffTie.Status.APPROVED).values_list("company_id", flat=True))
    n = 0
    for path, count in PATHS:
        for _ in range(count):
            # When it was submitted (or, for a draft, written): what is still waiting for the
            # centre came in within the review period, one of the demo company's is overdue.
            if path == [Status.SUBMITTED]:
                submitted = timezone.now() - timedelta(minutes=rng.randint(3, 40))
            elif path[-1] == Status.UNDER_REVIEW:
                submitted = demo_moment(rng.randint(1, RECENT_DAYS), hour=9, minutes=rng.randint(0, 480))
            elif Status.APPROVED in path or Status.REJECTED in path:  # a month to decide, pay, close
                submitted = demo_moment(rng.randint(30, 100), hour=9, minutes=rng.randint(0, 480))
            else:
                submitted = demo_moment(rng.randint(8, 100), hour=9, minutes=rng.randint(0, 480))
            overdue = path[-1] == Status.UNDER_REVIEW and not overdue_planned and n % 5 == 0
            if overdue:
                submitted, overdue_planned = demo_moment(OVERDUE_DAYS_AGO, hour=10), True
            plan = None
            for offset in range(len(companies)):
                company = mine if n % 5 == 0 and offset == 0 else companies[(n + offset) % len(companies)]
                if not company.certificate_valid_on(submitted.date()):
                    continue
                for shift in range(len(programs)):
                    program = programs[(n + shift) % len(programs)]
                    chosen = _choose(n, program, company, countries, claimed, rng, after=submitted)
                    if chosen is not None:
                        requested = min(program.cap_per_application, Decimal(rng.randrange(2000, 30000, 500)))
                        plan = _Plan(program, company, *chosen, requested=requested, path=path)
                        break
                if plan is not None:
                    break
            if plan is None:
                n += 1
                continue
            # One application under review moves to the other reviewer (its lead is away).
            reassign = path[-1] == Status.UNDER_REVIEW and not overdue and not reassign_planned
            reassign = reassign and plan.company.pk not in tied
            reassign_planned = reassign_planned or reassign
            _plan_steps(plan, submitted, manager, rng, overdue=overdue, reassign=reassign)
            plans.append(plan)
            n += 1
    steps = sorted(
        (
            (moment, order, run, queued)
            for plan in plans
            for order, (moment, run, queued) in enumerate(plan.steps)
        ),
        key=lambda step: (step[0], step[1]),
    )
    for moment, _order, run, queued in steps:
        with replayed_at(moment, run_queued=queued):
            run()
    _seed_instalments(mine, manager)


def _plan_steps(
    plan: _Plan,
    submitted: datetime,
    manager: User,
    rng: random.Random,
    *,
    overdue: bool,
    reassign: bool = False,
) -> None:
    """What each person does and when: the company writes the draft a few days before it
    submits; screening runs at once (the task queued by the submission); then the reviewers,
    the manager, the treasury."""
    member = company_member(plan.company)
    path = plan.path
    docs = list(plan.program.required_documents.order_by("pk"))
    if Status.REVISION_REQUESTED in path and Status.UNDER_REVIEW not in path:
        docs = docs[:-1]  # one missing: screening sends it back
    at = submitted - timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 5))

    def step(moment: datetime, run: Callable[[Application], object], *, queued: bool = True) -> datetime:
        plan.steps.append((moment, lambda: run(_fresh(plan.application)), queued))
        return moment

    def write(_: object) -> None:
        plan.application = application_create_draft(
            program=plan.program, company=plan.company, by=member, products=plan.products,
            countries=plan.countries, requested_amount=plan.requested,
            justification="صادرات محموله به کشور هدف از طریق کارگزار همکار / Shipment to the target country through a partner broker.",
        )  # fmt: skip
        if path != [Status.DRAFT]:
            for document_type in docs:
                application_document_add(
                    application=plan.application, document_type=document_type,
                    file=ContentFile(DEMO_PDF, name="doc.pdf"),
                )  # fmt: skip

    step(at, write)
    if path == [Status.DRAFT]:
        return
    # Submitted; screening is the task the submission queues (not run for the three submitted
    # minutes ago: they wait for it still, and the sweep queues it again).
    at = step(
        submitted, lambda a: application_submit(application=a, by=member), queued=path != [Status.SUBMITTED]
    )
    if Status.UNDER_REVIEW not in path:
        return
    if overdue:
        step(at + timedelta(days=14, hours=2), lambda a: application_escalate(application=a))
        return

    def lead(a: Application) -> User:
        return a.assigned_reviewer

    if path[-1] == Status.WITHDRAWN:
        step(
            at + timedelta(days=rng.randint(1, 4), hours=3),
            lambda a: application_withdraw(
                application=a, by=member, note="خریدار سفارش را لغو کرد. / The buyer cancelled the order."
            ),
        )
        return
    at += timedelta(days=rng.randint(1, 5), hours=rng.randint(1, 6))
    if path[-1] == Status.REVISION_REQUESTED:
        step(at, lambda a: application_request_revision(
            application=a, by=lead(a), note="پیش‌فاکتور خریدار را پیوست کنید. / Attach the buyer's proforma invoice.",
        ))  # fmt: skip
        return
    if path[-1] == Status.UNDER_REVIEW:
        if reassign:  # half-way between the submission and today
            halfway = (timezone.localdate() - timezone.localdate(submitted)).days // 2
            step(submitted + timedelta(days=halfway, hours=2), lambda a: application_reassign(
                application=a, by=manager, to=_other_reviewer(a.assigned_reviewer),
                note="کارشناس در سفر نمایشگاهی است. / The reviewer is away at an exhibition.",
            ))  # fmt: skip
        return
    approve = Status.APPROVED in path
    scores = [rng.randint(6, 10) if approve else rng.randint(2, 5) for _ in range(3)]

    def review(a: Application) -> None:
        for seat in panel_of(a):
            review_submit(
                application=a, reviewer=seat.reviewer, recommendation="approve" if approve else "reject",
                no_conflict=True, scores=dict(zip(a.program.criteria.order_by("position").values_list("pk", flat=True), scores, strict=False)),
            )  # fmt: skip

    at = step(at, review)
    at += timedelta(days=rng.randint(1, 4), hours=rng.randint(1, 4))
    if not approve:
        step(at, lambda a: application_reject(
            application=a, by=manager, reason="خارج از دامنه برنامه. / Outside the programme's scope.",
        ))  # fmt: skip
        return
    granted = (plan.requested * Decimal("0.8")).quantize(Decimal("1"))
    at = step(at, lambda a: application_approve(application=a, by=manager, amount=granted))
    if Status.PAID not in path:
        return
    at += timedelta(days=rng.randint(3, 10), hours=2)
    reference = f"PAY-{rng.randint(10000, 99999)}"
    at = step(at, lambda a: application_payment_record(
        application=a, by=manager, amount=granted, reference=reference, paid_on=timezone.localdate(),
    ))  # fmt: skip
    if Status.CLOSED in path:
        step(at + timedelta(days=rng.randint(2, 6)), lambda a: application_close(application=a, by=manager))


def _other_reviewer(lead: User) -> User:
    return staff_with_role(Role.REVIEWER).exclude(pk=lead.pk).order_by("pk").first()


def _fresh(application: Application | None) -> Application | None:
    """The application as the previous steps left it (each step is a new request)."""
    if application is not None:
        application.refresh_from_db()
    return application


def _seed_instalments(company: Company, manager: User) -> None:
    """One grant of the demo applicant's company (when it has one still approved) paid in two
    instalments, the second twelve days after the first."""
    mine = Application.objects.order_by("-company_id", "pk")
    mine = mine.filter(company=company) if mine.filter(company=company).exists() else mine
    approved = (
        mine.filter(status=Status.APPROVED).first()
        or Application.objects.filter(status=Status.APPROVED).order_by("pk").first()
    )
    if approved is None:
        return
    first = (approved.granted_amount * Decimal("0.6")).quantize(Decimal("1"))
    decided = approved.decided_at
    for amount, days, reference in (
        (first, 5, "TR-1405-0412"),
        (approved.granted_amount - first, 17, "TR-1405-0467"),
    ):
        with replayed_at(min(decided + timedelta(days=days), demo_moment(0, hour=8))):
            application_payment_record(
                application=approved, by=manager, amount=amount, reference=reference,
                paid_on=timezone.localdate(),
            )  # fmt: skip


PANEL_NOTE = "درخواست پنل دو نفره / A two-reviewer panel application"


def _seed_panel(program: SupportProgram) -> None:
    """The shipping programme asks two reviews from 20,000 up (since five days ago); one
    application of the demo company has its panel of two with both reviews in. Safe to run twice."""
    applicant = demo_user(Role.COMPANY_MEMBER).company_membership.company
    program.refresh_from_db()
    if program.panel_from_amount is None:  # the manager edits the programme
        with replayed_at(demo_moment(7, hour=14)):
            program.panel_from_amount, program.panel_reviews_required = Decimal("20000"), 2
            program.save(update_fields=["panel_from_amount", "panel_reviews_required", "updated_at"])
    if Application.objects.filter(justification__startswith=PANEL_NOTE).exists():
        return
    product = applicant.products.filter(status=Product.Status.PUBLISHED).order_by("pk").first()
    if product is None:
        return
    member = company_member(applicant)
    with replayed_at(demo_moment(6, hour=16)):
        application = application_create_draft(
            program=program, company=applicant, by=member, products=[product],
            countries=TargetCountry.objects.confirmed().order_by("-pk")[:1],
            requested_amount=min(program.cap_per_application, Decimal("24000")),
            justification=f"{PANEL_NOTE}: ۴۰۰ هزار ماسک به بصره / 400,000 masks to Basra.",
        )  # fmt: skip
        for document_type in program.required_documents.all():
            application_document_add(
                application=application,
                document_type=document_type,
                file=ContentFile(DEMO_PDF, name="doc.pdf"),
            )
    with replayed_at(demo_moment(5, hour=9)):
        application = application_submit(application=application, by=member)
    for hours, seat in enumerate(panel_of(application), start=1):
        with replayed_at(demo_moment(3, hour=10) + timedelta(hours=hours)):
            review_submit(
                application=application, reviewer=seat.reviewer, recommendation="approve", no_conflict=True,
                scores={c.pk: 9 - 2 * hours + 1 for c in program.criteria.all()},
            )  # fmt: skip


EVIDENCE_NOTE = "ورود به بازار تازه / Entering a new market"
EVIDENCE_PROGRAM = (
    "حمایت از نخستین محموله به بازار تازه",
    "Support for a first shipment to a new market",
)


def _seed_evidence(stdout: TextIO) -> None:
    """A programme asking for a first shipment to a new target country in the last 12 months, and
    two applications of the demo company citing its deals: one under review (for the reviewers'
    workplace), one draft. When the demo company has no deal yet (deals.demo seeds them when it
    exists), two are recorded here through deals.services: one shipped 40 days ago, one
    contracted. Safe to run twice."""
    from deals import services as deals
    from deals.models import Deal

    from .evidence import citable_deals, rule_check

    fa, en = EVIDENCE_PROGRAM
    today = timezone.localdate()
    with replayed_at(demo_moment(60, hour=8)):
        program, created = SupportProgram.objects.get_or_create(
            name_en=en,
            defaults={
                "name_fa": fa, "support_type": SupportProgram.SupportType.SHIPPING,
                "budget": Decimal("200000"), "cap_per_application": Decimal("15000"),
                "description_fa": f"{fa}: بخشی از هزینهٔ حمل نخستین محموله به کشوری تازه را می‌پردازد.",
                "description_en": f"{en}: pays part of the freight of a first shipment to a new country.",
                "opens_on": today - timedelta(days=60), "closes_on": today + timedelta(days=120),
                "evidence_rule": "new_country", "evidence_months": 12,
            },
        )  # fmt: skip
        if created:
            for position, (cfa, cen, weight) in enumerate(CRITERIA):
                ReviewCriterion.objects.create(
                    program=program, name_fa=cfa, name_en=cen, weight=weight, position=position
                )
    if Application.objects.filter(justification__startswith=EVIDENCE_NOTE).exists():
        return
    applicant = demo_user(Role.COMPANY_MEMBER).company_membership.company
    member = company_member(applicant)
    product = applicant.products.filter(status=Product.Status.PUBLISHED).order_by("pk").first()
    # Iraq and Oman when the demo has them (the buyers below are there), else two confirmed ones.
    named = list(TargetCountry.objects.filter(iso_code__in=["IQ", "OM"]).order_by("iso_code"))
    countries = named if len(named) == 2 else list(TargetCountry.objects.confirmed().order_by("pk")[:2])
    if product is None or len(countries) < 2:
        return
    if not Deal.objects.filter(company=applicant).exists():
        for days_ago, country, buyer, shipped in (
            (55, countries[0], "مستشفى البصرة العام / Basra General Hospital", True),
            (20, countries[1], "Muscat Medical Supplies LLC", False),
        ):
            with replayed_at(demo_moment(days_ago, hour=10)):
                deal = deals.deal_open_direct(
                    company=applicant, by=member,
                    lines=[{"product": product, "quantity": 20000, "unit_price": Decimal("0.45")}],
                    buyer_name=buyer, buyer_country=country, buyer_type="hospital", destination=country,
                    incoterm="CIF", currency="USD", usd_rate=Decimal(1),
                )  # fmt: skip
                deals.deal_contract(deal=deal, by=member)
            if shipped:
                with replayed_at(demo_moment(days_ago - 15, hour=11)):
                    deals.shipment_record(
                        deal=deal, by=member, shipped_on=timezone.localdate(), quantity=12000,
                        declaration_number=f"1405-{deal.pk:05d}-EX",
                        invoice=ContentFile(DEMO_PDF, name="invoice.pdf"),
                        transport_document=ContentFile(DEMO_PDF, name="bill-of-lading.pdf"),
                    )  # fmt: skip
        stdout.write(
            "Support evidence: the demo company had no deal; two recorded (one shipped, one contracted).\n"
        )
    check = rule_check(applicant, program)
    available = list(citable_deals(applicant).prefetch_related("shipments").order_by("pk"))
    qualifying = [s for s in check.shipments if s.support_citations.count() == 0]
    first = qualifying[0] if qualifying else None
    others = [d for d in available if first is None or d.pk != first.deal_id]
    if first is not None:
        with replayed_at(demo_moment(6, hour=11)):
            application = application_create_draft(
                program=program, company=applicant, by=member, products=[product], countries=[first.deal.destination],
                requested_amount=Decimal("9000"), evidence=[first],
                justification=f"{EVIDENCE_NOTE}: نخستین محموله به {first.deal.destination.name_fa} / "
                f"the first shipment to {first.deal.destination.name_en}.",
            )  # fmt: skip
        with replayed_at(demo_moment(5, hour=9)):
            application_submit(application=application, by=member)
    if others:
        with replayed_at(demo_moment(1, hour=15)):
            application_create_draft(
                program=program, company=applicant, by=member, products=[product],
                countries=[others[0].destination], requested_amount=Decimal("6000"), evidence=[others[0]],
                justification=f"{EVIDENCE_NOTE}: قرارداد تازه / a new contract.",
            )  # fmt: skip
