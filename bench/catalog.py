"""Reference data, accounts, companies and the product catalog of a generated data set.

Reference data (countries, categories, certifications, requirements) comes from the apps' demo
modules, so the bench measures the same world the demo shows; everything sized is generated
here with bulk inserts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from functools import cache

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from companies.demo import national_id
from companies.models import Company, CompanyMembership, Province
from portal.demo import COUNTRIES
from portal.models import Language, TargetCountry, User
from portal.permissions import Role
from products.demo import CATEGORIES, CERTIFICATIONS, REQUIREMENTS
from products.models import Certification, CountryRequirement, Product, ProductCategory, ProductCertification

from .context import BATCH, Build
from .words import (
    COMPANY_FIELDS,
    COMPANY_FORMS,
    COMPANY_PREFIXES,
    DESCRIPTION_SENTENCES,
    ITEMS,
    MODIFIERS,
    SPECIFICATIONS,
    STANDARDS,
    Item,
    persian_digits,
    persian_variant,
)

BENCH_PASSWORD = "bench-pass-1405"  # noqa: S105 - a published benchmark account password
# The countries the demo leaves without requirements still get some: every market regulates.
EXTRA_REQUIREMENTS = {"QA": {"*": ["iso-13485", "ce"]}, "KE": {"*": ["who-eul"]}, "TJ": {"*": ["eaeu"]}}
# How often a product holds each certification (the national licence most of all).
CERTIFICATION_WEIGHTS = {"irfda": 8, "ce": 5, "iso-13485": 5, "eaeu": 3, "who-eul": 2, "fda-eua": 1}
PROVINCES = [p for p in Province.values]


@dataclass
class CompanyPlan:
    """One generated company and what later steps need to know about it."""

    company: Company
    size: int
    categories: list[str]
    owner_id: int = 0
    language: str = Language.PERSIAN  # the owner's preferred language
    published: dict[str, list[int]] = field(default_factory=dict)  # category slug -> product ids


# ---------------------------------------------------------------------------
# Reference data
# ---------------------------------------------------------------------------
def create_reference_data(build: Build) -> None:
    """Countries, categories, certifications and each country's requirements per category."""
    for iso, fa, en, confirmed, (reg_fa, reg_en), (log_fa, log_en) in COUNTRIES:
        country, _ = TargetCountry.objects.get_or_create(
            iso_code=iso,
            defaults={
                "name_fa": fa, "name_en": en, "regulatory_notes_fa": reg_fa, "regulatory_notes_en": reg_en,
                "logistics_notes_fa": log_fa, "logistics_notes_en": log_en,
                "buyer_status": "confirmed" if confirmed else "prospective",
            },
        )  # fmt: skip
        build.countries.append(country)
    for position, (slug, fa, en, icon, dfa, den) in enumerate(CATEGORIES):
        build.categories[slug], _ = ProductCategory.objects.get_or_create(
            slug=slug,
            defaults={"name_fa": fa, "name_en": en, "icon": icon, "position": position,
                      "description_fa": dfa, "description_en": den},
        )  # fmt: skip
    for code, fa, en, issuer in CERTIFICATIONS:
        build.certifications[code], _ = Certification.objects.get_or_create(
            code=code, defaults={"name_fa": fa, "name_en": en, "issuer": issuer}
        )
    rules = {**REQUIREMENTS, **EXTRA_REQUIREMENTS}
    for country in build.countries:
        for slug, category in build.categories.items():
            for code in rules.get(country.iso_code, {}).get(
                slug, rules.get(country.iso_code, {}).get("*", [])
            ):
                CountryRequirement.objects.get_or_create(
                    country=country, category=category, certification=build.certifications[code]
                )


# ---------------------------------------------------------------------------
# Accounts
# ---------------------------------------------------------------------------
@cache
def password_hash() -> str:
    """One hash for every bench account: hashing thousands of passwords would take minutes."""
    return make_password(BENCH_PASSWORD, salt="benchsalt1405")


