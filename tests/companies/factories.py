from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from companies.demo import DEMO_PDF as PDF_BYTES  # a real one-page PDF: uploads are parsed
from companies.models import Company, CompanyMembership, Province
from companies.validators import national_id_check_digit
from portal.permissions import Role
from tests.portal.factories import UserFactory


def valid_national_id(n: int) -> str:
    first_ten = f"10{n:08d}"[:10]
    return first_ten + str(national_id_check_digit(first_ten))


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name_fa = factory.Sequence(lambda n: f"شرکت دانش‌بنیان {n}")
    name_en = factory.Sequence(lambda n: f"Knowledge Company {n}")
    national_id = factory.Sequence(lambda n: valid_national_id(n + 1000))
    certificate_number = factory.Sequence(lambda n: f"KB-{n:05d}")
    certificate_expiry = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=365))
    certificate_file = factory.django.FileField(filename="certificate.pdf", data=PDF_BYTES)
    company_type = Company.Type.PRIVATE_JOINT_STOCK
    province = Province.TEHRAN
    city = "تهران"
    address = "خیابان آزادی، پلاک ۱"
    phone = "02166000000"
    status = Company.Status.VERIFIED

    class Params:
        pending = factory.Trait(status=Company.Status.PENDING)
        suspended = factory.Trait(status=Company.Status.SUSPENDED)
        expired_certificate = factory.Trait(
            certificate_expiry=factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=1))
        )


def company_suspend_now(company: Company, *, by: object = None, note: str = "Certificate revoked") -> Company:
    """Suspend `company` as the centre does (companies.services.company_suspend: decision recorded,
    members told), by a programme manager made for it unless `by` names one."""
    from companies.services import company_suspend

    by = by or UserFactory(is_staff=True, roles=[Role.PROGRAMME_MANAGER])
    company_suspend(company=company, by=by, note=note)
    company.refresh_from_db()
    return company


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CompanyMembership

    company = factory.SubFactory(CompanyFactory)
    user = factory.SubFactory(UserFactory, roles=[Role.COMPANY_MEMBER])
    role = CompanyMembership.Role.OWNER
