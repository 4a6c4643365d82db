"""The parties' deal pages: the list, a deal with its lines, shipments, payments and timeline,
and the forms that open a deal and move it on (each through deals/services.py)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from brokers.mandates import companies_represented
from brokers.models import Broker, BuyerInquiry, OfferResponse
from brokers.permissions import (
    broker_of,
    can_act_under_mandates,
    get_own_broker,
    offer_partner_allowed_actions,
    offer_partners_visible_to,
)
from companies.permissions import company_of
from portal.forms import add_service_errors
from portal.http.once import AlreadySubmitted, already_submitted, create_once
from portal.http.outcome import redirect_after
from products.models import Product

from . import services
from .forms import (
    DealForm,
    DealLineFormSet,
    LostForm,
    NoteForm,
    PartnerInviteForm,
    PaymentForm,
    ShipmentForm,
    deal_products,
)
from .models import CreditRole, Deal, DealCredit, DealEvent, DealLine, DealPartner, Status
from .permissions import (
    can_invite_partner,
    can_open_direct,
    can_open_from_inquiry,
    can_open_from_response,
    deal_allowed_actions,
    deals_visible_to,
    get_accepted_response,
    get_deal_for_party,
    get_inquiry_for_party,
    get_partner_for_party,
    partner_allowed_actions,
    partners_visible_to,
    party_role,
)

PAGE_SIZE = 20


@login_required
@require_GET
def deal_list(request: HttpRequest) -> HttpResponse:
    """The deals of the viewer's company or brokerage, newest first, optionally by status."""
    deals = deals_visible_to(request.user).select_related(
        "company", "broker", "destination", "mandate__broker"
    )
    status = request.GET.get("status", "")
    if status in Status.values:
        deals = deals.filter(status=status)
    page = Paginator(deals.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "deals/deal_list.html",
        {
            "page_obj": page,
            "status": status,
            "statuses": Status.choices,
            "can_open_direct": bool(can_open_direct(request.user)),
            "can_open_for_company": broker_of(request.user) is not None
            and bool(can_act_under_mandates(request.user)),
        },
    )


def _name_credit_splits(events: list[DealEvent]) -> None:
    """Give each event its credit split as rows to show (brokerage, share, role in the reader's
    language), the brokerages read in one query for the whole timeline."""
    ids = {row["broker"] for event in events for row in event.credits}
    brokers = Broker.objects.in_bulk(ids) if ids else {}
    for event in events:
        event.credit_rows = [
            {"broker": brokers.get(r["broker"]), "share": r["share"], "role": CreditRole(r["role"]).label}
            for r in event.credits
        ]


def _deal_page(request: HttpRequest, deal: Deal, *, status: int = 200, **forms: Any) -> HttpResponse:
    lines = list(DealLine.objects.filter(deal=deal).select_related("product"))
    shipments = list(deal.shipments.all())
    payments = list(deal.payments.all())
    for payment in payments:
        payment.deal = deal  # its USD value reads the deal's rate: no query each
    events = list(
        DealEvent.objects.filter(deal=deal).select_related("actor", "shipment", "payment", "partner__broker")
    )
    _name_credit_splits(events)
    actions = deal_allowed_actions(request.user, deal)
    role = party_role(request.user, deal)
    partners = list(DealPartner.objects.filter(deal=deal).select_related("broker").order_by("pk"))
    invite = can_invite_partner(request.user, deal)
    own_broker = broker_of(request.user)
    # On a deal from a response another brokerage sent for the company, that brokerage's mandate.
    answering = deal.mandate.broker if deal.mandate_id and deal.mandate.broker_id != deal.broker_id else None
    total = sum(line.quantity for line in lines)
    shipped = sum(shipment.quantity for shipment in shipments)
    context = {
        "deal": deal,
        "lines": lines,
        "shipments": shipments,
        "payments": payments,
        "events": events,
        "allowed_actions": actions,
        "quantity_total": total,
        "quantity_shipped": shipped,
        "quantity_remaining": total - shipped,
        "paid_usd": sum((payment.amount_usd for payment in payments), 0),
        "shipment_form": forms.get("shipment_form") or ShipmentForm(),
        "payment_form": forms.get("payment_form") or PaymentForm(deal=deal),
        "lost_form": forms.get("lost_form") or LostForm(),
        "note_form": NoteForm(),
        "is_company": role == "company",
        "party_role": role,
        "credits": DealCredit.objects.filter(deal=deal).select_related("broker", "referral"),
        # The deal's parties see its co-brokers; pending invitations are the deal's brokerage's business.
        "partners": [p for p in partners if p.status == DealPartner.Status.ACCEPTED or role == "broker"],
        "can_invite": bool(invite),
        # Why the deal's brokerage may not invite now (the deal lost or closed, its mandate revoked).
        "invite_refusal": str(invite.reason) if role == "broker" and not invite else "",
        "answering_broker": answering,
        "partner_form": forms.get("partner_form") or PartnerInviteForm(deal=deal),
        # The mandate's page is the company's and the brokerage's holding it, nobody else's.
        "mandate_url": (
            reverse("brokers:mandate_detail", args=[deal.mandate_id])
            if deal.mandate_id
            and (role == "company" or deal.mandate.broker_id == getattr(own_broker, "pk", None))
            else ""
        ),
    }
    return render(request, "deals/deal_detail.html", context, status=status)