def create_staff(build: Build) -> None:
    """The superuser, reviewers and programme managers (staff in their role groups)."""
    password = password_hash()
    people = [("admin@bench.example", "مدیر سامانه", None, True)]
    for i in range(build.sizes.reviewers):
        people.append((f"reviewer{i}@bench.example", f"کارشناس {i}", Role.REVIEWER, False))
    for i in range(build.sizes.managers):
        people.append((f"manager{i}@bench.example", f"مدیر برنامه {i}", Role.PROGRAMME_MANAGER, False))
    users = User.objects.bulk_create(
        User(email=email, full_name=name, password=password, is_staff=True, is_superuser=superuser)
        for email, name, _, superuser in people
    )
    build.superuser_id = users[0].pk
    roles = [role for _, _, role, _ in people]
    build.reviewer_ids = [u.pk for u, r in zip(users, roles, strict=True) if r == Role.REVIEWER]
    build.manager_ids = [u.pk for u, r in zip(users, roles, strict=True) if r == Role.PROGRAMME_MANAGER]
    add_to_group(Role.REVIEWER, build.reviewer_ids)
    add_to_group(Role.PROGRAMME_MANAGER, build.manager_ids)


def add_to_group(role: Role, user_ids: list[int]) -> None:
    group = Group.objects.get(name=role.value)
    through = User.groups.through
    through.objects.bulk_create([through(user_id=pk, group_id=group.pk) for pk in user_ids], batch_size=BATCH)


def member_language(index: int) -> str:
    """One member in four prefers English."""
    return Language.PERSIAN if index % 4 else Language.ENGLISH


def create_members(build: Build, kind: str, names: list[str]) -> list[int]:
    """One user per organisation (`kind` is company or broker); return their ids in order."""
    password = password_hash()
    users = User.objects.bulk_create(
        (
            User(
                email=f"{kind}{i}@bench.example",
                full_name=name,
                password=password,
                preferred_language=member_language(i),
            )  # fmt: skip
            for i, name in enumerate(names)
        ),
        batch_size=BATCH,
    )
    return [u.pk for u in users]


