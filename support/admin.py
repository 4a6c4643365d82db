"""The reviewers' workplace: programmes, and applications whose status moves only by actions."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.defaultfilters import linebreaksbr
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from companies.models import Company
from portal.admin_display import money_column
from portal.admin_tools import CheckedActionsMixin, NoteActionForm, csv_export_action, log_action
from portal.forms import DigitsFormMixin, LocalDateField, add_service_errors
from portal.history import AuditedAdmin
from portal.http.page_cache import CachedChangelistMixin, cache_staff_page
from portal.http.pagination import LargeTablePaginator
from portal.i18n.digits import to_ascii_digits
from portal.permissions import Role, is_manager, staff_with_role
from portal.templatetags.portal_tags import join_local, localnumber, localtext, money
from products.search import normalize_query

from . import workflow
from .admin_panel import reassign_view
from .admin_views import dashboard
from .evidence import cited_deals, rule_check, rule_refusal
from .models import (
    Action,
    Application,
    ApplicationDocument,
    ApplicationEvent,
    DocumentType,
    Payment,
    Review,
    ReviewCriterion,
    Status,
    SupportProgram,
)
from .panel import panel_of, panel_scores_for
from .permissions import (
    applications_for_staff,
    can_reassign,
    can_record_payment,
    can_review,
)
from .selectors import programs_with_budget
from .services import SCREENING_MAX_ATTEMPTS, review_submit


class CriterionInline(admin.TabularInline):
    model = ReviewCriterion
    extra = 1
    fields = ["name_fa", "name_en", "weight", "position"]


@admin.register(DocumentType)
class DocumentTypeAdmin(CheckedActionsMixin, admin.ModelAdmin):
    list_display = ["name_fa", "name_en", "slug"]
    search_fields = ["name_fa", "name_en", "slug"]


@admin.register(SupportProgram)
class SupportProgramAdmin(CheckedActionsMixin, AuditedAdmin):
    list_display = [
        "name_fa",
        "name_en",
        "support_type",
        "opens_on",
        "closes_on",
        "budget_shown",
        "budget_used",
        "is_published",
    ]
    list_filter = ["support_type", "is_published"]
    search_fields = ["name_fa", "name_en"]
    filter_horizontal = ["eligible_categories", "eligible_countries", "required_documents"]
    inlines = [CriterionInline]

    budget_shown = money_column(SupportProgram, "budget")

    def get_queryset(self, request: HttpRequest) -> QuerySet[SupportProgram]:
        return programs_with_budget(super().get_queryset(request))

    def get_readonly_fields(self, request: HttpRequest, obj: SupportProgram | None = None) -> list[str]:
        # Beside the budget it is typed in, what it has granted and has left (programs_with_budget).
        fields = list(super().get_readonly_fields(request, obj))
        return fields if obj is None else [*fields, "budget_used", "budget_left"]

    @admin.display(description=_("granted so far"))
    def budget_used(self, program: SupportProgram) -> str:
        return money(program.granted, program.currency)

    @admin.display(description=_("remaining budget"))
    def budget_left(self, program: SupportProgram) -> str:
        return money(program.remaining, program.currency)


class GrantAmountForm(DigitsFormMixin, forms.Form):
    amount = forms.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))


class DecisionActionForm(NoteActionForm):
    amount = forms.CharField(label=_("Amount (to grant or paid)"), required=False, max_length=20)


class OverdueFilter(admin.SimpleListFilter):
    title = _("review period")
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", _("Overdue"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Application]) -> QuerySet[Application]:
        return queryset.overdue() if self.value() == "yes" else queryset


class ScreeningFailedFilter(admin.SimpleListFilter):
    """Submitted applications whose eligibility check failed every try (support.tasks)."""

    title = _("screening")
    parameter_name = "screening"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("failed", _("Screening failed"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Application]) -> QuerySet[Application]:
        if self.value() != "failed":
            return queryset
        return queryset.filter(status=Status.SUBMITTED, screening_attempts__gte=SCREENING_MAX_ATTEMPTS)


class ReviewerFilter(admin.RelatedFieldListFilter):
    """Only staff in the reviewer role (and "nobody"): listing every user made a 290 KB page."""

    def field_choices(self, field, request, model_admin):  # noqa: ANN001, ANN201 - admin signature
        reviewers = staff_with_role(Role.REVIEWER).order_by("full_name", "email")
        return [(user.pk, str(user)) for user in reviewers]


# A whole reference (EXP-1405-000123) or its beginning, as reviewers type or paste it.
REFERENCE = re.compile(r"^EXP-[0-9-]*$", re.IGNORECASE)
WHOLE_REFERENCE = re.compile(r"^EXP-[0-9]{4}-[0-9]{6}$")


def _screening_day(application: Application) -> Any:
    """The day the evidence rule is read on: the submission's (as screening read it), else today."""
    return timezone.localdate(application.submitted_at) if application.submitted_at else None


