from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from portal.http.page_cache import cache_public_page
from portal.organisations.views import OrganisationPages
from products.search import normalize_query

from .cards import company_cards
from .forms import CompanyForm
from .models import KIND, Company, Province
from .permissions import company_of
from .seo import company_schema

PAGE_SIZE = 24


@require_GET
@cache_public_page
def directory(request: HttpRequest) -> HttpResponse:
    companies = Company.objects.verified()
    province = request.GET.get("province", "")
    if province in Province.values:
        companies = companies.filter(province=province)
    if q := request.GET.get("q", "").strip()[:100]:
        # In every language's name, as typed and with Arabic letter forms as Persian ones (ي/ك).
        matches = Q()
        for text in {q, normalize_query(q)}:
            for field in ("name_fa", "name_en", "name_ar", "name_ru"):
                matches |= Q(**{f"{field}__icontains": text})
        companies = companies.filter(matches)
    # company_status_name_idx serves the order; company_status_province_idx the province filter.
    # Only the ids of a page are read: the cards come from the cache (companies/cards.py).
    ids = companies.order_by("name_en", "pk").values_list("pk", flat=True)
    page = Paginator(ids, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "companies/company_list.html",
        {
            "page_obj": page,
            "cards": company_cards(list(page.object_list)),
            "provinces": Province.choices,
            "province": province,
            "q": q,
        },
    )


@require_GET
@cache_public_page
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    company = get_object_or_404(Company.objects.visible_to(request.user), pk=pk)
    # The reverse manager carries the products app's QuerySet: no import against the dependency flow.
    # A large manufacturer lists hundreds of products: a page of them, in the products' own order
    # (newest first, the id last), which product_company_newest_idx serves.
    products = company.products.public().select_related("category")
    page = Paginator(products, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "companies/company_detail.html",
        {
            "company": company,
            "page_obj": page,
            "is_member": company_of(request.user) == company,
            "structured_data": company_schema(company, request),
        },
    )


def _dashboard_context(request: HttpRequest, company: Company) -> dict[str, Any]:
    return {"product_counts": dict(company.products.values_list("status").annotate(n=Count("pk")).order_by())}


pages = OrganisationPages(
    kind=KIND,
    form_class=CompanyForm,
    form_template="companies/company_form.html",
    dashboard_template="companies/company_dashboard.html",
    dashboard_context=_dashboard_context,
)
register = pages.register
mine = pages.mine
edit = pages.edit
invite = pages.invite
invitation_accept = pages.invitation_accept
