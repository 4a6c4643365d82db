"""Export-support programmes, applications to them, their reviews and their timeline."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from brokers.models import Broker
from companies.models import Company
from portal.models import TargetCountry, TimeStampedModel, User, localized
from portal.templatetags.portal_tags import money_text
from portal.uploads.files import GeneratedName, validate_image_or_pdf
from products.models import Product, ProductCategory

from .final import FinalQuerySet, FinalRecord, FinalRecordError


class Status(models.TextChoices):
    """Where an application stands; only support.workflow changes it."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    SCREENING = "screening", _("Screening")
    UNDER_REVIEW = "under_review", _("Under review")
    REVISION_REQUESTED = "revision_requested", _("Revision requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    PAID = "paid", _("Paid")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


GRANTED_STATES = (Status.APPROVED, Status.PAID, Status.CLOSED)
CENTS = Decimal("0.01")
# An application in these states claims support for its products in its countries: a second claim
# for the same product and country in the same programme is refused (support.workflow).
CLAIM_STATES = (
    Status.SUBMITTED, Status.SCREENING, Status.UNDER_REVIEW, Status.REVISION_REQUESTED, *GRANTED_STATES,
)  # fmt: skip
# Waiting for the centre: the applicant was promised the next step by `review_due_at`.
AWAITING_CENTRE = (Status.SUBMITTED, Status.SCREENING, Status.UNDER_REVIEW)
# The fields a decision writes; once `decided_at` is set none of them changes again.
DECISION_FIELDS = ("granted_amount", "decided_at", "decided_by_id", "decision_note")


class DocumentType(TimeStampedModel):
    slug = models.SlugField(_("slug"), unique=True)
    name_fa = models.CharField(_("name (Persian)"), max_length=150)
    name_en = models.CharField(_("name (English)"), max_length=150)

    class Meta:
        verbose_name = _("document type")
        verbose_name_plural = _("document types")
        ordering = ["name_en"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")


class EvidenceRule(models.TextChoices):
    """What a programme asks of the company's export history (support.evidence computes it)."""

    NONE = "none", _("No export evidence required")
    NEW_COUNTRY = "new_country", _("A first shipment to a new target country")
    NEW_PRODUCT = "new_product", _("A new product's first export")
    RECENT_SHIPMENT = "recent_shipment", _("A shipment in the last months")


class ProgramQuerySet(models.QuerySet["SupportProgram"]):
    def open_on(self, day: date | None = None) -> ProgramQuerySet:
        day = day or timezone.localdate()
        return self.filter(is_published=True, opens_on__lte=day, closes_on__gte=day)

    def published(self) -> ProgramQuerySet:
        return self.filter(is_published=True)


class SupportProgram(TimeStampedModel):
    class SupportType(models.TextChoices):
        SHIPPING = "shipping", _("Shipping subsidy")
        CERTIFICATION = "certification", _("International certification or registration costs")
        EXHIBITION = "exhibition", _("Exhibition participation")
        MARKETING = "marketing", _("Marketing and branding")
        INSURANCE = "insurance", _("Export insurance")
        JOINT_BRAND = "joint_brand", _("Joint-brand membership")

    name_fa = models.CharField(_("name (Persian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description_fa = models.TextField(_("description (Persian)"))
    description_en = models.TextField(_("description (English)"))
    support_type = models.CharField(_("support type"), max_length=20, choices=SupportType.choices)
    budget = models.DecimalField(
        _("total budget"), max_digits=16, decimal_places=2, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(
        _("currency"), max_length=3, choices=Product.Currency.choices, default=Product.Currency.USD
    )
    cap_per_application = models.DecimalField(
        _("cap per application"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    eligible_categories = models.ManyToManyField(
        ProductCategory, verbose_name=_("eligible product categories"), blank=True,
        help_text=_("Leave empty for every category."),
    )  # fmt: skip
    eligible_countries = models.ManyToManyField(
        TargetCountry, verbose_name=_("eligible target countries"), blank=True,
        help_text=_("Leave empty for every target country."),
    )  # fmt: skip
    required_documents = models.ManyToManyField(
        DocumentType, verbose_name=_("required documents"), blank=True, related_name="programs"
    )
    ceiling_per_company_year = models.DecimalField(
        _("ceiling per company and year"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_(
            "The most one company may be granted in this programme in a (Jalali) year; empty for no ceiling."
        ),
    )
    review_period_days = models.PositiveSmallIntegerField(
        _("review period (days)"), default=14, validators=[MinValueValidator(1)]
    )
    reviews_required = models.PositiveSmallIntegerField(
        _("reviews before a decision"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Completed reviews of the current round, by people other than the decider, that an "
            "approval or a rejection needs."
        ),
    )
    panel_from_amount = models.DecimalField(
        _("panel from amount"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("Applications requesting at least this much need the panel's number of reviews."),
    )
    panel_reviews_required = models.PositiveSmallIntegerField(
        _("reviews for a panel"), default=2, validators=[MinValueValidator(1)]
    )
    evidence_rule = models.CharField(
        _("export evidence required"),
        max_length=20,
        choices=EvidenceRule.choices,
        default=EvidenceRule.NONE,
        help_text=_(
            "Computed from the company's deals: the application must cite a deal or shipment that meets it."
        ),
    )
    evidence_months = models.PositiveSmallIntegerField(
        _("evidence period (months)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("How far back a qualifying shipment may be."),
    )
    is_published = models.BooleanField(_("published"), default=True)

    objects = ProgramQuerySet.as_manager()
    history = HistoricalRecords(verbose_name=_("history of support programme"))

    class Meta:
        verbose_name = _("support programme")
        verbose_name_plural = _("support programmes")
        ordering = ["-opens_on"]
        constraints = [
            models.CheckConstraint(condition=Q(budget__gte=0), name="program_budget_not_negative"),
            models.CheckConstraint(
                condition=Q(cap_per_application__lte=F("budget")), name="program_cap_within_budget"
            ),
            models.CheckConstraint(condition=Q(closes_on__gte=F("opens_on")), name="program_dates_in_order"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("support:program_detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            errors["closes_on"] = _("A programme closes after it opens.")
        if self.budget is not None and self.cap_per_application and self.cap_per_application > self.budget:
            errors["cap_per_application"] = _("The cap per application cannot exceed the budget.")
        from .selectors import program_budget  # the selectors read this module

        # Also refused by the database (migration 0005), should an approval land meanwhile.
        if self.pk and self.budget is not None and self.budget < (granted := program_budget(self).granted):
            errors["budget"] = _(
                "The budget cannot fall below the %(granted)s %(currency)s already granted."
            ) % {
                "granted": f"{granted:,.2f}",
                "currency": self.currency,
            }
        if errors:
            raise ValidationError(errors)

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def description(self) -> str:
        return localized(self, "description")

    def is_open_on(self, day: date) -> bool:
        return self.is_published and self.opens_on <= day <= self.closes_on

    @property
    def is_open(self) -> bool:
        return self.is_open_on(timezone.localdate())

    def reviews_needed(self, requested_amount: Decimal) -> int:
        """Completed reviews a decision on an application for `requested_amount` needs."""
        if self.panel_from_amount is not None and requested_amount >= self.panel_from_amount:
            return max(self.reviews_required, self.panel_reviews_required)
        return self.reviews_required


class ReviewCriterion(models.Model):
    program = models.ForeignKey(
        SupportProgram, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="criteria"
    )
    name_fa = models.CharField(_("name (Persian)"), max_length=150)
    name_en = models.CharField(_("name (English)"), max_length=150)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1, validators=[MinValueValidator(1)])
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("review criterion")
        verbose_name_plural = _("review criteria")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")


class ApplicationQuerySet(models.QuerySet["Application"]):
    def of_company(self, company: Company | None) -> ApplicationQuerySet:
        return self.filter(company=company) if company else self.none()

    def overdue(self, *, now: timezone.datetime | None = None) -> ApplicationQuerySet:
        """Under review for longer than their programme's review period."""
        return self.filter(status=Status.UNDER_REVIEW, review_due_at__lt=now or timezone.now())

    def to_escalate(self, *, now: timezone.datetime | None = None) -> ApplicationQuerySet:
        """Waiting for the centre past the date promised to the applicant, not escalated yet."""
        return self.filter(
            status__in=AWAITING_CENTRE, review_due_at__lt=now or timezone.now(), escalated_at__isnull=True
        )

    def update(self, **kwargs: Any) -> int:
        # A decision is final (support.final): a bulk update may not rewrite one either.
        if set(kwargs) & {*DECISION_FIELDS, "decided_by"} and self.filter(decided_at__isnull=False).exists():
            raise FinalRecordError(_("A decision is final: it cannot be changed."))
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        # As Application.delete: only drafts go (a submitted one keeps its timeline).
        if self.exclude(status=Status.DRAFT).exists():
            raise FinalRecordError(_("A submitted application keeps its timeline: it cannot be deleted."))
        return super().delete()


class Application(TimeStampedModel):
    reference = models.CharField(_("reference number"), max_length=20, unique=True, null=True, blank=True)
    program = models.ForeignKey(
        SupportProgram, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="applications"
    )
    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="applications"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    products = models.ManyToManyField(Product, verbose_name=_("products"), related_name="applications")
    countries = models.ManyToManyField(
        TargetCountry, verbose_name=_("target countries"), related_name="applications"
    )
    # PROTECT: a brokerage named on an application is kept (suspended, not deleted), so that a
    # decided grant never loses the broker it was granted with.
    broker = models.ForeignKey(
        Broker,
        verbose_name=_("broker"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
    )
    requested_amount = models.DecimalField(
        _("requested amount"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    justification = models.TextField(_("justification"), max_length=5000)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    assigned_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assigned reviewer"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="assigned_applications",
    )  # fmt: skip
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    review_started_at = models.DateTimeField(_("review started at"), null=True, blank=True, editable=False)
    review_due_at = models.DateTimeField(_("review due by"), null=True, blank=True, editable=False)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+", editable=False,
    )  # fmt: skip
    granted_amount = models.DecimalField(
        _("granted amount"), max_digits=14, decimal_places=2, null=True, blank=True, editable=False
    )
    decision_note = models.TextField(_("decision note"), blank=True, editable=False)
    escalated_at = models.DateTimeField(
        _("escalated to the programme managers at"), null=True, blank=True, editable=False
    )
    last_reminded_on = models.DateField(null=True, blank=True, editable=False)
    review_round = models.PositiveSmallIntegerField(
        _("review round"), default=0, editable=False, help_text=_("How many times it has been submitted.")
    )
    screening_attempts = models.PositiveSmallIntegerField(
        _("screening attempts"),
        default=0,
        editable=False,
        help_text=_(
            "Eligibility checks started for this submission; after a few failed ones it waits for staff."
        ),
    )

    objects = ApplicationQuerySet.as_manager()
    # The workflow's bookkeeping counters change by conditional updates, outside the history.
    history = HistoricalRecords(
        verbose_name=_("history of application"), excluded_fields=["last_reminded_on", "screening_attempts"]
    )

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at"]
        # The admin list is ordered -created_at, -id (the model's order plus the admin's tiebreak);
        # these let a page read its 25 rows from an index, plain, by status, by programme or by
        # reviewer, instead of sorting every application. status_program serves the status and
        # programme filters together and their counts.
        indexes = [
            models.Index(fields=["status", "program"], name="application_status_program_idx"),
            models.Index(fields=["-created_at", "-id"], name="application_newest_idx"),
            models.Index(fields=["status", "-created_at", "-id"], name="application_status_new_idx"),
            models.Index(fields=["program", "-created_at", "-id"], name="application_program_new_idx"),
            models.Index(
                fields=["assigned_reviewer", "-created_at", "-id"], name="application_reviewer_new_idx"
            ),
            # The pool every reviewer may pick from (support.permissions.applications_for_staff):
            # a few hundred rows, where status and "no reviewer" apart match thousands each.
            models.Index(
                fields=["-created_at", "-id"],
                condition=Q(status=Status.UNDER_REVIEW, assigned_reviewer__isnull=True),
                name="application_open_pool_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(requested_amount__gt=0), name="application_request_positive"),
            models.CheckConstraint(
                condition=Q(granted_amount__isnull=True) | Q(granted_amount__gte=0),
                name="application_grant_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(granted_amount__isnull=True) | Q(granted_amount__lte=F("requested_amount")),
                name="application_grant_within_request",
            ),
        ]

    def __str__(self) -> str:
        return self.reference or f"#{self.pk} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("support:application_detail", kwargs={"pk": self.pk})

    @classmethod
    def from_db(cls, db: str, field_names: list[str], values: list[Any]) -> Application:
        instance = super().from_db(db, field_names, values)
        instance.decision_as_saved = instance._decision()
        return instance

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        super().refresh_from_db(*args, **kwargs)
        self.decision_as_saved = self._decision()  # decided meanwhile, perhaps by someone else

    def _decision(self) -> tuple[Any, ...] | None:
        if any(name not in self.__dict__ for name in DECISION_FIELDS):
            return None  # read with .only(): nothing to compare
        return tuple(getattr(self, name) for name in DECISION_FIELDS)

    def save(self, *args: Any, **kwargs: Any) -> None:
        saved = getattr(self, "decision_as_saved", None)
        if saved is not None and saved[1] is not None:  # decided when read
            now = self._decision()
            # Only the decider's account may vanish (SET_NULL when a user is deleted).
            if now is not None and (
                now[:2] + now[3:] != saved[:2] + saved[3:] or now[2] not in (saved[2], None)
            ):
                raise FinalRecordError(_("A decision is final: it cannot be changed."))
        super().save(*args, **kwargs)
        self.decision_as_saved = self._decision()

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self.decided_at is not None:
            raise FinalRecordError(_("A decided application cannot be deleted."))
        if self.status != Status.DRAFT:  # its timeline is kept (the trigger refuses it too)
            raise FinalRecordError(_("A submitted application keeps its timeline: it cannot be deleted."))
        return super().delete(*args, **kwargs)

    def paid_total(self) -> Decimal:
        """What has been paid of the grant so far (every instalment)."""
        return (self.payments.aggregate(total=Sum("amount"))["total"] or Decimal("0")).quantize(CENTS)

    def left_to_pay(self) -> Decimal:
        return (self.granted_amount or Decimal("0")) - self.paid_total()

    @property
    def is_overdue(self) -> bool:
        return (
            self.status == Status.UNDER_REVIEW
            and bool(self.review_due_at)
            and self.review_due_at < timezone.now()
        )

    @property
    def is_editable(self) -> bool:
        return self.status in (Status.DRAFT, Status.REVISION_REQUESTED)


class ApplicationDocument(TimeStampedModel):
    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="documents"
    )
    document_type = models.ForeignKey(DocumentType, verbose_name=_("document type"), on_delete=models.PROTECT)
    file = models.FileField(
        _("file (PDF or image)"),
        upload_to=GeneratedName("support/documents"),
        validators=[validate_image_or_pdf],
    )

    class Meta:
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")
        ordering = ["document_type__name_en", "-created_at"]

    def __str__(self) -> str:
        return f"{self.document_type} ({self.application})"


class ApplicationEvidence(models.Model):
    """A deal (as a whole) or one of its shipments that the applicant cites as the export behind
    the application. Written only while the application can be edited (support.services); a
    shipment backs one application at a time (support.evidence, checked by support.workflow)."""

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="evidence"
    )
    deal = models.ForeignKey(
        "deals.Deal", verbose_name=_("deal"), on_delete=models.PROTECT, related_name="support_citations"
    )
    shipment = models.ForeignKey(
        "deals.Shipment",
        verbose_name=_("shipment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="support_citations",
        help_text=_("Empty when the deal as a whole is cited."),
    )
    created_at = models.DateTimeField(_("cited at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("cited deal or shipment")
        verbose_name_plural = _("cited deals and shipments")
        ordering = ["deal_id", "shipment_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "deal"],
                condition=Q(shipment__isnull=True),
                name="evidence_deal_cited_once",
            ),
            models.UniqueConstraint(
                fields=["application", "shipment"],
                condition=Q(shipment__isnull=False),
                name="evidence_shipment_cited_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} ← {self.shipment or self.deal}"


class Review(FinalRecord, TimeStampedModel):
    """A reviewer's scored opinion; recorded whole at once (services.review_submit) and final."""

    class Recommendation(models.TextChoices):
        APPROVE = "approve", _("Approve")
        REVISE = "revise", _("Ask for revision")
        REJECT = "reject", _("Reject")

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), on_delete=models.PROTECT, related_name="reviews"
    )
    recommendation = models.CharField(_("recommendation"), max_length=10, choices=Recommendation.choices)
    comment = models.TextField(_("comment"), blank=True, max_length=5000)
    weighted_score = models.DecimalField(
        _("weighted score (0–10)"), max_digits=5, decimal_places=2, editable=False
    )
    review_round = models.PositiveSmallIntegerField(_("review round"), default=1, editable=False)
    no_conflict_confirmed = models.BooleanField(
        _("confirmed no conflict of interest"), default=False, editable=False
    )

    objects = FinalQuerySet.as_manager()
    history = HistoricalRecords(verbose_name=_("history of review"))

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-created_at"]
        # A revised and resubmitted application is scored again: one review per reviewer per round.
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer", "review_round"], name="one_review_per_round"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} → {self.application}"


class ReviewScore(FinalRecord):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(ReviewCriterion, verbose_name=_("criterion"), on_delete=models.PROTECT)
    score = models.PositiveSmallIntegerField(_("score (0–10)"), validators=[MaxValueValidator(10)])

    objects = FinalQuerySet.as_manager()
    history = HistoricalRecords(verbose_name=_("history of review score"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="one_score_per_criterion")
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score}"


class ApplicationEventQuerySet(models.QuerySet["ApplicationEvent"]):
    def for_applicant(self) -> ApplicationEventQuerySet:
        """The steps the company sees: not the staff-only ones (conflicts, reviews)."""
        return self.filter(internal=False)

    def update(self, **kwargs: Any) -> int:
        # Only what deleting a user does (on_delete SET_NULL): the actor's account goes.
        if kwargs not in ({"actor": None}, {"actor_id": None}):
            raise FinalRecordError(_("The timeline is append-only."))
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if self.exclude(application__status=Status.DRAFT).exists():
            raise FinalRecordError(_("The timeline is kept: its steps cannot be deleted."))
        return super().delete()


class Action(models.TextChoices):
    """What a timeline row records: a transition of support.workflow's table, or a step that leaves
    the status as it is (assignments, skips, reviews, escalations). The labels are what staff read
    in the admin; the company's timeline shows `ApplicationEvent.heading`."""

    SUBMIT = "submit", _("Submitted")
    SCREEN_START = "screen_start", _("Screening started")
    SCREEN_PASS = "screen_pass", _("Passed screening")
    SCREEN_FAIL = "screen_fail", _("Failed screening")
    ASSIGN = "assign", _("Reviewer assigned")
    REASSIGN = "reassign", _("Reviewer reassigned")
    CONFLICT_SKIP = "conflict_skip", _("Reviewer skipped for a conflict of interest")
    REVIEW = "review", _("Review submitted")
    REQUEST_REVISION = "request_revision", _("Changes requested")
    APPROVE = "approve", _("Approved")
    REJECT = "reject", _("Rejected")
    RECORD_PAYMENT = "record_payment", _("Instalment paid")
    MARK_PAID = "mark_paid", _("Paid in full")
    ESCALATE = "escalate", _("Escalated to the programme managers")
    CLOSE = "close", _("Closed")
    WITHDRAW = "withdraw", _("Withdrawn")


# Timeline notes the company does not read (page and API alike): assignments name staff, an
# escalation's is the staff's, and a payment's is the staff's audit line (amount, reference, paid so
# far), which the company reads in its payments table instead.
NOTE_WITHHELD = (Action.ASSIGN, Action.REASSIGN, Action.ESCALATE, Action.RECORD_PAYMENT, Action.MARK_PAID)


class ApplicationEvent(models.Model):
    """One row per status change (and assignment): the company's timeline and the audit log.

    Append-only: a row is never updated (but for its actor's account becoming NULL when the user is
    deleted) nor deleted, short of deleting a draft application, which has no submitted steps
    (support.final; triggers of migrations 0011 and 0013 on PostgreSQL)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("from"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Status.choices)
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    internal = models.BooleanField(
        _("staff only"), default=False, help_text=_("Kept from the company's timeline (conflicts, reviews).")
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    objects = ApplicationEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("application event")
        verbose_name_plural = _("application events")
        ordering = ["created_at", "pk"]
        # A step nobody named cannot reach the timeline, whoever writes it.
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=Action.values), name="application_event_known_action"
            )
        ]

    def __str__(self) -> str:
        # The step by its name (the admin heads each row of the timeline with it), not its code.
        return f"{self.application}: {self.get_action_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise FinalRecordError(_("The timeline is append-only."))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self.application.status != Status.DRAFT:
            raise FinalRecordError(_("The timeline is kept: its steps cannot be deleted."))
        return super().delete(*args, **kwargs)

    @property
    def heading(self) -> str:
        """What the company's timeline calls this step: the new status, unless the step is one
        that leaves the status as it is (then the step itself)."""
        steps = {
            Action.ASSIGN: _("Reviewer assigned"),
            Action.REASSIGN: _("Reviewer assigned"),  # who was replaced is the staff's business
            Action.ESCALATE: _("Escalated to the programme managers"),
            Action.RECORD_PAYMENT: _("Instalment paid; the rest of the grant follows"),
            Action.MARK_PAID: _("Paid in full"),
        }
        return str(steps.get(self.action) or self.get_to_status_display())

    @property
    def note_for_applicant(self) -> str:
        """The note the company reads (see NOTE_WITHHELD)."""
        return "" if self.action in NOTE_WITHHELD else self.note


class Payment(FinalRecord):
    """One instalment paid of an application's grant; together never more than the grant.

    Recorded by support.workflow.application_payment_record under the application's lock; on
    PostgreSQL a constraint trigger (migration 0011) refuses a sum beyond the grant as well."""

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.PROTECT, related_name="payments"
    )
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Product.Currency.choices)
    paid_on = models.DateField(_("paid on"))
    reference = models.CharField(
        _("bank or treasury reference"), max_length=100, help_text=_("As on the transfer order.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    objects = FinalQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["paid_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            # A transfer is recorded once: a double click or a second clerk cannot pay it twice.
            models.UniqueConstraint(fields=["application", "reference"], name="one_payment_per_reference"),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {money_text(self.amount, self.currency)}"


class ReviewAssignmentQuerySet(models.QuerySet):
    def current(self) -> ReviewAssignmentQuerySet:
        """The seats still held (not moved to another reviewer)."""
        return self.filter(ended_at__isnull=True)


class ReviewAssignment(models.Model):
    """A reviewer on an application's panel for one review round.

    `Application.assigned_reviewer` stays the panel's lead (the one the lists and reminders
    show); every member, lead included, has a row here for the round they are asked to score.
    """

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="assignments"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), on_delete=models.PROTECT,
        related_name="review_assignments",
    )  # fmt: skip
    review_round = models.PositiveSmallIntegerField(_("review round"))
    created_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    # A seat a manager moved to another reviewer is ended, not deleted: who sat on the panel stays
    # on record. Every "current panel" query reads the seats that are not ended (`current()`).
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("replaced by"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )  # fmt: skip

    objects = ReviewAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("review assignment")
        verbose_name_plural = _("review assignments")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "review_round", "reviewer"],
                condition=models.Q(ended_at__isnull=True),
                name="one_current_seat_per_reviewer_and_round",
            )
        ]
        # A reviewer's admin list asks "am I on this application's panel?" row by row.
        indexes = [models.Index(fields=["reviewer", "application"], name="assignment_reviewer_idx")]

    def __str__(self) -> str:
        return f"{self.reviewer} → {self.application} ({self.review_round})"


class StaffTie(TimeStampedModel):
    """A tie of a member of staff to a company or brokerage, declared by them, that makes them
    conflicted on its applications. Membership of a company or brokerage needs no declaration.

    A declaration counts from the moment it is made; a manager approves it (recorded) or rejects
    it (not a real tie: it stops counting)."""

    class Nature(models.TextChoices):
        FAMILY = "family", _("Family member works there or owns it")
        FORMER_EMPLOYEE = "former_employee", _("Former employee")
        SHAREHOLDER = "shareholder", _("Shareholder or partner")
        CONSULTANT = "consultant", _("Consultant or adviser")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting a manager")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected: not a conflict")

    # PROTECT: a declaration outlives neither side's deletion silently (the conflict record stays).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("staff member"), on_delete=models.PROTECT,
        related_name="declared_ties",
    )  # fmt: skip
    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="staff_ties",
    )  # fmt: skip
    broker = models.ForeignKey(
        Broker, verbose_name=_("broker"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="staff_ties",
    )  # fmt: skip
    nature = models.CharField(_("nature of the tie"), max_length=20, choices=Nature.choices)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, editable=False
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+", editable=False,
    )  # fmt: skip
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("declared tie")
        verbose_name_plural = _("declared ties (conflicts of interest)")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(company__isnull=False, broker__isnull=True)
                | Q(company__isnull=True, broker__isnull=False),
                name="tie_to_one_company_or_brokerage",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ~ {self.company or self.broker}"

    def clean(self) -> None:
        super().clean()
        if bool(self.company_id) == bool(self.broker_id):
            raise ValidationError(_("Choose either a company or a brokerage."))


class Reviewer(User):
    """The centre's staff as programme managers see them: availability and workload (a proxy)."""

    class Meta:
        proxy = True
        verbose_name = _("reviewer availability")
        verbose_name_plural = _("reviewers' availability")