@login_required
@require_GET
def deal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _deal_page(request, get_deal_for_party(request.user, pk))


# ---------------------------------------------------------------------------
# Opening a deal
# ---------------------------------------------------------------------------
def _open_page(
    request: HttpRequest,
    *,
    company: Any,
    opener: Any,
    initial: dict[str, Any],
    line_initial: list[dict[str, Any]] | None = None,
    companies: Any = None,
    source: Any = None,
) -> HttpResponse:
    """The opening form (the deal's terms and its lines) and its handling; `opener(**data)` calls
    the service. A brokerage acting for a company (direct or from an inquiry) chooses among
    `companies`, those whose mandate it holds."""
    posted = request.POST if request.method == "POST" else None
    choose_company = companies is not None
    form = DealForm(posted, initial=initial, companies=companies)
    selected = company
    if choose_company and posted is not None:
        form.is_valid()  # the company chosen offers its products, even while another field is wrong
        selected = form.cleaned_data.get("company")
    elif choose_company and posted is None:
        selected = initial.get("company")  # the company the buyer wrote to, if any
    products = deal_products(selected) if selected is not None else Product.objects.none()
    lines = DealLineFormSet(posted, prefix="lines", products=products, initial=line_initial)
    if posted is not None and form.is_valid() and lines.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "company"}
        if choose_company:
            data["company"] = form.cleaned_data["company"]
        try:
            with create_once(request) as record:  # sent twice: one deal
                deal = opener(lines=lines.lines, **data)
                record(deal.get_absolute_url())
        except AlreadySubmitted as done:
            return already_submitted(request, done)
        except ValidationError as error:
            if hasattr(error, "error_dict") and "lines" in error.error_dict:
                lines._non_form_errors = lines.error_class(error.error_dict.pop("lines")[0].messages)
            if not hasattr(error, "error_dict") or error.error_dict:
                add_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error) or _("You may not open this deal."))
        else:
            messages.success(request, _("Deal %(reference)s is opened.") % {"reference": deal.reference})
            return redirect(deal)
    status = 400 if posted is not None else 200
    return render(
        request,
        "deals/deal_form.html",
        {"form": form, "lines": lines, "source": source, "company": selected},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def deal_create(request: HttpRequest) -> HttpResponse:
    """A company's own buyer: a direct deal; or a brokerage's deal for a company under its mandate."""
    broker = broker_of(request.user)
    if broker is not None:
        can_act_under_mandates(request.user).require()
        companies = companies_represented(broker)
        chosen = request.GET.get("company", "")
        initial = {"company": companies.filter(pk=chosen).first()} if chosen.isdecimal() else {}
        return _open_page(
            request,
            company=None,
            opener=lambda **data: services.deal_open_direct(by=request.user, **data),
            initial=initial,
            companies=companies,
        )
    can_open_direct(request.user).require()
    company = company_of(request.user)
    return _open_page(
        request,
        company=company,
        opener=lambda **data: services.deal_open_direct(company=company, by=request.user, **data),
        initial={},
    )


@login_required
@require_http_methods(["GET", "POST"])
def deal_create_from_response(request: HttpRequest, pk: int) -> HttpResponse:
    response: OfferResponse = get_accepted_response(request.user, pk)
    existing = Deal.objects.filter(offer_response=response).first()
    if existing is not None and deals_visible_to(request.user).filter(pk=existing.pk).exists():
        messages.info(request, _("This response's deal is already open."))
        return redirect(existing)
    can_open_from_response(request.user, response).require()
    offer = response.offer
    products = list(response.products.all())
    line_initial = [
        {"product": product, "quantity": response.quantity if len(products) == 1 else None,
         "unit_price": response.unit_price}
        for product in products
    ]  # fmt: skip
    initial = {
        "destination": offer.country, "buyer_country": offer.country, "currency": response.currency,
    }  # fmt: skip
    return _open_page(
        request,
        company=response.company,
        opener=lambda **data: services.deal_open_from_response(response=response, by=request.user, **data),
        initial=initial,
        line_initial=line_initial,
        source=response,
    )


@login_required
@require_http_methods(["GET", "POST"])
def deal_create_from_inquiry(request: HttpRequest, pk: int) -> HttpResponse:
    inquiry: BuyerInquiry = get_inquiry_for_party(request.user, pk)
    can_open_from_inquiry(request.user, inquiry).require()
    company = company_of(request.user)
    initial = {
        "buyer_name": inquiry.organisation, "buyer_country": inquiry.country, "destination": inquiry.country,
    }  # fmt: skip
    line_initial = [{"product": inquiry.product}] if inquiry.product_id and company is not None else None
    broker = broker_of(request.user) if company is None else None
    if broker is not None and inquiry.company_id:
        initial["company"] = inquiry.company
    return _open_page(
        request,
        company=company,
        opener=lambda **data: services.deal_open_from_inquiry(inquiry=inquiry, by=request.user, **data),
        initial=initial,
        line_initial=line_initial,
        companies=companies_represented(broker) if broker is not None else None,
        source=inquiry,
    )


# ---------------------------------------------------------------------------
# Moving a deal on
# ---------------------------------------------------------------------------
@login_required
@require_POST
def deal_contract(request: HttpRequest, pk: int) -> HttpResponse:
    deal = get_deal_for_party(request.user, pk)
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return redirect_after(
        request, lambda: services.deal_contract(deal=deal, by=request.user, note=note),
        done=_("The deal is marked as contracted."), to=deal,
    )  # fmt: skip


@login_required
@require_POST
def deal_close(request: HttpRequest, pk: int) -> HttpResponse:
    deal = get_deal_for_party(request.user, pk)
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return redirect_after(
        request, lambda: services.deal_close(deal=deal, by=request.user, note=note),
        done=_("The deal is closed."), to=deal,
    )  # fmt: skip


def _form_post(request: HttpRequest, deal: Deal, form: Any, key: str, write: Any, done: str) -> HttpResponse:
    """A deal form posted: the service on valid input, else the deal page again with the errors
    beside the fields and what was typed kept."""
    if form.is_valid():
        try:
            write(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect(deal)
    deal.refresh_from_db()
    return _deal_page(request, deal, status=400, **{key: form})


@login_required
@require_POST
def shipment_add(request: HttpRequest, pk: int) -> HttpResponse:
    deal = get_deal_for_party(request.user, pk)
    form = ShipmentForm(request.POST, request.FILES)
    return _form_post(
        request, deal, form, "shipment_form",
        lambda data: services.shipment_record(deal=deal, by=request.user, **data),
        _("The shipment is recorded."),
    )  # fmt: skip


@login_required
@require_POST
def payment_add(request: HttpRequest, pk: int) -> HttpResponse:
    deal = get_deal_for_party(request.user, pk)
    form = PaymentForm(request.POST, deal=deal)
    return _form_post(
        request, deal, form, "payment_form",
        lambda data: services.payment_record(deal=deal, by=request.user, **data),
        _("The payment is recorded."),
    )  # fmt: skip


@login_required
@require_POST
def deal_lose(request: HttpRequest, pk: int) -> HttpResponse:
    deal = get_deal_for_party(request.user, pk)
    form = LostForm(request.POST)
    return _form_post(
        request, deal, form, "lost_form",
        lambda data: services.deal_mark_lost(
            deal=deal, by=request.user, reason=data["lost_reason"], note=data["lost_note"]
        ),
        _("The deal is marked as lost."),
    )  # fmt: skip


# ---------------------------------------------------------------------------
# Co-brokers
# ---------------------------------------------------------------------------
@login_required
@require_POST
def partner_invite(request: HttpRequest, pk: int) -> HttpResponse:
    deal = get_deal_for_party(request.user, pk)
    can_invite_partner(request.user, deal).require()
    form = PartnerInviteForm(request.POST, deal=deal)
    return _form_post(
        request, deal, form, "partner_form",
        lambda data: services.deal_partner_invite(deal=deal, by=request.user, **data),
        _("The invitation is sent; the brokerage accepts or declines it."),
    )  # fmt: skip


@login_required
@require_GET
def partner_list(request: HttpRequest) -> HttpResponse:
    """The co-brokering invitations the user's brokerage received and sent."""
    broker = get_own_broker(request.user)
    partners = (
        partners_visible_to(request.user)
        .select_related("deal__company", "deal__broker", "deal__destination", "deal__mandate", "broker")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(partners, PAGE_SIZE).get_page(request.GET.get("page"))
    for partner in page:
        partner.allowed_actions = partner_allowed_actions(request.user, partner)
    offers = list(
        offer_partners_visible_to(request.user)
        .select_related("offer__broker", "offer__country", "broker")
        .order_by("-created_at", "-pk")[:PAGE_SIZE]
    )
    for partner in offers:
        partner.allowed_actions = offer_partner_allowed_actions(request.user, partner)
    return render(
        request, "deals/partner_list.html", {"page_obj": page, "broker": broker, "offer_partners": offers}
    )


PARTNER_STEPS = {
    "accept": (services.deal_partner_accept, _("You joined the deal as co-broker.")),
    "decline": (services.deal_partner_decline, _("You declined the invitation.")),
    "withdraw": (services.deal_partner_withdraw, _("The invitation is withdrawn.")),
}


@login_required
@require_POST
def partner_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in PARTNER_STEPS:
        raise Http404("no such step")
    partner = get_partner_for_party(request.user, pk)
    step, done = PARTNER_STEPS[action]
    return redirect_after(
        request, lambda: step(partner=partner, by=request.user), done=done,
        # Accepted or withdrawn: the co-broker, or the deal's brokerage, is a party of the deal.
        to=partner.deal if action in ("accept", "withdraw") else "deals:partner_list",
        refused_to="deals:partner_list",
    )  # fmt: skip
