"""products.permissions, predicate by predicate: who sees and edits a product, who opens its
files, and who checks certificates."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import translation

from products.permissions import (
    can_edit_product,
    can_see_product_file,
    can_verify_certificates,
    get_product_for_editor,
    get_product_for_viewer,
)
from tests.companies.factories import company_suspend_now
from tests.products.factories import ProductCertificationFactory, ProductFactory

pytestmark = pytest.mark.django_db


def fresh(user):
    """The user as a new request sees them (the predicates cache the company on the object)."""
    return type(user).objects.get(pk=user.pk) if user is not None else AnonymousUser()


PERSONAS = ["company_member", "other_company_member", "broker_member", "reviewer", "manager", "anonymous"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_published_product_is_seen_by_all_and_edited_by_its_company_only(request, company, persona):
    product = ProductFactory(company=company, with_image=True)
    user = fresh(request.getfixturevalue(persona))
    own = persona == "company_member"
    assert get_product_for_viewer(user, product.pk) == product
    assert can_see_product_file(user, product.image.name)
    assert bool(can_edit_product(user, product)) is own
    if own:
        assert get_product_for_editor(user, product.pk) == product
    else:
        with pytest.raises(Http404):
            get_product_for_editor(user, product.pk)


@pytest.mark.parametrize(
    ("persona", "sees"),
    [("company_member", True), ("manager", True), ("reviewer", True), ("other_company_member", False),
     ("broker_member", False), ("anonymous", False)],
)  # fmt: skip
def test_a_draft_is_seen_by_its_company_and_its_files_by_the_staff_too(request, company, persona, sees):
    draft = ProductFactory(company=company, draft=True, with_image=True)
    user = fresh(request.getfixturevalue(persona))
    assert can_see_product_file(user, draft.image.name) is sees
    if persona == "company_member":
        assert get_product_for_viewer(user, draft.pk) == draft
    else:  # the page is the public one: staff read drafts in the admin
        with pytest.raises(Http404):
            get_product_for_viewer(user, draft.pk)


def test_a_suspended_company_cannot_edit_its_products(company, company_member):
    product = ProductFactory(company=company)
    company_suspend_now(company)
    assert not can_edit_product(fresh(company_member), product)
    assert get_product_for_editor(fresh(company_member), product.pk) == product  # still readable


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [("manager", True), ("reviewer", False), ("company_member", False), ("anonymous", False)],
)
def test_certificates_are_verified_by_staff_with_the_permission(request, persona, allowed):
    access = can_verify_certificates(fresh(request.getfixturevalue(persona)))
    assert bool(access) is allowed
    if not allowed:
        with translation.override("en"):
            assert str(access.reason) == "Only the centre's staff who verify certificates may do this."


@pytest.mark.parametrize(
    ("persona", "sees"),
    [("company_member", True), ("manager", True), ("other_company_member", False), ("anonymous", False)],
)
def test_a_pending_certificate_scan_of_a_draft_is_for_its_company_and_the_checkers(
    request, company, persona, sees
):
    certificate = ProductCertificationFactory(
        product=ProductFactory(company=company, draft=True), pending=True
    )
    assert can_see_product_file(fresh(request.getfixturevalue(persona)), certificate.file.name) is sees
