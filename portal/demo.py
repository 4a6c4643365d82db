"""Demo data of the shared ground: target countries, one account per role, and the clock the
apps' demo data replays its history with.

No demo module writes a status, a decision or a timeline event itself: each replays what its
people did, through the same services the pages call, at a moment in the past (`replayed_at`),
so dates, events and notifications read as months of use. tests/portal/test_seed_demo.py holds
them to it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, time, timedelta
from typing import TextIO

import time_machine
from django.contrib.auth.models import Group
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from portal.models import Language, TargetCountry, User
from portal.notifications.services import notify
from portal.permissions import Role

# The demo's history starts here: accounts opened, then companies and brokerages registered.
ACCOUNTS_OPENED_DAYS_AGO = 240

DEMO_PASSWORD = "demo-pass-1405"  # noqa: S105 - printed on purpose: demo accounts only

COUNTRIES = [
    # iso, Persian, English, confirmed?, regulatory note (fa, en), logistics note (fa, en)
    ("IQ", "عراق", "Iraq", True,
     ("ثبت در وزارت بهداشت عراق و گواهی مبدأ الزامی است.", "Registration with the Iraqi Ministry of Health and a certificate of origin are required."),
     ("حمل زمینی از مرز مهران و شلمچه؛ ۳ تا ۵ روز.", "Road freight via the Mehran and Shalamcheh borders; 3 to 5 days.")),
    ("AF", "افغانستان", "Afghanistan", True,
     ("مجوز ورود از اداره ملی تنظیم ادویه و محصولات صحی.", "Import permit from the National Medicine and Healthcare Products Regulatory Authority."),
     ("حمل زمینی از دوغارون و میلک.", "Road freight via Dogharoun and Milak.")),
    ("SY", "سوریه", "Syria", True,
     ("ثبت محصول نزد وزارت بهداشت سوریه.", "Product registration with the Syrian Ministry of Health."),
     ("حمل هوایی به دمشق یا دریایی به لاذقیه.", "Air freight to Damascus or sea freight to Latakia.")),
    ("LB", "لبنان", "Lebanon", True,
     ("گواهی CE یا FDA برای تجهیزات پزشکی پذیرفته می‌شود.", "CE or FDA certification is accepted for medical devices."),
     ("حمل دریایی به بندر بیروت.", "Sea freight to the port of Beirut.")),
    ("AM", "ارمنستان", "Armenia", True,
     ("انطباق با مقررات اتحادیه اقتصادی اوراسیا (EAEU).", "Conformity with Eurasian Economic Union (EAEU) rules."),
     ("حمل زمینی از مرز نوردوز.", "Road freight via the Norduz border.")),
    ("AZ", "جمهوری آذربایجان", "Azerbaijan", True,
     ("ثبت در مرکز تحلیل و کارشناسی دارو.", "Registration with the Analytical Expertise Centre for medicines and devices."),
     ("حمل زمینی از آستارا.", "Road freight via Astara.")),
    ("TM", "ترکمنستان", "Turkmenistan", True,
     ("گواهی بهداشتی و گواهی مبدأ.", "Health certificate and certificate of origin."),
     ("حمل زمینی و ریلی از سرخس.", "Road and rail freight via Sarakhs.")),
    ("KZ", "قزاقستان", "Kazakhstan", True,
     ("ثبت در سامانه EAEU و گواهی انطباق.", "EAEU registration and a declaration of conformity."),
     ("کریدور ریلی ایران–ترکمنستان–قزاقستان.", "The Iran–Turkmenistan–Kazakhstan rail corridor.")),
    ("RU", "روسیه", "Russia", True,
     ("ثبت نزد Roszdravnadzor برای تجهیزات پزشکی.", "Roszdravnadzor registration for medical devices."),
     ("حمل دریایی از طریق دریای خزر به آستاراخان.", "Caspian sea freight to Astrakhan.")),
    ("OM", "عمان", "Oman", True,
     ("تأیید وزارت بهداشت عمان و گواهی ISO 13485.", "Omani Ministry of Health approval and ISO 13485."),
     ("حمل دریایی از بندرعباس به صحار؛ ۲ روز.", "Sea freight from Bandar Abbas to Sohar; 2 days.")),
    ("PK", "پاکستان", "Pakistan", False,
     ("ثبت در سازمان تنظیم مقررات دارو (DRAP).", "Registration with the Drug Regulatory Authority (DRAP)."),
     ("حمل زمینی از میرجاوه.", "Road freight via Mirjaveh.")),
    ("QA", "قطر", "Qatar", False,
     ("تأیید وزارت بهداشت عمومی قطر.", "Approval of the Qatari Ministry of Public Health."),
     ("حمل دریایی از بوشهر.", "Sea freight from Bushehr.")),
    ("KE", "کنیا", "Kenya", False,
     ("ثبت نزد هیئت داروسازی و سموم کنیا.", "Registration with the Pharmacy and Poisons Board."),
     ("حمل دریایی به مومباسا.", "Sea freight to Mombasa.")),
    ("TJ", "تاجیکستان", "Tajikistan", False,
     ("گواهی انطباق و ثبت در وزارت بهداشت.", "Declaration of conformity and Ministry of Health registration."),
     ("حمل زمینی از مسیر ترکمنستان و ازبکستان.", "Road freight through Turkmenistan and Uzbekistan.")),
]  # fmt: skip

ACCOUNTS = [
    # e-mail, full name, language, role, staff?, superuser?
    ("admin@demo.example", "مدیر سامانه", Language.PERSIAN, None, True, True),
    (
        "manager@demo.example",
        "مریم احمدی (مدیر برنامه)",
        Language.PERSIAN,
        Role.PROGRAMME_MANAGER,
        True,
        False,
    ),
    ("reviewer@demo.example", "علی رضایی (کارشناس)", Language.PERSIAN, Role.REVIEWER, True, False),
    # A second reviewer, for panels (two reviews) and a declared conflict of interest (support.demo).
    ("reviewer2@demo.example", "زهرا موسوی (کارشناس)", Language.PERSIAN, Role.REVIEWER, True, False),
    ("company@demo.example", "سارا کریمی", Language.PERSIAN, Role.COMPANY_MEMBER, False, False),
    ("broker@demo.example", "Reza Moradi", Language.ENGLISH, Role.BROKER_MEMBER, False, False),
]


def seed(*, stdout: TextIO) -> None:
    for iso, fa, en, confirmed, (reg_fa, reg_en), (log_fa, log_en) in COUNTRIES:
        TargetCountry.objects.update_or_create(
            iso_code=iso,
            defaults={
                "name_fa": fa,
                "name_en": en,
                "buyer_status": (
                    TargetCountry.BuyerStatus.CONFIRMED
                    if confirmed
                    else TargetCountry.BuyerStatus.PROSPECTIVE
                ),
                "regulatory_notes_fa": reg_fa,
                "regulatory_notes_en": reg_en,
                "logistics_notes_fa": log_fa,
                "logistics_notes_en": log_en,
                "is_active": True,
            },
        )
    stdout.write(f"Target countries: {TargetCountry.objects.count()}")
    stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for email, name, language, role, staff, superuser in ACCOUNTS:
        with replayed_at(demo_moment(ACCOUNTS_OPENED_DAYS_AGO)):
            _account(email, name, language, role, staff, superuser)
        stdout.write(f"  {role.label if role else 'Superuser':<20} {email}")


def _account(email: str, name: str, language: str, role: Role | None, staff: bool, superuser: bool) -> None:
    user, created = User.objects.get_or_create(
        email=email,
        defaults={
            "full_name": name,
            "preferred_language": language,
            "is_staff": staff,
            "is_superuser": superuser,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    if role:
        user.groups.add(Group.objects.get(name=role.value))
    if created:
        notify(recipient=user, kind="welcome", url="/", context={"full_name": name})


def demo_moment(days_ago: float, *, hour: int = 9, minutes: int = 0) -> datetime:
    """A moment `days_ago` days back, at office hours (`hour`:00 plus `minutes`, local time),
    never later than a minute ago: the same data on every run, dated relative to today."""
    day = timezone.localdate() - timedelta(days=int(days_ago))
    moment = timezone.make_aware(datetime.combine(day, time(hour))) + timedelta(minutes=minutes)
    return min(moment, timezone.now() - timedelta(minutes=1))


OPENS, CLOSES = 8, 17  # office hours, local time


def office_hours(moment: datetime) -> datetime:
    """`moment` if it falls in office hours, else early the next working morning (the evening
    and night squeezed into the first hour, so the order of moments is kept); never later than
    a minute ago."""
    local = timezone.localtime(moment)
    if OPENS <= local.hour < CLOSES:
        return moment
    evening = local.replace(hour=CLOSES, minute=0, second=0, microsecond=0)
    if local.hour < OPENS:
        evening -= timedelta(days=1)
    night = (local - evening) / ((24 - CLOSES + OPENS) * 60)  # the night's share of a minute
    morning = timezone.make_aware(datetime.combine(evening.date() + timedelta(days=1), time(OPENS)))
    return min(morning + night, timezone.now() - timedelta(minutes=1))


@contextmanager
def replayed_at(when: datetime, *, run_queued: bool = True, at_night: bool = False) -> Iterator[None]:
    """Do what the block does as if at `when`: the clock stands still there (time-machine), so
    created_at, submitted_at, decided_at, events and notifications carry that date.

    The tasks the block queues for after commit (screening a submission, an offer's fan-out,
    routing an inquiry) run at that same moment, in process and in order, as a worker would a
    moment later, not all at once when the seed commits (nor, under Celery with a worker, at
    today's date and in any order). `run_queued=False` drops them instead: an application
    submitted a minute ago still waits for its screening, which the sweep queues again.

    People act in office hours: a moment outside them moves to the next morning, unless
    `at_night` (what the scheduled tasks do at night)."""
    when = min(when if at_night else office_hours(when), timezone.now() - timedelta(minutes=1))
    connection = transaction.get_connection()
    first = len(connection.run_on_commit)
    with time_machine.travel(when, tick=False):
        try:
            yield
        finally:
            queued = connection.run_on_commit[first:]
            del connection.run_on_commit[first:]
        if run_queued:
            with _tasks_in_process():
                for _savepoints, callback, _robust in queued:
                    callback()


@contextmanager
def _tasks_in_process() -> Iterator[None]:
    """Tasks run here and now; the e-mails of the past are not sent today (to addresses that
    do not exist): the notifications stay, marked as sent."""
    from celery import current_app as app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            yield
    finally:
        app.conf.task_always_eager = eager


@contextmanager
def pages_stale_once() -> Iterator[None]:
    """The replay saves thousands of rows, each of which would make the cached public and staff
    pages stale (cache round trips): inside the block they do not, and the pages go stale once
    when it ends, which comes to the same."""
    from portal.http.page_cache import PAGES, STAFF

    for generation in (PAGES, STAFF):
        generation.changed = lambda **kwargs: None  # shadows the method on this one object
    try:
        yield
    finally:
        for generation in (PAGES, STAFF):
            del generation.changed
            generation.changed()


def demo_member(email: str, name: str, *, language: str = Language.PERSIAN) -> User:
    """The (log-in-less) person who acts for a demo organisation: registers it, writes its offers,
    submits its applications. They cannot log in; the demo accounts above can."""
    user, created = User.objects.get_or_create(
        email=email, defaults={"full_name": name, "preferred_language": language}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def demo_user(role: Role) -> User:
    """The demo account of a role, for other apps' demo data."""
    email = next(a[0] for a in ACCOUNTS if a[3] == role)
    return User.objects.get(email=email)
