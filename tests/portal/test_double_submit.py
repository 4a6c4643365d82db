"""A double click, the back button, two people at once: one object, and a clear word, never a 500."""

from __future__ import annotations

import re
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from brokers.models import BuyerInquiry, Offer, OfferResponse
from companies.models import Company
from portal.models import FormSubmission, User
from products.models import ProductCertification
from support.models import Application
from tests.brokers.factories import OfferFactory
from tests.brokers.test_offers import offer_data
from tests.brokers.test_responses_and_inquiries import inquiry_data, response_data
from tests.companies.factories import PDF_BYTES, CompanyFactory, valid_national_id
from tests.conftest import skip_or_fail
from tests.portal.factories import UserFactory
from tests.products.factories import CategoryFactory, CertificationFactory, ProductFactory
from tests.support.factories import DocumentTypeFactory, ProgramFactory
from tests.support.test_views_application import apply_data

pytestmark = pytest.mark.django_db

TOKEN = "tok_" + "a" * 32


def token_on(page: str) -> str:
    match = re.search(r'name="form_token" value="([^"]+)"', page)
    assert match, "the form has no one-time token"
    return match.group(1)


@pytest.fixture
def program():
    program = ProgramFactory()
    program.required_documents.add(DocumentTypeFactory(slug="proforma"))
    return program


@pytest.fixture
def offer(brokerage):
    return OfferFactory(broker=brokerage, categories=[CategoryFactory(slug="masks")])


# --- each creation form: sent twice with one token, one object --------------------------------------
def _application(client_for, company_member, company, broker_member, offer, program):
    return (
        client_for(company_member),
        f"/en/support/programmes/{program.pk}/apply/",
        apply_data(company),
        Application,
    )


def _offer(client_for, company_member, company, broker_member, offer, program):
    Offer.objects.all().delete()
    return client_for(broker_member), "/en/offers/new/", offer_data(), Offer


def _response(client_for, company_member, company, broker_member, offer, program):
    data = response_data(ProductFactory(company=company))
    return client_for(company_member), f"/en/offers/{offer.pk}/respond/", data, OfferResponse


def _inquiry(client_for, company_member, company, broker_member, offer, program):
    return Client(), "/en/inquiries/new/", inquiry_data(), BuyerInquiry


def _certificate(client_for, company_member, company, broker_member, offer, program):
    product = ProductFactory(company=company)
    data = {
        "certification": CertificationFactory(code="ce").pk,
        "number": "CE-1",
        "issuer": "TÜV",
        "expiry_date": "2030-01-31",
        "file": SimpleUploadedFile("ce.pdf", PDF_BYTES, content_type="application/pdf"),
    }
    return client_for(company_member), f"/en/products/{product.pk}/certificates/", data, ProductCertification


FORMS = {
    "application": (_application, "/en/support/programmes/{program}/apply/"),
    "offer": (_offer, "/en/offers/new/"),
    "response": (_response, "/en/offers/{offer}/"),
    "inquiry": (_inquiry, "/en/inquiries/new/"),
    "certificate": (_certificate, None),
}


@pytest.mark.parametrize("kind", FORMS)
def test_a_form_sent_twice_creates_one_object(
    kind, client_for, company_member, company, broker_member, offer, program
):
    make, page = FORMS[kind]
    client, url, data, model = make(client_for, company_member, company, broker_member, offer, program)
    if page:  # the form the person sees carries a token
        shown = client.get(page.format(program=program.pk, offer=offer.pk)).content.decode()
        data["form_token"] = token_on(shown)
    else:
        data["form_token"] = TOKEN
    first = client.post(url, data)
    assert first.status_code == 302, getattr(first, "context", None) and first.context.get("form")
    if "file" in data:
        data["file"].seek(0)
    again = client.post(url, data)  # the double click, or back and "save" again
    assert again.status_code == 302
    assert again["Location"] == first["Location"]  # to what the first one created
    assert model.objects.count() == 1
    assert FormSubmission.objects.get(token=data["form_token"]).url


def test_each_visit_of_the_form_gets_its_own_token(client_for, company_member, program):
    client = client_for(company_member)
    url = f"/en/support/programmes/{program.pk}/apply/"
    assert token_on(client.get(url).content.decode()) != token_on(client.get(url).content.decode())


def test_two_applications_on_purpose_are_two(client_for, company_member, company, program):
    client = client_for(company_member)
    url = f"/en/support/programmes/{program.pk}/apply/"
    for _ in range(2):
        token = token_on(client.get(url).content.decode())
        assert client.post(url, {**apply_data(company), "form_token": token}).status_code == 302
    assert Application.objects.count() == 2


def test_a_form_with_errors_keeps_its_token_and_the_fixed_copy_counts_once(
    client_for, company_member, company, program
):
    client = client_for(company_member)
    url = f"/fa/support/programmes/{program.pk}/apply/"
    bad = {**apply_data(company, requested_amount="-5"), "form_token": TOKEN}
    response = client.post(url, bad)
    assert response.status_code == 200
    assert token_on(response.content.decode()) == TOKEN  # nothing was used up
    good = {**apply_data(company), "form_token": TOKEN}
    assert client.post(url, good).status_code == 302
    assert client.post(url, good).status_code == 302
    assert Application.objects.count() == 1


def test_a_repeat_is_told_in_the_users_language(client_for, company_member, company, program):
    client = client_for(company_member)
    url = f"/fa/support/programmes/{program.pk}/apply/"
    data = {**apply_data(company), "form_token": TOKEN}
    client.post(url, data)
    page = client.post(url, data, follow=True).content.decode()
    assert "این فرم پیش‌تر فرستاده شده بود" in page


