"""Demo brokers: service types, 12 brokerages, 40 offers of both kinds, responses, inquiries (claimed,
answered and converted in the inbox)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TextIO

from django.core.files.base import ContentFile
from django.utils import timezone

from companies.demo import DEMO_PDF
from companies.models import Company
from portal.demo import demo_member, demo_moment, demo_user, replayed_at
from portal.models import TargetCountry, User
from portal.permissions import Role
from products.models import Product, ProductCategory

from .mandates import mandate_grant, mandate_revoke
from .models import (
    Broker,
    BrokerMembership,
    BrokerService,
    BuyerInquiry,
    Engagement,
    Mandate,
    Offer,
    OfferResponse,
    Referral,
    ServiceType,
)
from .referrals import referral_accept, referral_create, referral_decline
from .services import (
    broker_approve,
    broker_member_add,
    broker_register,
    broker_service_create,
    engagement_act,
    engagement_book,
    engagement_rate,
    inquiry_claim,
    inquiry_convert,
    inquiry_reply,
    inquiry_submit,
    offer_close,
    offer_create,
    offer_expire,
    response_decide,
    response_submit,
)

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
    ("market-entry", "ورود به بازار هدف", "Market entry", "signpost-split"),
    ("translation", "ترجمه و مکاتبات تجاری", "Translation", "translate"),
]  # fmt: skip

# Arabic and Russian names of the service types, for buyers reading those languages.
SERVICE_NAMES_AR_RU = {
    "logistics": ("الشحن والخدمات اللوجستية", "Логистика"),
    "customs": ("التخليص الجمركي", "Таможенное оформление"),
    "market-research": ("أبحاث السوق", "Исследование рынка"),
    "matchmaking": ("مطابقة الأعمال B2B", "Подбор партнёров B2B"),
    "registration": ("التسجيل والاعتماد في الخارج", "Регистрация и сертификация за рубежом"),
    "trade-finance": ("التمويل التجاري", "Торговое финансирование"),
    "legal": ("الخدمات القانونية", "Юридические услуги"),
    "exhibitions": ("المعارض", "Выставки"),
    "marketing": ("التسويق", "Маркетинг"),
    "market-entry": ("دخول السوق", "Выход на рынок"),
    "translation": ("الترجمة", "Перевод"),
}

# The types brokerages declared at registration (the later ones are listed as services only).
DECLARED_SERVICES = 9

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

# The first brokerage registered this many days ago, the others every four days after.
REGISTERED_DAYS_AGO = 220


def seed(*, stdout: TextIO) -> None:
    """Each brokerage registered by one of its people and approved by the programme manager a
    few days later (the last two still wait); then offers, responses and inquiries, replayed."""
    rng = random.Random(1405_09)  # noqa: S311 - demo data
    today = timezone.localdate()  # now, not the replayed day of a registration
    for position, (slug, fa, en, icon) in enumerate(SERVICES):
        ServiceType.objects.update_or_create(
            slug=slug,
            defaults={
                "name_fa": fa,
                "name_en": en,
                "name_ar": SERVICE_NAMES_AR_RU[slug][0],
                "name_ru": SERVICE_NAMES_AR_RU[slug][1],
                "icon": icon,
                "position": position,
            },
        )
    services = list(ServiceType.objects.filter(slug__in=[slug for slug, *_ in SERVICES[:DECLARED_SERVICES]]))
    countries = {c.iso_code: c for c in TargetCountry.objects.all()}
    manager = demo_user(Role.PROGRAMME_MANAGER)
    for index, (fa, en, isos, offices) in enumerate(BROKERS):
        chosen = rng.sample(services, 3)
        licence = f"EB-1403-{100 + index}"
        if Broker.objects.filter(licence_number=licence).exists():
            continue
        registered = demo_moment(REGISTERED_DAYS_AGO - index * 4, hour=11, minutes=index)
        with replayed_at(registered):
            broker = broker_register(
                user=_registrant(index, en), services=chosen,
                countries=[countries[iso] for iso in isos if iso in countries],
                licence_number=licence, licence_file=ContentFile(DEMO_PDF, name="licence.pdf"),
                # One licence ends within the month (its members are warned), the others later.
                licence_expires_on=today + timedelta(days=20 if index == 1 else 200 + index * 30),
                name_fa=fa, name_en=en, offices=offices, languages=["fa", "en", "ar"][: 2 + index % 2],
                description_fa=f"{fa}، کارگزار رسمی صادرات تجهیزات پزشکی به {len(isos)} کشور.",
                description_en=f"{en}, a licensed export broker for medical equipment in {len(isos)} countries.",
                phone=f"021{77000000 + index * 123}", email=f"desk{index}@broker.example",
            )  # fmt: skip
        if index < 10:  # the last two still wait for the centre
            with replayed_at(registered + timedelta(days=rng.randint(1, 5), hours=rng.randint(1, 5))):
                broker_approve(broker=broker, by=manager)
    owner = demo_user(Role.BROKER_MEMBER)
    if not BrokerMembership.objects.filter(user=owner).exists():  # a database seeded before the replay
        broker_member_add(
            broker=Broker.objects.order_by("pk").first(), user=owner, role=BrokerMembership.Role.OWNER
        )
    if not Offer.objects.exists():
        _seed_offers(rng)
    if not BrokerService.objects.exists():
        _seed_services(rng)
    if not Referral.objects.exists():
        _seed_referrals()
    if not Mandate.objects.exists():
        _seed_mandates()
    stdout.write(
        f"Brokers: {Broker.objects.count()} ({Broker.objects.approved().count()} approved); "
        f"offers: {Offer.objects.count()}; responses: {OfferResponse.objects.count()}; "
        f"services: {BrokerService.objects.count()}; engagements: {Engagement.objects.count()}; "
        f"mandates: {Mandate.objects.count()}; "
        f"{owner.email} works for {owner.broker_membership.broker.name_en}"
    )


def _registrant(index: int, name_en: str) -> User:
    """Who registered brokerage `index`: the demo broker account for the first, else its owner."""
    if index == 0:
        return demo_user(Role.BROKER_MEMBER)
    slug = "".join(c if c.isalnum() else "-" for c in name_en.lower())
    return demo_member(f"owner@{slug}.demo.example", f"{name_en} (owner)", language="en")


def _member(organisation: Broker | Company) -> User:
    return organisation.memberships.order_by("pk").first().user


def _seed_offers(rng: random.Random) -> None:
    """Forty offers: most open, some closed by their broker, some expired past their deadline
    (the nightly expiry), a few drafts; the demand ones answered by companies and decided."""
    today = timezone.localdate()
    categories = list(ProductCategory.objects.all())
    brokers = list(Broker.objects.approved().order_by("pk").prefetch_related("countries"))
    for n in range(40):
        broker = brokers[n % len(brokers)]
        country = rng.choice(list(broker.countries.all()))
        category = rng.choice(categories)
        kind = Offer.Kind.SERVICE if n % 4 == 3 else Offer.Kind.DEMAND
        fate = "closed" if n % 9 == 8 else "expired" if n % 11 == 10 else "draft" if n % 13 == 12 else "open"
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
        # When it was written, its deadline, and when it stopped taking responses.
        if fate == "open" or fate == "draft":
            written = demo_moment(rng.randint(1, 40), hour=10, minutes=n)
            deadline, ends = today + timedelta(days=rng.randint(7, 90)), timezone.now()
        elif fate == "closed":
            written = demo_moment(rng.randint(25, 60), hour=10, minutes=n)
            deadline = written.date() + timedelta(days=rng.randint(30, 60))
            ends = written + timedelta(days=rng.randint(8, 20), hours=5)  # the broker found a supplier
        else:
            written = demo_moment(rng.randint(30, 70), hour=10, minutes=n)
            deadline = min(written.date() + timedelta(days=rng.randint(10, 25)), today - timedelta(days=2))
            ends = demo_moment((today - deadline).days - 1, hour=1)  # the nightly expiry, the day after
        with replayed_at(written):
            offer = offer_create(
                broker=broker, by=_member(broker), categories=[category], publish=fate != "draft",
                kind=kind, country=country, title_fa=title_fa, title_en=title_en,
                description_fa=desc_fa, description_en=desc_en, quantity=quantity,
                unit="piece" if quantity else "", target_price=price, deadline=deadline,
            )  # fmt: skip
        if kind == Offer.Kind.DEMAND and fate != "draft":
            _seed_responses(rng, offer, category, written, ends)
        if fate == "closed":
            with replayed_at(ends):
                offer_close(offer=offer)
        elif fate == "expired":
            with replayed_at(ends, at_night=True):
                offer_expire(offer=offer)
    for n, iso in enumerate(["IQ", "OM", "KZ", "AF"]):
        product = Product.objects.public().order_by("pk")[n * 7]
        with replayed_at(demo_moment([30, 21, 9, 2][n], hour=15, minutes=n * 7)):
            inquiry = inquiry_submit(
                source_ip=None, language="en",
                name=["Ali Hassan", "Salim Al-Harthy", "Aigerim Sadykova", "Ahmad Wali"][n],
                organisation=["Baghdad Medical City", "Muscat Health Supplies", "Almaty Pharm", "Herat Hospital"][n],
                country=TargetCountry.objects.get(iso_code=iso), email=f"buyer{n}@buyer.example",
                message="We are interested in regular monthly deliveries. Please send your best price and certificates.",
                product=product,
            )  # fmt: skip
        _seed_inbox(inquiry, n)


# What the inbox made of each demo inquiry: converted to a deal, answered, claimed, still new.
INBOX_STORIES = ["converted", "answered", "claimed", "new"]


def _seed_inbox(inquiry: BuyerInquiry, n: int) -> None:
    """A broker covering the buyer's country claims the inquiry the next morning and answers it
    (the older ones), as people do in the inbox."""
    story = INBOX_STORIES[n]
    broker = Broker.objects.approved().covering(inquiry.country).order_by("pk").first()
    if story == "new" or broker is None:
        return
    holder = _member(broker)
    days_ago = [30, 21, 9, 2][n]
    with replayed_at(demo_moment(days_ago - 1, hour=9, minutes=20)):
        inquiry_claim(inquiry=inquiry, by=holder)
    if story == "claimed":
        return
    with replayed_at(demo_moment(days_ago - 1, hour=11, minutes=5)):
        inquiry_reply(
            inquiry=inquiry, by=holder,
            body="Thank you for your inquiry. The maker can deliver monthly; our price list and the "
            "product's certificates are attached to our offer. Could you tell us the quantities?",
        )  # fmt: skip
    if story == "converted":
        with replayed_at(demo_moment(days_ago - 8, hour=14)):
            inquiry_convert(inquiry=inquiry, by=holder)


def _seed_responses(
    rng: random.Random, offer: Offer, category: ProductCategory, written: datetime, ends: datetime
) -> None:
    """Up to three companies answer between the offer's publication and its end; the broker
    decides on some of them before it ends."""
    span = ends - written
    answered = written + span * rng.uniform(0.15, 0.45)
    decided = written + span * rng.uniform(0.55, 0.9)
    companies = list(
        Company.objects.verified()
        .filter(
            products__category=category, products__status="published", products__published_at__lt=answered
        )
        .distinct()
        .order_by("pk")[:6]
    )
    for company in rng.sample(companies, min(len(companies), rng.randint(0, 3))):
        products = list(
            company.products.filter(
                category=category, status="published", published_at__lt=answered
            ).order_by("pk")[:2]
        )
        status = rng.choice(["submitted", "submitted", "shortlisted", "accepted", "declined"])
        with replayed_at(answered):
            response = response_submit(
                offer=offer, company=company, by=_member(company), products=products,
                unit_price=products[0].fob_price, currency=products[0].currency,
                quantity=offer.quantity or 1, lead_time_days=products[0].lead_time_days,
                message="We can deliver in two shipments.",
            )  # fmt: skip
        if status != "submitted":
            with replayed_at(decided):
                response_decide(response=response, status=status)


SERVICE_TEXTS = {
    "logistics": ("حمل دریایی و زمینی از بندرعباس و بازرگان", "Sea and road freight from Bandar Abbas and Bazargan"),
    "customs": ("ترخیص کالا در گمرک مقصد و پیگیری اسناد", "Customs clearance at destination and document follow-up"),
    "registration": ("ثبت تجهیزات پزشکی نزد وزارت بهداشت کشور مقصد", "Registering medical devices with the destination ministry of health"),
    "market-entry": ("مطالعه بازار، یافتن توزیع‌کننده و نخستین سفارش", "Market study, finding a distributor and the first order"),
    "translation": ("ترجمه کاتالوگ، برچسب و اسناد فنی", "Translating catalogues, labels and technical files"),
    "trade-finance": ("گشایش اعتبار اسنادی و ضمانت‌نامه", "Letters of credit and guarantees"),
}  # fmt: skip

FEES = [
    ("fixed", Decimal("1500"), None),
    ("per_shipment", Decimal("350"), None),
    ("percent", None, Decimal("2.5")),
]


def _seed_services(rng: random.Random) -> None:
    """Each approved brokerage lists two services; companies book some, and the bookings reach
    every step (requested, accepted, declined, delivered and rated, closed)."""
    types = {t.slug: t for t in ServiceType.objects.filter(slug__in=SERVICE_TEXTS)}
    listed = []
    for index, broker in enumerate(Broker.objects.approved().order_by("pk").prefetch_related("countries")):
        for offset in (0, 3):
            slug = list(SERVICE_TEXTS)[(index + offset) % len(SERVICE_TEXTS)]
            model, amount, percent = FEES[(index + offset) % len(FEES)]
            text_fa, text_en = SERVICE_TEXTS[slug]
            with replayed_at(demo_moment(60 - index, hour=9, minutes=offset)):
                listed.append(
                    broker_service_create(
                        broker=broker, countries=list(broker.countries.all()), service_type=types[slug],
                        fee_model=model, fee_amount=amount, fee_percent=percent, currency="USD",
                        description_fa=text_fa, description_en=text_en,
                    )
                )  # fmt: skip
    companies = list(Company.objects.verified().order_by("pk")[:6])
    fates = ["requested", "accepted", "declined", "delivered", "closed", "closed"]
    for n, company in enumerate(companies):
        service = listed[(n * 5) % len(listed)]
        broker_user = _member(service.broker)
        booked = demo_moment(30 - n * 4, hour=11, minutes=n)
        with replayed_at(booked):
            engagement = engagement_book(
                service=service, company=company, by=_member(company),
                message="ما برای نخستین محموله به این کشور به کمک شما نیاز داریم.",
            )  # fmt: skip
        fate = fates[n]
        steps = {
            "accepted": ["accept"], "declined": ["decline"], "delivered": ["accept", "deliver"],
            "closed": ["accept", "deliver"],
        }.get(fate, [])  # fmt: skip
        for day, step in enumerate(steps, start=1):
            with replayed_at(booked + timedelta(days=day * 2)):
                engagement_act(engagement=engagement, action=step, by=broker_user)
        if fate == "closed":
            with replayed_at(booked + timedelta(days=6)):
                engagement_rate(
                    engagement=engagement, by=_member(company), score=rng.randint(4, 5), comment=""
                )
                engagement_rate(engagement=engagement, by=broker_user, score=5, comment="")
                engagement_act(engagement=engagement, action="close", by=_member(company))


def _seed_mandates() -> None:
    """The demo company authorises the demo brokerage (Pars: Iraq, Syria, Oman, for its categories),
    which answers an open offer of another brokerage for it; an older mandate to another brokerage
    it revoked; another company's mandate to Pars that has expired."""
    today = timezone.localdate()  # now, not the replayed day of a grant
    company = demo_user(Role.COMPANY_MEMBER).company_membership.company
    company_user = demo_user(Role.COMPANY_MEMBER)
    pars = Broker.objects.order_by("pk").first()
    brokers = list(Broker.objects.publishing().exclude(pk=pars.pk).order_by("pk"))
    countries = {c.iso_code: c for c in TargetCountry.objects.filter(iso_code__in=["IQ", "SY", "OM"])}
    categories = list(
        ProductCategory.objects.filter(products__company=company, products__status="published").distinct()
    )
    if not (pars.is_publishing and brokers and categories and "IQ" in countries):
        return
    with replayed_at(demo_moment(40, hour=10)):
        older = mandate_grant(
            company=company, broker=brokers[0], by=company_user, countries=[countries["IQ"]],
            categories=categories[:1], valid_until=today + timedelta(days=300),
            note="برای نمایشگاه بغداد",
        )  # fmt: skip
    with replayed_at(demo_moment(12, hour=15)):
        mandate_revoke(mandate=older, by=company_user, note="کارگزار دیگری را برگزیدیم.")
    with replayed_at(demo_moment(10, hour=11)):
        mandate_grant(
            company=company, broker=pars, by=company_user,
            countries=[countries[iso] for iso in ("IQ", "SY", "OM") if iso in countries], categories=categories,
            valid_until=today + timedelta(days=180),
            note="نمایندگی در پاسخ به تقاضاهای خریداران عراقی، سوری و عمانی",
        )  # fmt: skip
    other = Company.objects.verified().exclude(pk=company.pk).order_by("pk").first()
    if other is not None:
        with replayed_at(demo_moment(120, hour=9)):
            mandate_grant(
                company=other, broker=pars, by=_member(other), countries=[countries["IQ"]],
                categories=list(ProductCategory.objects.order_by("position")[:2]),
                valid_until=today - timedelta(days=15),
            )  # fmt: skip
    _seed_response_for_company(company, pars)


