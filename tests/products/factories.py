from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import BytesIO

import factory
from django.utils import timezone
from PIL import Image

from products.models import Certification, CountryRequirement, Product, ProductCategory, ProductCertification
from tests.companies.factories import PDF_BYTES, CompanyFactory
from tests.portal.factories import TargetCountryFactory, UserFactory


def png_bytes(size: tuple[int, int] = (64, 48), color: str = "teal") -> bytes:
    buffer = BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductCategory
        django_get_or_create = ["slug"]

    slug = factory.Iterator(["masks", "ventilators", "test-kits", "disinfectants", "oxygen", "ppe"])
    name_fa = factory.LazyAttribute(lambda o: f"گروه {o.slug}")
    name_en = factory.LazyAttribute(lambda o: f"Category {o.slug}")


class CertificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certification
        django_get_or_create = ["code"]

    code = factory.Iterator(["ce", "fda-eua", "iso-13485", "irfda", "who-eul"])
    name_fa = factory.LazyAttribute(lambda o: f"گواهی {o.code}")
    name_en = factory.LazyAttribute(lambda o: o.code.upper())


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        skip_postgeneration_save = True

    company = factory.SubFactory(CompanyFactory)
    category = factory.SubFactory(CategoryFactory)
    name_fa = factory.Sequence(lambda n: f"ماسک سه لایه مدل {n}")
    name_en = factory.Sequence(lambda n: f"Three-ply mask model {n}")
    description_fa = "ماسک پزشکی سه لایه با فیلتر ملت‌بلون"
    description_en = "Three-ply medical mask with a melt-blown filter"
    hs_code = "630790"
    monthly_capacity = 100_000
    minimum_order = 1_000
    fob_price = Decimal("0.12")
    lead_time_days = 14
    status = Product.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)

    class Params:
        draft = factory.Trait(status=Product.Status.DRAFT, published_at=None)
        archived = factory.Trait(status=Product.Status.ARCHIVED)
        with_image = factory.Trait(image=factory.django.ImageField(width=64, height=48, format="PNG"))

    @factory.post_generation
    def registered_in(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            self.registered_countries.set(extracted)


class ProductCertificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductCertification

    product = factory.SubFactory(ProductFactory)
    certification = factory.SubFactory(CertificationFactory)
    number = factory.Sequence(lambda n: f"CERT-{n:05d}")
    issuer = "TÜV SÜD"
    expiry_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=400))
    file = factory.django.FileField(filename="cert.pdf", data=PDF_BYTES)
    # Verified by default (the state in which a certificate counts); `pending=True` and
    # `rejected=True` give a certificate the centre has not accepted.
    status = ProductCertification.Status.VERIFIED
    reviewed_at = factory.LazyFunction(timezone.now)
    reviewed_by = factory.SubFactory(
        UserFactory, is_staff=True, email=factory.Sequence(lambda n: f"checker{n}@centre.example")
    )

    class Params:
        expired = factory.Trait(
            expiry_date=factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=1))
        )
        pending = factory.Trait(
            status=ProductCertification.Status.PENDING, reviewed_at=None, reviewed_by=None
        )
        rejected = factory.Trait(
            status=ProductCertification.Status.REJECTED, rejection_reason="The scan is unreadable."
        )


class RequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CountryRequirement

    country = factory.SubFactory(TargetCountryFactory)
    category = factory.SubFactory(CategoryFactory)
    certification = factory.SubFactory(CertificationFactory)


def products_imported_together(count: int, **fields: object) -> list[Product]:
    """`count` products published and created at one instant, as a bulk import leaves them, in
    id order. Their rows are rewritten in a scrambled order, so that the table's own order (which
    a database may fall back on for tied rows) is not the ids'."""
    moment = timezone.now() - dt.timedelta(days=1)
    products = ProductFactory.create_batch(count, published_at=moment, created_at=moment, **fields)
    for product in products[1::2] + products[::2]:
        Product.objects.filter(pk=product.pk).update(description_en=f"rewritten {product.pk}")
    return products