def applications_matching(queryset: QuerySet[Application], text: str) -> QuerySet[Application]:
    """Applications whose reference is (or starts with) `text`, or whose company matches it.

    A reference uses the unique index on reference (exact) or its varchar_pattern_ops twin that
    Django creates on PostgreSQL (prefix: LIKE 'EXP-1405-%'). Anything else is looked up among the
    few thousand companies first, so applications are then read through the company_id index
    instead of a LIKE over every application joined to its company.
    """
    text = to_ascii_digits(text).strip()
    if REFERENCE.match(text):
        reference = text.upper()
        if WHOLE_REFERENCE.match(reference):
            return queryset.filter(reference=reference)
        return queryset.filter(reference__startswith=reference)
    return queryset.filter(company_id__in=list(_company_ids_matching(text)))


def _company_ids_matching(text: str) -> QuerySet[Company]:
    """Companies whose national ID starts with `text` (digits), or with every word of it in a name
    (Arabic or Persian ی/ک alike). The ID uses its unique index; the names are a few thousand rows."""
    if text.isdigit():
        match = Q(national_id__startswith=text)
    else:
        match = Q()
        for word in text.split()[:6]:
            variants = {word, normalize_query(word)}  # as typed, and with Persian letters
            match &= Q.create([_name_contains(variant) for variant in variants], connector=Q.OR)
    return Company.objects.filter(match).order_by().values_list("pk", flat=True)


def _name_contains(word: str) -> Q:
    return Q(name_fa__icontains=word) | Q(name_en__icontains=word)


class DocumentInline(admin.TabularInline):
    model = ApplicationDocument
    extra = 0
    fields = ["document_type", "file", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ReviewInline(admin.TabularInline):
    model = Review
    extra = 0
    fields = [
        "reviewer", "review_round", "recommendation", "weighted_score", "no_conflict_confirmed", "comment",
        "created_at",
    ]  # fmt: skip
    readonly_fields = fields
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Review]:
        reviews = super().get_queryset(request).select_related("reviewer")
        if is_manager(request.user):
            return reviews
        # Reviews are independent: a reviewer sees the others' reviews of a round once they have
        # submitted their own for it (support.panel.may_see_panel_scores), and always their own.
        own_rounds = Review.objects.filter(
            reviewer=request.user, application=OuterRef("application"), review_round=OuterRef("review_round")
        )
        return reviews.filter(Q(reviewer=request.user) | Exists(own_rounds))

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class EventInline(admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    fields = ["created_at", "from_status", "to_status", "action", "actor", "shown_note", "internal"]
    readonly_fields = fields
    can_delete = False
    ordering = ["created_at", "pk"]

    @admin.display(description=_("note"))
    def shown_note(self, event: ApplicationEvent) -> str:
        """The note as stored (figures as the portal wrote them: "3,000.00 USD"), its numbers in the
        reader's digits: the timeline keeps the data, the page localises it. Its direction is its
        own (a payment's figures read left to right in a Persian page, a Persian note right to left)."""
        if not event.note:
            return self.get_empty_value_display()
        return format_html('<span dir="auto">{}</span>', linebreaksbr(localtext(event.note)))

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApplicationEvent]:
        events = super().get_queryset(request).select_related("actor", "application")  # named in each row
        if is_manager(request.user):
            return events
        # A review's row carries its score: hidden from another reviewer until they have scored
        # the current round themselves (independent reviews, as ReviewInline).
        scored = Review.objects.filter(
            reviewer=request.user,
            application=OuterRef("application"),
            review_round=OuterRef("application__review_round"),
        )
        return events.exclude(Q(action=Action.REVIEW) & ~Q(actor=request.user) & ~Exists(scored))

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class PaymentInline(admin.TabularInline):
    """The grant's instalments: final once recorded (support.final); added by the payment form."""

    model = Payment
    extra = 0
    fields = ["paid_on", "amount_shown", "reference", "recorded_by", "created_at"]
    readonly_fields = fields
    can_delete = False

    amount_shown = money_column(Payment, "amount")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Payment]:
        return super().get_queryset(request).select_related("recorded_by")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class PaymentForm(DigitsFormMixin, forms.Form):
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    paid_on = LocalDateField(label=_("Paid on"), help_text=_("As on the transfer order."))
    reference = forms.CharField(label=_("Bank or treasury reference"), max_length=100)


