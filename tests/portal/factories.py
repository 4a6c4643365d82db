from __future__ import annotations

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from portal.models import Language, Notification, TargetCountry, User
from portal.permissions import Role

PASSWORD = "correct-horse-battery-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name")
    preferred_language = Language.PERSIAN
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    class Params:
        english = factory.Trait(preferred_language=Language.ENGLISH)

    @factory.post_generation
    def roles(self, create: bool, extracted: list[Role] | None, **kwargs: object) -> None:
        if create:
            self.save()
        if create and extracted:
            self.groups.add(*Group.objects.filter(name__in=[role.value for role in extracted]))


class TargetCountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TargetCountry
        django_get_or_create = ["iso_code"]

    iso_code = factory.Iterator(["IQ", "AF", "SY", "LB", "AM", "AZ", "TM", "KZ", "RU", "OM"])
    name_fa = factory.LazyAttribute(lambda o: f"کشور {o.iso_code}")
    name_en = factory.LazyAttribute(lambda o: f"Country {o.iso_code}")
    buyer_status = TargetCountry.BuyerStatus.CONFIRMED

    class Params:
        prospective = factory.Trait(buyer_status=TargetCountry.BuyerStatus.PROSPECTIVE)
        inactive = factory.Trait(is_active=False)


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    kind = "welcome"
    language = Language.PERSIAN
    title = factory.Sequence(lambda n: f"Notification {n}")
    body = "Body"
    email_status = Notification.EmailStatus.SENT

    class Params:
        read = factory.Trait(read_at=factory.LazyFunction(timezone.now))
