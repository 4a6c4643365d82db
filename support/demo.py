"""Demo support programmes and 60 applications spread over every workflow state.

Applications are walked along the real lifecycle with their events (the timeline), written
directly rather than through support.workflow, since most demo companies have no members to act.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal
from typing import TextIO

from django.core.files.base import ContentFile
from django.db.models import Count
from django.utils import timezone

from companies.demo import DEMO_PDF
from companies.models import Company
from portal.demo import demo_user
from portal.models import TargetCountry, User
from portal.permissions import Role
from products.models import Product, ProductCategory

from .models import (
    Action,
    Application,
    ApplicationDocument,
    ApplicationEvent,
    DocumentType,
    Payment,
    Review,
    ReviewAssignment,
    ReviewCriterion,
    StaffTie,
    Status,
    SupportProgram,
)
from .services import review_submit
from .workflow import _next_reference, application_escalate, application_payment_record

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
    ([Status.SUBMITTED, Status.WITHDRAWN], 3),
]
ACTIONS = {
    Status.SUBMITTED: Action.SUBMIT, Status.SCREENING: Action.SCREEN_START,
    Status.UNDER_REVIEW: Action.SCREEN_PASS, Status.REVISION_REQUESTED: Action.REQUEST_REVISION,
    Status.APPROVED: Action.APPROVE, Status.REJECTED: Action.REJECT, Status.PAID: Action.MARK_PAID,
    Status.CLOSED: Action.CLOSE, Status.WITHDRAWN: Action.WITHDRAW,
}  # fmt: skip


def seed(*, stdout: TextIO) -> None:
    documents = {}
    for slug, fa, en in DOCUMENTS:
        documents[slug], _ = DocumentType.objects.update_or_create(
            slug=slug, defaults={"name_fa": fa, "name_en": en}
        )
    today = timezone.localdate()
    programs = []
    for fa, en, kind, budget, cap, docs, categories in PROGRAMS:
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
    if not Application.objects.exists():
        _seed_applications(programs)
    _seed_panel_and_conflict(programs[0])
    by_status = Application.objects.values_list("status").annotate(n=Count("pk")).order_by()
    counts = ", ".join(f"{status}: {n}" for status, n in by_status)
    stdout.write(
        f"Support programmes: {len(programs)}; applications: {Application.objects.count()} ({counts})"
    )


def _seed_applications(programs: list[SupportProgram]) -> None:
    rng = random.Random(1405_0909)  # noqa: S311 - demo data
    reviewer, manager = demo_user(Role.REVIEWER), demo_user(Role.PROGRAMME_MANAGER)
    applicant = demo_user(Role.COMPANY_MEMBER)
    companies = list(Company.objects.verified().order_by("pk"))
    countries = list(TargetCountry.objects.confirmed())
    now = timezone.now()
    n = 0
    for path, count in PATHS:
        for _ in range(count):
            company = companies[n % len(companies)] if n % 5 else applicant.company_membership.company
            program = programs[n % len(programs)]
            products = list(Product.objects.public().filter(company=company)[:2]) or list(
                company.products.all()[:1]
            )
            if not products:
                n += 1
                continue
            requested = min(program.cap_per_application, Decimal(rng.randrange(2000, 30000, 500)))
            application = Application.objects.create(
                program=program, company=company, requested_amount=requested,
                justification="صادرات محموله به کشور هدف از طریق کارگزار همکار / Shipment to the target country through a partner broker.",
            )  # fmt: skip
            application.products.set(products)
            application.countries.set(rng.sample(countries, 2))
            if path != [Status.DRAFT]:
                for document_type in program.required_documents.all():
                    ApplicationDocument.objects.create(
                        application=application,
                        document_type=document_type,
                        file=ContentFile(DEMO_PDF, name="doc.pdf"),
                    )
            _walk(application, path, now - timedelta(days=rng.randint(3, 100)), reviewer, manager, rng)
            n += 1
    _seed_instalments_and_escalation(applicant.company_membership.company, manager)


def _seed_instalments_and_escalation(company: Company, manager) -> None:  # noqa: ANN001
    """One approved grant paid in two instalments, and one application escalated as overdue,
    of the demo applicant's company when it has them; through the workflow, as staff would."""
    mine = Application.objects.order_by("-company_id", "pk")
    mine = mine.filter(company=company) if mine.filter(company=company).exists() else mine
    approved = (
        mine.filter(status=Status.APPROVED).first()
        or Application.objects.filter(status=Status.APPROVED).first()
    )
    if approved is not None:
        today, first = timezone.localdate(), (approved.granted_amount * Decimal("0.6")).quantize(Decimal("1"))
        for amount, days, reference in (
            (first, 12, "TR-1405-0412"),
            (approved.granted_amount - first, 2, "TR-1405-0467"),
        ):
            application_payment_record(
                application=approved, by=manager, amount=amount, reference=reference,
                paid_on=max(today - timedelta(days=days), timezone.localdate(approved.decided_at)),
            )  # fmt: skip
    waiting = mine.filter(status=Status.UNDER_REVIEW).first()
    if waiting is not None:
        Application.objects.filter(pk=waiting.pk).update(review_due_at=timezone.now() - timedelta(days=2))
        application_escalate(application=waiting)


