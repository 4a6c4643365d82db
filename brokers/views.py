from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from companies.models import Company
from companies.permissions import company_of
from portal.forms import add_service_errors
from portal.http.client import client_ip, count_attempt
from portal.http.once import AlreadySubmitted, already_submitted, create_once
from portal.http.outcome import redirect_after
from portal.http.page_cache import cache_public_page, filters_key
from portal.models import TargetCountry
from portal.organisations.views import OrganisationPages
from products.models import Product

from . import partners, referrals, services
from .cards import offer_cards
from .filters import INBOX_TAB_LABELS, INBOX_TABS, BrokerFilter, InquiryFilter, OfferFilter
from .forms import (
    AttachmentForm,
    BrokerForm,
    BrokerServiceForm,
    CoBrokerInviteForm,
    EngagementBookForm,
    EngagementRatingForm,
    EngagementStepForm,
    InquiryCloseForm,
    InquiryForm,
    InquiryReplyForm,
    LicenceRenewalForm,
    OfferForm,
    ReferralForm,
    ResponseForm,
)
from .mandates import companies_represented
from .models import (
    KIND,
    Broker,
    BrokerService,
    BuyerInquiry,
    Engagement,
    EngagementRating,
    Offer,
    OfferResponse,
    Referral,
)
from .permissions import (
    ENGAGEMENT_ACTIONS,
    INQUIRY_HOLDER,
    broker_of,
    can_act_under_mandates,
    can_book,
    can_edit_broker,
    can_invite_offer_partner,
    can_list_services,
    can_publish_offers,
    can_rate_engagement,
    can_refer,
    can_renew_licence,
    can_respond,
    can_see_buyer_email,
    engagement_allowed_actions,
    engagement_side,
    get_engagement_for_party,
    get_inquiry_for_inbox,
    get_offer_for_broker,
    get_offer_for_viewer,
    get_offer_partner_for_party,
    get_own_broker,
    get_referral_for_party,
    get_response_for_broker,
    get_service_for_broker,
    inbox_scope,
    inquiry_inbox_actions,
    is_offer_co_broker,
    offer_allowed_actions,
    referable_inquiries,
    referral_allowed_actions,
    referral_side,
    referral_targets,
    referrals_visible_to,
    response_allowed_actions,
)
from .results import results_for
from .selectors import pending_renewal

INQUIRY_LIMIT_PER_HOUR = 5


# ---------------------------------------------------------------------------
# Directory and profiles
# ---------------------------------------------------------------------------
def _listed_services() -> Prefetch:
    """The services a brokerage lists now, with their types and countries (three queries a page)."""
    listed = (
        BrokerService.objects.listed()
        .select_related("service_type")
        .prefetch_related("countries")
        .order_by("service_type__position", "pk")
    )
    return Prefetch("listed_services", queryset=listed, to_attr="services_listed")


@require_GET
@cache_public_page
def directory(request: HttpRequest) -> HttpResponse:
    base = Broker.objects.approved().prefetch_related("countries", "services", _listed_services())
    broker_filter = BrokerFilter(request.GET or None, queryset=base)
    brokers = broker_filter.qs if broker_filter.is_bound else base
    page = Paginator(brokers.order_by("name_en"), 24).get_page(request.GET.get("page"))
    results = results_for(page)
    for broker in page:
        broker.results = results.get(broker.pk)
        # The types it declared and the types of the services it lists, once each, in their order.
        types = {t.pk: t for t in broker.services.all()}
        types.update({s.service_type_id: s.service_type for s in broker.services_listed})
        broker.service_types = sorted(types.values(), key=lambda t: (t.position, t.name_en))
    return render(request, "brokers/broker_list.html", {"filter": broker_filter, "page_obj": page})


@require_GET
@cache_public_page
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    queryset = Broker.objects.visible_to(request.user).prefetch_related(_listed_services())
    broker = get_object_or_404(queryset, pk=pk)
    offers = broker.offers.public().select_related("country").prefetch_related("categories")
    company = company_of(request.user)
    is_member = broker_of(request.user) == broker
    return render(
        request,
        "brokers/broker_detail.html",
        {
            "broker": broker,
            "offers": offers,
            "results": results_for([broker], public_only=not is_member).get(broker.pk),
            "is_member": is_member,
            "can_book": company is not None and broker.is_publishing,
        },
    )