# ---------------------------------------------------------------------------
# Companies
# ---------------------------------------------------------------------------
def company_sizes(build: Build) -> list[int]:
    """Products per company: the first (largest) about 300, most around 50, summing exactly."""
    products, count = build.sizes.products, build.sizes.companies
    if count == 1:
        return [products]
    largest = min(300, products // 2)
    rest = products - largest
    weights = [min(build.rng.lognormvariate(0, 0.5), 5.5) for _ in range(count - 1)]
    total = sum(weights)
    sizes = [max(1, math.floor(rest * w / total)) for w in weights]
    for i in range(rest - sum(sizes)):  # hand out what flooring left over
        sizes[i % len(sizes)] += 1
    while sum(sizes) > rest:  # very small data sets: the max(1, ...) floor overshot
        sizes[sizes.index(max(sizes))] -= 1
    return [largest, *sizes]


def company_name(index: int) -> tuple[str, str]:
    prefix = COMPANY_PREFIXES[index % len(COMPANY_PREFIXES)]
    trade = COMPANY_FIELDS[(index // len(COMPANY_PREFIXES)) % len(COMPANY_FIELDS)]
    form = COMPANY_FORMS[(index // (len(COMPANY_PREFIXES) * len(COMPANY_FIELDS))) % len(COMPANY_FORMS)]
    fa, en = form[0].format(name=f"{prefix[0]} {trade[0]}"), form[1].format(name=f"{prefix[1]} {trade[1]}")
    cycle = index // (len(COMPANY_PREFIXES) * len(COMPANY_FIELDS) * len(COMPANY_FORMS))
    return (f"{fa} {persian_digits(cycle + 1)}", f"{en} {cycle + 1}") if cycle else (fa, en)


def create_companies(build: Build) -> None:
    """Companies (the first one the largest, always verified) with one owner each."""
    rng, slugs = build.rng, list(build.categories)
    for index, size in enumerate(company_sizes(build)):
        fa, en = company_name(index)
        roll = rng.random()
        status = Company.Status.VERIFIED
        if index and roll < 0.07:
            status = Company.Status.PENDING
        elif index and roll < 0.10:
            status = Company.Status.SUSPENDED
        expiry = build.today + timedelta(days=rng.randint(90, 900))
        if rng.random() < 0.05:
            expiry = build.today + timedelta(days=rng.choice([-30, 10, 40]))
        province = rng.choice(PROVINCES)
        company = Company(
            name_fa=fa, name_en=en, national_id=national_id(50_000_000 + index),
            certificate_number=f"KB-{1399 + index % 6}-{10000 + index}", certificate_expiry=expiry,
            certificate_file="companies/certificates/bench.pdf",
            company_type=rng.choice(Company.Type.values), province=province,
            city=str(Province(province).label),
            address=f"شهرک علمی و تحقیقاتی، واحد {persian_digits(index + 1)}",
            phone=f"021{80000000 + index}", website=f"https://company{index}.example",
            profile_fa=f"{fa}، شرکت دانش‌بنیان تولیدکننده تجهیزات مقابله با کرونا.",
            profile_en=f"{en} is a knowledge-based manufacturer of anti-COVID equipment.",
            status=status, status_changed_at=build.now - timedelta(days=rng.randint(5, 600)),
            created_at=build.now - timedelta(days=rng.randint(30, 900)),
        )  # fmt: skip
        categories = rng.sample(slugs, rng.choice([1, 1, 2, 2, 3]))
        build.companies.append(CompanyPlan(company=company, size=size, categories=categories))
    Company.objects.bulk_create([plan.company for plan in build.companies], batch_size=BATCH)
    owners = create_members(build, "company", [f"عضو {p.company.name_fa}" for p in build.companies])
    CompanyMembership.objects.bulk_create(
        [
            CompanyMembership(company=plan.company, user_id=owner, role=CompanyMembership.Role.OWNER)
            for plan, owner in zip(build.companies, owners, strict=True)
        ],
        batch_size=BATCH,
    )
    for index, (plan, owner) in enumerate(zip(build.companies, owners, strict=True)):
        plan.owner_id, plan.language = owner, member_language(index)
    add_to_group(Role.COMPANY_MEMBER, owners)


# ---------------------------------------------------------------------------
# Products
# ---------------------------------------------------------------------------
def create_products(build: Build) -> list[int]:
    """Every company's products, their certificates and registrations; return the product ids."""
    product_ids: list[int] = []
    batch: list[tuple[CompanyPlan, Product]] = []
    for index, plan in enumerate(build.companies):
        for n in range(plan.size):
            batch.append((plan, _product(build, plan, index, n)))
            if len(batch) >= BATCH:
                product_ids += _insert_products(build, batch)
                batch = []
    if batch:
        product_ids += _insert_products(build, batch)
    return product_ids


def _product(build: Build, plan: CompanyPlan, index: int, n: int) -> Product:
    rng = build.rng
    slug = plan.categories[0] if rng.random() < 0.6 else rng.choice(plan.categories)
    item = rng.choice(ITEMS[slug])
    modifier_fa, modifier_en = rng.choice(MODIFIERS)
    model = f"{chr(65 + index % 26)}{chr(65 + (index // 26) % 26)}-{rng.randint(100, 9999)}"
    stem_fa = f"{item.fa} {modifier_fa}".strip()
    stem_en = capitalised(item.en) + (f", {modifier_en}" if modifier_en else "")
    typist = rng.random()  # one typist per product: the same habits in name and description
    stem_fa = persian_variant(stem_fa, typist)
    description_fa, description_en = _description(build, plan, item, typist)
    build.queries.add(stem_fa, stem_en, source="name")
    status = _product_status(rng)
    created = build.now - timedelta(days=rng.randint(1, 730), minutes=rng.randint(0, 1440))
    published = None
    if status != Product.Status.DRAFT:
        published = min(build.now, created + timedelta(days=rng.randint(0, 30), minutes=rng.randint(0, 600)))
    low, high = item.price
    specs = rng.sample(SPECIFICATIONS[slug], 2)
    return Product(
        company=plan.company, category=build.categories[slug],
        name_fa=f"{stem_fa} مدل {model}", name_en=f"{stem_en}, model {model}",
        description_fa=description_fa, description_en=description_en,
        specifications_fa="\n".join(s[0] for s in specs), specifications_en="\n".join(s[1] for s in specs),
        hs_code=item.hs_code, monthly_capacity=max(1, int(item.capacity * rng.uniform(0.3, 1.5))),
        capacity_unit=item.unit, minimum_order=max(1, int(item.capacity * rng.uniform(0.005, 0.05))),
        fob_price=Decimal(str(round(rng.uniform(low, high), 2))),
        currency=Product.Currency.USD if rng.random() < 0.8 else rng.choice(Product.Currency.values),
        lead_time_days=rng.choice([7, 10, 14, 21, 30, 45]), status=status, published_at=published,
        created_at=created,
    )  # fmt: skip


def capitalised(text: str) -> str:
    """The first letter upper-case, the rest as written ("N95 respirator", "ICU ventilator")."""
    return text[:1].upper() + text[1:]


def _product_status(rng) -> str:  # noqa: ANN001 - random.Random
    roll = rng.random()
    if roll < 0.09:
        return Product.Status.DRAFT
    if roll < 0.15:
        return Product.Status.ARCHIVED
    return Product.Status.PUBLISHED


def _description(build: Build, plan: CompanyPlan, item: Item, typist: float) -> tuple[str, str]:
    """Two to four sentences in each language, the first naming the item and the maker."""
    rng = build.rng
    chosen = [0, *rng.sample(range(1, len(DESCRIPTION_SENTENCES)), rng.randint(1, 3))]
    capacity = f"{item.capacity:,}"
    values = {
        "item_fa": item.fa, "item_en": capitalised(item.en), "standard": rng.choice(STANDARDS),
        "company_fa": plan.company.name_fa, "company_en": plan.company.name_en,
    }  # fmt: skip
    fa = [persian_variant(DESCRIPTION_SENTENCES[i][0].format(**values, n="{n}"), typist) for i in chosen]
    en = [DESCRIPTION_SENTENCES[i][1].format(**values, n="{n}") for i in chosen]
    # The figures differ per product: the collector sees a phrase break in their place.
    build.queries.add(*(s.replace("{n}", "|") for s in fa + en))
    return (
        " ".join(fa).replace("{n}", persian_digits(capacity)),
        " ".join(en).replace("{n}", capacity),
    )


def _insert_products(build: Build, batch: list[tuple[CompanyPlan, Product]]) -> list[int]:
    Product.objects.bulk_create([product for _, product in batch])
    for plan, product in batch:
        if product.status == Product.Status.PUBLISHED:
            plan.published.setdefault(product.category.slug, []).append(product.pk)
    _certify(build, [product for _, product in batch])
    _register(build, [product for _, product in batch])
    return [product.pk for _, product in batch]


def _certify(build: Build, products: list[Product]) -> None:
    """1-3 certificates per product: about 10% expired and 10% expiring within two months.

    All verified by a programme manager (taken by product id, so the random stream and with it
    the rest of the data set stay as they were): only verified certificates make a product
    ready for a country, and the bench's "ready for" pages must list products."""
    rng, codes = build.rng, list(CERTIFICATION_WEIGHTS)
    weights = list(CERTIFICATION_WEIGHTS.values())
    rows = []
    for product in products:
        checked = build.now - timedelta(days=1 + product.pk % 180)
        held: set[str] = set()
        for _ in range(rng.choice([1, 2, 2, 3])):
            held.add(rng.choices(codes, weights)[0])
        for code in sorted(held):
            roll = rng.random()
            expiry = build.today + timedelta(days=rng.randint(120, 1000))
            if roll < 0.1:
                expiry = build.today - timedelta(days=rng.randint(10, 400))
            elif roll < 0.2:
                expiry = build.today + timedelta(days=rng.randint(5, 55))
            certification = build.certifications[code]
            rows.append(
                ProductCertification(
                    product=product,
                    certification=certification,
                    issuer=certification.issuer,
                    number=f"{code.upper()}-{product.pk}-{rng.randint(1000, 9999)}",
                    expiry_date=expiry,
                    status=ProductCertification.Status.VERIFIED,
                    submitted_at=checked - timedelta(days=3),
                    reviewed_at=checked,
                    reviewed_by_id=build.manager_ids[product.pk % len(build.manager_ids)],
                )  # fmt: skip
            )
    ProductCertification.objects.bulk_create(rows, batch_size=BATCH)


def _register(build: Build, products: list[Product]) -> None:
    """Each product is already registered in 0-3 target countries."""
    through = Product.registered_countries.through
    rows = []
    for product in products:
        for country in build.rng.sample(build.countries, build.rng.choice([0, 0, 1, 1, 2, 3])):
            rows.append(through(product_id=product.pk, targetcountry_id=country.pk))
    through.objects.bulk_create(rows, batch_size=BATCH)
