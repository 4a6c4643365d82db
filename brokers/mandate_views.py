"""Mandate pages: a company grants, lists and revokes the mandates it gives brokerages; a brokerage
lists the mandates it holds; both read a mandate's trail; a brokerage answers an offer for a
company it represents. Every write goes through brokers/mandates.py or brokers/services.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from companies.models import Company
from companies.permissions import company_of
from portal.forms import add_service_errors
from portal.http.once import AlreadySubmitted, already_submitted, create_once
from portal.http.outcome import redirect_after
from portal.models import TargetCountry
from products.models import ProductCategory

from . import mandates, services
from .forms import MandateForm, MandateRevokeForm, ResponseForm
from .models import Broker, Mandate, Offer
from .permissions import (
    can_act_under_mandates,
    can_grant_mandate,
    can_revoke_mandate,
    get_mandate_for_party,
    get_offer_for_viewer,
    get_own_broker,
)

PAGE_SIZE = 30


def _listed(queryset: QuerySet[Mandate]) -> QuerySet[Mandate]:
    """Mandates with what a list row shows, in a fixed number of queries however many there are."""
    return queryset.select_related("company", "broker").prefetch_related(
        Prefetch("countries", queryset=TargetCountry.objects.order_by("name_en")),
        Prefetch("categories", queryset=ProductCategory.objects.order_by("position", "name_en")),
    )


def _list_page(request: HttpRequest, queryset: QuerySet[Mandate], **context: object) -> HttpResponse:
    page = Paginator(_listed(queryset).order_by("-created_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "brokers/mandate_list.html", {"page_obj": page, **context})


@login_required
@require_GET
def company_mandates(request: HttpRequest) -> HttpResponse:
    """The mandates the user's company has given."""
    company = company_of(request.user)
    if company is None:
        return redirect("companies:register")
    return _list_page(
        request,
        Mandate.objects.filter(company=company),
        as_broker=False,
        can_grant=bool(can_grant_mandate(request.user, company)),
    )


@login_required
@require_GET
def broker_mandates(request: HttpRequest) -> HttpResponse:
    """The mandates the user's brokerage holds."""
    broker = get_own_broker(request.user)
    return _list_page(request, Mandate.objects.filter(broker=broker), as_broker=True, can_grant=False)


def _named_in_link(query: QueryDict) -> dict[str, object]:
    """The brokerage and the country a link names (?broker=<id>&country=<id>, as a referral's notice
    to the company does), when they are ones the form offers; anything else is ignored."""

    def named(key: str) -> int | None:
        value = query.get(key, "")
        return int(value) if value.isdecimal() and len(value) < 10 else None

    initial: dict[str, object] = {}
    broker, country = named("broker"), named("country")
    if broker is not None and Broker.objects.publishing().filter(pk=broker).exists():
        initial["broker"] = broker
    if country is not None and TargetCountry.objects.active().filter(pk=country).exists():
        initial["countries"] = [country]
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def mandate_grant(request: HttpRequest) -> HttpResponse:
    company = company_of(request.user)
    if company is None:
        return redirect("companies:register")
    can_grant_mandate(request.user, company).require()
    form = MandateForm(request.POST or None, initial=_named_in_link(request.GET))
    if request.method == "POST" and form.is_valid():
        try:
            with create_once(request) as record:  # a double click: one mandate, one notice
                mandate = mandates.mandate_grant(company=company, by=request.user, **form.cleaned_data)
                record(mandate.get_absolute_url())
        except AlreadySubmitted as done:
            return already_submitted(request, done)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The mandate is given; the brokerage has been told."))
            return redirect(mandate)
    return render(
        request,
        "brokers/mandate_form.html",
        {"form": form, "company": company},
        status=400 if form.errors else 200,
    )


def _mandate_page(
    request: HttpRequest, mandate: Mandate, *, revoke_form: MandateRevokeForm | None = None, status: int = 200
) -> HttpResponse:
    context = {
        "mandate": mandate,
        "countries": mandate.countries.order_by("name_en"),
        "categories": mandate.categories.order_by("position", "name_en"),
        "events": mandate.events.select_related("actor"),
        "can_revoke": bool(can_revoke_mandate(request.user, mandate)),
        "revoke_form": revoke_form or MandateRevokeForm(),
        "is_company": (own := company_of(request.user)) is not None and own.pk == mandate.company_id,
        "in_force": Mandate.objects.in_force().filter(pk=mandate.pk).exists(),
    }
    return render(request, "brokers/mandate_detail.html", context, status=status)


@login_required
@require_GET
def mandate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _mandate_page(request, get_mandate_for_party(request.user, pk))


@login_required
@require_POST
def mandate_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    mandate = get_mandate_for_party(request.user, pk)
    form = MandateRevokeForm(request.POST)
    if not form.is_valid():
        return _mandate_page(request, mandate, revoke_form=form, status=400)
    note = form.cleaned_data["note"]
    return redirect_after(
        request, lambda: mandates.mandate_revoke(mandate=mandate, by=request.user, note=note),
        done=_("The mandate is revoked; the brokerage has been told."), to=mandate,
    )  # fmt: skip


# ---------------------------------------------------------------------------
# Answering an offer for a company under its mandate
# ---------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def respond_for(request: HttpRequest, pk: int, company_pk: int) -> HttpResponse:
    """A brokerage's member answers an open offer for a company whose mandate covers the offer's
    country; the products chosen must be of the company's mandated categories."""
    offer: Offer = get_offer_for_viewer(request.user, pk)
    can_act_under_mandates(request.user).require()
    broker = get_own_broker(request.user)
    company = get_object_or_404(Company.objects.verified(), pk=company_pk)
    existing = offer.responses.filter(company=company).first()
    ours = existing if existing is not None and existing.submitted_by_broker_id == broker.pk else None
    form = ResponseForm(request.POST or None, instance=ours, company=company, for_company=True)
    refusal = ""
    if request.method == "GET":  # say at once what the service would refuse
        covered = mandates.mandate_refusal(broker, company, offer.country)
        if covered is not None:
            refusal = covered[1]
        elif existing is not None and ours is None:
            refusal = _("%(company)s has already answered this offer; it can change its answer itself.") % {
                "company": company
            }
    if request.method == "POST" and form.is_valid():
        try:
            with create_once(request) as record:  # sent twice: one response, one notice each
                services.response_submit(
                    offer=offer, company=company, broker=broker, by=request.user, **form.cleaned_data
                )
                record(offer.get_absolute_url())
        except AlreadySubmitted as done:
            return already_submitted(request, done)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Your response for %(company)s has been sent to the offer's broker.")
                % {"company": company},
            )
            return redirect(offer)
    return render(
        request,
        "brokers/response_for_form.html",
        {
            "offer": offer,
            "company": company,
            "broker": broker,
            "form": form,
            "existing": ours,
            "refusal": refusal,
        },  # fmt: skip
        status=400 if request.method == "POST" else 200,
    )
