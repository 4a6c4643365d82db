"""Who may see and change a product."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from companies.permissions import can_edit_company, company_of
from portal.access import ALLOWED, Access, refuse
from portal.models import User
from portal.permissions import staff_may_view

from .models import Product

# A product's lifecycle: each action and the states it leaves from (products.services refuses
# anything else; the edit page offers only these).
PRODUCT_ACTIONS: dict[str, frozenset[str]] = {
    "publish": frozenset({Product.Status.DRAFT, Product.Status.ARCHIVED}),
    "archive": frozenset({Product.Status.DRAFT, Product.Status.PUBLISHED}),
}


def can_edit_product(user: User | AnonymousUser, product: Product) -> bool:
    return can_edit_company(user, product.company)


def product_allowed_actions(user: User | AnonymousUser, product: Product) -> list[str]:
    """The actions `user` may take on `product` now (its edit page's buttons)."""
    if not can_edit_product(user, product):
        return []
    return [action for action, sources in PRODUCT_ACTIONS.items() if product.status in sources]


def get_product_for_viewer(user: User | AnonymousUser, pk: int) -> Product:
    """A public product, or any product of the viewer's company; otherwise 404."""
    queryset = Product.objects.visible_to(user).select_related("company", "category")
    return get_object_or_404(queryset, pk=pk)


def get_product_for_editor(user: User | AnonymousUser, pk: int) -> Product:
    """A product of the user's own company; 404 for anything else, so nothing leaks."""
    company = company_of(user)
    if company is None:
        raise Http404("no company")
    return get_object_or_404(Product.objects.select_related("company", "category"), pk=pk, company=company)


def can_see_product_file(user: User | AnonymousUser, name: str) -> bool:
    """A product's files are visible exactly when the product is: to everyone when public, to
    its company, and to the staff who may view products in the admin (which links them) or who
    verify certificates (the queue shows the scan)."""
    staff = staff_may_view(user, "products.view_product") or (
        name.startswith("products/certificates/") and bool(can_verify_certificates(user))
    )
    return (
        (Product.objects.all() if staff else Product.objects.visible_to(user))
        .filter(
            Q(image=name)
            | Q(thumbnail=name)
            | Q(datasheet=name)
            | Q(gallery__image=name)
            | Q(certifications__file=name)
        )
        .exists()
    )


def can_verify_certificates(user: User | AnonymousUser) -> Access:
    """Staff given the verification permission (programme managers) check certificates."""
    if user.is_authenticated and user.is_active and user.is_staff:
        if user.has_perm("products.verify_productcertification"):
            return ALLOWED
    return refuse(_("Only the centre's staff who verify certificates may do this."))