def _walk(application: Application, path, start, reviewer, manager, rng) -> None:  # noqa: ANN001
    moment, previous, paid = start, Status.DRAFT, None
    for status in path[1:] if path[0] == Status.DRAFT else path:
        moment += timedelta(hours=rng.randint(2, 72))
        note, actor = "", None
        if status == Status.SUBMITTED:
            application.reference = application.reference or _next_reference(moment.date())
            application.submitted_at = moment
        elif status == Status.UNDER_REVIEW:
            application.assigned_reviewer = reviewer
            application.review_round = 1
            ReviewAssignment.objects.get_or_create(application=application, reviewer=reviewer, review_round=1)
            application.review_started_at = moment
            application.review_due_at = moment + timedelta(days=application.program.review_period_days)
        elif status == Status.REVISION_REQUESTED:
            note, actor = "پیش‌فاکتور خریدار را پیوست کنید. / Attach the buyer's proforma invoice.", reviewer
        elif status == Status.APPROVED:
            scores = {c: rng.randint(6, 10) for c in application.program.criteria.all()}
            weight = sum(c.weight for c in scores)
            Review.objects.create(
                application=application, reviewer=reviewer, recommendation="approve",
                weighted_score=Decimal(sum(c.weight * s for c, s in scores.items()) / weight).quantize(Decimal("0.01")),
            )  # fmt: skip
            application.granted_amount = (application.requested_amount * Decimal("0.8")).quantize(
                Decimal("1")
            )
            application.decided_at, application.decided_by, actor = moment, manager, manager
        elif status == Status.REJECTED:
            note, actor = "خارج از دامنه برنامه. / Outside the programme's scope.", manager
            application.decided_at, application.decided_by = moment, manager
        elif status == Status.PAID:
            paid = (f"PAY-{rng.randint(10000, 99999)}", moment.date())
            actor, note = manager, paid[0]
        elif status == Status.CLOSED:
            actor = manager
        ApplicationEvent.objects.create(
            application=application, from_status=previous, to_status=status, action=ACTIONS[status],
            actor=actor, note=note, created_at=moment,
        )  # fmt: skip
        previous = status
    application.status = previous
    application.save()
    if paid is not None:  # once granted and saved: the payments trigger checks the grant (migration 0011)
        Payment.objects.create(
            application=application, amount=application.granted_amount, currency=application.program.currency,
            reference=paid[0], paid_on=paid[1], recorded_by=manager,
        )  # fmt: skip
    if (
        application.status in (Status.APPROVED, Status.PAID, Status.CLOSED)
        and application.program.support_type == "joint_brand"
    ):
        application.products.update(joint_brand=True)


