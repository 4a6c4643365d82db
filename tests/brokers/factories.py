from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from brokers.models import (
    Broker,
    BrokerMembership,
    BrokerService,
    Engagement,
    EngagementEvent,
    LicenceRenewal,
    Offer,
    OfferResponse,
    ServiceType,
)
from portal.permissions import Role
from tests.companies.factories import PDF_BYTES, CompanyFactory
from tests.portal.factories import TargetCountryFactory, UserFactory
from tests.products.factories import CategoryFactory


class ServiceTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceType
        django_get_or_create = ["slug"]

    slug = factory.Iterator(["logistics", "customs", "market-research", "matchmaking"])
    name_fa = factory.LazyAttribute(lambda o: f"خدمت {o.slug}")
    name_en = factory.LazyAttribute(lambda o: o.slug.title())


class BrokerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Broker
        skip_postgeneration_save = True

    name_fa = factory.Sequence(lambda n: f"کارگزاری صادراتی {n}")
    name_en = factory.Sequence(lambda n: f"Export Brokerage {n}")
    licence_number = factory.Sequence(lambda n: f"EB-{n:05d}")
    licence_file = factory.django.FileField(filename="licence.pdf", data=PDF_BYTES)
    licence_expires_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=365))
    languages = factory.LazyFunction(lambda: ["fa", "ar"])
    phone = "02188000000"
    email = factory.Sequence(lambda n: f"desk{n}@broker.example")
    status = Broker.Status.APPROVED

    class Params:
        pending = factory.Trait(status=Broker.Status.PENDING)
        suspended = factory.Trait(status=Broker.Status.SUSPENDED)

    @factory.post_generation
    def countries(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create:
            self.countries.set(extracted if extracted is not None else [TargetCountryFactory(iso_code="IQ")])

    @factory.post_generation
    def services(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create:
            self.services.set(extracted if extracted is not None else [ServiceTypeFactory(slug="logistics")])


class BrokerMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BrokerMembership

    broker = factory.SubFactory(BrokerFactory)
    user = factory.SubFactory(UserFactory, roles=[Role.BROKER_MEMBER])
    role = BrokerMembership.Role.OWNER


class LicenceRenewalFactory(factory.django.DjangoModelFactory):
    """A renewed licence waiting for the centre (as brokers.services.licence_renewal_submit leaves it)."""

    class Meta:
        model = LicenceRenewal

    broker = factory.SubFactory(BrokerFactory)
    licence_file = factory.django.FileField(filename="licence-renewed.pdf", data=PDF_BYTES)
    expires_on = factory.LazyAttribute(
        lambda o: (o.broker.licence_expires_on or timezone.localdate()) + dt.timedelta(days=365)
    )


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offer
        skip_postgeneration_save = True

    broker = factory.SubFactory(BrokerFactory)
    kind = Offer.Kind.DEMAND
    country = factory.LazyAttribute(lambda o: o.broker.countries.first())
    title_fa = factory.Sequence(lambda n: f"نیاز خریدار به ماسک {n}")
    title_en = factory.Sequence(lambda n: f"Buyer needs masks {n}")
    description_fa = "یک بیمارستان به ماسک سه لایه نیاز دارد"
    description_en = "A hospital needs three-ply masks"
    quantity = 100_000
    unit = "piece"
    deadline = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=30))
    status = Offer.Status.OPEN
    published_at = factory.LazyFunction(timezone.now)

    class Params:
        # Saved unpublished, as offer_create(publish=False) leaves it.
        draft = factory.Trait(status=Offer.Status.DRAFT, published_at=None)
        # Open, then closed by its brokerage through brokers.services.offer_close.
        closed = factory.Trait(
            close=factory.PostGeneration(
                lambda offer, create, extracted, **kwargs: create and offer_close_now(offer, **kwargs)
            )
        )

    @factory.post_generation
    def categories(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create:
            self.categories.set(extracted if extracted is not None else [CategoryFactory(slug="masks")])

    close = factory.PostGeneration(lambda offer, create, extracted, **kwargs: None)  # see `closed`


def offer_close_now(offer: Offer, *, by_staff: bool = False) -> Offer:
    from brokers.services import offer_close

    closed = offer_close(offer=offer, by_staff=by_staff)
    offer.refresh_from_db()
    return closed


def broker_suspend_now(broker: Broker, *, by: object = None, note: str = "Licence lapsed") -> Broker:
    """Suspend `broker` as the centre does (brokers.services.broker_suspend: decision recorded,
    members told), by a programme manager made for it unless `by` names one."""
    from brokers.services import broker_suspend

    by = by or UserFactory(is_staff=True, roles=[Role.PROGRAMME_MANAGER])
    broker_suspend(broker=broker, by=by, note=note)
    broker.refresh_from_db()
    return broker


class OfferResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OfferResponse

    offer = factory.SubFactory(OfferFactory)
    company = factory.SubFactory(CompanyFactory)
    unit_price = "0.10"
    quantity = 50_000
    lead_time_days = 14


class BrokerServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BrokerService
        skip_postgeneration_save = True

    broker = factory.SubFactory(BrokerFactory)
    service_type = factory.LazyFunction(lambda: ServiceTypeFactory(slug="logistics"))
    fee_model = BrokerService.FeeModel.FIXED
    fee_amount = "500.00"
    currency = "USD"
    description_fa = "حمل از بندرعباس تا بصره"
    description_en = "Shipping from Bandar Abbas to Basra"

    @factory.post_generation
    def countries(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create:
            self.countries.set(extracted if extracted is not None else list(self.broker.countries.all()))


class EngagementFactory(factory.django.DjangoModelFactory):
    """A company's booking of a service, requested; `accepted=True`, `delivered=True` walk the real
    steps (brokers.services.engagement_act) by a member of the brokerage made for it."""

    class Meta:
        model = Engagement
        skip_postgeneration_save = True

    service = factory.SubFactory(BrokerServiceFactory)
    broker = factory.LazyAttribute(lambda o: o.service.broker)
    company = factory.SubFactory(CompanyFactory)
    message = "We need our masks shipped to Basra in March."

    class Params:
        accepted = factory.Trait(
            walk=factory.PostGeneration(lambda e, create, extracted, **kw: create and _walk(e, ["accept"]))
        )
        delivered = factory.Trait(
            walk=factory.PostGeneration(
                lambda e, create, extracted, **kw: create and _walk(e, ["accept", "deliver"])
            )
        )

    @factory.post_generation
    def requested(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            EngagementEvent.objects.create(
                engagement=self, action=EngagementEvent.Action.REQUEST, side="company", note=self.message
            )

    walk = factory.PostGeneration(lambda engagement, create, extracted, **kwargs: None)  # see the traits


def _walk(engagement: Engagement, actions: list[str]) -> Engagement:
    """Take `actions` through brokers.services.engagement_act as a member of the brokerage."""
    from brokers.services import engagement_act

    member = engagement.broker.memberships.select_related("user").first()
    user = member.user if member else BrokerMembershipFactory(broker=engagement.broker).user
    for action in actions:
        engagement_act(engagement=engagement, action=action, by=user)
    engagement.refresh_from_db()
    return engagement
