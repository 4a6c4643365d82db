from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from unittest import mock

import factory
from django.apps import apps
from django.utils import timezone

from portal.models import User
from portal.permissions import Role
from support import workflow
from support.models import Application, DocumentType, ReviewCriterion, Status, SupportProgram
from tests.companies.factories import CompanyFactory, MembershipFactory
from tests.portal.factories import UserFactory

REVIEWED = "reviewed"  # under review with every seat's score in: a stage, not a status


class DocumentTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DocumentType
        django_get_or_create = ["slug"]

    slug = factory.Iterator(["proforma", "export-licence", "bank-letter"])
    name_fa = factory.LazyAttribute(lambda o: f"مدرک {o.slug}")
    name_en = factory.LazyAttribute(lambda o: o.slug.replace("-", " ").title())


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportProgram
        skip_postgeneration_save = True

    name_fa = factory.Sequence(lambda n: f"یارانه حمل {n}")
    name_en = factory.Sequence(lambda n: f"Shipping subsidy {n}")
    description_fa = "پرداخت بخشی از هزینه حمل"
    description_en = "Part of the shipping cost"
    support_type = SupportProgram.SupportType.SHIPPING
    budget = Decimal("100000")
    cap_per_application = Decimal("20000")
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=30))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=60))
    review_period_days = 14

    class Params:
        closed = factory.Trait(
            opens_on=factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=90)),
            closes_on=factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=1)),
        )
        joint_brand = factory.Trait(support_type=SupportProgram.SupportType.JOINT_BRAND)

    @factory.post_generation
    def criteria(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create:
            for position, (name, weight) in enumerate(extracted or [("Export potential", 3), ("Quality", 2)]):
                ReviewCriterion.objects.create(
                    program=self, name_fa=name, name_en=name, weight=weight, position=position
                )


def _to(stage: str) -> factory.PostGeneration:
    """A trait's way to advance the application (a trait cannot pass a value to a post-generation
    hook, but it can replace the hook)."""

    def hook(application: Application, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            advance(application, stage, **kwargs)  # type: ignore[arg-type]

    return factory.PostGeneration(hook)


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A draft by default. The traits move it through the real workflow (support.workflow), with
    its events, reference, panel and notifications, never by writing the status:

        ApplicationFactory(submitted=True)      # submitted, screening not run yet
        ApplicationFactory(under_review=True)   # screened, the panel seated from existing reviewers
        ApplicationFactory(reviewed=True)       # ... and scored by its panel (ready for a decision)
        ApplicationFactory(approved=True)       # ... and approved by a manager for the requested amount
        ApplicationFactory(rejected=True)  ApplicationFactory(paid=True)
        ApplicationFactory(revision_requested=True)  # sent back by its lead reviewer
        ApplicationFactory(withdrawn=True)      # taken back by the applicant once submitted

    `advance__applicant`, `advance__reviewer` (the lead: assigned when the panel left it free),
    `advance__manager`, `advance__amount` and `advance__note` name who does it and with what; anyone
    missing is made up; `advance__at` backdates the whole story (see advance())."""

    class Meta:
        model = Application
        skip_postgeneration_save = True

    program = factory.SubFactory(ProgramFactory)
    company = factory.SubFactory(CompanyFactory)
    requested_amount = Decimal("10000")
    justification = "Shipping 500,000 masks to Iraq"
    status = Status.DRAFT

    class Params:
        submitted = factory.Trait(advance=_to(Status.SUBMITTED))
        under_review = factory.Trait(advance=_to(Status.UNDER_REVIEW))
        reviewed = factory.Trait(advance=_to(REVIEWED))
        approved = factory.Trait(advance=_to(Status.APPROVED))
        rejected = factory.Trait(advance=_to(Status.REJECTED))
        revision_requested = factory.Trait(advance=_to(Status.REVISION_REQUESTED))
        withdrawn = factory.Trait(advance=_to(Status.WITHDRAWN))
        paid = factory.Trait(advance=_to(Status.PAID))

    @factory.post_generation
    def selection(self, create: bool, extracted: object, **kwargs: object) -> None:
        """Give the draft one published product of its company and one target country."""
        if not create:
            return
        from tests.portal.factories import TargetCountryFactory
        from tests.products.factories import ProductFactory

        self.products.set([ProductFactory(company=self.company)])
        self.countries.set([TargetCountryFactory(iso_code="IQ")])

    @factory.post_generation
    def advance(self, create: bool, extracted: str | None, **kwargs: object) -> None:
        if create and extracted:
            advance(self, extracted, **kwargs)  # type: ignore[arg-type]


def approved_weeks_ago(**fields: object) -> Application:
    """Approved for what it requested through the workflow, three weeks ago: a payment dated in
    the past weeks does not predate the decision."""
    return ApplicationFactory(approved=True, advance__at=timezone.now() - dt.timedelta(days=21), **fields)


def make_ready(application: Application) -> None:
    """Give each product of `application` a verified certificate its target countries require."""
    from tests.products.factories import ProductCertificationFactory, RequirementFactory

    for product in application.products.all():
        for country in application.countries.all():
            requirement = RequirementFactory(country=country, category=product.category)
            ProductCertificationFactory(product=product, certification=requirement.certification)


def complete_reviews(application: Application, *reviewers: object) -> None:
    """Score `application` by each reviewer (every criterion 7), as a decision needs."""
    from support.services import review_submit

    scores = {criterion.pk: 7 for criterion in application.program.criteria.all()}
    for reviewer in reviewers:
        review_submit(
            application=application,
            reviewer=reviewer,
            scores=scores,
            recommendation="approve",
            no_conflict=True,
        )


def applicant_of(application: Application) -> User:
    """Whoever prepared the application, else a member of its company (one is made if none)."""
    if application.created_by_id is not None:
        return application.created_by
    membership = application.company.memberships.select_related("user").order_by("pk").first()
    if membership is not None:
        return membership.user
    return MembershipFactory(company=application.company).user


def manager_for(application: Application) -> User:
    """A programme manager with no part in `application` (four eyes): made when none is free."""
    scored = set(application.reviews.values_list("reviewer", flat=True))
    for user in User.objects.filter(groups__name=Role.PROGRAMME_MANAGER.value).order_by("pk"):
        if user.pk not in scored and user.pk != application.assigned_reviewer_id:
            return user
    return UserFactory(is_staff=True, roles=[Role.PROGRAMME_MANAGER])


@contextlib.contextmanager
def backdated(start: dt.datetime) -> Iterator[None]:
    """Run the block on a clock that reads `start` when it begins and runs on at the real pace,
    as if it had happened then (timestamps, the dates screening reads, the promised review date)."""
    real_now = timezone.now
    offset = start - real_now()

    def clock() -> dt.datetime:
        return real_now() + offset

    with contextlib.ExitStack() as stack:
        stack.enter_context(mock.patch("django.utils.timezone.now", clock))
        for model in apps.get_models():  # default=timezone.now holds the function itself
            for field in model._meta.concrete_fields:
                if field.default is real_now:  # and the field caches it in _get_default
                    stack.enter_context(mock.patch.dict(field.__dict__, {"_get_default": clock}))
        yield


ORDER = [Status.SUBMITTED, Status.UNDER_REVIEW, REVIEWED, Status.APPROVED, Status.PAID]


def advance(
    application: Application,
    to: str,
    *,
    applicant: User | None = None,
    reviewer: User | None = None,
    manager: User | None = None,
    amount: Decimal | str | None = None,
    note: str = "",
    at: dt.datetime | None = None,
) -> Application:
    """Move a draft to `to` through the workflow functions, as the people who do it would:
    the applicant submits, screening runs (what the Celery task calls), the panel scores, a
    manager who scored nothing decides, a manager records the payment in one instalment.
    `at` replays it all on a clock that starts then (`backdated`). Returns the application,
    refreshed in place."""
    if at is not None:
        with backdated(at):
            return advance(
                application, to, applicant=applicant, reviewer=reviewer, manager=manager, amount=amount,
                note=note,
            )  # fmt: skip
    stop = {
        Status.REJECTED: Status.APPROVED,  # decided the other way
        Status.REVISION_REQUESTED: Status.UNDER_REVIEW,  # then sent back
        Status.WITHDRAWN: Status.SUBMITTED,  # then taken back
    }.get(to, to)
    assert stop in ORDER, f"no workflow path to {to!r} from a draft"
    steps = ORDER[: ORDER.index(stop) + 1]
    applicant = applicant or applicant_of(application)
    workflow.application_submit(application=application, by=applicant)
    application.refresh_from_db()
    if to == Status.WITHDRAWN:
        workflow.application_withdraw(application=application, by=applicant, note=note)
        application.refresh_from_db()
        return application
    if Status.UNDER_REVIEW in steps and application.status == Status.SUBMITTED:
        # On commit the submission queues screening; a test's transaction never commits.
        workflow.application_screen(application=application)
        application.refresh_from_db()
    if Status.UNDER_REVIEW in steps:
        assert application.status == Status.UNDER_REVIEW, application.events.last().note
        if reviewer is not None and application.assigned_reviewer_id is None:
            workflow.application_assign(application=application, by=reviewer, reviewer=reviewer)
            application.refresh_from_db()
        assert reviewer is None or application.assigned_reviewer == reviewer, "the panel seated another"
    if to == Status.REVISION_REQUESTED:
        lead = application.assigned_reviewer or manager or manager_for(application)
        workflow.application_request_revision(
            application=application, by=lead, note=note or "Add the proforma invoice"
        )
        application.refresh_from_db()
        return application
    if REVIEWED in steps:
        seated = [seat.reviewer for seat in application.assignments.current().select_related("reviewer")]
        if not seated:  # nobody to seat: the lead reviewer is made, as a centre would hire one
            lead = UserFactory(is_staff=True, roles=[Role.REVIEWER])
            workflow.application_assign(application=application, by=lead, reviewer=lead)
            seated = [lead]
        complete_reviews(application, *seated)
    if Status.APPROVED in steps:
        decider = manager or manager_for(application)
        if to == Status.REJECTED:
            workflow.application_reject(application=application, by=decider, reason=note or "Out of scope")
        else:
            granted = Decimal(amount) if amount is not None else application.requested_amount
            workflow.application_approve(application=application, by=decider, amount=granted, note=note)
    if Status.PAID in steps:
        application.refresh_from_db()
        workflow.application_payment_record(
            application=application,
            by=manager or manager_for(application),
            amount=application.granted_amount,
            reference=f"TR-{application.pk}",
        )
    application.refresh_from_db()
    return application