class ReviewForm(forms.Form):
    recommendation = forms.ChoiceField(label=_("Recommendation"), choices=Review.Recommendation.choices)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    no_conflict = forms.BooleanField(
        label=_("I have no conflict of interest with this company or its brokerage"),
        error_messages={"required": _("Confirm that you have no conflict of interest before scoring.")},
    )

    def __init__(self, *args: object, criteria: list[ReviewCriterion], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"score_{criterion.pk}"] = forms.IntegerField(
                label=f"{criterion.name} (×{criterion.weight})", min_value=0, max_value=10
            )
        self.order_fields([f"score_{c.pk}" for c in criteria] + ["recommendation", "comment", "no_conflict"])

    def scores(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data[f"score_{c.pk}"] for c in self.criteria}


@admin.register(Application)
class ApplicationAdmin(CachedChangelistMixin, CheckedActionsMixin, AuditedAdmin):
    list_display = [
        "reference", "company", "program", "status", "assigned_reviewer", "requested", "granted",
        "submitted_at", "overdue_flag",
    ]  # fmt: skip
    list_filter = [
        "status", "program", "countries", "products__category", ("assigned_reviewer", ReviewerFilter),
        OverdueFilter, ScreeningFailedFilter, "submitted_at",
    ]  # fmt: skip
    # Searched by applications_matching (see get_search_results); the list only shows the box.
    search_fields = ["reference", "company__name_fa", "company__name_en", "company__national_id"]
    search_help_text = _("A reference number (EXP-…), or a company's name or national ID.")
    list_select_related = ["company", "program", "assigned_reviewer"]
    # Ordered by the model's -created_at (then -pk): the application_*_new indexes (models.py)
    # serve it plain, by status, by programme and by reviewer, so a page reads 25 rows, not all.
    list_per_page = 25
    paginator = LargeTablePaginator
    show_full_result_count = False
    readonly_fields = [
        "reference", "program", "company", "status", "requested", "justification", "broker",
        "assigned_reviewer", "submitted_at", "review_started_at", "review_due_at", "granted",
        "decided_at", "decided_by", "decision_note", "payments_summary", "escalated_at", "products_list",
        "screening_attempts",
        "countries_list", "evidence_summary", "panel_summary", "score_link",
    ]  # fmt: skip
    exclude = [
        "products", "countries", "created_by", "last_reminded_on", "requested_amount", "granted_amount",
    ]  # fmt: skip
    inlines = [DocumentInline, ReviewInline, PaymentInline, EventInline]
    action_form = DecisionActionForm
    actions = [
        "assign_to_me", "request_revision", "approve", "reject", "record_payment", "close", "export_csv",
    ]  # fmt: skip

    # The workflow's actions in the menu, by the transition each takes: support.workflow's table
    # decides who is offered which (no model permission beside it that could disagree).
    WORKFLOW_ACTIONS = {
        "assign_to_me": Action.ASSIGN, "request_revision": Action.REQUEST_REVISION,
        "approve": Action.APPROVE, "reject": Action.REJECT, "record_payment": Action.RECORD_PAYMENT,
        "close": Action.CLOSE,
    }  # fmt: skip

    requested = money_column(Application, "requested_amount", currency="program__currency")
    granted = money_column(Application, "granted_amount", currency="program__currency")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Application]:
        return applications_for_staff(request.user, super().get_queryset(request))

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        changelist = super().get_changelist_instance(request)
        if request.method == "GET":  # the menu offers what applies to the rows shown
            request.application_statuses = {application.status for application in changelist.result_list}
        return changelist

    def get_actions(self, request: HttpRequest) -> dict:
        """The menu: only the workflow actions the user's role may take on a row shown (each row's
        own rule is checked again when the action runs, on the selected rows)."""
        actions = super().get_actions(request)
        statuses = getattr(request, "application_statuses", None)
        offered = workflow.offered_actions(
            request.user, set(Status) if statuses is None else statuses, among=self.WORKFLOW_ACTIONS.values()
        )
        return {
            name: action
            for name, action in actions.items()
            if name not in self.WORKFLOW_ACTIONS or self.WORKFLOW_ACTIONS[name] in offered
        }

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Application], search_term: str
    ) -> tuple[QuerySet[Application], bool]:
        if not search_term.strip():
            return queryset, False
        return applications_matching(queryset, search_term), False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # applications come from companies

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # the timeline is the audit log

    def has_change_permission(self, request: HttpRequest, obj: Application | None = None) -> bool:
        # A decided application's page is read-only (no Save): its decision is final (support.final).
        # Its next steps (payments, closing) are the actions and the payment form.
        if obj is not None and obj.decided_at is not None:
            return False
        return super().has_change_permission(request, obj)

    def get_urls(self) -> list:
        extra = [
            path(
                "dashboard/",
                self.admin_site.admin_view(cache_staff_page(dashboard)),
                name="support_dashboard",
            ),
            path(
                "<int:pk>/review/",
                self.admin_site.admin_view(self.review_view),
                name="support_application_review",
            ),
            path(
                "<int:pk>/reassign/",
                self.admin_site.admin_view(reassign_view),
                name="support_application_reassign",
            ),
            path(
                "<int:pk>/payment/",
                self.admin_site.admin_view(self.payment_view),
                name="support_application_payment",
            ),
        ]
        return extra + super().get_urls()

    @admin.display(description=_("products"))
    def products_list(self, application: Application) -> str:
        return join_local(p.name for p in application.products.all())

    @admin.display(description=_("target countries"))
    def countries_list(self, application: Application) -> str:
        return join_local(c.name for c in application.countries.all())

    @admin.display(description=_("overdue"), boolean=True)
    def overdue_flag(self, application: Application) -> bool:
        return application.is_overdue

    @admin.display(description=_("review"))
    def score_link(self, application: Application) -> str:
        if application.status != Status.UNDER_REVIEW:
            return "—"
        url = reverse("admin:support_application_review", args=[application.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("Score this application"))

    @admin.display(description=_("cited deals and shipments"))
    def evidence_summary(self, application: Application) -> str:
        """The deals the applicant cites beside the application, with their shipments' papers (which
        the reviewers who may open the application may open: support.evidence.can_see_cited_file),
        and the programme's evidence rule as screening read it."""
        rule = rule_check(application.company, application.program, on=_screening_day(application))
        return render_to_string(
            "admin/support/partials/_evidence.html",
            {
                "application": application,
                "cited": cited_deals(application),
                "rule": rule,
                "rule_refusal": rule_refusal(application, check=rule) if rule.required else "",
            },
        )

    @admin.display(description=_("panel and scores"))
    def panel_summary(self, application: Application) -> str:
        """The current round's reviewers, each one's weighted score, and the combined score."""
        return render_to_string(
            "admin/support/partials/_panel.html",
            {
                "panel": panel_of(application),
                "scores": panel_scores_for(getattr(application, "viewer", AnonymousUser()), application),
                "application": application,
            },
        )

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> Application | None:
        application = super().get_object(request, object_id, from_field)
        if application is not None:
            application.viewer = request.user  # whose eyes panel_summary shows the scores to
        return application

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict,
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Application | None = None,
    ) -> HttpResponse:
        # The "Reassign" button (change_form.html): programme managers, on an application under review.
        context["can_reassign"] = obj is not None and bool(can_reassign(request.user, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description=_("paid so far"))
    def payments_summary(self, application: Application) -> str:
        if application.granted_amount is None:
            return "—"
        currency = application.program.currency
        paid, granted = money(application.paid_total(), currency), money(application.granted_amount, currency)
        # The amounts come escaped from money(), the words from the translations.
        summary = mark_safe(_("%(paid)s of %(granted)s") % {"paid": paid, "granted": granted})  # noqa: S308
        if application.status != Status.APPROVED:
            return summary
        url = reverse("admin:support_application_payment", args=[application.pk])
        return format_html('{} <a class="button" href="{}">{}</a>', summary, url, _("Record a payment"))

    # --- the payment form --------------------------------------------------------------------------
    def payment_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        applications = applications_for_staff(request.user, Application.objects.select_related("program"))
        application = get_object_or_404(applications, pk=pk)
        can_record_payment(request.user, application).require()
        form = PaymentForm(request.POST or None, initial={"paid_on": timezone.localdate()})
        if request.method == "POST" and form.is_valid():
            try:
                workflow.application_payment_record(
                    application=application, by=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                self.message_user(request, _("The payment is recorded."), messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:support_application_change", args=[pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Record a payment for %(reference)s") % {"reference": application.reference},
            "application": application,
            "paid": application.paid_total(),
            "form": form if application.status == Status.APPROVED else None,
            "opts": self.model._meta,
        }
        return render(request, "admin/support/application_payment.html", context)

    # --- the review form ---------------------------------------------------------------------------
    def review_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        # Outside the user's applications, a 404 as in the list; inside, reviewing needs the rule.
        applications = applications_for_staff(
            request.user, Application.objects.select_related("program", "company")
        )
        application = get_object_or_404(applications, pk=pk)
        can_review(request.user, application).require()
        criteria = list(application.program.criteria.all())
        form = ReviewForm(request.POST or None, criteria=criteria)
        if request.method == "POST" and form.is_valid():
            try:
                review_submit(
                    application=application,
                    reviewer=request.user,
                    scores=form.scores(),
                    recommendation=form.cleaned_data["recommendation"],
                    comment=form.cleaned_data["comment"],
                    no_conflict=form.cleaned_data["no_conflict"],
                )
            except (ValidationError, PermissionDenied) as error:
                form.add_error(None, " ".join(getattr(error, "messages", [str(error)])))
            else:
                self.message_user(request, _("Your review is recorded."), messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:support_application_change", args=[pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Score %(reference)s") % {"reference": application.reference},
            "application": application,
            "form": form,
            "opts": self.model._meta,
            "panel": panel_of(application),
            "scores": panel_scores_for(request.user, application),
            "already_scored": application.reviews.filter(
                reviewer=request.user, review_round=application.review_round
            ).exists(),
        }
        return render(request, "admin/support/application_review.html", context)

    # --- actions: each calls support.workflow ------------------------------------------------------
    def _each(
        self,
        request: HttpRequest,
        queryset: QuerySet[Application],
        action: Action,
        run,
        note: str = "",  # noqa: ANN001
    ) -> None:
        done = 0
        for application in queryset:
            try:
                run(application)
            except ValidationError as error:
                self.message_user(request, f"{application}: {' '.join(error.messages)}", messages.ERROR)
            except PermissionDenied as error:
                self.message_user(request, f"{application}: {error}", messages.ERROR)
            else:
                done += 1
                # The admin's log, beside the timeline: the step by its name, read in the reader's language.
                log_action(self, request, application, action.label, note)
        if done:
            message = ngettext("%(n)s application updated.", "%(n)s applications updated.", done)
            self.message_user(request, message % {"n": localnumber(done)}, messages.SUCCESS)

    @staticmethod
    def _note(request: HttpRequest) -> str:
        return request.POST.get("note", "").strip()

    @admin.action(description=_("Assign to me"))
    def assign_to_me(self, request: HttpRequest, queryset: QuerySet[Application]) -> None:
        self._each(
            request,
            queryset,
            Action.ASSIGN,
            lambda a: workflow.application_assign(application=a, by=request.user, reviewer=request.user),
        )

    @admin.action(
        description=_("Request a revision (write what to change in the note)"),
    )
    def request_revision(self, request: HttpRequest, queryset: QuerySet[Application]) -> None:
        note = self._note(request)
        self._each(
            request,
            queryset,
            Action.REQUEST_REVISION,
            lambda a: workflow.application_request_revision(application=a, by=request.user, note=note),
            note,
        )

    @admin.action(description=_("Approve with the amount given"))
    def approve(self, request: HttpRequest, queryset: QuerySet[Application]) -> None:
        form = GrantAmountForm({"amount": request.POST.get("amount", "")})
        amount = form.cleaned_data["amount"] if form.is_valid() else None
        if amount is None:
            self.message_user(request, _("Enter the amount to grant (a positive number)."), messages.ERROR)
            return
        note = self._note(request)
        self._each(
            request,
            queryset,
            Action.APPROVE,
            lambda a: workflow.application_approve(application=a, by=request.user, amount=amount, note=note),
            note,
        )

    @admin.action(description=_("Reject (write the reason in the note)"))
    def reject(self, request: HttpRequest, queryset: QuerySet[Application]) -> None:
        note = self._note(request)
        self._each(
            request,
            queryset,
            Action.REJECT,
            lambda a: workflow.application_reject(application=a, by=request.user, reason=note),
            note,
        )

    @admin.action(
        description=_("Record a payment paid today (the amount; the bank reference in the note)"),
    )
    def record_payment(self, request: HttpRequest, queryset: QuerySet[Application]) -> None:
        # One amount and one bank reference belong to one transfer: one application at a time.
        if queryset.count() != 1:
            self.message_user(
                request,
                _("Record a payment for one application at a time (a bank reference is one transfer's)."),
                messages.ERROR,
            )
            return
        form = GrantAmountForm({"amount": request.POST.get("amount", "")})
        if not form.is_valid():
            self.message_user(request, _("Enter the amount paid (a positive number)."), messages.ERROR)
            return
        amount, note = form.cleaned_data["amount"], self._note(request)
        self._each(
            request,
            queryset,
            Action.RECORD_PAYMENT,
            lambda a: workflow.application_payment_record(
                application=a, by=request.user, amount=amount, reference=note
            ),
            note,
        )

    @admin.action(description=_("Close"))
    def close(self, request: HttpRequest, queryset: QuerySet[Application]) -> None:
        self._each(
            request,
            queryset,
            Action.CLOSE,
            lambda a: workflow.application_close(application=a, by=request.user, note=self._note(request)),
            self._note(request),
        )

    export_csv = csv_export_action(
        [
            (_("reference number"), "reference"),
            (_("company"), "company__name_en"),
            (_("national ID"), "company__national_id"),
            (_("programme"), "program__name_en"),
            (_("status"), "get_status_display"),
            (_("requested amount"), "requested_amount"),
            (_("granted amount"), "granted_amount"),
            (_("currency"), "program__currency"),
            (_("assigned reviewer"), "assigned_reviewer__email"),
            (_("submitted at"), "submitted_at"),
            (_("decided at"), "decided_at"),
        ],
        filename="applications",
    )