def test_someone_elses_token_creates_nothing_and_says_so(
    client_for, company_member, other_company_member, company, program
):
    FormSubmission.objects.create(token=TOKEN, user=other_company_member, url="/en/elsewhere/")
    response = client_for(company_member).post(
        f"/en/support/programmes/{program.pk}/apply/", {**apply_data(company), "form_token": TOKEN}
    )
    assert response.status_code == 200
    assert "This form has expired" in response.content.decode()
    assert not Application.objects.exists()


# --- two people (or two requests) at the same moment -------------------------------------------------
def _race(model, competitor, monkeypatch):
    """Let `competitor(obj)` insert its row right after the service's last check of `obj`
    (`full_clean()` with uniqueness), before our INSERT: what another request does in a race.

    The competitor writes in this test's transaction, so it is rolled back with the service's
    work; the two-connection tests below check what stays in the database."""
    real_full_clean = model.full_clean
    state = {"raced": False}

    def full_clean_then_lose_the_race(self, *args, **kwargs):
        real_full_clean(self, *args, **kwargs)
        if kwargs.get("validate_unique", True) and not state["raced"] and self.pk is None:
            state["raced"] = True
            competitor(self)

    monkeypatch.setattr(model, "full_clean", full_clean_then_lose_the_race)
    return state


def test_company_registered_twice_at_once_is_a_field_error(client_for, signed_up_user, monkeypatch):
    state = _race(Company, lambda mine: CompanyFactory(national_id=mine.national_id), monkeypatch)
    national_id = valid_national_id(4321)
    data = {
        "name_fa": "شرکت نو",
        "name_en": "New Co",
        "national_id": national_id,
        "certificate_number": "KB-9",
        "certificate_expiry": "2030-01-01",
        "certificate_file": SimpleUploadedFile("c.pdf", PDF_BYTES, content_type="application/pdf"),
        "company_type": Company.Type.PRIVATE_JOINT_STOCK,
        "province": "tehran",
        "city": "تهران",
        "address": "خیابان آزادی",
        "phone": "02166000000",
    }
    response = client_for(signed_up_user).post("/fa/companies/register/", data)
    assert state["raced"]
    assert response.status_code == 200
    assert response.context["form"].errors.get("national_id") == [
        "شرکت دیگری با این شناسه ملی قبلاً ثبت شده است."
    ]
    assert not Company.objects.filter(memberships__user=signed_up_user).exists()


def test_certificate_added_twice_at_once_is_a_clear_error(client_for, company_member, company, monkeypatch):
    product = ProductFactory(company=company)
    ce = CertificationFactory(code="ce")

    def competitor(mine):
        ProductCertification.objects.create(
            product=mine.product, certification=mine.certification, number=mine.number, issuer="x",
            expiry_date=mine.expiry_date, file=mine.file,
        )  # fmt: skip

    state = _race(ProductCertification, competitor, monkeypatch)
    response = client_for(company_member).post(
        f"/en/products/{product.pk}/certificates/",
        {
            "certification": ce.pk,
            "number": "CE-1",
            "issuer": "TÜV",
            "expiry_date": "2030-01-31",
            "file": SimpleUploadedFile("ce.pdf", PDF_BYTES, content_type="application/pdf"),
        },
    )
    assert state["raced"]
    assert response.status_code == 400
    assert "This certificate is already on the product." in response.content.decode()


def signup_data(**overrides: str) -> dict[str, str]:
    return {
        "full_name": "Sara",
        "email": "sara@example.com",
        "phone": "",
        "preferred_language": "en",
        "password1": "Good-password-1405",
        "password2": "Good-password-1405",
        **overrides,
    }


def test_signup_raced_by_the_same_address_answers_as_ever(client, monkeypatch):
    """Sign-up never tells whether an address has an account (SECURITY.md), a race included:
    the same "check your e-mail" answer, no 500, one account."""
    _race(User, lambda mine: UserFactory(email=mine.email), monkeypatch)
    response = client.post("/en/accounts/signup/", signup_data())
    assert response.status_code == 302
    assert response["Location"].endswith("/accounts/signup/sent/")
    assert User.objects.filter(email="sara@example.com").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_signups_with_one_address_at_the_same_moment(role_groups):
    if connection.vendor != "postgresql":
        skip_or_fail("needs two real connections (PostgreSQL)")
    barrier = threading.Barrier(2, timeout=10)
    real_save = User.save

    def save_together(self, *args, **kwargs):
        if self.pk is None:
            barrier.wait()  # both have passed every check; now both INSERT
        return real_save(self, *args, **kwargs)

    statuses: list[int] = []

    def sign_up(language: str) -> None:
        try:
            response = Client().post(
                f"/{language}/accounts/signup/", signup_data(preferred_language=language)
            )
            statuses.append(response.status_code)
        finally:
            connection.close()

    User.save = save_together
    try:
        threads = [threading.Thread(target=sign_up, args=(lang,)) for lang in ("en", "fa")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        User.save = real_save
    assert statuses == [302, 302]  # the same answer to both, as to any sign-up
    assert User.objects.filter(email="sara@example.com").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_form_sent_twice_at_the_same_moment_creates_one(
    role_groups, company_member, company, program
):
    if connection.vendor != "postgresql":
        skip_or_fail("needs two real connections (PostgreSQL)")
    data = {**apply_data(company), "form_token": TOKEN}
    url = f"/en/support/programmes/{program.pk}/apply/"
    barrier = threading.Barrier(2, timeout=10)
    locations: list[str] = []

    def send() -> None:
        client = Client()
        client.force_login(company_member)
        barrier.wait()
        try:
            locations.append(client.post(url, data)["Location"])
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(locations) == 2
    assert locations[0] == locations[1]
    assert Application.objects.count() == 1
