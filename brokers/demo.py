"""Demo brokers: service types, 12 brokerages, 40 offers of both kinds, responses, inquiries."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal
from typing import TextIO

from django.core.files.base import ContentFile
from django.utils import timezone

from companies.demo import DEMO_PDF
from companies.models import Company
from portal.demo import demo_user
from portal.models import TargetCountry
from portal.permissions import Role
from products.models import Product, ProductCategory

from .models import Broker, BrokerMembership, BuyerInquiry, Offer, OfferResponse, ServiceType
from .services import broker_member_add

SERVICES = [
    ("logistics", "حمل و لجستیک", "Logistics", "truck"),
    ("customs", "ترخیص کالا", "Customs clearance", "box-seam"),
    ("market-research", "تحقیقات بازار", "Market research", "graph-up"),
    ("matchmaking", "تطبیق تجاری B2B", "B2B matchmaking", "people"),
    ("registration", "ثبت و گواهی‌گیری در خارج", "Registration and certification abroad", "patch-check"),
    ("trade-finance", "تأمین مالی تجاری", "Trade finance", "bank"),
    ("legal", "خدمات حقوقی", "Legal services", "briefcase"),
    ("exhibitions", "نمایشگاه‌ها", "Exhibitions", "easel"),
    ("marketing", "بازاریابی", "Marketing", "megaphone"),
]  # fmt: skip

# Plausible FOB unit prices (USD) a buyer would target, per category.
UNIT_PRICES = {
    "masks": (0.04, 0.9), "ventilators": (3000, 15000), "test-kits": (1, 8),
    "disinfectants": (0.8, 3), "oxygen": (350, 1100), "ppe": (0.3, 5),
}  # fmt: skip

BROKERS = [
    ("کارگزاری صادراتی پارس", "Pars Export Brokers", ["IQ", "SY", "LB"], "تهران، بغداد"),
    ("بازرگانی نوین خاورمیانه", "Novin Middle East Trading", ["IQ", "OM", "QA"], "تهران، مسقط"),
    ("آسیا میانه لجستیک", "Central Asia Logistics", ["TM", "KZ", "TJ"], "مشهد، عشق‌آباد"),
    ("کاسپین ترید", "Caspian Trade", ["RU", "KZ", "AZ"], "رشت، آستاراخان"),
    ("قفقاز صادرات", "Caucasus Export", ["AM", "AZ", "RU"], "تبریز، ایروان"),
    ("افغان‌ترانزیت", "Afghan Transit", ["AF", "TJ", "PK"], "مشهد، هرات"),
    ("خلیج تجارت", "Gulf Commerce", ["OM", "QA", "IQ"], "بندرعباس، صحار"),
    ("شام بازرگان", "Sham Traders", ["SY", "LB", "IQ"], "تهران، دمشق"),
    ("ابریشم نو", "New Silk Road Brokers", ["KZ", "TM", "RU"], "تهران، آلماتی"),
    ("کارگزاری آفریقا–ایران", "Africa–Iran Brokerage", ["KE", "OM"], "تهران، نایروبی"),
    ("پیک سلامت بین‌الملل", "Peyk Salamat International", ["IQ", "AF"], "اهواز، بصره"),
    ("آریا اکسپورت", "Arya Export Services", ["AM", "RU"], "تهران"),
]  # fmt: skip


def seed(*, stdout: TextIO) -> None:
    rng = random.Random(1405_09)  # noqa: S311 - demo data
    for position, (slug, fa, en, icon) in enumerate(SERVICES):
        ServiceType.objects.update_or_create(
            slug=slug, defaults={"name_fa": fa, "name_en": en, "icon": icon, "position": position}
        )
    services = list(ServiceType.objects.all())
    countries = {c.iso_code: c for c in TargetCountry.objects.all()}
    for index, (fa, en, isos, offices) in enumerate(BROKERS):
        broker, created = Broker.objects.get_or_create(
            licence_number=f"EB-1403-{100 + index}",
            defaults={
                "name_fa": fa, "name_en": en, "offices": offices, "languages": ["fa", "en", "ar"][: 2 + index % 2],
                "description_fa": f"{fa}، کارگزار رسمی صادرات تجهیزات پزشکی به {len(isos)} کشور.",
                "description_en": f"{en}, a licensed export broker for medical equipment in {len(isos)} countries.",
                "phone": f"021{77000000 + index * 123}", "email": f"desk{index}@broker.example",
                "status": Broker.Status.PENDING if index >= 10 else Broker.Status.APPROVED,
            },
        )  # fmt: skip
        if created:
            broker.licence_file.save("licence.pdf", ContentFile(DEMO_PDF), save=True)
            broker.countries.set([countries[iso] for iso in isos if iso in countries])
            broker.services.set(rng.sample(services, 3))
    owner = demo_user(Role.BROKER_MEMBER)
    if not BrokerMembership.objects.filter(user=owner).exists():
        broker_member_add(
            broker=Broker.objects.order_by("pk").first(), user=owner, role=BrokerMembership.Role.OWNER
        )
    if not Offer.objects.exists():
        _seed_offers(rng)
    stdout.write(
        f"Brokers: {Broker.objects.count()} ({Broker.objects.approved().count()} approved); "
        f"offers: {Offer.objects.count()}; responses: {OfferResponse.objects.count()}; "
        f"{owner.email} works for {owner.broker_membership.broker.name_en}"
    )


def _seed_offers(rng: random.Random) -> None:
    today = timezone.localdate()
    categories = list(ProductCategory.objects.all())
    brokers = list(Broker.objects.approved().prefetch_related("countries"))
    for n in range(40):
        broker = brokers[n % len(brokers)]
        country = rng.choice(list(broker.countries.all()))
        category = rng.choice(categories)
        kind = Offer.Kind.SERVICE if n % 4 == 3 else Offer.Kind.DEMAND
        status = (
            Offer.Status.CLOSED if n % 9 == 8 else Offer.Status.DRAFT if n % 13 == 12 else Offer.Status.OPEN
        )
        if kind == Offer.Kind.DEMAND:
            quantity = (
                rng.choice([5_000, 20_000, 100_000, 500_000])
                if category.slug in ("masks", "ppe", "test-kits")
                else rng.choice([20, 50, 200])
            )
            title_fa, title_en = (
                f"نیاز خریدار در {country.name_fa} به {category.name_fa}",
                f"Buyer in {country.name_en} needs {category.name_en.lower()}",
            )
            desc_fa = f"یک توزیع‌کننده تجهیزات پزشکی در {country.name_fa} به {quantity:,} واحد {category.name_fa} نیاز دارد."
            desc_en = f"A medical distributor in {country.name_en} needs {quantity:,} units of {category.name_en.lower()}."
            low, high = UNIT_PRICES.get(category.slug, (1, 10))
            price = Decimal(str(round(rng.uniform(low, high), 2)))
        else:
            quantity, price = None, None
            title_fa, title_en = (
                f"حمل درب به درب به {country.name_fa}",
                f"Door-to-door shipping to {country.name_en}",
            )
            desc_fa = f"حمل یکپارچه و ترخیص کالا برای محموله‌های {category.name_fa} به {country.name_fa}."
            desc_en = f"Consolidated shipping and customs clearance of {category.name_en.lower()} to {country.name_en}."
        offer = Offer.objects.create(
            broker=broker, kind=kind, country=country, title_fa=title_fa, title_en=title_en,
            description_fa=desc_fa, description_en=desc_en, quantity=quantity, unit="piece" if quantity else "",
            target_price=price, deadline=today + timedelta(days=rng.randint(-10 if status == Offer.Status.CLOSED else 7, 90)),
            status=status, published_at=timezone.now() - timedelta(days=rng.randint(1, 40)) if status != Offer.Status.DRAFT else None,
            closed_at=timezone.now() if status == Offer.Status.CLOSED else None,
        )  # fmt: skip
        offer.categories.set([category])
        if kind == Offer.Kind.DEMAND and status != Offer.Status.DRAFT:
            _seed_responses(rng, offer, category)
    for n, iso in enumerate(["IQ", "OM", "KZ", "AF"]):
        product = Product.objects.public().order_by("pk")[n * 7]
        BuyerInquiry.objects.create(
            name=["Ali Hassan", "Salim Al-Harthy", "Aigerim Sadykova", "Ahmad Wali"][n],
            organisation=["Baghdad Medical City", "Muscat Health Supplies", "Almaty Pharm", "Herat Hospital"][n],
            country=TargetCountry.objects.get(iso_code=iso), email=f"buyer{n}@buyer.example",
            message="We are interested in regular monthly deliveries. Please send your best price and certificates.",
            product=product, company=product.company, status=BuyerInquiry.Status.ROUTED, routed_at=timezone.now(),
        )  # fmt: skip


def _seed_responses(rng: random.Random, offer: Offer, category: ProductCategory) -> None:
    companies = list(
        Company.objects.verified()
        .filter(products__category=category, products__status="published")
        .distinct()[:6]
    )
    for company in rng.sample(companies, min(len(companies), rng.randint(0, 3))):
        products = list(company.products.filter(category=category, status="published")[:2])
        status = rng.choice(["submitted", "submitted", "shortlisted", "accepted", "declined"])
        response = OfferResponse.objects.create(
            offer=offer, company=company, unit_price=products[0].fob_price, currency=products[0].currency,
            quantity=offer.quantity or 1, lead_time_days=products[0].lead_time_days,
            message="We can deliver in two shipments.", status=status,
            decided_at=timezone.now() if status in ("accepted", "declined") else None,
        )  # fmt: skip
        response.products.set(products)