def _seed_response_for_company(company: Company, pars: Broker) -> None:
    """Pars answers an open buyer demand of another brokerage for the demo company, in a country and
    for a category its mandate covers."""
    products = Product.objects.filter(company=company, status="published")
    offer = (
        Offer.objects.public()
        .filter(
            kind=Offer.Kind.DEMAND,
            country__iso_code__in=["IQ", "SY", "OM"],
            categories__products__in=products,
        )
        .exclude(broker=pars)
        .exclude(responses__company=company)
        .order_by("pk")
        .first()
    )
    if offer is None:
        return
    chosen = list(products.filter(category__in=offer.categories.all()).order_by("pk")[:1])
    with replayed_at(demo_moment(3, hour=10)):
        response_submit(
            offer=offer, company=company, broker=pars, by=demo_user(Role.BROKER_MEMBER), products=chosen,
            unit_price=chosen[0].fob_price, currency=chosen[0].currency, quantity=offer.quantity or 1,
            lead_time_days=chosen[0].lead_time_days, message="Sent for the company under its mandate.",
        )  # fmt: skip


def _seed_referrals() -> None:
    """Brokerages pass work to each other: Pars refers a company to Novin for Oman (accepted a
    month ago), Gulf Commerce refers one to Pars for Iraq (waiting for Pars's answer), and an
    inquiry held in the inbox is passed to another brokerage covering its country (declined)."""
    brokers = {b.name_en: b for b in Broker.objects.publishing()}
    pars, novin, gulf = (
        brokers.get(n) for n in ("Pars Export Brokers", "Novin Middle East Trading", "Gulf Commerce")
    )
    companies = list(Company.objects.verified().order_by("pk")[:2])
    if None in (pars, novin, gulf) or len(companies) < 2:
        return
    oman, iraq = TargetCountry.objects.get(iso_code="OM"), TargetCountry.objects.get(iso_code="IQ")
    with replayed_at(demo_moment(40, hour=10)):
        sent = referral_create(
            by=_member(pars), to_broker=novin, company=companies[0], country=oman, share_percent=15,
            note="They make nitrile gloves and look for a distributor in Muscat.",
        )  # fmt: skip
    with replayed_at(demo_moment(39, hour=9, minutes=30)):
        referral_accept(referral=sent, by=_member(novin))
    with replayed_at(demo_moment(3, hour=12)):
        referral_create(
            by=_member(gulf), to_broker=pars, company=companies[1], country=iraq,
            note="A Basra hospital group asked for their test kits; you have the Baghdad office.",
        )  # fmt: skip
    held = BuyerInquiry.objects.filter(status=BuyerInquiry.Status.CLAIMED).select_related("holder").first()
    holder_broker = getattr(getattr(held, "holder", None), "broker_membership", None)
    if held is None or holder_broker is None:
        return
    other = Broker.objects.publishing().covering(held.country).exclude(pk=holder_broker.broker_id).first()
    if other is None:
        return
    with replayed_at(demo_moment(1, hour=10)):
        passed = referral_create(by=held.holder, to_broker=other, inquiry=held)
    with replayed_at(demo_moment(1, hour=15)):
        referral_decline(referral=passed, by=_member(other))
