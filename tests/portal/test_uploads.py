"""Hostile uploads are refused by content, through the real forms, and what is stored is served safely."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from brokers.models import OfferAttachment
from companies.models import Company
from portal.uploads.files import safe_filename, validate_image, validate_image_or_pdf, validate_pdf
from products.models import ProductImage
from support.models import ApplicationDocument
from tests.brokers.factories import OfferFactory
from tests.companies.test_companies import registration_data
from tests.portal import upload_corpus
from tests.products.factories import ProductFactory
from tests.support.factories import ApplicationFactory, DocumentTypeFactory, ProgramFactory

pytestmark = pytest.mark.django_db

FA_HOSTILE = "این فایل کد صفحهٔ وب، اسکریپت یا برنامه دارد. یک سند PDF یا تصویر ساده بارگذاری کنید."
EN_PDF_ACTIVE = (
    "PDF documents with scripts, automatic actions, attached files or interactive forms are not accepted."
)
FA_PDF_ACTIVE = "سندهای PDF دارای اسکریپت، اقدام خودکار، فایل پیوست یا فرم تعاملی پذیرفته نمی‌شوند."


def upload(name: str, data: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def stored_files(settings, folder: str) -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / folder
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


# --- the validators, case by case --------------------------------------------------------------
@pytest.mark.parametrize("case", sorted(upload_corpus.HOSTILE))
def test_every_hostile_file_is_refused_with_its_reason(case):
    build, codes = upload_corpus.HOSTILE[case]
    data = build()
    with pytest.raises(ValidationError) as refused:
        validate_image_or_pdf(upload("document.pdf", data))
    assert refused.value.code in codes
    # The single-kind fields refuse it too, whatever the reason they give.
    for validate in (validate_pdf, validate_image):
        with pytest.raises(ValidationError):
            validate(upload("document.png", data))


@pytest.mark.parametrize("case", sorted(upload_corpus.HARMLESS))
def test_ordinary_documents_and_pictures_are_accepted(case):
    file = upload("scan", upload_corpus.HARMLESS[case]())
    validate_image_or_pdf(file)
    assert file.name in {"upload.pdf", "upload.png", "upload.jpg", "upload.webp"}


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\win.ini", "win.ini"),
        ("invoice\x00.pdf", "invoice.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),  # would show as "invoiceexe.pdf"
        ("\u2067report\u2069.pdf", "report.pdf"),
        ("line\r\nbreak.pdf", "linebreak.pdf"),
        ("گواهی دانش‌بنیان.pdf", "گواهی دانش‌بنیان.pdf"),
        ("../", "file"),
    ],
)
def test_file_names_shown_to_users_lose_folders_controls_and_bidi_overrides(given, shown):
    assert safe_filename(given) == shown


# --- through the real forms ----------------------------------------------------------------------
@pytest.fixture
def draft(company, company_member):
    program = ProgramFactory()
    program.required_documents.add(DocumentTypeFactory(slug="proforma", name_en="Proforma invoice"))
    return ApplicationFactory(company=company, program=program)


@pytest.mark.parametrize(
    ("case", "language", "message"),
    [
        ("pdf_javascript", "en", EN_PDF_ACTIVE),
        ("pdf_javascript", "fa", FA_PDF_ACTIVE),
        ("pdf_launch_action", "en", EN_PDF_ACTIVE),
        ("pdf_compressed_eicar_attachment", "fa", FA_PDF_ACTIVE),
        ("png_html_polyglot", "fa", FA_HOSTILE),
        ("pdf_html_polyglot", "en", "The file contains web page, script or program code."),
        ("eicar_plain", "en", "The file contains a program or a virus signature and was refused."),
        ("pdf_data_after_eof", "en", "The file has extra data hidden before or after its content."),
        ("png_decompression_bomb", "en", "The picture is too large (at most 40 megapixels)."),
    ],
)
def test_application_document_form_refuses_hostile_files_in_the_users_language(
    client_for, company_member, draft, settings, case, language, message
):
    proforma = draft.program.required_documents.get()
    response = client_for(company_member).post(
        f"/{language}/support/applications/{draft.pk}/documents/",
        {"document_type": proforma.pk, "file": upload("proforma.pdf", upload_corpus.HOSTILE[case][0]())},
    )
    assert response.status_code == 400
    form = response.context["document_form"]
    assert message in " ".join(form.errors["file"])
    assert message in response.content.decode()
    assert form["document_type"].value() == str(proforma.pk)  # the choice is kept
    assert not ApplicationDocument.objects.exists()
    assert stored_files(settings, "support") == []


def test_company_registration_keeps_what_was_typed_when_the_certificate_is_refused(
    client_for, signed_up_user, settings
):
    hostile = upload("licence.pdf", upload_corpus.HOSTILE["pdf_eicar_attachment"][0]())
    data = registration_data(certificate_file=hostile)
    response = client_for(signed_up_user).post("/fa/companies/register/", data)
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["certificate_file"]
    assert "certificate_file" in form.errors
    assert form["name_en"].value() == "Breath Innovators"
    assert form["certificate_number"].value() == "KB-1404-77"
    assert 'value="Breath Innovators"' in response.content.decode()
    assert not Company.objects.exists()
    assert stored_files(settings, "companies") == []


def test_offer_attachment_form_keeps_the_title_when_the_file_is_refused(client_for, broker_member, brokerage):
    offer = OfferFactory(broker=brokerage)
    response = client_for(broker_member).post(
        f"/en/offers/{offer.pk}/attachments/",
        {
            "title": "Technical specification",
            "file": upload("spec.pdf", upload_corpus.HOSTILE["pdf_javascript"][0]()),
        },
    )
    assert response.status_code == 400
    assert EN_PDF_ACTIVE in response.content.decode()
    assert response.context["attachment_form"]["title"].value() == "Technical specification"
    assert not OfferAttachment.objects.exists()


def test_gallery_refuses_a_picture_that_is_also_a_web_page(client_for, company_member, company, settings):
    product = ProductFactory(company=company)
    response = client_for(company_member).post(
        f"/fa/products/{product.pk}/gallery/",
        {"image": upload("a.png", upload_corpus.HOSTILE["png_html_polyglot"][0](), "image/png")},
        follow=True,
    )
    assert FA_HOSTILE in response.content.decode()
    assert not ProductImage.objects.exists()
    assert stored_files(settings, "products/gallery") == []


@pytest.mark.parametrize(
    "name", ["../../../etc/cron.d/evil.pdf", "proforma\x00.html", "invoice\u202efdp.exe", "..\\..\\boot.ini"]
)
def test_uploaded_names_never_reach_the_disk(client_for, company_member, draft, settings, name):
    proforma = draft.program.required_documents.get()
    client_for(company_member).post(
        f"/en/support/applications/{draft.pk}/documents/",
        {"document_type": proforma.pk, "file": upload(name, upload_corpus.pdf())},
    )
    stored = ApplicationDocument.objects.get().file.name
    assert re.fullmatch(r"support/documents/[0-9a-f]{32}\.pdf", stored)
    assert [path.name for path in stored_files(settings, "support")] == [stored.rsplit("/", 1)[1]]


# --- serving ------------------------------------------------------------------------------------
def test_documents_are_downloaded_never_rendered(client_for, company_member, company):
    response = client_for(company_member).get(company.certificate_file.url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_pictures_stay_inline_under_the_same_policy(client):
    product = ProductFactory(with_image=True)
    response = client.get(product.image.url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


@pytest.mark.parametrize(
    "path", ["/media/companies/certificates/", "/media/products/images/", "/media/products/"]
)
def test_a_folder_is_not_a_file_even_for_staff(client_for, manager, company, path):
    assert client_for(manager).get(path).status_code == 404
