from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from companies.permissions import company_of
from portal.forms import add_service_errors
from portal.http.once import AlreadySubmitted, already_submitted, create_once
from portal.http.outcome import redirect_after
from portal.http.page_cache import cache_public_page
from portal.models import TargetCountry
from products.models import Product

from . import services, standing, workflow
from .evidence import cited_deals, rule_check, rule_refusal
from .forms import ApplicationForm, DocumentForm
from .models import Application, SupportProgram
from .permissions import get_application_for_member
from .selectors import program_budget


@require_GET
@cache_public_page
def program_list(request: HttpRequest) -> HttpResponse:
    programs = SupportProgram.objects.open_on().prefetch_related("eligible_countries", "eligible_categories")
    return render(request, "support/program_list.html", {"programs": programs})


@require_GET
@cache_public_page
def program_detail(request: HttpRequest, pk: int) -> HttpResponse:
    program = get_object_or_404(SupportProgram.objects.published(), pk=pk)
    company = company_of(request.user)  # anonymous visitors get the cached page, without a company
    return render(
        request,
        "support/program_detail.html",
        {
            "program": program,
            "criteria": program.criteria.all(),
            "documents": program.required_documents.all(),
            "can_apply": company is not None and program.is_open,
            "rule": rule_check(company, program) if company is not None else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_create(request: HttpRequest, pk: int) -> HttpResponse:
    program = get_object_or_404(SupportProgram.objects.open_on(), pk=pk)
    company = company_of(request.user)
    if company is None:
        return redirect("companies:register")
    form = ApplicationForm(request.POST or None, company=company, program=program)
    if request.method == "POST" and form.is_valid():
        try:
            with create_once(request) as record:  # a double click or the back button: one draft
                application = services.application_create_draft(
                    program=program, company=company, by=request.user, **form.cleaned_data
                )
                record(application.get_absolute_url())
        except AlreadySubmitted as done:
            return already_submitted(request, done)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Your application is saved as a draft. Add the documents, then submit it.")
            )
            return redirect(application)
    return render(
        request,
        "support/application_form.html",
        {"form": form, "program": program, "rule": rule_check(company, program)},
    )


@login_required
@require_GET
def application_list(request: HttpRequest) -> HttpResponse:
    company = company_of(request.user)
    if company is None:
        return redirect("companies:register")
    applications = Application.objects.of_company(company).select_related("program")
    return render(request, "support/application_list.html", {"applications": applications})


@login_required
@require_GET
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, get_application_for_member(request.user, pk))


def _detail_page(
    request: HttpRequest,
    application: Application,
    *,
    document_form: DocumentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    documents = {d.document_type_id: d for d in application.documents.all()}
    if document_form is None and application.is_editable:
        document_form = DocumentForm(program=application.program)
    events = list(application.events.for_applicant())  # not the staff-only rows
    program = application.program
    due_at = standing.next_step_due(application)
    return render(
        request,
        "support/application_detail.html",
        {
            "application": application,
            "events": events,
            "steps": standing.application_steps(application),
            "due_at": due_at,
            "due_passed": due_at is not None and due_at < timezone.now(),
            "requests": standing.reviewer_requests(events),
            "escalated": standing.escalation(application, events),
            "budget": program_budget(program),
            "payments": application.payments.all() if application.granted_amount else [],
            "paid": application.paid_total() if application.granted_amount else None,
            "document_rows": [(t, documents.get(t.pk)) for t in application.program.required_documents.all()],
            "products": application.products.all(),
            "countries": application.countries.all(),
            "allowed_actions": workflow.allowed_actions(request.user, application),
            "cited": cited_deals(application),
            # Before it is submitted, the applicant sees whether the programme's rule is met and cited.
            "rule_refusal": rule_refusal(application) if application.is_editable else "",
            "document_form": document_form,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_application_for_member(request.user, pk)
    if not application.is_editable:
        messages.error(request, _("Only drafts and applications sent back for revision can be changed."))
        return redirect(application)
    form = ApplicationForm(
        request.POST or None, instance=application, company=application.company, program=application.program
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.application_update_draft(application=application, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The application has been saved."))
            return redirect(application)
    return render(
        request,
        "support/application_form.html",
        {
            "form": form,
            "program": application.program,
            "application": application,
            "rule": rule_check(application.company, application.program),
        },
    )


@login_required
@require_POST
def document_add(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_application_for_member(request.user, pk)
    form = DocumentForm(request.POST, request.FILES, program=application.program)
    if form.is_valid():
        try:
            services.application_document_add(application=application, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        # The page again, with the refused file's error beside its field and the type still chosen.
        return _detail_page(request, application, document_form=form, status=400)
    messages.success(request, _("The document has been attached."))
    return redirect(application)


def _run(request: HttpRequest, pk: int, action, success: str) -> HttpResponse:  # noqa: ANN001
    application = get_application_for_member(request.user, pk)
    try:
        return redirect_after(
            request, lambda: action(application=application, by=request.user), done=success, to=application
        )
    except PermissionDenied as error:
        messages.error(request, str(error))
        return redirect(application)


@login_required
@require_POST
def application_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _run(
        request,
        pk,
        workflow.application_submit,
        _("Your application is submitted; the eligibility check runs now."),
    )


@login_required
@require_POST
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _run(request, pk, workflow.application_withdraw, _("Your application is withdrawn."))


@require_GET
@cache_public_page
def joint_brand(request: HttpRequest) -> HttpResponse:
    """Products carrying the joint national brand, grouped by the countries they are registered in."""
    products = list(
        Product.objects.public()
        .filter(joint_brand=True)
        .select_related("company", "category")
        .prefetch_related("registered_countries")
    )
    by_country: dict[TargetCountry | None, list[Product]] = {}
    for product in products:
        for country in product.registered_countries.all() or [None]:
            by_country.setdefault(country, []).append(product)
    groups = sorted(by_country.items(), key=lambda item: (item[0] is None, item[0].name if item[0] else ""))
    return render(request, "support/joint_brand.html", {"groups": groups, "count": len(products)})
