"""Demo companies: about 30 knowledge-based manufacturers, most verified, a few pending."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import TextIO

from django.core.files.base import ContentFile
from django.utils import timezone

from portal.demo import demo_member, demo_moment, demo_user, replayed_at
from portal.models import User
from portal.permissions import Role

from .models import Company, CompanyMembership, Province
from .services import company_member_add, company_register, company_verify
from .validators import national_id_check_digit

# A one-page blank PDF, as pypdf writes it: uploads are parsed, not only sniffed.
DEMO_PDF = (
    b"%PDF-1.3\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<\n/Producer (pypdf)\n>>\nendobj\n"
    b"2 0 obj\n<<\n/Type /Pages\n/Count 1\n/Kids [ 4 0 R ]\n>>\nendobj\n"
    b"3 0 obj\n<<\n/Type /Catalog\n/Pages 2 0 R\n>>\nendobj\n"
    b"4 0 obj\n<<\n/Type /Page\n/Resources <<\n>>\n/MediaBox [ 0.0 0.0 595 842 ]\n"
    b"/Parent 2 0 R\n>>\nendobj\n"
    b"xref\n0 5\n0000000000 65535 f \n0000000015 00000 n \n0000000054 00000 n \n"
    b"0000000113 00000 n \n0000000162 00000 n \ntrailer\n"
    b"<<\n/Size 5\n/Root 3 0 R\n/Info 1 0 R\n>>\nstartxref\n"
    b"256\n%%EOF\n"
)

NAMES = [
    ("پارس تجهیز سلامت", "Pars Tajhiz Salamat"), ("آریا طب نوین", "Arya Teb Novin"),
    ("نانو فیلتر ایرانیان", "Nano Filter Iranian"), ("سپید دم پارسیان", "Sepid Dam Parsian"),
    ("هوشمند تنفس البرز", "Alborz Smart Respiration"), ("ژن آزما پویا", "Gen Azma Pooya"),
    ("بهداشت گستر کیمیا", "Kimia Hygiene"), ("اکسیژن ساز شریف", "Sharif Oxygen Systems"),
    ("پیشرو تشخیص مهر", "Mehr Pioneer Diagnostics"), ("پوشش ایمن آسیا", "Asia Safe Wear"),
    ("فناوران زیست پاد", "Zist Pad Technologies"), ("تجهیزات پزشکی رایان", "Rayan Medical Devices"),
    ("ماسک سازان سبلان", "Sabalan Mask Makers"), ("آزمایه دقیق نوین", "Novin Precise Kits"),
    ("دم و بازدم کاوه", "Kaveh Breath Care"), ("ضدعفونی گستر زاگرس", "Zagros Disinfection"),
    ("نوآوران پزشکی اصفهان", "Isfahan Medical Innovators"), ("پلیمر طب خلیج فارس", "Persian Gulf Medical Polymers"),
    ("زیست فناوری امید", "Omid Biotech"), ("آوند سلامت شیراز", "Avand Health Shiraz"),
    ("تبریز ونتیلاتور", "Tabriz Ventilator"), ("کیان محافظ", "Kian Protective"),
    ("سامانه های اکسیژن پارت", "Part Oxygen Systems"), ("مشهد دیاگنوستیک", "Mashhad Diagnostics"),
    ("نساجی پزشکی یزد", "Yazd Medical Textiles"), ("شیمی سلامت کرج", "Karaj Health Chemicals"),
    ("طب آوران قزوین", "Qazvin Medical"), ("دانا تجهیز رشت", "Dana Tajhiz Rasht"),
    ("سلامت گستران اهواز", "Ahvaz Health Providers"), ("آرمان تنفس کرمان", "Kerman Arman Respiratory"),
]  # fmt: skip

PROVINCES = [
    Province.TEHRAN, Province.TEHRAN, Province.ALBORZ, Province.ESFAHAN, Province.FARS,
    Province.EAST_AZERBAIJAN, Province.RAZAVI_KHORASAN, Province.YAZD, Province.QAZVIN, Province.GILAN,
]  # fmt: skip
CITIES = {
    Province.TEHRAN: "تهران", Province.ALBORZ: "کرج", Province.ESFAHAN: "اصفهان", Province.FARS: "شیراز",
    Province.EAST_AZERBAIJAN: "تبریز", Province.RAZAVI_KHORASAN: "مشهد", Province.YAZD: "یزد",
    Province.QAZVIN: "قزوین", Province.GILAN: "رشت",
}  # fmt: skip


def national_id(n: int) -> str:
    first_ten = f"14{n:08d}"
    return first_ten + str(national_id_check_digit(first_ten))


def seed(*, stdout: TextIO) -> None:
    """Each company registered by one of its people on a day of the last eight months and
    verified by the programme manager a few days later (every tenth still waits)."""
    rng = random.Random(1405)  # noqa: S311 - demo data, not security
    today = timezone.localdate()
    manager = demo_user(Role.PROGRAMME_MANAGER)
    for index, (name_fa, name_en) in enumerate(NAMES):
        province = PROVINCES[index % len(PROVINCES)]
        expiry = today + timedelta(days=rng.randint(90, 900))
        if index in (4, 17):
            expiry = today + timedelta(days=rng.randint(5, 50))  # a warning in the demo
        if index == 23:
            expiry = today - timedelta(days=20)  # an expired certificate
        key = national_id(3_000_000 + index * 7919)
        if Company.objects.filter(national_id=key).exists():
            continue
        registered = demo_moment(REGISTERED_DAYS_AGO - index * 5, hour=10, minutes=index)
        with replayed_at(registered):
            company = company_register(
                user=_registrant(index, name_en),
                national_id=key,
                name_fa=f"شرکت {name_fa}",
                name_en=f"{name_en} Co.",
                certificate_number=f"KB-{1399 + index % 6}-{1000 + index * 37}",
                certificate_expiry=expiry,
                certificate_file=ContentFile(DEMO_PDF, name="certificate.pdf"),
                company_type=Company.Type.PRIVATE_JOINT_STOCK if index % 3 else Company.Type.LIMITED,
                province=province,
                city=CITIES.get(province, "تهران"),
                address=f"شهرک علمی و تحقیقاتی، واحد {index + 1}",
                phone=f"021{88000000 + index * 1111}",
                website=f"https://{name_en.lower().replace(' ', '')}.example",
                profile_fa=f"{name_fa}، شرکت دانش‌بنیان تولیدکننده تجهیزات مقابله با کرونا با سابقه صادرات به کشورهای همسایه.",
                profile_en=f"{name_en} is a knowledge-based manufacturer of anti-COVID equipment exporting to neighbouring markets.",
            )
        if index % 10 != 9:  # every tenth still waits for the centre
            with replayed_at(registered + timedelta(days=rng.randint(1, 6), hours=rng.randint(1, 6))):
                company_verify(company=company, by=manager)
    owner = demo_user(Role.COMPANY_MEMBER)
    if not CompanyMembership.objects.filter(user=owner).exists():  # a database seeded before the replay
        company_member_add(
            company=Company.objects.order_by("pk").first(), user=owner, role=CompanyMembership.Role.OWNER
        )
    stdout.write(
        f"Companies: {Company.objects.count()} ({Company.objects.verified().count()} verified); "
        f"{owner.email} works for {owner.company_membership.company.name_en}"
    )


# The first company registered this many days ago, the others every five days after.
REGISTERED_DAYS_AGO = 230


def _registrant(index: int, name_en: str) -> User:
    """Who registered company `index`: the demo company account for the first, else its owner."""
    if index == 0:
        return demo_user(Role.COMPANY_MEMBER)
    slug = name_en.lower().replace(" ", "-")
    return demo_member(f"owner@{slug}.demo.example", f"{name_en} (owner)")


def company_member(company: Company) -> User:
    """Someone who acts for `company` in the demo (its first member)."""
    return company.memberships.order_by("pk").first().user
