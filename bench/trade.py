"""Brokers, their offers, companies' responses to them, and buyer inquiries."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from brokers.demo import SERVICES, UNIT_PRICES
from brokers.models import Broker, BrokerMembership, BuyerInquiry, Offer, OfferResponse, ServiceType
from companies.models import Company
from portal.permissions import Role

from .catalog import COMPANY_PREFIXES, CompanyPlan, add_to_group, create_members
from .context import BATCH, Build
from .words import BROKER_PREFIXES, persian_digits

BROKER_LANGUAGES = ["fa", "en", "ar", "ru", "tr", "az"]
DECIDED = (OfferResponse.Status.ACCEPTED, OfferResponse.Status.DECLINED)
DEMAND_FA = "یک توزیع‌کننده تجهیزات پزشکی در {country_fa} به {amount} واحد {category_fa} نیاز دارد."


def create_brokers(build: Build) -> None:
    """Brokerages (most approved) with their services, covered countries and one owner each."""
    rng = build.rng
    services = [
        ServiceType.objects.get_or_create(
            slug=slug, defaults={"name_fa": fa, "name_en": en, "icon": icon, "position": position}
        )[0]
        for position, (slug, fa, en, icon) in enumerate(SERVICES)
    ]
    for index in range(build.sizes.brokers):
        kind_fa, kind_en = BROKER_PREFIXES[index % len(BROKER_PREFIXES)]
        name_fa, name_en = COMPANY_PREFIXES[(index * 7) % len(COMPANY_PREFIXES)]
        serial = index // len(BROKER_PREFIXES) + 1
        roll = rng.random()
        status = Broker.Status.APPROVED
        if index and roll < 0.08:
            status = Broker.Status.PENDING
        elif index and roll < 0.12:
            status = rng.choice([Broker.Status.SUSPENDED, Broker.Status.REJECTED])
        broker = Broker(
            name_fa=f"{kind_fa} {name_fa} {persian_digits(serial)}", name_en=f"{name_en} {kind_en} {serial}",
            licence_number=f"EB-{1400 + index % 5}-{index:05d}", licence_file="brokers/licences/bench.pdf",
            languages=rng.sample(BROKER_LANGUAGES, rng.randint(2, 4)), offices="تهران، بغداد",
            description_fa=f"{kind_fa} {name_fa}، کارگزار رسمی صادرات تجهیزات پزشکی.",
            description_en=f"{name_en} {kind_en}, a licensed export broker for medical equipment.",
            phone=f"021{77000000 + index}", email=f"desk{index}@broker.bench.example", status=status,
            created_at=build.now - timedelta(days=rng.randint(30, 900)),
        )  # fmt: skip
        broker.bench_countries = rng.sample(build.countries, rng.randint(2, 4))
        broker.bench_services = rng.sample(services, rng.randint(2, 4))
        build.brokers.append(broker)
    Broker.objects.bulk_create(build.brokers, batch_size=BATCH)
    _broker_relations(build)
    owners = create_members(build, "broker", [f"کارگزار {b.name_fa}" for b in build.brokers])
    BrokerMembership.objects.bulk_create(
        [
            BrokerMembership(broker=broker, user_id=owner, role=BrokerMembership.Role.OWNER)
            for broker, owner in zip(build.brokers, owners, strict=True)
        ],
        batch_size=BATCH,
    )
    for broker, owner in zip(build.brokers, owners, strict=True):
        broker.bench_owner_id = owner
    add_to_group(Role.BROKER_MEMBER, owners)


def _broker_relations(build: Build) -> None:
    countries, services = Broker.countries.through, Broker.services.through
    countries.objects.bulk_create(
        [countries(broker_id=b.pk, targetcountry_id=c.pk) for b in build.brokers for c in b.bench_countries],
        batch_size=BATCH,
    )
    services.objects.bulk_create(
        [services(broker_id=b.pk, servicetype_id=s.pk) for b in build.brokers for s in b.bench_services],
        batch_size=BATCH,
    )


# ---------------------------------------------------------------------------
# Offers and responses
# ---------------------------------------------------------------------------
def create_offers(build: Build) -> list[Offer]:
    """Offers of (mostly approved) brokers: 60% open, 30% closed, 10% drafts; 3 in 4 buyer demands."""
    rng = build.rng
    approved = [b for b in build.brokers if b.status == Broker.Status.APPROVED] or build.brokers
    slugs = list(build.categories)
    offers, categories = [], []
    for _ in range(build.sizes.offers):
        broker = rng.choice(approved) if rng.random() < 0.95 else rng.choice(build.brokers)
        chosen = rng.sample(slugs, rng.choice([1, 1, 1, 2]))
        offers.append(_offer(build, broker, chosen[0]))
        categories.append(chosen)
    Offer.objects.bulk_create(offers, batch_size=BATCH)
    through = Offer.categories.through
    through.objects.bulk_create(
        [
            through(offer_id=offer.pk, productcategory_id=build.categories[slug].pk)
            for offer, chosen in zip(offers, categories, strict=True)
            for slug in chosen
        ],
        batch_size=BATCH,
    )
    for offer, chosen in zip(offers, categories, strict=True):
        offer.bench_category = chosen[0]
    return offers


def _offer(build: Build, broker: Broker, slug: str) -> Offer:
    rng, category = build.rng, build.categories[slug]
    country = rng.choice(broker.bench_countries)
    kind = Offer.Kind.DEMAND if rng.random() < 0.75 else Offer.Kind.SERVICE
    roll = rng.random()
    status = Offer.Status.OPEN if roll < 0.6 else Offer.Status.CLOSED if roll < 0.9 else Offer.Status.DRAFT
    published = build.now - timedelta(days=rng.randint(3, 240), minutes=rng.randint(0, 1440))
    if status == Offer.Status.OPEN:
        published = build.now - timedelta(days=rng.randint(3, 60), minutes=rng.randint(0, 1440))
        deadline = build.today + timedelta(days=rng.randint(7, 120))
    elif status == Offer.Status.CLOSED:
        deadline = min(build.today - timedelta(days=1), published.date() + timedelta(days=rng.randint(7, 60)))
    else:
        deadline = build.today + timedelta(days=rng.randint(10, 90))
    values = {"country_fa": country.name_fa, "country_en": country.name_en,
              "category_fa": category.name_fa, "category_en": category.name_en.lower()}  # fmt: skip
    quantity = price = None
    if kind == Offer.Kind.DEMAND:
        bulk = slug in ("masks", "ppe", "test-kits", "disinfectants")
        quantity = rng.choice([5_000, 20_000, 100_000, 500_000] if bulk else [20, 50, 200])
        low, high = UNIT_PRICES.get(slug, (1, 10))
        price = Decimal(str(round(rng.uniform(low, high), 2)))
        title_fa = "نیاز خریدار در {country_fa} به {category_fa}".format(**values)
        title_en = "Buyer in {country_en} needs {category_en}".format(**values)
        amount_fa = persian_digits(f"{quantity:,}")
        desc_fa = DEMAND_FA.format(**values, amount=amount_fa)
        desc_en = (
            f"A medical distributor in {country.name_en} needs {quantity:,} units of {values['category_en']}."
        )
    else:
        title_fa = "حمل درب به درب {category_fa} به {country_fa}".format(**values)
        title_en = "Door-to-door shipping of {category_en} to {country_en}".format(**values)
        desc_fa = "حمل یکپارچه و ترخیص کالا برای محموله‌های {category_fa} به {country_fa}.".format(**values)
        desc_en = "Consolidated shipping and customs clearance of {category_en} to {country_en}.".format(
            **values
        )
    return Offer(
        broker=broker, kind=kind, country=country, title_fa=title_fa, title_en=title_en,
        description_fa=desc_fa, description_en=desc_en, quantity=quantity,
        unit="piece" if quantity else "", target_price=price, deadline=deadline, status=status,
        published_at=None if status == Offer.Status.DRAFT else published,
        closed_at=build.now - timedelta(days=rng.randint(0, 30)) if status == Offer.Status.CLOSED else None,
        created_by_id=broker.bench_owner_id, created_at=published - timedelta(hours=rng.randint(1, 72)),
    )  # fmt: skip


def create_responses(build: Build, offers: list[Offer]) -> int:
    """Verified companies' proposals to published buyer demands (one per company and offer)."""
    rng = build.rng
    demands = [o for o in offers if o.kind == Offer.Kind.DEMAND and o.status != Offer.Status.DRAFT]
    makers: dict[str, list[CompanyPlan]] = {}
    for plan in build.companies:
        if plan.company.status == Company.Status.VERIFIED:
            for slug in plan.published:
                makers.setdefault(slug, []).append(plan)
    taken: set[tuple[int, int]] = set()
    responses, products = [], []
    for _ in range(build.sizes.responses * 3):  # bounded: tiny data sets may run out of pairs
        if len(responses) >= build.sizes.responses or not demands:
            break
        offer = rng.choice(demands)
        candidates = makers.get(offer.bench_category)
        if not candidates:
            continue
        plan = rng.choice(candidates)
        if (offer.pk, plan.company.pk) in taken:
            continue
        taken.add((offer.pk, plan.company.pk))
        own = plan.published[offer.bench_category]
        responses.append(_response(build, offer, plan))
        products.append(rng.sample(own, min(len(own), rng.choice([1, 1, 2]))))
    OfferResponse.objects.bulk_create(responses, batch_size=BATCH)
    through = OfferResponse.products.through
    through.objects.bulk_create(
        [
            through(offerresponse_id=response.pk, product_id=product_id)
            for response, chosen in zip(responses, products, strict=True)
            for product_id in chosen
        ],
        batch_size=BATCH,
    )
    return len(responses)


