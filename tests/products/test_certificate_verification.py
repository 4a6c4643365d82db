"""Verified certificates: only what the centre checked counts for readiness, badges, eligibility
and the joint brand; the staff queue, its decisions and who may take them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from portal.models import Notification
from portal.permissions import Role
from products import services
from products.models import Product, ProductCertification
from support.screening import screen
from tests.companies.factories import PDF_BYTES
from tests.portal.factories import TargetCountryFactory, UserFactory
from tests.products.factories import (
    CategoryFactory,
    CertificationFactory,
    ProductCertificationFactory,
    ProductFactory,
    RequirementFactory,
)
from tests.products.pages import card_names
from tests.support.factories import ApplicationFactory, ProgramFactory

pytestmark = pytest.mark.django_db

QUEUE = "/admin/products/certificatetocheck/"
BADGE = "text-success-emphasis"  # the card's "ready for" badge


@pytest.fixture
def iraq():
    return TargetCountryFactory(iso_code="IQ", name_en="Iraq")


@pytest.fixture
def product(company, iraq):
    masks = CategoryFactory(slug="masks")
    ce = CertificationFactory(code="ce", name_en="CE marking")
    RequirementFactory(country=iraq, category=masks, certification=ce)
    return ProductFactory(company=company, category=masks, name_en="Breathe mask")


@pytest.fixture
def uploaded(product):
    """What a company's upload is: a pending certificate (through the service, as the page does)."""
    return services.product_certificate_add(
        product=product,
        certification=CertificationFactory(code="ce"),
        number="CE-2040",
        issuer="TÜV SÜD",
        expiry_date=timezone.localdate() + dt.timedelta(days=300),
        file=SimpleUploadedFile("ce.pdf", PDF_BYTES, content_type="application/pdf"),
    )


def ready_for(country) -> set[str]:
    return set(Product.objects.ready_for(country).values_list("name_en", flat=True))


def joint_brand_reasons(product, country) -> list[str]:
    application = ApplicationFactory(company=product.company, program=ProgramFactory(joint_brand=True))
    application.products.set([product])
    application.countries.set([country])
    with translation.override("en"):
        return [r for r in screen(application, on=timezone.localdate()) if "verified" in r]


def test_an_uploaded_certificate_waits_and_gives_no_badge_and_no_eligibility(client, uploaded, product, iraq):
    assert uploaded.status == ProductCertification.Status.PENDING
    assert uploaded.reviewed_by is None
    assert ready_for(iraq) == set()
    catalog = client.get("/en/products/").content.decode()
    assert "Breathe mask" in catalog
    assert BADGE not in catalog
    page = client.get(f"/en/products/{product.pk}/").content.decode()
    assert "not verified" in page
    assert ">valid<" not in page
    api = client.get(f"/api/v1/products/{product.pk}/").json()
    assert api["certifications"][0]["valid"] is False
    assert api["certifications"][0]["verification"] == "pending"
    assert joint_brand_reasons(product, iraq) == [
        "Breathe mask does not hold verified, valid certificates for every requirement of a target country."
    ]


def test_verification_turns_badge_eligibility_and_validity_on(client, uploaded, product, iraq, manager):
    services.certificate_verify(certificate=uploaded, by=manager)
    uploaded.refresh_from_db()
    assert (uploaded.status, uploaded.reviewed_by) == (ProductCertification.Status.VERIFIED, manager)
    assert uploaded.reviewed_at is not None
    assert ready_for(iraq) == {"Breathe mask"}
    assert BADGE in client.get("/en/products/").content.decode()
    assert client.get(f"/api/v1/products/{product.pk}/").json()["certifications"][0]["valid"] is True
    assert joint_brand_reasons(product, iraq) == []


def test_rejection_keeps_it_off_and_tells_the_company_what_to_fix(
    client_for, uploaded, product, iraq, manager, company_member
):
    services.certificate_reject(certificate=uploaded, by=manager, reason="The number on the scan is CE-2041.")
    uploaded.refresh_from_db()
    assert uploaded.status == ProductCertification.Status.REJECTED
    assert ready_for(iraq) == set()
    assert joint_brand_reasons(product, iraq)
    note = Notification.objects.get(recipient=company_member, kind="certificate_rejected")
    assert note.context["reason"] == "The number on the scan is CE-2041."
    assert note.url.endswith(f"/products/{product.pk}/edit/#certificates")
    page = client_for(company_member).get(f"/en/products/{product.pk}/edit/").content.decode()
    assert "Rejected" in page
    assert "The number on the scan is CE-2041." in page


def test_a_rejection_needs_a_reason(uploaded, manager):
    with pytest.raises(ValidationError):
        services.certificate_reject(certificate=uploaded, by=manager, reason="   ")
    uploaded.refresh_from_db()
    assert uploaded.status == ProductCertification.Status.PENDING


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("number", "CE-9999"),
        ("issuer", "Another body"),
        ("expiry_date", timezone.localdate() + dt.timedelta(days=900)),
        ("file", SimpleUploadedFile("new.pdf", PDF_BYTES, content_type="application/pdf")),
    ],
)
def test_changing_what_was_checked_makes_a_verified_certificate_pending(product, iraq, field, value):
    certificate = ProductCertificationFactory(product=product, certification=CertificationFactory(code="ce"))
    assert ready_for(iraq) == {"Breathe mask"}
    changed = services.product_certificate_update(certificate=certificate, **{field: value})
    assert changed.status == ProductCertification.Status.PENDING
    assert (changed.reviewed_by, changed.reviewed_at) == (None, None)
    assert ready_for(iraq) == set()


