from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from support.models import Application, DocumentType, ReviewCriterion, Status, SupportProgram
from tests.companies.factories import CompanyFactory


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


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A draft by default; the workflow moves it (see tests/support/test_workflow.py helpers)."""

    class Meta:
        model = Application
        skip_postgeneration_save = True

    program = factory.SubFactory(ProgramFactory)
    company = factory.SubFactory(CompanyFactory)
    requested_amount = Decimal("10000")
    justification = "Shipping 500,000 masks to Iraq"
    status = Status.DRAFT

    @factory.post_generation
    def selection(self, create: bool, extracted: object, **kwargs: object) -> None:
        """Give the draft one published product of its company and one target country."""
        if not create:
            return
        from tests.portal.factories import TargetCountryFactory
        from tests.products.factories import ProductFactory

        self.products.set([ProductFactory(company=self.company)])
        self.countries.set([TargetCountryFactory(iso_code="IQ")])


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