def _response(build: Build, offer: Offer, plan: CompanyPlan) -> OfferResponse:
    rng = build.rng
    statuses = ["submitted"] * 6 + ["shortlisted"] * 2 + ["declined", "accepted"]
    if offer.status == Offer.Status.CLOSED:
        statuses = ["declined"] * 5 + ["accepted"] * 2 + ["shortlisted", "submitted"]
    status = rng.choice(statuses)
    created = offer.published_at + timedelta(hours=rng.randint(1, 24 * 14))
    created = min(created, build.now - timedelta(minutes=rng.randint(1, 600)))
    price = offer.target_price * Decimal(str(round(rng.uniform(0.8, 1.2), 2)))
    return OfferResponse(
        offer=offer, company=plan.company, unit_price=price.quantize(Decimal("0.01")),
        currency=offer.currency, quantity=max(1, int((offer.quantity or 1) * rng.uniform(0.2, 1))),
        lead_time_days=rng.choice([7, 14, 21, 30]), status=status, created_by_id=plan.owner_id,
        message=rng.choice(["We can deliver in two shipments.", "تحویل در دو محموله امکان‌پذیر است.", ""]),
        decided_at=created + timedelta(days=rng.randint(1, 10)) if status in DECIDED else None,
        created_at=created,
    )  # fmt: skip


