"""Demo catalog: categories, certifications, country requirements and about 150 products, whose
certificates the centre has mostly verified, some still wait in the staff queue, a few rejected."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TextIO

from django.core.files.base import ContentFile
from django.db.models import Count
from django.utils import timezone

from companies.demo import DEMO_PDF
from companies.models import Company
from portal.demo import demo_moment, demo_user, replayed_at
from portal.models import TargetCountry, User
from portal.permissions import Role

from .models import Certification, CountryRequirement, Product, ProductCategory, ProductCertification
from .services import (
    product_archive,
    product_certificate_add,
    product_certificate_update,
    product_create,
    product_publish,
)

CATEGORIES = [
    # slug, fa, en, icon, description fa, description en
    ("masks", "ماسک و رسپیراتور", "Masks and respirators", "virus", "ماسک‌های پزشکی و رسپیراتورهای N95 و FFP", "Medical masks and N95/FFP respirators"),
    ("ventilators", "ونتیلاتور", "Ventilators", "lungs", "ونتیلاتورهای ICU، پرتابل و CPAP", "ICU, portable and CPAP ventilators"),
    ("test-kits", "کیت تشخیص", "Test kits", "clipboard2-pulse", "کیت‌های PCR و تست سریع", "PCR and rapid test kits"),
    ("disinfectants", "مواد ضدعفونی‌کننده", "Disinfectants", "droplet-half", "ضدعفونی‌کننده‌های دست و سطوح", "Hand and surface disinfectants"),
    ("oxygen", "اکسیژن‌ساز", "Oxygen concentrators", "wind", "اکسیژن‌سازهای خانگی و بیمارستانی", "Home and hospital oxygen concentrators"),
    ("ppe", "تجهیزات حفاظت فردی", "Personal protective equipment", "shield-plus", "گان، شیلد، دستکش و لباس ایزوله", "Gowns, face shields, gloves and isolation suits"),
]  # fmt: skip

CERTIFICATIONS = [
    ("ce", "نشان CE", "CE marking", "EU notified body"),
    ("fda-eua", "مجوز اضطراری FDA", "FDA Emergency Use Authorization", "US FDA"),
    ("iso-13485", "ایزو ۱۳۴۸۵", "ISO 13485", "Accredited certification body"),
    ("irfda", "پروانه اداره کل تجهیزات پزشکی", "National medical devices licence (IMED)", "Iran FDA / IMED"),
    ("who-eul", "فهرست استفاده اضطراری WHO", "WHO Emergency Use Listing", "World Health Organization"),
    ("eaeu", "اعلامیه انطباق EAEU", "EAEU declaration of conformity", "Eurasian Economic Union"),
]  # fmt: skip

# Arabic and Russian names of the categories and certifications, for buyers reading those languages.
NAMES_AR_RU = {
    "masks": ("الكمامات وأجهزة التنفس", "Маски и респираторы"),
    "ventilators": ("أجهزة التنفس الاصطناعي", "Аппараты ИВЛ"),
    "test-kits": ("مجموعات الفحص", "Тест-системы"),
    "disinfectants": ("المطهرات", "Дезинфицирующие средства"),
    "oxygen": ("مكثفات الأكسجين", "Кислородные концентраторы"),
    "ppe": ("معدات الحماية الشخصية", "Средства индивидуальной защиты"),
    "ce": ("علامة CE", "Маркировка CE"),
    "fda-eua": ("ترخيص الاستخدام الطارئ من FDA", "Разрешение FDA на экстренное применение"),
    "iso-13485": ("ISO 13485", "ISO 13485"),
    "irfda": ("الترخيص الوطني للأجهزة الطبية (IMED)", "Национальная лицензия на медицинские изделия (IMED)"),
    "who-eul": ("قائمة الاستخدام الطارئ لمنظمة الصحة العالمية", "Список ВОЗ для экстренного применения"),
    "eaeu": ("إعلان المطابقة للاتحاد الاقتصادي الأوراسي", "Декларация о соответствии ЕАЭС"),
}

# country -> category -> certifications the country requires
REQUIREMENTS = {
    "IQ": {"*": ["irfda"], "test-kits": ["irfda", "ce"]},
    "AF": {"*": ["irfda"]},
    "SY": {"*": ["irfda"], "test-kits": ["irfda", "who-eul"]},
    "LB": {"*": ["ce"]},
    "AM": {"*": ["eaeu"]},
    "AZ": {"*": ["iso-13485"]},
    "TM": {"*": ["irfda"]},
    "KZ": {"*": ["eaeu", "iso-13485"]},
    "RU": {"*": ["eaeu"]},
    "OM": {"*": ["iso-13485", "ce"]},
    "PK": {"*": ["iso-13485"]},
}

PRODUCTS = {
    "masks": [
        ("ماسک سه‌لایه پزشکی", "Three-ply medical mask", "630790", "piece", (0.04, 0.09), 2_000_000, ["فیلتر ملت‌بلون BFE ≥ ۹۸٪", "گیره بینی آلومینیومی"], ["Melt-blown filter, BFE ≥ 98%", "Aluminium nose clip"]),
        ("رسپیراتور N95", "N95 respirator", "630790", "piece", (0.25, 0.6), 500_000, ["کارایی فیلتراسیون ۹۵٪", "بدون سوپاپ"], ["95% filtration efficiency", "Valveless"]),
        ("رسپیراتور FFP3 سوپاپ‌دار", "FFP3 respirator with valve", "630790", "piece", (0.8, 1.5), 200_000, ["کارایی ۹۹٪", "سوپاپ بازدم"], ["99% efficiency", "Exhalation valve"]),
    ],
    "ventilators": [
        ("ونتیلاتور ICU", "ICU ventilator", "901920", "device", (9000, 18000), 40, ["حالت‌های VCV، PCV و SIMV", "نمایشگر لمسی ۱۵ اینچ"], ["VCV, PCV and SIMV modes", "15-inch touch screen"]),
        ("ونتیلاتور پرتابل", "Portable ventilator", "901920", "device", (3500, 7000), 120, ["باتری ۴ ساعته", "وزن ۴٫۵ کیلوگرم"], ["4-hour battery", "4.5 kg"]),
        ("دستگاه CPAP", "CPAP machine", "901920", "device", (450, 900), 600, ["فشار ۴ تا ۲۰ سانتی‌متر آب", "مرطوب‌کننده داخلی"], ["4-20 cmH2O pressure", "Built-in humidifier"]),
    ],
    "test-kits": [
        ("کیت RT-PCR کرونا", "COVID-19 RT-PCR kit", "382200", "kit", (4, 9), 300_000, ["۹۶ تست در هر کیت", "حساسیت ۹۸٪"], ["96 tests per kit", "98% sensitivity"]),
        ("کیت تست سریع آنتی‌ژن", "Rapid antigen test", "382200", "kit", (1.2, 3), 1_000_000, ["نتیجه در ۱۵ دقیقه", "نمونه سواب بینی"], ["Result in 15 minutes", "Nasal swab"]),
        ("کیت استخراج RNA", "RNA extraction kit", "382200", "kit", (2.5, 6), 200_000, ["۵۰ استخراج", "روش ستونی"], ["50 extractions", "Spin column"]),
    ],
    "disinfectants": [
        ("محلول ضدعفونی دست ۷۰٪", "70% hand sanitiser", "380894", "litre", (1.5, 3), 400_000, ["اتانول ۷۰٪", "حاوی گلیسیرین"], ["70% ethanol", "With glycerine"]),
        ("ضدعفونی‌کننده سطوح", "Surface disinfectant", "380894", "litre", (1, 2.5), 600_000, ["پایه آمونیوم چهارتایی", "بدون الکل"], ["Quaternary ammonium base", "Alcohol-free"]),
        ("ژل ضدعفونی جیبی", "Pocket sanitiser gel", "380894", "piece", (0.3, 0.8), 900_000, ["۶۰ میلی‌لیتر", "رایحه لیمو"], ["60 ml", "Lemon scent"]),
    ],
    "oxygen": [
        ("اکسیژن‌ساز ۵ لیتری", "5-litre oxygen concentrator", "901920", "device", (380, 650), 1_500, ["خلوص ۹۳٪ ± ۳", "صدای کمتر از ۴۵ دسی‌بل"], ["93% ± 3 purity", "Below 45 dB"]),
        ("اکسیژن‌ساز ۱۰ لیتری", "10-litre oxygen concentrator", "901920", "device", (700, 1200), 800, ["دو خروجی", "هشدار خلوص پایین"], ["Dual outlet", "Low-purity alarm"]),
        ("پالس اکسیمتر انگشتی", "Fingertip pulse oximeter", "901819", "device", (6, 15), 50_000, ["نمایشگر OLED", "دقت ±۲٪"], ["OLED display", "±2% accuracy"]),
    ],
    "ppe": [
        ("گان جراحی یک‌بار مصرف", "Disposable surgical gown", "621010", "piece", (0.9, 2.2), 300_000, ["اسپان‌باند ۴۰ گرمی", "مچ کشی"], ["40 gsm spunbond", "Knitted cuffs"]),
        ("شیلد محافظ صورت", "Face shield", "392690", "piece", (0.3, 0.9), 500_000, ["طلق PET ضدبخار", "بند قابل تنظیم"], ["Anti-fog PET visor", "Adjustable strap"]),
        ("دستکش نیتریل", "Nitrile gloves", "401519", "box", (3, 6), 200_000, ["۱۰۰ عدد در جعبه", "بدون پودر"], ["100 per box", "Powder-free"]),
        ("لباس ایزوله سطح ۳", "Level 3 isolation suit", "621010", "piece", (2.5, 6), 120_000, ["مقاوم در برابر مایعات", "درزهای دوخته و چسبیده"], ["Fluid resistant", "Stitched and taped seams"]),
    ],
}  # fmt: skip


def seed(*, stdout: TextIO) -> None:
    rng = random.Random(14050908)  # noqa: S311 - demo data, not security
    today = timezone.localdate()
    categories = {}
    for position, (slug, fa, en, icon, dfa, den) in enumerate(CATEGORIES):
        categories[slug], _ = ProductCategory.objects.update_or_create(
            slug=slug,
            defaults={
                "name_fa": fa,
                "name_en": en,
                "name_ar": NAMES_AR_RU[slug][0],
                "name_ru": NAMES_AR_RU[slug][1],
                "icon": icon,
                "description_fa": dfa,
                "description_en": den,
                "position": position,
            },
        )
    certifications = {}
    for code, fa, en, issuer in CERTIFICATIONS:
        certifications[code], _ = Certification.objects.update_or_create(
            code=code,
            defaults={
                "name_fa": fa,
                "name_en": en,
                "name_ar": NAMES_AR_RU[code][0],
                "name_ru": NAMES_AR_RU[code][1],
                "issuer": issuer,
            },
        )
    countries = {c.iso_code: c for c in TargetCountry.objects.all()}
    for iso, rules in REQUIREMENTS.items():
        for slug, category in categories.items():
            for code in rules.get(slug, rules["*"]):
                CountryRequirement.objects.get_or_create(
                    country=countries[iso], category=category, certification=certifications[code]
                )
    if Product.objects.exists():
        stdout.write(f"Products: {Product.objects.count()} (already seeded)")
        _check_certificates(stdout)
        return
    slugs = list(PRODUCTS)
    manager = demo_user(Role.PROGRAMME_MANAGER)
    decisions = random.Random(14050909)  # noqa: S311 - demo data, not security
    for index, company in enumerate(Company.objects.order_by("pk")):
        specialties = [slugs[index % len(slugs)], slugs[(index * 7 + 3) % len(slugs)]]
        registered = company.created_at
        for n in range(5):
            slug = specialties[n % 2]
            name_fa, name_en, hs, unit, (low, high), capacity, specs_fa, specs_en = rng.choice(PRODUCTS[slug])
            model = f"{chr(65 + index % 26)}{100 + n * 10 + index}"
            registered_in = rng.sample(list(countries.values()), rng.randint(0, 3))
            written = registered + timedelta(days=2 + n * 3, hours=n)  # after the company registered
            papers = []
            for code in rng.sample(list(certifications), rng.randint(1, 4)):
                roll = rng.random()
                expiry = today + timedelta(days=rng.randint(120, 1000))
                if roll < 0.1:  # valid when declared, lapsed since
                    expiry = max(
                        today - timedelta(days=rng.randint(10, 200)), written.date() + timedelta(days=7)
                    )
                elif roll < 0.2:
                    expiry = today + timedelta(days=rng.randint(5, 55))
                papers.append((code, f"{code.upper()}-{rng.randint(10000, 99999)}", expiry))
            with replayed_at(written):
                product = product_create(
                    company=company,
                    registered_countries=registered_in,
                    category=categories[slug],
                    name_fa=f"{name_fa} مدل {model}",
                    name_en=f"{name_en}, model {model}",
                    description_fa=f"{name_fa} ساخت {company.name_fa}، مطابق استانداردهای بین‌المللی و آماده صادرات.",
                    description_en=f"{name_en} made by {company.name_en}, built to international standards and ready for export.",
                    specifications_fa="\n".join(specs_fa),
                    specifications_en="\n".join(specs_en),
                    hs_code=hs,
                    monthly_capacity=max(1, int(capacity * rng.uniform(0.3, 1.5))),
                    capacity_unit=unit,
                    minimum_order=max(1, int(capacity * rng.uniform(0.005, 0.05))),
                    fob_price=Decimal(str(round(rng.uniform(low, high), 2))),
                    currency=Product.Currency.USD if rng.random() < 0.8 else Product.Currency.EUR,
                    lead_time_days=rng.choice([7, 10, 14, 21, 30, 45]),
                )
                for code, number, expiry in papers:
                    product_certificate_add(
                        product=product, certification=certifications[code], number=number,
                        issuer=certifications[code].issuer, expiry_date=expiry,
                    )  # fmt: skip
            if not (n == 4 and index % 3 == 0):  # some stay drafts
                with replayed_at(written + timedelta(hours=rng.randint(1, 30))):
                    product_publish(product=product)
            _decide_certificates(product, manager, decisions, at=written + timedelta(days=rng.randint(1, 9)))
            if n == 3 and index % 7 == 0:  # and some are taken out of the catalog later
                with replayed_at(written + timedelta(days=rng.randint(20, 60))):
                    product_archive(product=product)
    stdout.write(f"Products: {Product.objects.count()} ({Product.objects.public().count()} public)")
    stdout.write(
        "Certificates: "
        + ", ".join(
            f"{n} {status}"
            for status, n in ProductCertification.objects.values_list("status")
            .annotate(n=Count("pk"))
            .order_by("status")
        )
    )


def _decide_certificates(product: Product, manager: User, rng: random.Random, *, at: datetime) -> None:
    """The manager's decisions on a product's papers a few days after they were declared: about
    75% verified, 5% rejected with a reason, the rest pending with a scan in the queue; expired
    ones are left alone (the service would refuse them)."""
    from .services import certificate_reject, certificates_verify

    at = min(at, demo_moment(0, hour=8))
    verify = []
    with replayed_at(at):
        for certificate in product.certifications.order_by("pk"):
            if certificate.expiry_date < timezone.localdate():
                continue
            roll = rng.random()
            if roll < 0.75:
                verify.append(certificate.pk)
            elif roll < 0.80:
                certificate_reject(certificate=certificate, by=manager, reason=rng.choice(REJECTION_REASONS))
            elif not certificate.file:
                product_certificate_update(
                    certificate=certificate, file=ContentFile(DEMO_PDF, name="certificate.pdf")
                )
        certificates_verify(certificates=ProductCertification.objects.filter(pk__in=verify), by=manager)


REJECTION_REASONS = [
    "شماره گواهی با شماره روی اسکن یکی نیست؛ شماره درست را وارد کنید.",
    "اسکن ناخواناست؛ تصویر روشن‌تری از همه صفحه‌های گواهی بارگذاری کنید.",
    "The issuer on the scan is not the one entered; correct the issuer or upload the right certificate.",
]


def _check_certificates(stdout: TextIO) -> None:
    """The demo manager's decisions: about 75% verified, 5% rejected with a reason, the rest
    pending with a scan in the queue. Only while nothing is decided (a fresh seed, or a database
    whose declared certificates the migration set pending), so a second run changes nothing."""
    from .services import certificate_reject, certificates_verify

    certificates = ProductCertification.objects.order_by("pk")
    if certificates.exclude(status=ProductCertification.Status.PENDING).exists():
        return
    rng = random.Random(14050909)  # noqa: S311 - demo data, not security
    manager = demo_user(Role.PROGRAMME_MANAGER)
    verify, reject = [], []
    for certificate in certificates.filter(expiry_date__gte=timezone.localdate()):
        roll = rng.random()
        if roll < 0.75:
            verify.append(certificate.pk)
        elif roll < 0.80:
            reject.append(certificate)
        elif not certificate.file:
            certificate.file.save("certificate.pdf", ContentFile(DEMO_PDF), save=True)
    certificates_verify(certificates=ProductCertification.objects.filter(pk__in=verify), by=manager)
    for certificate in reject:
        certificate_reject(certificate=certificate, by=manager, reason=rng.choice(REJECTION_REASONS))
    stdout.write(
        f"Certificates: {len(verify)} verified, {len(reject)} rejected, "
        f"{ProductCertification.objects.filter(status=ProductCertification.Status.PENDING).count()} pending"
    )