def test_the_same_values_or_the_expiry_warning_leave_it_verified(product, iraq):
    certificate = ProductCertificationFactory(product=product, certification=CertificationFactory(code="ce"))
    services.product_certificate_update(certificate=certificate, number=certificate.number)
    certificate = ProductCertification.objects.get(pk=certificate.pk)
    certificate.expiry_warned_for = certificate.expiry_date  # what the daily beat task writes
    certificate.save(update_fields=["expiry_warned_for", "updated_at"])
    certificate.refresh_from_db()
    assert certificate.status == ProductCertification.Status.VERIFIED
    assert ready_for(iraq) == {"Breathe mask"}


def test_a_verified_certificate_past_its_date_is_expired_and_counts_for_nothing(product, iraq):
    certificate = ProductCertificationFactory(
        product=product, certification=CertificationFactory(code="ce"), expired=True
    )
    assert certificate.state == "expired"
    assert not certificate.counts_on(timezone.localdate())
    assert ready_for(iraq) == set()


def test_an_expired_certificate_cannot_be_verified(product, manager):
    certificate = ProductCertificationFactory(
        product=product, certification=CertificationFactory(code="ce"), expired=True, pending=True
    )
    with pytest.raises(ValidationError):
        services.certificate_verify(certificate=certificate, by=manager)


def test_the_database_refuses_a_decision_without_who_or_why(product):
    certificate = ProductCertificationFactory(product=product, pending=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductCertification.objects.filter(pk=certificate.pk).update(status="verified")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductCertification.objects.filter(pk=certificate.pk).update(
            status="rejected", reviewed_by=UserFactory(), reviewed_at=timezone.now()
        )


@pytest.mark.parametrize("persona", ["reviewer", "company_member"])
def test_only_staff_with_the_permission_decide(request, uploaded, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.certificate_verify(certificate=uploaded, by=user)
    with pytest.raises(PermissionDenied):
        services.certificate_reject(certificate=uploaded, by=user, reason="no")
    uploaded.refresh_from_db()
    assert uploaded.status == ProductCertification.Status.PENDING


# --- the staff queue in the admin ---------------------------------------------------------------
def test_the_queue_lists_pending_certificates_oldest_first(client_for, manager, product):
    old = ProductCertificationFactory(product=product, pending=True, number="OLD-1")
    new = ProductCertificationFactory(product=product, pending=True, number="NEW-1")
    ProductCertificationFactory(product=product, number="DONE-1")  # verified: not in the queue
    ProductCertification.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - dt.timedelta(days=3))
    response = client_for(manager).get(f"{QUEUE}")
    assert response.status_code == 200
    listed = [c.number for c in response.context["cl"].result_list]
    assert listed == [old.number, new.number]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", 302), ("company_member", 302), ("reviewer", 403), ("manager", 200)],
)
def test_the_queue_is_for_staff_with_the_permission(request, client_for, uploaded, persona, expected):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(f"{QUEUE}").status_code == expected
    assert client.get(f"{QUEUE}{uploaded.pk}/change/").status_code == expected
    response = client.post(
        f"{QUEUE}",
        {
            "action": "verify_selected", "_selected_action": [uploaded.pk], "index": "0",
            f"version_{uploaded.pk}": uploaded.version,
        },
    )  # fmt: skip
    assert response.status_code == {"reviewer": 403}.get(persona, 302)
    uploaded.refresh_from_db()
    assert (uploaded.status == ProductCertification.Status.VERIFIED) == (persona == "manager")


def test_the_change_page_shows_the_scan_beside_the_decision(client_for, manager, uploaded):
    page = client_for(manager).get(f"{QUEUE}{uploaded.pk}/change/").content.decode()
    assert uploaded.file.url in page
    assert 'class="certificate-scan"' in page
    assert 'name="decision"' in page


def test_rejecting_on_the_change_page_needs_a_reason_and_then_tells_the_company(
    client_for, manager, uploaded, company_member
):
    client = client_for(manager)
    version = uploaded.version
    response = client.post(
        f"{QUEUE}{uploaded.pk}/change/", {"decision": "reject", "rejection_reason": "", "version": version}
    )
    assert response.status_code == 200
    assert "rejection_reason" in response.context["adminform"].form.errors
    uploaded.refresh_from_db()
    assert uploaded.status == ProductCertification.Status.PENDING
    response = client.post(
        f"{QUEUE}{uploaded.pk}/change/",
        {"decision": "reject", "rejection_reason": "Blurred scan", "version": version},
    )
    assert response.status_code == 302
    uploaded.refresh_from_db()
    assert (uploaded.status, uploaded.rejection_reason) == ("rejected", "Blurred scan")
    assert Notification.objects.filter(recipient=company_member, kind="certificate_rejected").exists()


