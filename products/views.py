from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from companies.permissions import can_act_for_own_company, can_edit_company, company_of
from portal.forms import add_service_errors
from portal.http.once import AlreadySubmitted, already_submitted, create_once
from portal.http.page_cache import cache_public_page, filters_key
from portal.http.pagination import LargeTablePaginator
from portal.models import TargetCountry
from portal.templatetags.portal_tags import localnumber

from . import services
from .cards import product_cards
from .compliance import compliance_matrix, requirements_for
from .filters import ProductFilter
from .forms import CertificateForm, GalleryImageForm, ProductForm
from .models import Product, ProductCertification, ProductImage
from .permissions import (
    can_edit_product,
    get_product_for_editor,
    get_product_for_viewer,
    product_allowed_actions,
)
from .search import similar_products
from .seo import product_schema

CATALOG_PAGE_SIZE = 24
CATALOG_COUNT_CAP = 500


@require_GET
@cache_public_page
def catalog(request: HttpRequest) -> HttpResponse:
    # Only the ids of a page are read: the cards come from the cache (products/cards.py).
    base = Product.objects.public().values_list("pk", flat=True)
    product_filter = ProductFilter(request.GET or None, queryset=base)
    products = product_filter.qs if product_filter.is_bound else base
    # Counts stop at 500 or become the planner's estimate ("about N"): a filtered list of
    # thousands ("ready for" Iraq) spent 89 ms counting 2,000 rows, for a figure nobody pages to.
    paginator = LargeTablePaginator(products, CATALOG_PAGE_SIZE, cap=CATALOG_COUNT_CAP)
    page = paginator.get_page(request.GET.get("page"))
    similar = _similar_page(request, product_filter, page)
    return render(
        request,
        "products/product_list.html",
        {
            "filter": product_filter,
            "page_obj": similar or page,
            "cards": product_cards(list((similar or page).object_list)),
            **_result_count(paginator),
            "similar": bool(similar),
            "fragment_seconds": settings.FRAGMENT_CACHE_SECONDS,
            "filters_key": filters_key(request),
            "loosen": [] if page.object_list or similar else _loosening(request, product_filter),
        },
    )


def _result_count(paginator: LargeTablePaginator) -> dict[str, int | bool]:
    """What the page says of the total: exact, "about" (the planner's estimate) or "more than"
    (a search counted only as far as its cap: the count is then one past it, and grows as the
    visitor pages on)."""
    return {
        "result_count": paginator.count - 1 if paginator.at_least else paginator.count,
        "count_is_estimate": paginator.estimated and not paginator.at_least,
        "count_at_least": paginator.at_least,
    }


def _loosening(request: HttpRequest, product_filter: ProductFilter) -> list[tuple[str, str]]:
    """For a search that found nothing: each filter in use as ("Label: value", the same list
    without it), so the visitor sees what narrowed it and drops one with a click."""
    if not product_filter.is_bound or not product_filter.form.is_valid():
        return []
    form, shown = product_filter.form, []
    for name, value in form.cleaned_data.items():
        if value in (None, "", [], False) or name in ("ordering", "company"):
            continue
        field = form.fields[name]
        if value is True:  # a box ticked: its label says it all
            text = str(field.label)
        else:
            shown_value = dict(getattr(field, "choices", ())).get(value, value)
            if isinstance(shown_value, int | Decimal):
                shown_value = localnumber(shown_value)
            text = f"{field.label}: {shown_value}"
        rest = request.GET.copy()
        rest.pop(name, None)
        rest.pop("page", None)
        shown.append((text, f"?{rest.urlencode()}" if rest else request.path))
    return shown


def _similar_page(request: HttpRequest, product_filter: ProductFilter, page: Page) -> Page | None:
    """When a search's first page is empty, a page of products whose names look like the query,
    among those the other filters allow."""
    text = request.GET.get("q", "")
    if page.object_list or page.number != 1 or not text or not product_filter.is_valid():
        return None
    others = request.GET.copy()
    others.pop("q")
    narrowed = (
        ProductFilter(others, queryset=Product.objects.public()).qs if others else Product.objects.public()
    )
    names = similar_products(narrowed, text).values_list("pk", flat=True)
    names = list(names[:CATALOG_PAGE_SIZE])  # one page, not counted
    return Paginator(names, CATALOG_PAGE_SIZE).get_page(1) if names else None


