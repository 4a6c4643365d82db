"""Certificate decisions leave a history row each, are taken on what the page showed, and the
admin's certification filter agrees with the catalogue (verified and unexpired only)."""

from __future__ import annotations

import pytest
from django.contrib import messages
from django.contrib.admin.models import LogEntry

from products import services
from products.models import ProductCertification
from tests.products.factories import CertificationFactory, ProductCertificationFactory, ProductFactory

pytestmark = pytest.mark.django_db

QUEUE = "/admin/products/certificatetocheck/"


@pytest.fixture
def pending(company):
    ce = CertificationFactory(code="ce")
    return [
        ProductCertificationFactory(
            product=ProductFactory(company=company, name_en=f"Mask {n}"), certification=ce, pending=True
        )
        for n in range(3)
    ]


def _selection(certificates, action: str, note: str = "") -> dict:
    return {
        "action": action,
        "index": "0",
        "note": note,
        "_selected_action": [c.pk for c in certificates],
        **{f"version_{c.pk}": c.version for c in certificates},
    }


def test_bulk_verification_writes_a_history_row_per_certificate_with_who(pending, manager):
    services.certificates_verify(
        certificates=ProductCertification.objects.filter(pk__in=[c.pk for c in pending]), by=manager
    )
    for certificate in pending:
        latest = certificate.history.latest()
        assert (latest.status, latest.history_type, latest.history_user) == ("verified", "~", manager)
        assert latest.reviewed_by == manager


def test_verifying_from_the_list_logs_each_certificate_in_the_admin(client_for, manager, pending):
    response = client_for(manager).post(QUEUE, _selection(pending, "verify_selected"))
    assert response.status_code == 302
    assert ProductCertification.objects.filter(status="verified").count() == 3
    logged = LogEntry.objects.filter(user=manager).values_list("object_id", flat=True)
    assert sorted(logged) == sorted(str(c.pk) for c in pending)


def test_the_queue_list_carries_each_rows_version(client_for, manager, pending):
    page = client_for(manager).get(QUEUE).content.decode()
    for certificate in pending:
        assert f'name="version_{certificate.pk}" value="{certificate.version}"' in page


def test_a_certificate_changed_after_the_list_loaded_is_not_verified_from_it(client_for, manager, pending):
    selection = _selection(pending, "verify_selected")
    changed = pending[0]
    changed.number = "CE-FORGED"  # the company edits it while the list is open
    changed.save()
    response = client_for(manager).post(QUEUE, selection, follow=True)
    changed.refresh_from_db()
    assert changed.status == ProductCertification.Status.PENDING
    assert ProductCertification.objects.filter(status="verified").count() == 2
    warnings = [m for m in response.context["messages"] if m.level == messages.WARNING]
    assert len(warnings) == 1
    assert str(warnings[0]).startswith("۱ ")  # one certificate left as it was (the Persian page's digits)


def test_a_selection_without_the_pages_versions_verifies_nothing(client_for, manager, pending):
    selection = _selection(pending, "verify_selected")
    for certificate in pending:
        del selection[f"version_{certificate.pk}"]
    client_for(manager).post(QUEUE, selection)
    assert not ProductCertification.objects.filter(status="verified").exists()


def test_a_certificate_changed_after_the_list_loaded_is_not_rejected_from_it(client_for, manager, pending):
    selection = _selection(pending, "reject_selected", note="Blurred")
    changed = pending[1]
    changed.issuer = "Somebody else"
    changed.save()
    client_for(manager).post(QUEUE, selection)
    changed.refresh_from_db()
    assert changed.status == ProductCertification.Status.PENDING
    assert ProductCertification.objects.filter(status="rejected").count() == 2


@pytest.mark.parametrize("decision", ["verify", "reject"])
def test_the_decision_form_refuses_a_certificate_changed_since_it_loaded(
    client_for, manager, pending, decision
):
    certificate = pending[0]
    client = client_for(manager)
    page = client.get(f"{QUEUE}{certificate.pk}/change/").content.decode()
    assert f'name="version" value="{certificate.version}"' in page
    shown = certificate.version
    certificate.expiry_date = certificate.expiry_date.replace(year=certificate.expiry_date.year + 1)
    certificate.save()
    form = {"decision": decision, "rejection_reason": "Blurred", "version": shown}
    response = client.post(f"{QUEUE}{certificate.pk}/change/", form)
    assert response.status_code == 200
    assert [e.code for e in response.context["adminform"].form.non_field_errors().as_data()] == ["changed"]
    certificate.refresh_from_db()
    assert certificate.status == ProductCertification.Status.PENDING
    # The page shows the certificate as it is now, with its new version: deciding again works.
    assert f'name="version" value="{certificate.version}"' in response.content.decode()
    form["version"] = certificate.version
    assert client.post(f"{QUEUE}{certificate.pk}/change/", form).status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == ("verified" if decision == "verify" else "rejected")


def test_the_service_refuses_a_stale_version_under_its_lock(pending, manager):
    from django.core.exceptions import ValidationError

    certificate = pending[0]
    with pytest.raises(ValidationError) as refused:
        services.certificate_verify(certificate=certificate, by=manager, version="stale")
    assert refused.value.code == "changed"


def test_the_admin_certification_filter_counts_only_valid_certificates(client_for, manager, company):
    ce = CertificationFactory(code="ce")
    ProductCertificationFactory(
        product=ProductFactory(company=company, name_en="Unchecked"), certification=ce, pending=True
    )
    ProductCertificationFactory(
        product=ProductFactory(company=company, name_en="Expired"), certification=ce, expired=True
    )
    ProductCertificationFactory(
        product=ProductFactory(company=company, name_en="Rejected"), certification=ce, rejected=True
    )
    ProductCertificationFactory(product=ProductFactory(company=company, name_en="Checked"), certification=ce)
    superuser_like = client_for(manager)
    response = superuser_like.get("/admin/products/product/?held=ce")
    assert response.status_code == 200
    assert {p.name_en for p in response.context["cl"].result_list} == {"Checked"}