def test_verifying_on_the_change_page_records_who(client_for, manager, uploaded, iraq):
    response = client_for(manager).post(
        f"{QUEUE}{uploaded.pk}/change/", {"decision": "verify", "version": uploaded.version}
    )
    assert response.status_code == 302
    uploaded.refresh_from_db()
    assert (uploaded.status, uploaded.reviewed_by) == ("verified", manager)
    assert ready_for(iraq) == {"Breathe mask"}


def test_bulk_verification_refreshes_readiness_of_every_product_at_once(
    client_for, manager, company, iraq, django_assert_max_num_queries
):
    ce = CertificationFactory(code="ce")
    masks = CategoryFactory(slug="masks")
    RequirementFactory(country=iraq, category=masks, certification=ce)
    certificates = [
        ProductCertificationFactory(
            product=ProductFactory(company=company, category=masks, name_en=f"Mask {n}"),
            certification=ce, pending=True,
        )
        for n in range(6)
    ]  # fmt: skip
    expired = ProductCertificationFactory(
        product=ProductFactory(company=company, category=masks, name_en="Old mask"),
        certification=ce, pending=True, expired=True,
    )  # fmt: skip
    selected = ProductCertification.objects.filter(pk__in=[c.pk for c in [*certificates, expired]])
    with django_assert_max_num_queries(12):
        verified = services.certificates_verify(certificates=selected, by=manager)
    assert len(verified) == 6
    assert ready_for(iraq) == {f"Mask {n}" for n in range(6)}
    expired.refresh_from_db()
    assert expired.status == ProductCertification.Status.PENDING


def test_a_member_of_the_verifying_role_is_given_the_permission_by_migration(db):
    checker = UserFactory(is_staff=True, roles=[Role.PROGRAMME_MANAGER])
    assert checker.has_perm("products.verify_productcertification")
    assert not UserFactory(is_staff=True, roles=[Role.REVIEWER]).has_perm(
        "products.verify_productcertification"
    )


def test_company_members_see_each_certificate_status_on_their_product_page(
    client_for, company_member, product
):
    ProductCertificationFactory(product=product, number="V-1")
    ProductCertificationFactory(product=product, number="P-1", pending=True)
    page = client_for(company_member).get(f"/en/products/{product.pk}/edit/").content.decode()
    assert "Verified" in page
    assert "Awaiting verification" in page


# --- the company corrects a certificate -----------------------------------------------------------
def test_a_member_corrects_a_rejected_certificate_and_it_goes_back_to_the_queue(
    client_for, company_member, product, manager, uploaded
):
    services.certificate_reject(certificate=uploaded, by=manager, reason="Wrong number")
    url = f"/en/products/{product.pk}/certificates/{uploaded.pk}/edit/"
    client = client_for(company_member)
    page = client.get(url)
    assert page.status_code == 200
    assert "Wrong number" in page.content.decode()
    response = client.post(
        url,
        {
            "certification": uploaded.certification_id,
            "number": "CE-2041",
            "issuer": uploaded.issuer,
            "expiry_date": uploaded.expiry_date.isoformat(),
        },
    )
    assert response.status_code == 302
    uploaded.refresh_from_db()
    assert (uploaded.number, uploaded.status) == ("CE-2041", ProductCertification.Status.PENDING)
    assert uploaded.file  # no new upload keeps the scan


def test_a_certificate_of_another_company_cannot_be_edited(
    client_for, other_company_member, uploaded, product
):
    url = f"/en/products/{product.pk}/certificates/{uploaded.pk}/edit/"
    assert client_for(other_company_member).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 302
    assert client_for(other_company_member).put(url).status_code == 405


def test_bad_input_on_the_certificate_page_is_a_field_error(client_for, company_member, product, uploaded):
    url = f"/en/products/{product.pk}/certificates/{uploaded.pk}/edit/"
    response = client_for(company_member).post(
        url, {"certification": "x", "number": "", "issuer": "", "expiry_date": "not a date"}
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) >= {"certification", "number", "expiry_date"}
    uploaded.refresh_from_db()
    assert uploaded.number == "CE-2040"


def test_the_rejection_email_goes_after_commit_in_the_members_language(
    uploaded, manager, company_member, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.certificate_reject(certificate=uploaded, by=manager, reason="اسکن ناخواناست")
    [email] = [m for m in mailoutbox if company_member.email in m.to]
    assert "پذیرفته نشد" in email.subject
    assert "اسکن ناخواناست" in email.body


def test_the_catalog_certification_filter_counts_verified_certificates_only(client, product):
    ce = CertificationFactory(code="ce")
    ProductCertificationFactory(product=product, certification=ce, pending=True)
    other = ProductFactory(company=product.company, category=product.category, name_en="Checked mask")
    ProductCertificationFactory(product=other, certification=ce)
    names = set(card_names(client.get("/en/products/?certification=ce")))
    assert names == {"Checked mask"}