def _dashboard_context(request: HttpRequest, broker: Broker) -> dict[str, Any]:
    can_publish, refusal = can_publish_offers(request.user, broker)
    return {
        "offers": broker.offers.select_related("country").order_by("status", "deadline"),
        "can_publish": can_publish,
        "licence_refusal": refusal if broker.licence_expired else "",
        "renewal": pending_renewal(broker),
        "results": results_for([broker], public_only=False).get(broker.pk),
        "referrals_waiting": broker.referrals_received.filter(status=Referral.Status.PENDING).count(),
        "engagements_open": broker.engagements.filter(
            status__in=[Engagement.Status.REQUESTED, Engagement.Status.ACCEPTED]
        ).count(),
    }


def _publishing_refused(request: HttpRequest, broker: Broker, reason: str) -> HttpResponse:
    """Why the brokerage cannot publish now and what to do about it (a 403 with a way forward)."""
    return render(
        request,
        "brokers/publishing_refused.html",
        {"broker": broker, "reason": reason, "licence_expired": broker.licence_expired},
        status=403,
    )


@login_required
@require_http_methods(["GET", "POST"])
def licence_renewal(request: HttpRequest) -> HttpResponse:
    """The brokerage's licence: the current one, the renewal waiting for the centre, the renewals
    before, and the form to submit the renewed licence (or the date of the current one)."""
    broker = get_own_broker(request.user)
    allowed, refusal = can_renew_licence(request.user, broker)
    renewal = pending_renewal(broker)
    form = LicenceRenewalForm(request.POST or None, request.FILES or None, broker=broker)
    if request.method == "POST":
        if not allowed:
            raise PermissionDenied(refusal)
        if form.is_valid():
            try:
                services.licence_renewal_submit(broker=broker, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                sent = _(
                    "The renewed licence is sent to the centre; the current one counts until it is approved."
                )
                if broker.licence_expires_on is None:
                    sent = _("The licence's date is sent to the centre for its check.")
                messages.success(request, sent)
                return redirect("brokers:licence_renewal")
    history = broker.licence_renewals.exclude(status="pending").select_related("decided_by")
    return render(
        request,
        "brokers/licence_renewal.html",
        {
            "broker": broker,
            "form": form if allowed else None,
            "refusal": refusal,
            "renewal": renewal,
            "history": history,
        },
        status=400 if form.errors else 200,
    )


pages = OrganisationPages(
    kind=KIND,
    form_class=BrokerForm,
    form_template="brokers/broker_form.html",
    dashboard_template="brokers/broker_dashboard.html",
    dashboard_context=_dashboard_context,
)
register = pages.register
mine = pages.mine
edit = pages.edit
invite = pages.invite
invitation_accept = pages.invitation_accept


# ---------------------------------------------------------------------------
# Offers
# ---------------------------------------------------------------------------
@require_GET
@cache_public_page
def offer_board(request: HttpRequest) -> HttpResponse:
    # Only the ids of a page are read: the cards come from the cache (brokers/cards.py).
    base = Offer.objects.public().values_list("pk", flat=True)
    offer_filter = OfferFilter(request.GET or None, queryset=base)
    offers = offer_filter.qs if offer_filter.is_bound else base
    page = Paginator(offers.order_by("deadline", "-pk"), 20).get_page(request.GET.get("page"))
    context = {
        "filter": offer_filter,
        "page_obj": page,
        "cards": offer_cards(list(page.object_list)),
        "fragment_seconds": settings.FRAGMENT_CACHE_SECONDS,
        "filters_key": filters_key(request),
    }
    return render(request, "brokers/offer_list.html", context)


@require_GET
@cache_public_page
def offer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _offer_page(request, get_offer_for_viewer(request.user, pk))


def _offer_page(
    request: HttpRequest,
    offer: Offer,
    *,
    response_form: ResponseForm | None = None,
    attachment_form: AttachmentForm | None = None,
    partner_form: CoBrokerInviteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """An offer as the viewer sees it: the owner with the responses, a company with its answer."""
    company = company_of(request.user)
    own_broker = broker_of(request.user)
    is_owner = own_broker is not None and own_broker.pk == offer.broker_id
    context = {
        "offer": offer,
        "is_owner": is_owner,
        "attachments": offer.attachments.all(),
        "categories": offer.categories.all(),
    }
    context["offer_actions"] = offer_allowed_actions(request.user, offer) if is_owner else []
    # Publishing and accepting are hidden while the licence has expired: the owner is told why.
    context["licence_expired_notice"] = is_owner and offer.broker.licence_expired
    is_co_broker = not is_owner and is_offer_co_broker(request.user, offer)
    context["is_co_broker"] = is_co_broker
    if is_owner:
        context["partners"] = list(offer.partners.select_related("broker"))
        if can_invite_offer_partner(request.user, offer):
            context["partner_form"] = partner_form or CoBrokerInviteForm(inviter_id=offer.broker_id)
    if is_co_broker:
        # The co-broker reads the responses (it holds the logistics or registration for them);
        # deciding on them stays with the offer's brokerage.
        context["responses"] = list(offer.responses.select_related("company").prefetch_related("products"))
    if is_owner:
        responses = list(
            offer.responses.select_related("company", "submitted_by_broker").prefetch_related("products")
        )
        for response in responses:
            response.offer = offer  # the decision predicate reads the offer's brokerage: no query each
            response.allowed_actions = response_allowed_actions(request.user, response)
        context["responses"] = responses
        context["attachment_form"] = attachment_form or AttachmentForm()
    elif company is not None:
        response = (
            offer.responses.filter(company=company)
            .select_related("company", "submitted_by_broker")
            .prefetch_related("products")
            .first()
        )
        context["my_response"] = response
        if response_form is not None:
            context["response_form"] = response_form
        elif can_respond(request.user, offer) and (response is None or response.is_editable):
            context["response_form"] = ResponseForm(instance=response, company=company)
    elif own_broker is not None and offer.is_open and can_act_under_mandates(request.user):
        # A brokerage answers for the companies whose mandate covers the offer's country.
        context["acts_for_companies"] = True
        context["represented"] = list(companies_represented(own_broker, country=offer.country))
        context["sent_for"] = list(
            offer.responses.filter(submitted_by_broker=own_broker).select_related(
                "company", "submitted_by_broker"
            )
        )
    return render(request, "brokers/offer_detail.html", context, status=status)


def _offer_form_page(request: HttpRequest, form: OfferForm, offer: Offer | None) -> HttpResponse:
    return render(request, "brokers/offer_form.html", {"form": form, "offer": offer})


@login_required
@require_http_methods(["GET", "POST"])
def offer_create(request: HttpRequest) -> HttpResponse:
    broker = get_own_broker(request.user)
    allowed, reason = can_publish_offers(request.user, broker)
    if not allowed:
        return _publishing_refused(request, broker, reason)
    form = OfferForm(request.POST or None, broker=broker)
    if request.method == "POST" and form.is_valid():
        try:
            with create_once(request) as record:  # a double click or the back button: one offer
                offer = services.offer_create(
                    broker=broker,
                    by=request.user,
                    publish="save_draft" not in request.POST,
                    **form.cleaned_data,
                )
                record(offer.get_absolute_url())
        except AlreadySubmitted as done:
            return already_submitted(request, done)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The offer is saved."))
            return redirect(offer)
    return _offer_form_page(request, form, None)


@login_required
@require_http_methods(["GET", "POST"])
def offer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    offer = get_offer_for_broker(request.user, pk)
    can_edit_broker(request.user, offer.broker).require()
    form = OfferForm(request.POST or None, instance=offer, broker=offer.broker)
    if request.method == "POST" and form.is_valid():
        try:
            services.offer_update(offer=offer, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            add_service_errors(
                form, error if isinstance(error, ValidationError) else ValidationError(str(error))
            )
        else:
            messages.success(request, _("The offer is saved."))
            return redirect(offer)
    return _offer_form_page(request, form, offer)


@login_required
@require_POST
def offer_publish(request: HttpRequest, pk: int) -> HttpResponse:
    offer = get_offer_for_broker(request.user, pk)
    can_publish_offers(request.user, offer.broker).require()
    return redirect_after(
        request, lambda: services.offer_publish(offer=offer), done=_("The offer is open."), to=offer
    )


@login_required
@require_POST
def offer_close(request: HttpRequest, pk: int) -> HttpResponse:
    offer = get_offer_for_broker(request.user, pk)
    can_edit_broker(request.user, offer.broker).require()
    services.offer_close(offer=offer)
    messages.success(request, _("The offer is closed."))
    return redirect(offer)


@login_required
@require_POST
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    offer = get_offer_for_broker(request.user, pk)
    can_edit_broker(request.user, offer.broker).require()
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.offer_attachment_add(offer=offer, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        # The offer page again, with the error beside the file and the title as typed.
        return _offer_page(request, offer, attachment_form=form, status=400)
    return redirect(offer)


# ---------------------------------------------------------------------------
# Responses
# ---------------------------------------------------------------------------
@login_required
@require_POST
def respond(request: HttpRequest, pk: int) -> HttpResponse:
    offer = get_offer_for_viewer(request.user, pk)
    company = company_of(request.user)
    can_respond(request.user, offer).require()
    existing = offer.responses.filter(company=company).first()
    form = ResponseForm(request.POST, instance=existing, company=company)
    if form.is_valid():
        try:
            with create_once(request) as record:  # sent twice: one response, one notice to the broker
                services.response_submit(offer=offer, company=company, by=request.user, **form.cleaned_data)
                record(offer.get_absolute_url())
        except AlreadySubmitted as done:
            return already_submitted(request, done)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your response has been sent to the broker."))
            return redirect(offer)
    return _offer_page(request, offer, response_form=form, status=400)


@login_required
@require_POST
def response_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    response = get_response_for_broker(request.user, pk)
    can_edit_broker(request.user, response.offer.broker).require()
    return redirect_after(
        request, lambda: services.response_decide(response=response, status=decision, by=request.user),
        done=_("The company has been told of your decision."), to=response.offer,
    )  # fmt: skip


@login_required
@require_GET
def my_responses(request: HttpRequest) -> HttpResponse:
    company = company_of(request.user)
    if company is None:
        return redirect("companies:register")
    responses = (
        OfferResponse.objects.filter(company=company)
        .select_related("offer__broker", "offer__country", "company", "submitted_by_broker")
        .prefetch_related("products")
    )
    return render(request, "brokers/response_list.html", {"responses": responses, "company": company})


# ---------------------------------------------------------------------------
# Buyer inquiries
# ---------------------------------------------------------------------------
def _rate_limited(ip: str) -> bool:
    return count_attempt(f"inquiry-rate:{ip}", window_seconds=60 * 60) > INQUIRY_LIMIT_PER_HOUR


@require_http_methods(["GET", "POST"])
def inquiry_create(request: HttpRequest) -> HttpResponse:
    product = company = None
    if product_id := request.GET.get("product", "").strip():
        product = get_object_or_404(Product.objects.public(), pk=product_id if product_id.isdecimal() else 0)
    elif company_id := request.GET.get("company", "").strip():
        company = get_object_or_404(
            Company.objects.verified(), pk=company_id if company_id.isdecimal() else 0
        )
    initial = {}
    if iso := request.GET.get("country", "").strip().upper()[:2]:
        initial["country"] = TargetCountry.objects.active().filter(iso_code=iso).first()
    form = InquiryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if form.is_bot:
            return redirect("brokers:inquiry_thanks")
        ip = client_ip(request)
        if _rate_limited(ip):
            form.add_error(None, _("Too many inquiries from your address. Please try again in an hour."))
        else:
            try:
                with create_once(request) as record:  # sent twice: one inquiry
                    inquiry = services.inquiry_submit(
                        source_ip=ip if ip != "unknown" else None,
                        language=(get_language() or "en")[:2],
                        product=product,
                        company=company,
                        **{k: v for k, v in form.cleaned_data.items() if k != "website"},
                    )
                    thanks = f"{reverse('brokers:inquiry_thanks')}?{urlencode({'ref': inquiry.reference})}"
                    record(thanks)
            except AlreadySubmitted as done:
                return already_submitted(request, done)  # the first copy was kept: its thanks page
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect(thanks)
    return render(
        request, "brokers/inquiry_form.html", {"form": form, "product": product, "company": company}
    )


@require_GET
def inquiry_thanks(request: HttpRequest) -> HttpResponse:
    reference = request.GET.get("ref", "")
    return render(
        request,
        "brokers/inquiry_thanks.html",
        {"reference": reference if REFERENCE.fullmatch(reference) else ""},
    )


# ---------------------------------------------------------------------------
# Brokerage services
# ---------------------------------------------------------------------------
def _service_form_page(
    request: HttpRequest,
    broker: Broker,
    form: BrokerServiceForm,
    service: BrokerService | None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "brokers/service_form.html",
        {"form": form, "service": service, "broker": broker},
        status=status,
    )


@login_required
@require_GET
def service_list(request: HttpRequest) -> HttpResponse:
    """The brokerage's services, listed and withdrawn."""
    broker = get_own_broker(request.user)
    can_list, reason = can_list_services(request.user, broker)
    services_ = broker.listed_services.select_related("service_type").prefetch_related("countries")
    return render(
        request,
        "brokers/service_list.html",
        {
            "broker": broker,
            "services": services_,
            "can_list": can_list,
            "refusal": reason,
            "can_edit": can_edit_broker(request.user, broker),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def service_create(request: HttpRequest) -> HttpResponse:
    broker = get_own_broker(request.user)
    allowed, reason = can_list_services(request.user, broker)
    if not allowed:
        return _publishing_refused(request, broker, reason)
    form = BrokerServiceForm(request.POST or None, broker=broker)
    if request.method == "POST" and form.is_valid():
        try:
            with create_once(request) as record:  # a double click: one service
                services.broker_service_create(broker=broker, **form.cleaned_data)
                record(reverse("brokers:service_list"))
        except AlreadySubmitted as done:
            return already_submitted(request, done)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The service is listed."))
            return redirect("brokers:service_list")
    return _service_form_page(request, broker, form, None, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def service_edit(request: HttpRequest, pk: int) -> HttpResponse:
    service = get_service_for_broker(request.user, pk)
    can_edit_broker(request.user, service.broker).require()
    form = BrokerServiceForm(request.POST or None, instance=service, broker=service.broker)
    if request.method == "POST" and form.is_valid():
        try:
            services.broker_service_update(service=service, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The service is saved."))
            return redirect("brokers:service_list")
    return _service_form_page(request, service.broker, form, service, status=400 if form.errors else 200)


@login_required
@require_POST
def service_listing(request: HttpRequest, pk: int, listed: str) -> HttpResponse:
    """Withdraw a service from show ("withdraw") or list it again ("relist")."""
    service = get_service_for_broker(request.user, pk)
    can_edit_broker(request.user, service.broker).require()
    if listed not in ("withdraw", "relist"):
        raise Http404("unknown step")
    try:
        services.broker_service_list(service=service, listed=listed == "relist")
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("The service is listed.") if listed == "relist" else _("The service is withdrawn.")
        )
    return redirect("brokers:service_list")


# ---------------------------------------------------------------------------
# Engagements
# ---------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def service_book(request: HttpRequest, pk: int) -> HttpResponse:
    """A company's member books a listed service."""
    service = get_object_or_404(
        BrokerService.objects.listed().select_related("broker", "service_type"), pk=pk
    )
    can_book(request.user, service).require()
    company = company_of(request.user)
    form = EngagementBookForm(request.POST or None)
    open_booking = services.open_booking(service=service, company=company)
    if request.method == "POST" and form.is_valid():
        try:
            with create_once(request) as record:  # sent twice: one booking, one notice
                engagement = services.engagement_book(
                    service=service, company=company, by=request.user, **form.cleaned_data
                )
                record(engagement.get_absolute_url())
        except AlreadySubmitted as done:
            return already_submitted(request, done)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your booking has been sent to the brokerage."))
            return redirect(engagement)
    return render(
        request,
        "brokers/service_book.html",
        {"service": service, "form": form, "open_booking": open_booking},
        status=400 if form.errors else 200,
    )


def _engagement_page(
    request: HttpRequest,
    engagement: Engagement,
    *,
    rating_form: EngagementRatingForm | None = None,
    status: int = 200,
) -> HttpResponse:
    ratings = list(engagement.ratings.all())
    rated = {rating.side for rating in ratings}
    can_rate = can_rate_engagement(request.user, engagement, rated)
    context = {
        "engagement": engagement,
        "side": engagement_side(request.user, engagement),
        "actions": engagement_allowed_actions(request.user, engagement),
        "events": engagement.events.select_related("actor"),
        "ratings": ratings,
        "step_form": EngagementStepForm(),
        "rating_form": rating_form or (EngagementRatingForm() if can_rate else None),
    }
    # The brokerage cannot accept a booking while its licence has expired: its members are told why.
    context["licence_expired_notice"] = (
        context["side"] == "broker"
        and engagement.status == Engagement.Status.REQUESTED
        and engagement.broker.licence_expired
    )
    return render(request, "brokers/engagement_detail.html", context, status=status)


@login_required
@require_GET
def engagement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _engagement_page(request, get_engagement_for_party(request.user, pk))


@login_required
@require_POST
def engagement_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    engagement = get_engagement_for_party(request.user, pk)
    if action not in ENGAGEMENT_ACTIONS:
        raise Http404("unknown step")
    form = EngagementStepForm(request.POST)
    if not form.is_valid():  # a note too long: said, not dropped
        for error in form.errors.get("note", []):
            messages.error(request, error)
        return redirect(engagement)
    return redirect_after(
        request,
        lambda: services.engagement_act(
            engagement=engagement, action=action, by=request.user, note=form.cleaned_data["note"]
        ),
        done=_("Saved; the other side has been told."),
        to=engagement,
    )


@login_required
@require_POST
def engagement_rate(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = get_engagement_for_party(request.user, pk)
    form = EngagementRatingForm(request.POST, instance=EngagementRating(engagement=engagement))
    if form.is_valid():
        try:
            services.engagement_rate(engagement=engagement, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you for your rating."))
            return redirect(engagement)
    return _engagement_page(request, engagement, rating_form=form, status=400)


def _engagement_list(request: HttpRequest, engagements: Any, *, as_broker: bool) -> HttpResponse:
    engagements = engagements.select_related("service__service_type", "company", "broker")
    page = Paginator(engagements, 30).get_page(request.GET.get("page"))
    return render(request, "brokers/engagement_list.html", {"page_obj": page, "as_broker": as_broker})


@login_required
@require_GET
def broker_engagements(request: HttpRequest) -> HttpResponse:
    """The bookings of the brokerage's services."""
    broker = get_own_broker(request.user)
    return _engagement_list(request, Engagement.objects.filter(broker=broker), as_broker=True)


@login_required
@require_GET
def my_engagements(request: HttpRequest) -> HttpResponse:
    """The company's bookings."""
    company = company_of(request.user)
    if company is None:
        return redirect("companies:register")
    return _engagement_list(request, Engagement.objects.filter(company=company), as_broker=False)


# ---------------------------------------------------------------------------
# The inquiry inbox of brokerages and companies
# ---------------------------------------------------------------------------
REFERENCE = re.compile(r"INQ-[0-9]{4}-[0-9]{6,9}")


INBOX_PAGE_SIZE = 20


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    scope = inbox_scope(request.user)
    inquiries = scope.inquiries()
    inquiry_filter = InquiryFilter(request.GET or None, queryset=inquiries, request=request)
    listed = inquiry_filter.qs if inquiry_filter.is_bound and inquiry_filter.is_valid() else inquiries
    listed = listed.select_related("country", "product", "company", "holder", *INQUIRY_HOLDER)
    page = Paginator(listed.order_by("-created_at", "-pk"), INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    for inquiry in page:
        inquiry.allowed_actions = inquiry_inbox_actions(request.user, inquiry)
    counts = inquiries.aggregate(
        **{tab: Count("pk", filter=Q(status__in=statuses)) for tab, statuses in INBOX_TABS.items()}
    )
    tabs = [(tab, INBOX_TAB_LABELS[tab], counts[tab]) for tab in INBOX_TABS]
    return render(
        request,
        "brokers/inbox.html",
        {
            "filter": inquiry_filter,
            "page_obj": page,
            "tabs": tabs,
            "current_tab": request.GET.get("status", ""),
            "has_inbox": scope.has_inbox,
        },
    )


def _inquiry_page(
    request: HttpRequest,
    inquiry: BuyerInquiry,
    *,
    reply_form: InquiryReplyForm | None = None,
    close_form: InquiryCloseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    actions = inquiry_inbox_actions(request.user, inquiry)
    context = {
        "inquiry": inquiry,
        "replies": inquiry.replies.select_related("author"),
        "actions": actions,
        "show_email": can_see_buyer_email(request.user, inquiry),
        "can_refer": bool(can_refer(request.user)),
        "reply_form": reply_form or InquiryReplyForm(),
        "close_form": close_form or InquiryCloseForm(),
    }
    return render(request, "brokers/inquiry_detail.html", context, status=status)


def _inbox_inquiry(request: HttpRequest, pk: int) -> BuyerInquiry:
    return get_inquiry_for_inbox(request.user, pk)


@login_required
@require_GET
def inquiry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _inquiry_page(request, _inbox_inquiry(request, pk))


def _inquiry_action(
    request: HttpRequest, pk: int, act: Callable[[BuyerInquiry], object], done: str
) -> HttpResponse:
    inquiry = _inbox_inquiry(request, pk)
    return redirect_after(request, lambda: act(inquiry), done=done, to=inquiry)


@login_required
@require_POST
def inquiry_claim(request: HttpRequest, pk: int) -> HttpResponse:
    return _inquiry_action(
        request,
        pk,
        lambda inquiry: services.inquiry_claim(inquiry=inquiry, by=request.user),
        _("You hold this inquiry now: the others see that you are answering it."),
    )


@login_required
@require_POST
def inquiry_release(request: HttpRequest, pk: int) -> HttpResponse:
    return _inquiry_action(
        request,
        pk,
        lambda inquiry: services.inquiry_release(inquiry=inquiry, by=request.user),
        _("You released the inquiry: anyone whose inbox it is in may claim it."),
    )


@login_required
@require_POST
def inquiry_convert(request: HttpRequest, pk: int) -> HttpResponse:
    return _inquiry_action(
        request,
        pk,
        lambda inquiry: services.inquiry_convert(inquiry=inquiry, by=request.user),
        _("The inquiry is marked as converted to a deal."),
    )


@login_required
@require_POST
def inquiry_reply(request: HttpRequest, pk: int) -> HttpResponse:
    inquiry = _inbox_inquiry(request, pk)
    form = InquiryReplyForm(request.POST)
    if form.is_valid():
        try:
            with create_once(request) as record:  # sent twice: one reply, one e-mail
                services.inquiry_reply(inquiry=inquiry, by=request.user, body=form.cleaned_data["body"])
                record(inquiry.get_absolute_url())
        except AlreadySubmitted as done:
            return already_submitted(request, done)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your reply is on its way to the buyer."))
            return redirect(inquiry)
    # The page again with the reply as typed and the reason it was not sent.
    return _inquiry_page(request, _inbox_inquiry(request, pk), reply_form=form, status=400)


@login_required
@require_POST
def inquiry_close(request: HttpRequest, pk: int) -> HttpResponse:
    inquiry = _inbox_inquiry(request, pk)
    form = InquiryCloseForm(request.POST)
    if form.is_valid():
        try:
            services.inquiry_close(inquiry=inquiry, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The inquiry is closed."))
            return redirect(inquiry)
    return _inquiry_page(request, _inbox_inquiry(request, pk), close_form=form, status=400)


# ---------------------------------------------------------------------------
# Referrals between brokerages
# ---------------------------------------------------------------------------
@login_required
@require_GET
def referral_list(request: HttpRequest) -> HttpResponse:
    """The referrals the user's brokerage sent and received, newest first."""
    broker = get_own_broker(request.user)
    referrals = (
        referrals_visible_to(request.user)
        .select_related("from_broker", "to_broker", "inquiry__country", "company", "country", "service")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(referrals, INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "brokers/referral_list.html",
        {"broker": broker, "page_obj": page, "can_refer": bool(can_refer(request.user))},
    )


def _referral_form(request: HttpRequest, data: Any = None) -> ReferralForm:
    broker = broker_of(request.user)
    initial = {}
    if request.GET.get("inquiry", "").isdigit():
        initial["inquiry"] = request.GET["inquiry"]
    if request.GET.get("company", "").isdigit():
        initial["company"] = request.GET["company"]
    return ReferralForm(
        data, initial=initial, inquiries=referable_inquiries(request.user), targets=referral_targets(broker)
    )


@login_required
@require_http_methods(["GET", "POST"])
def referral_create(request: HttpRequest) -> HttpResponse:
    can_refer(request.user).require()
    form = _referral_form(request, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            with create_once(request) as record:  # sent twice: one referral
                referral = referrals.referral_create(by=request.user, **data)
                record(referral.get_absolute_url())
        except AlreadySubmitted as done:
            return already_submitted(request, done)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The referral is sent; the brokerage accepts or declines it."))
            return redirect(referral)
    status = 400 if request.method == "POST" else 200
    return render(request, "brokers/referral_form.html", {"form": form}, status=status)


@login_required
@require_GET
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_referral_for_party(request.user, pk)
    # The outcome: the deals credited through this referral (read through the relation the deals
    # app gives it, so that brokers imports nothing of deals).
    outcomes = referral.deal_credits.select_related("deal__destination").order_by("deal__created_at")
    return render(
        request,
        "brokers/referral_detail.html",
        {
            "referral": referral,
            "actions": referral_allowed_actions(request.user, referral),
            "outcomes": outcomes,
            "side": referral_side(request.user, referral),
        },
    )


REFERRAL_STEPS = {
    "accept": (referrals.referral_accept, _("You accepted the referral.")),
    "decline": (referrals.referral_decline, _("You declined the referral.")),
    "withdraw": (referrals.referral_withdraw, _("The referral is withdrawn.")),
}


@login_required
@require_POST
def referral_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in REFERRAL_STEPS:
        raise Http404("no such step")
    referral = get_referral_for_party(request.user, pk)
    step, done = REFERRAL_STEPS[action]
    return redirect_after(request, lambda: step(referral=referral, by=request.user), done=done, to=referral)


# ---------------------------------------------------------------------------
# Co-brokers on offers
# ---------------------------------------------------------------------------
@login_required
@require_POST
def offer_partner_invite(request: HttpRequest, pk: int) -> HttpResponse:
    offer = get_offer_for_broker(request.user, pk)
    can_invite_offer_partner(request.user, offer).require()
    form = CoBrokerInviteForm(request.POST, inviter_id=offer.broker_id)
    if form.is_valid():
        try:
            partners.offer_partner_invite(offer=offer, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The invitation is sent; the brokerage accepts or declines it."))
            return redirect(offer)
    return _offer_page(request, offer, partner_form=form, status=400)


OFFER_PARTNER_STEPS = {
    "accept": (partners.offer_partner_accept, _("You co-broker this offer now: you see its responses.")),
    "decline": (partners.offer_partner_decline, _("You declined the invitation.")),
    "withdraw": (partners.offer_partner_withdraw, _("The invitation is withdrawn.")),
}


@login_required
@require_POST
def offer_partner_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in OFFER_PARTNER_STEPS:
        raise Http404("no such step")
    partner = get_offer_partner_for_party(request.user, pk)
    step, done = OFFER_PARTNER_STEPS[action]
    return redirect_after(
        request, lambda: step(partner=partner, by=request.user), done=done,
        to=partner.offer if action in ("accept", "withdraw") else "deals:partner_list",
        refused_to="deals:partner_list",
    )  # fmt: skip