PANEL_NOTE = "درخواست پنل دو نفره / A two-reviewer panel application"


def _seed_panel_and_conflict(program: SupportProgram) -> None:
    """The shipping programme asks two reviews from 20,000 up; one application has its panel of
    two with both reviews in; the second reviewer declared a tie to a company, and the timeline of
    that company's application shows the skip. Safe to run twice."""
    reviewer, manager = demo_user(Role.REVIEWER), demo_user(Role.PROGRAMME_MANAGER)
    second = User.objects.filter(email="reviewer2@demo.example").first()
    applicant = demo_user(Role.COMPANY_MEMBER).company_membership.company
    if second is None:
        return
    SupportProgram.objects.filter(pk=program.pk, panel_from_amount__isnull=True).update(
        panel_from_amount=Decimal("20000"), panel_reviews_required=2
    )
    tied = Company.objects.verified().exclude(pk=applicant.pk).order_by("pk").first()
    if tied is not None and not StaffTie.objects.filter(user=second, company=tied).exists():
        StaffTie.objects.create(
            user=second, company=tied, nature=StaffTie.Nature.FAMILY, status=StaffTie.Status.APPROVED,
            note="برادرم مدیرعامل این شرکت است. / My brother runs this company.",
            decided_by=manager, decided_at=timezone.now(),
        )  # fmt: skip
        skipped = tied.applications.filter(status=Status.UNDER_REVIEW).first()
        if skipped is not None:
            ApplicationEvent.objects.create(
                application=skipped, from_status=Status.UNDER_REVIEW, to_status=Status.UNDER_REVIEW,
                action=Action.CONFLICT_SKIP, internal=True, note=f"{second} کنار گذاشته شد: تعارض منافع. / Skipped {second}: conflict of interest.",
            )  # fmt: skip
    if Application.objects.filter(justification__startswith=PANEL_NOTE).exists():
        return
    product = applicant.products.first()
    if product is None:
        return
    moment = timezone.now() - timedelta(days=5)
    application = Application.objects.create(
        program=program, company=applicant, requested_amount=min(program.cap_per_application, Decimal("24000")),
        justification=f"{PANEL_NOTE}: ۴۰۰ هزار ماسک به بصره / 400,000 masks to Basra.",
        reference=_next_reference(moment.date()), submitted_at=moment, review_round=1,
        review_started_at=moment, review_due_at=moment + timedelta(days=program.review_period_days),
        assigned_reviewer=reviewer, status=Status.UNDER_REVIEW,
    )  # fmt: skip
    application.products.set([product])
    application.countries.set(TargetCountry.objects.confirmed()[:1])
    for document_type in program.required_documents.all():
        ApplicationDocument.objects.create(
            application=application, document_type=document_type, file=ContentFile(DEMO_PDF, name="doc.pdf")
        )
    previous = Status.DRAFT
    for status in (Status.SUBMITTED, Status.SCREENING, Status.UNDER_REVIEW):
        ApplicationEvent.objects.create(
            application=application, from_status=previous, to_status=status, action=ACTIONS[status],
            created_at=moment,
        )  # fmt: skip
        previous = status
    ApplicationEvent.objects.create(
        application=application, from_status=previous, to_status=previous, action=Action.ASSIGN,
        note=f"هیئت داوری: {reviewer}، {second}. / Panel: {reviewer}, {second}.", created_at=moment,
    )  # fmt: skip
    for member, score in ((reviewer, 8), (second, 6)):
        ReviewAssignment.objects.create(application=application, reviewer=member, review_round=1)
        review_submit(
            application=application, reviewer=member, recommendation="approve", no_conflict=True,
            scores={c.pk: score for c in program.criteria.all()},
        )  # fmt: skip