def create_inquiries(build: Build) -> None:
    """Buyers' messages about public products, already routed to the brokers of their country."""
    rng = build.rng
    sellers = [p for p in build.companies if p.published and p.company.status == Company.Status.VERIFIED]
    inquiries = []
    for n in range(build.sizes.inquiries if sellers else 0):
        plan = rng.choice(sellers)
        product_id = rng.choice(plan.published[rng.choice(list(plan.published))])
        country = rng.choice(build.countries)
        created = build.now - timedelta(days=rng.randint(1, 300), minutes=rng.randint(0, 1440))
        inquiries.append(
            BuyerInquiry(
                name=f"Buyer {n}",
                organisation=f"{country.name_en} Medical Supplies {n}",
                country=country,
                email=f"buyer{n}@buyer.bench.example",
                product_id=product_id,
                company=plan.company,
                message="We are interested in regular monthly deliveries. Please send your best price.",
                status=rng.choice(
                    [BuyerInquiry.Status.ROUTED] * 3
                    + [BuyerInquiry.Status.ANSWERED, BuyerInquiry.Status.CLOSED]
                ),
                routed_at=created + timedelta(minutes=rng.randint(1, 30)),
                routed_to=rng.randint(1, 6),
                language=rng.choice(["en", "ar", "ru"]),
                created_at=created,
            )  # fmt: skip
        )
    BuyerInquiry.objects.bulk_create(inquiries, batch_size=BATCH)