@require_GET
@cache_public_page
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    product = get_product_for_viewer(request.user, pk)
    # One read of the certificates serves both the matrix and the list.
    certificates = ProductCertification.objects.select_related("certification")
    prefetch_related_objects([product], Prefetch("certifications", certificates))
    countries = list(TargetCountry.objects.active())
    matrix = compliance_matrix(product, countries, requirements_for([product.category_id]))
    return render(
        request,
        "products/product_detail.html",
        {
            "product": product,
            "matrix": [row for row in matrix if row.requirements],
            "ready_for": [row.country for row in matrix if row.ready],
            "certificates": product.certifications.all(),
            "gallery": product.gallery.all(),
            "registered": product.registered_countries.all(),
            "can_edit": can_edit_product(request.user, product),
            "structured_data": product_schema(product, request),
        },
    )


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    company = company_of(request.user)
    if company is None:
        return redirect("companies:register")
    products = company.products.select_related("category").order_by("status", "-updated_at")
    status = request.GET.get("status", "")
    if status in Product.Status.values:
        products = products.filter(status=status)
    return render(
        request,
        "products/product_mine.html",
        {
            "company": company,
            "products": products,
            "status": status,
            "statuses": Product.Status.choices,
            "can_add": can_edit_company(request.user, company),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    company = company_of(request.user)
    if company is None:
        return redirect("companies:register")
    can_act_for_own_company(request.user).require()
    form = ProductForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            product = services.product_create(company=company, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The product is saved as a draft. Add its certificates, then publish it.")
            )
            return redirect("products:edit", pk=product.pk)
    return render(request, "products/product_form.html", {"form": form, "creating": True})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    product = get_product_for_editor(request.user, pk)
    can_edit = can_edit_product(request.user, product)
    form = ProductForm(request.POST or None, request.FILES or None, instance=product)
    if request.method == "POST":
        can_edit.require()
        if form.is_valid():
            try:
                services.product_update(product=product, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The product has been saved."))
                return redirect("products:edit", pk=product.pk)
    return _edit_page(request, product, form=form, can_edit=can_edit)


def _edit_page(
    request: HttpRequest,
    product: Product,
    *,
    form: ProductForm,
    can_edit: bool,
    certificate_form: CertificateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The product's edit page: its form, certificates and gallery."""
    return render(
        request,
        "products/product_form.html",
        {
            "form": form,
            "product": product,
            "creating": False,
            "can_edit": can_edit,
            "product_actions": product_allowed_actions(request.user, product),
            "certificates": product.certifications.select_related("certification"),
            "certificate_form": certificate_form or CertificateForm(),
            "gallery": product.gallery.all(),
            "gallery_form": GalleryImageForm(),
        },
        status=status,
    )


def _editable(request: HttpRequest, pk: int) -> Product:
    product = get_product_for_editor(request.user, pk)
    can_edit_product(request.user, product).require()
    return product


@login_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    product = services.product_publish(product=_editable(request, pk))
    if product.company.is_verified:
        messages.success(request, _("The product is published in the catalog."))
    else:
        messages.info(
            request, _("The product is published; it appears in the catalog once your company is verified.")
        )
    return redirect("products:edit", pk=product.pk)


@login_required
@require_POST
def archive(request: HttpRequest, pk: int) -> HttpResponse:
    product = services.product_archive(product=_editable(request, pk))
    messages.success(request, _("The product is archived and no longer in the catalog."))
    return redirect("products:edit", pk=product.pk)


@login_required
@require_POST
def certificate_add(request: HttpRequest, pk: int) -> HttpResponse:
    product = _editable(request, pk)
    form = CertificateForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            with create_once(request) as record:  # a double click adds one certificate
                services.product_certificate_add(product=product, **form.cleaned_data)
                record(reverse("products:edit", kwargs={"pk": product.pk}))
        except AlreadySubmitted as done:
            return already_submitted(request, done)
        except ValidationError as error:
            add_service_errors(form, error)
    if not form.errors:
        messages.success(request, _("The certificate has been added."))
        return redirect("products:edit", pk=product.pk)
    # Show the product page again with the certificate form and what the user typed.
    return _edit_page(
        request, product, form=ProductForm(instance=product), can_edit=True, certificate_form=form, status=400
    )


@login_required
@require_http_methods(["GET", "POST"])
def certificate_edit(request: HttpRequest, pk: int, certificate_pk: int) -> HttpResponse:
    """Correct a certificate (a rejected one, or a renewal); what the centre checked goes back to it."""
    product = _editable(request, pk)
    # Through the product, so the certificate carries the product (and its company) already read.
    certificate = get_object_or_404(product.certifications, pk=certificate_pk)
    form = CertificateForm(request.POST or None, request.FILES or None, instance=certificate)
    if request.method == "POST" and form.is_valid():
        try:
            certificate = services.product_certificate_update(certificate=certificate, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if certificate.status == ProductCertification.Status.PENDING:
                messages.success(request, _("The certificate is saved and waits for the centre's check."))
            else:
                messages.success(request, _("The certificate has been saved."))
            return redirect(reverse("products:edit", kwargs={"pk": product.pk}) + "#certificates")
    return render(
        request,
        "products/certificate_form.html",
        {"form": form, "product": product, "certificate": certificate},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def certificate_remove(request: HttpRequest, pk: int, certificate_pk: int) -> HttpResponse:
    product = _editable(request, pk)
    certificate = get_object_or_404(ProductCertification, pk=certificate_pk, product=product)
    services.product_certificate_remove(certificate=certificate)
    messages.success(request, _("The certificate has been removed."))
    return redirect("products:edit", pk=product.pk)


@login_required
@require_POST
def image_add(request: HttpRequest, pk: int) -> HttpResponse:
    product = _editable(request, pk)
    form = GalleryImageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.product_image_add(product=product, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        messages.success(request, _("The picture has been added to the gallery."))
    return redirect("products:edit", pk=product.pk)


@login_required
@require_POST
def image_remove(request: HttpRequest, pk: int, image_pk: int) -> HttpResponse:
    product = _editable(request, pk)
    picture = get_object_or_404(ProductImage, pk=image_pk, product=product)
    services.product_image_remove(picture=picture)
    messages.success(request, _("The picture has been removed."))
    return redirect("products:edit", pk=product.pk)
