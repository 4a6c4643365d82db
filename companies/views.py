from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal import lockout
from portal.forms import InviteForm, add_service_errors
from portal.page_cache import cache_public_page
from portal.views import invite_from_request

from . import services
from .forms import CompanyForm
from .models import Company, CompanyInvitation, Province
from .permissions import can_edit_company, company_of, get_own_company

PAGE_SIZE = 24


@require_GET
@cache_public_page
def directory(request: HttpRequest) -> HttpResponse:
    companies = Company.objects.verified()
    province = request.GET.get("province", "")
    if province in Province.values:
        companies = companies.filter(province=province)
    if q := request.GET.get("q", "").strip()[:100]:
        companies = companies.filter(Q(name_fa__icontains=q) | Q(name_en__icontains=q))
    # company_status_name_idx serves the order; company_status_province_idx the province filter.
    page = Paginator(companies.order_by("name_en", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "companies/company_list.html",
        {"page_obj": page, "provinces": Province.choices, "province": province, "q": q},
    )


@require_GET
@cache_public_page
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    company = get_object_or_404(Company.objects.visible_to(request.user), pk=pk)
    # The reverse manager carries the products app's QuerySet: no import against the dependency flow.
    # A large manufacturer lists hundreds of products: a page of them, the newest first.
    products = company.products.public().select_related("category").order_by("-published_at", "-pk")
    page = Paginator(products, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "companies/company_detail.html",
        {"company": company, "page_obj": page, "is_member": company_of(request.user) == company},
    )


@login_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    if company_of(request.user):
        return redirect("companies:mine")
    if hasattr(request.user, "broker_membership"):  # one organisation per account, as brokers:register
        messages.info(request, _("You are a member of a brokerage; a company needs its own account."))
        return redirect("brokers:mine")
    form = CompanyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.company_register(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Your company is registered and waits for verification by the centre.")
            )
            return redirect("companies:mine")
    return render(request, "companies/company_form.html", {"form": form, "creating": True})


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    company = company_of(request.user)
    if company is None:
        return redirect("companies:register")
    context = {
        "company": company,
        "members": company.memberships.select_related("user").order_by("created_at"),
        "invitations": company.invitations.open(),
        "invite_form": InviteForm(),
        "can_edit": can_edit_company(request.user, company),
        "product_counts": dict(company.products.values_list("status").annotate(n=Count("pk")).order_by()),
    }
    return render(request, "companies/company_dashboard.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest) -> HttpResponse:
    company = get_own_company(request.user)
    can_edit_company(request.user, company).require()
    form = CompanyForm(request.POST or None, request.FILES or None, instance=company)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "national_id"}
        try:
            was_verified = company.is_verified
            company = services.company_update(company=company, by=request.user, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The company profile has been saved."))
            if was_verified and not company.is_verified:
                messages.warning(
                    request,
                    _(
                        "You changed what the centre verified; the company is pending until the "
                        "centre checks it again."
                    ),
                )
            return redirect("companies:mine")
    return render(request, "companies/company_form.html", {"form": form, "creating": False})


@login_required
@require_POST
def invite(request: HttpRequest) -> HttpResponse:
    company = get_own_company(request.user)
    can_edit_company(request.user, company).require()
    invite_from_request(
        request, lambda email: services.company_invite(company=company, by=request.user, email=email)
    )
    return redirect("companies:mine")


@login_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    if not lockout.door_is_open(request, counters=(lockout.ADDRESS,)):
        return lockout.lockout_response(request)
    invitation = lockout.secret_link_object(
        request, CompanyInvitation.objects.select_related("company"), door="invitation", token=token
    )
    if request.method == "POST":
        try:
            services.invitation_accept(invitation=invitation, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("You are now a member of %(company)s.") % {"company": invitation.company}
            )
            return redirect("companies:mine")
    return render(
        request,
        "includes/invitation_accept.html",
        {"invitation": invitation, "organisation": invitation.company},
    )
