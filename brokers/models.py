"""Licensed export brokers, the offers they list, companies' responses and buyer inquiries."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import jdatetime
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from simple_history.models import HistoricalRecords

from companies.models import Company
from portal.models import (
    Invitation,
    LoadedStatus,
    Organisation,
    OrganisationMembership,
    OrganisationQuerySet,
    TargetCountry,
    TimeStampedModel,
    User,
    localized,
)
from portal.organisations import OrganisationKind, OrganisationTexts
from portal.permissions import Role
from portal.templatetags.portal_tags import jdate, localnumber
from portal.uploads.files import GeneratedName, validate_image, validate_image_or_pdf
from products.models import Product, ProductCategory

LANGUAGES = [
    ("fa", _("Persian")), ("en", _("English")), ("ar", _("Arabic")), ("ru", _("Russian")),
    ("tr", _("Turkish")), ("ur", _("Urdu")), ("ps", _("Pashto")), ("az", _("Azerbaijani")),
    ("hy", _("Armenian")), ("kk", _("Kazakh")), ("fr", _("French")), ("zh", _("Chinese")),
]  # fmt: skip


class ServiceType(TimeStampedModel):
    slug = models.SlugField(_("slug"), unique=True)
    name_fa = models.CharField(_("name (Persian)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_ar = models.CharField(_("name (Arabic)"), max_length=100, blank=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=100, blank=True)
    icon = models.CharField(_("icon"), max_length=40, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("service type")
        verbose_name_plural = _("service types")
        ordering = ["position", "name_en"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")


# Days before the licence's end on which its members are warned (each once per expiry date).
LICENCE_WARNING_DAYS = (30, 7)


def licence_valid_q(prefix: str = "", *, today: date | None = None) -> Q:
    """Rows whose brokerage's licence has not expired (`prefix`: the path to the brokerage)."""
    today = today or timezone.localdate()
    field = f"{prefix}licence_expires_on"
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": today})


class BrokerQuerySet(OrganisationQuerySet):
    def covering(self, country: TargetCountry) -> BrokerQuerySet:
        return self.filter(countries=country)

    def publishing(self) -> BrokerQuerySet:
        """Approved brokerages whose licence is valid today."""
        return self.approved().filter(licence_valid_q())


class Broker(Organisation):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SUSPENDED = "suspended", _("Suspended")

    licence_number = models.CharField(
        _("export broker licence number"),
        max_length=50,
        unique=True,
        error_messages={"unique": _("A brokerage with this licence number is already registered.")},
    )
    licence_file = models.FileField(
        _("licence (PDF or image)"),
        upload_to=GeneratedName("brokers/licences"),
        validators=[validate_image_or_pdf],
    )
    # Null only for brokerages registered before the date was asked; the form requires it.
    licence_expires_on = models.DateField(_("licence valid until"), null=True, blank=True)
    services = models.ManyToManyField(ServiceType, verbose_name=_("services"), related_name="brokers")
    countries = models.ManyToManyField(
        TargetCountry, verbose_name=_("covered countries"), related_name="brokers"
    )
    languages = models.JSONField(_("working languages"), default=list, blank=True)
    offices = models.CharField(
        _("offices"), max_length=300, blank=True, help_text=_("Cities with an office, e.g. Tehran, Baghdad.")
    )
    description_fa = models.TextField(_("description (Persian)"), blank=True, max_length=3000)
    description_en = models.TextField(_("description (English)"), blank=True, max_length=3000)
    phone = models.CharField(_("phone"), max_length=20)
    email = models.EmailField(_("public e-mail address"))
    website = models.URLField(_("website"), blank=True)
    logo = models.ImageField(
        _("logo"), upload_to=GeneratedName("brokers/logos"), blank=True, validators=[validate_image]
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    # Set by the centre's programme managers in the admin: the brokerage's results (deals credited
    # to it, countries served) show on its public profile and in the directory only then.
    results_public = models.BooleanField(_("results public"), default=False)
    results_public_at = models.DateTimeField(_("results made public at"), null=True, blank=True)
    results_public_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("results made public by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = BrokerQuerySet.as_manager()
    history = HistoricalRecords(verbose_name=_("history of brokerage"))

    class Meta:
        verbose_name = _("broker")
        verbose_name_plural = _("brokers")
        ordering = ["name_en"]

    def get_absolute_url(self) -> str:
        return reverse("brokers:detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        super().clean()
        codes = dict(LANGUAGES)
        if not isinstance(self.languages, list) or any(code not in codes for code in self.languages):
            raise ValidationError({"languages": _("Choose languages from the list.")})

    @property
    def description(self) -> str:
        return localized(self, "description")

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def licence_expired(self) -> bool:
        """The licence's validity ended before today: publishing stops until a new one is approved."""
        return self.licence_expires_on is not None and self.licence_expires_on < timezone.localdate()

    @property
    def licence_expires_soon(self) -> bool:
        if self.licence_expires_on is None or self.licence_expired:
            return False
        return self.licence_expires_on <= timezone.localdate() + timedelta(days=LICENCE_WARNING_DAYS[0])

    @property
    def validity(self) -> str:
        """The licence's state as its badge shows it: expired, expires_soon, valid or unverified
        (no end date recorded); `{% status_badge broker "validity" %}`."""
        if self.licence_expires_on is None:
            return "unverified"
        if self.licence_expired:
            return "expired"
        return "expires_soon" if self.licence_expires_soon else "valid"

    @property
    def validity_label(self) -> str:
        labels = {
            "expired": _("Expired"), "expires_soon": _("Expires soon"), "valid": _("Valid"),
            "unverified": _("Not recorded"),
        }  # fmt: skip
        return labels[self.validity]

    @property
    def is_publishing(self) -> bool:
        """Approved and licensed today: its offers and services show and it may take new work."""
        return self.is_approved and not self.licence_expired

    def language_labels(self) -> list[str]:
        codes = dict(LANGUAGES)
        return [str(codes[code]) for code in self.languages if code in codes]


class BrokerMembership(OrganisationMembership):
    """A user works for one brokerage; the registrant is its owner."""

    organisation_field = "broker"

    broker = models.ForeignKey(
        Broker, verbose_name=_("broker"), on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="broker_membership",
    )

    class Meta:
        verbose_name = _("broker membership")
        verbose_name_plural = _("broker memberships")


class BrokerInvitation(Invitation):
    organisation_field = "broker"

    broker = models.ForeignKey(
        Broker, verbose_name=_("broker"), on_delete=models.CASCADE, related_name="invitations"
    )

    class Meta(Invitation.Meta):
        verbose_name = _("broker invitation")
        verbose_name_plural = _("broker invitations")

    def get_absolute_url(self) -> str:
        return reverse("brokers:invitation_accept", kwargs={"token": self.token})


KIND = OrganisationKind(
    model=Broker,
    membership=BrokerMembership,
    invitation=BrokerInvitation,
    member_role=Role.BROKER_MEMBER,
    namespace="brokers",
    send_task="brokers.tasks.broker_invitation_send",
    approved=Broker.Status.APPROVED,
    pending=Broker.Status.PENDING,
    suspended=Broker.Status.SUSPENDED,
    key_field="licence_number",
    editable_fields=frozenset({
        "name_fa", "name_en", "licence_file", "licence_expires_on", "languages", "offices",
        "description_fa", "description_en", "phone", "email", "website", "logo",
    }),
    # The brokerage's identity as the centre approved it (the licence number is never edited by
    # members). A renewed licence is not an identity change: it comes through a LicenceRenewal,
    # which the centre approves while the current licence keeps counting.
    rechecked_fields=("name_fa", "name_en", "licence_number"),
    relations=("services", "countries"),
    texts=OrganisationTexts(
        a_name=_("a brokerage"),
        already_member=_("You are already a member of a brokerage."),
        register_first=_("Register your brokerage first."),
        only_members=_("Only the brokerage's members can change it."),
        suspended=_("Your brokerage is suspended by the centre: its data can be read but not changed."),
        registered=_("Your brokerage is registered. It becomes public once the centre approves it."),
        saved=_("The brokerage profile has been saved."),
        sent_back=_(
            "You changed what the centre approved; the brokerage is pending until the centre checks it again."
        ),
        decided=ngettext_lazy("%(shown)s brokerage updated.", "%(shown)s brokerages updated.", "n"),
    ),
)  # fmt: skip


# ---------------------------------------------------------------------------
# Offers
# ---------------------------------------------------------------------------
def _public_offer() -> Q:
    return Q(status=Offer.Status.OPEN, broker__status=Broker.Status.APPROVED) & licence_valid_q("broker__")


class OfferQuerySet(models.QuerySet["Offer"]):
    def public(self) -> OfferQuerySet:
        """Open offers of approved brokerages whose licence is valid."""
        return self.filter(_public_offer())

    def visible_to(self, user: User) -> OfferQuerySet:
        public = _public_offer()
        if not user.is_authenticated:
            return self.filter(public)
        return self.filter(public | Q(broker__memberships__user=user)).distinct()

    def past_deadline(self, *, today: date | None = None) -> OfferQuerySet:
        return self.filter(status=Offer.Status.OPEN, deadline__lt=today or timezone.localdate())


class Offer(LoadedStatus, TimeStampedModel):
    class Kind(models.TextChoices):
        DEMAND = "demand", _("Buyer demand")
        SERVICE = "service", _("Service offer")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    broker = models.ForeignKey(
        Broker, verbose_name=_("broker"), on_delete=models.CASCADE, related_name="offers"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.DEMAND)
    country = models.ForeignKey(
        TargetCountry, verbose_name=_("target country"), on_delete=models.PROTECT, related_name="offers"
    )
    categories = models.ManyToManyField(
        ProductCategory, verbose_name=_("product categories"), related_name="offers"
    )
    title_fa = models.CharField(_("title (Persian)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    description_fa = models.TextField(_("description (Persian)"), max_length=5000)
    description_en = models.TextField(_("description (English)"), max_length=5000)
    quantity = models.PositiveIntegerField(
        _("quantity"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    unit = models.CharField(_("unit"), max_length=10, choices=Product.Unit.choices, blank=True)
    target_price = models.DecimalField(
        _("target unit price"), max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
    )  # fmt: skip
    currency = models.CharField(
        _("currency"), max_length=3, choices=Product.Currency.choices, default=Product.Currency.USD
    )
    deadline = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )

    objects = OfferQuerySet.as_manager()
    history = HistoricalRecords(verbose_name=_("history of offer"))

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["deadline", "-created_at"]
        # The board lists open offers by deadline, newest first on the same day (deadline, -id);
        # this index reads a page in that order, and serves the deadline filter and the expiry sweep.
        indexes = [
            models.Index(fields=["status", "deadline", "-id"], name="offer_status_deadline_id_idx"),
            # The board's and the API's count of open offers, read from this index alone (no row
            # fetched): 6,000 open offers counted in 1.5 ms instead of 5.6 (bench_100k).
            models.Index(
                fields=["broker", "country", "kind"], name="offer_open_count_idx", condition=Q(status="open")
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__isnull=True) | Q(quantity__gt=0), name="offer_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(target_price__isnull=True) | Q(target_price__gte=0),
                name="offer_price_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("brokers:offer_detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.kind == self.Kind.DEMAND and not self.quantity:
            errors["quantity"] = _("A buyer demand states the quantity needed.")
        if self.quantity and not self.unit:
            errors["unit"] = _("Choose the unit of the quantity.")
        if errors:
            raise ValidationError(errors)

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def description(self) -> str:
        return localized(self, "description")

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN and self.deadline >= timezone.localdate()


class OfferAttachment(TimeStampedModel):
    offer = models.ForeignKey(
        Offer, verbose_name=_("offer"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(
        _("file (PDF or image)"),
        upload_to=GeneratedName("offers/attachments"),
        validators=[validate_image_or_pdf],
    )
    title = models.CharField(_("title"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title or self.file.name


class OfferNotice(models.Model):
    """One row per (offer, company) told about the offer: makes the fan-out idempotent."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="notices")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["offer", "company"], name="unique_offer_notice")]

    def __str__(self) -> str:
        return f"{self.offer_id} → {self.company_id}"


class OfferResponseQuerySet(models.QuerySet["OfferResponse"]):
    def visible_to(self, user: User) -> OfferResponseQuerySet:
        """A company sees its own responses; a brokerage sees the responses to its offers, to the
        offers it co-brokers, and those it sent on companies' behalf."""
        if not user.is_authenticated:
            return self.none()
        partnered = OfferPartner.objects.filter(
            broker__memberships__user=user, status=OfferPartner.Status.ACCEPTED
        ).values("offer_id")
        return self.filter(
            Q(company__memberships__user=user)
            | Q(offer__broker__memberships__user=user)
            | Q(offer_id__in=partnered)
            | Q(submitted_by_broker__memberships__user=user)
        ).distinct()


class OfferResponse(TimeStampedModel):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        SHORTLISTED = "shortlisted", _("Shortlisted")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    offer = models.ForeignKey(
        Offer, verbose_name=_("offer"), on_delete=models.CASCADE, related_name="responses"
    )
    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="offer_responses"
    )
    products = models.ManyToManyField(
        Product, verbose_name=_("products offered"), related_name="offer_responses"
    )
    unit_price = models.DecimalField(
        _("unit price"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(
        _("currency"), max_length=3, choices=Product.Currency.choices, default=Product.Currency.USD
    )
    quantity = models.PositiveIntegerField(_("quantity offered"), validators=[MinValueValidator(1)])
    lead_time_days = models.PositiveSmallIntegerField(
        _("lead time (days)"), validators=[MinValueValidator(1)]
    )
    message = models.TextField(_("message"), max_length=3000, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    # The brokerage that sent the response on the company's behalf (under its mandate); null when
    # the company answered itself.
    submitted_by_broker = models.ForeignKey(
        Broker,
        verbose_name=_("sent by broker"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responses_for_companies",
    )

    objects = OfferResponseQuerySet.as_manager()
    history = HistoricalRecords(verbose_name=_("history of offer response"))

    class Meta:
        verbose_name = _("offer response")
        verbose_name_plural = _("offer responses")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["offer", "company"], name="one_response_per_company"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="response_price_not_negative"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="response_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.company} → {self.offer}"

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.SUBMITTED, self.Status.SHORTLISTED) and self.offer.is_open

    @property
    def by_broker(self) -> bool:
        """Sent by a brokerage on the company's behalf, under the company's mandate."""
        return self.submitted_by_broker_id is not None


# ---------------------------------------------------------------------------
# Buyer inquiries
# ---------------------------------------------------------------------------
def inquiry_reference(created_at: datetime, pk: int) -> str:
    """INQ-<Jalali year of receipt>-<6-digit id>: unique (the id is), readable on the telephone."""
    year = jdatetime.date.fromgregorian(date=timezone.localdate(created_at)).year
    return f"INQ-{year}-{pk:06d}"


class BuyerInquiryQuerySet(models.QuerySet["BuyerInquiry"]):
    def routed(self) -> BuyerInquiryQuerySet:
        return self.filter(routed_at__isnull=False)

    def unanswered(self) -> BuyerInquiryQuerySet:
        """In the inbox and waiting for a first reply (unclaimed or claimed)."""
        return self.routed().filter(status__in=BuyerInquiry.UNANSWERED)

    def to_escalate(self) -> BuyerInquiryQuerySet:
        """Unanswered and not escalated yet (how long they waited is for the caller to judge)."""
        return self.unanswered().filter(escalated_at__isnull=True)


class BuyerInquiry(TimeStampedModel):
    class Status(models.TextChoices):
        NEW = "new", _("Received")  # stored, not yet routed to anyone
        ROUTED = "routed", _("New")  # in the inbox of the company and the covering brokers, unclaimed
        CLAIMED = "claimed", _("Claimed")
        ANSWERED = "answered", _("Answered")
        CONVERTED = "converted", _("Converted to a deal")
        CLOSED = "closed", _("Closed")
        SPAM = "spam", _("Spam")

    class CloseReason(models.TextChoices):
        SPAM = "spam", _("Spam")
        NOT_OUR_PRODUCT = "not_our_product", _("Not our product")
        UNREACHABLE = "unreachable", _("Buyer unreachable")
        DUPLICATE = "duplicate", _("Duplicate")
        OTHER = "other", _("Other")

    UNANSWERED = (Status.ROUTED, Status.CLAIMED)

    reference = models.CharField(
        _("reference"), max_length=20, unique=True, null=True, blank=True, editable=False
    )
    name = models.CharField(_("your name"), max_length=150)
    organisation = models.CharField(_("organisation"), max_length=200)
    country = models.ForeignKey(
        TargetCountry, verbose_name=_("your country"), on_delete=models.PROTECT, related_name="inquiries"
    )
    email = models.EmailField(_("e-mail address"))
    message = models.TextField(_("message"), max_length=3000)
    product = models.ForeignKey(
        Product,
        verbose_name=_("product"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inquiries",
    )
    company = models.ForeignKey(
        Company,
        verbose_name=_("company"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inquiries",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW)
    routed_at = models.DateTimeField(_("routed at"), null=True, blank=True)
    routed_to = models.PositiveSmallIntegerField(_("people notified"), default=0)
    language = models.CharField(_("language"), max_length=2, default="en")
    source_ip = models.GenericIPAddressField(_("sender address"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledgement e-mailed at"), null=True, blank=True)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("held by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="held_inquiries",
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("first answered at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated to the programme managers at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_reason = models.CharField(
        _("reason for closing"), max_length=20, choices=CloseReason.choices, blank=True
    )
    close_note = models.TextField(_("note"), max_length=1000, blank=True)

    objects = BuyerInquiryQuerySet.as_manager()

    class Meta:
        verbose_name = _("buyer inquiry")
        verbose_name_plural = _("buyer inquiries")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "country"], name="inquiry_status_country_idx")]

    def __str__(self) -> str:
        return self.reference or f"{self.organisation} ({self.country})"

    def get_absolute_url(self) -> str:
        return reverse("brokers:inquiry_detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.ROUTED, self.Status.CLAIMED, self.Status.ANSWERED)

    @property
    def holder_label(self) -> str:
        """ "Reza Moradi (Pars Export Brokers)": who holds the inquiry, as the other brokers see it
        (select_related "holder__broker_membership__broker" and "holder__company_membership__company")."""
        holder = self.holder
        if holder is None:
            return ""
        membership = getattr(holder, "broker_membership", None) or getattr(holder, "company_membership", None)
        organisation = getattr(membership, "organisation", None)
        name = holder.get_full_name() or holder.email
        return f"{name} ({organisation})" if organisation else name


class LicenceNotice(models.Model):
    """One row per warning sent about a licence's end: (brokerage, expiry date, days before; 0 for
    "expired"). The unique row makes the daily task tell each step once; a new licence has a new
    expiry date, so its warnings start afresh."""

    broker = models.ForeignKey(Broker, on_delete=models.CASCADE, related_name="licence_notices")
    expires_on = models.DateField()
    days_before = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["broker", "expires_on", "days_before"], name="unique_licence_notice"
            )
        ]

    def __str__(self) -> str:
        return f"{self.broker_id} {self.expires_on} -{self.days_before}"


class LicenceRenewal(TimeStampedModel):
    """A brokerage's renewed licence (its scan and its new end), waiting for the centre's check while
    the current licence keeps counting; approved, it replaces the brokerage's licence. The rows are
    the licence's history: every renewal submitted, who decided it, and why it was refused.

    A brokerage registered before the expiry date was asked records its current licence's date the
    same way, without a new scan (`licence_file` empty)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting the centre's check")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Refused")
        # Sent again before the centre decided: the new submission is checked instead, and this
        # one (its scan kept) can no longer be approved.
        SUPERSEDED = "superseded", _("Replaced by a later submission")

    broker = models.ForeignKey(
        Broker, verbose_name=_("broker"), on_delete=models.CASCADE, related_name="licence_renewals"
    )
    licence_file = models.FileField(
        _("renewed licence (PDF or image)"),
        upload_to=GeneratedName("brokers/licences"),
        validators=[validate_image_or_pdf],
        blank=True,
    )
    expires_on = models.DateField(_("new licence valid until"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("reason for refusing"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("licence renewal")
        verbose_name_plural = _("licence renewals")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["broker"], condition=Q(status="pending"), name="one_pending_licence_renewal"
            )
        ]

    def __str__(self) -> str:
        return f"{self.broker} → {jdate(self.expires_on)}"

    def get_absolute_url(self) -> str:
        return reverse("brokers:licence_renewal")

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING


# ---------------------------------------------------------------------------
# Brokerage services and their engagements by companies
# ---------------------------------------------------------------------------
class BrokerServiceQuerySet(models.QuerySet["BrokerService"]):
    def listed(self) -> BrokerServiceQuerySet:
        """Services on show: active, of an approved brokerage whose licence is valid."""
        return self.filter(is_active=True, broker__status=Broker.Status.APPROVED).filter(
            licence_valid_q("broker__")
        )


class BrokerService(TimeStampedModel):
    """A service a brokerage sells to companies, with its fee and the countries it serves."""

    class FeeModel(models.TextChoices):
        FIXED = "fixed", _("Fixed fee")
        PER_SHIPMENT = "per_shipment", _("Per shipment")
        PERCENT = "percent", _("Percentage of the deal")

    broker = models.ForeignKey(
        Broker, verbose_name=_("broker"), on_delete=models.CASCADE, related_name="listed_services"
    )
    service_type = models.ForeignKey(
        ServiceType, verbose_name=_("service type"), on_delete=models.PROTECT, related_name="listings"
    )
    fee_model = models.CharField(_("fee model"), max_length=12, choices=FeeModel.choices)
    fee_amount = models.DecimalField(
        _("fee amount"), max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
    )  # fmt: skip
    fee_percent = models.DecimalField(
        _("fee (percentage of the deal)"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )  # fmt: skip
    currency = models.CharField(
        _("currency"), max_length=3, choices=Product.Currency.choices, default=Product.Currency.USD
    )
    countries = models.ManyToManyField(
        TargetCountry, verbose_name=_("countries served"), related_name="broker_services"
    )
    description_fa = models.TextField(_("description (Persian)"), max_length=3000)
    description_en = models.TextField(_("description (English)"), max_length=3000, blank=True)
    is_active = models.BooleanField(_("listed"), default=True)

    objects = BrokerServiceQuerySet.as_manager()
    history = HistoricalRecords(verbose_name=_("history of brokerage service"))

    class Meta:
        verbose_name = _("brokerage service")
        verbose_name_plural = _("brokerage services")
        ordering = ["service_type__position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fee_amount__isnull=True) | Q(fee_amount__gte=0), name="service_fee_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(fee_percent__isnull=True) | (Q(fee_percent__gte=0) & Q(fee_percent__lte=100)),
                name="service_percent_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_type} — {self.broker}"

    def get_absolute_url(self) -> str:
        """The brokerage's public page, where the service is listed (and booked from)."""
        return self.broker.get_absolute_url()

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.fee_model == self.FeeModel.PERCENT:
            if self.fee_percent is None:
                errors["fee_percent"] = _("State the percentage of the deal.")
        elif self.fee_model and self.fee_amount is None:
            errors["fee_amount"] = _("State the fee amount.")
        if errors:
            raise ValidationError(errors)

    @property
    def description(self) -> str:
        return localized(self, "description")


class EngagementQuerySet(models.QuerySet["Engagement"]):
    def visible_to(self, user: User) -> EngagementQuerySet:
        """Its company's members and its brokerage's members; nobody else."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(company__memberships__user=user) | Q(broker__memberships__user=user)).distinct()


class Engagement(LoadedStatus, TimeStampedModel):
    """A company's booking of a brokerage's service, from the request to its closing."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        DELIVERED = "delivered", _("Delivered")
        CLOSED = "closed", _("Closed")

    # A booking still under way: the company waits for it, so it does not book the same service again.
    OPEN = (Status.REQUESTED, Status.ACCEPTED)

    service = models.ForeignKey(
        BrokerService, verbose_name=_("service"), on_delete=models.PROTECT, related_name="engagements"
    )
    broker = models.ForeignKey(
        Broker, verbose_name=_("broker"), on_delete=models.CASCADE, related_name="engagements"
    )
    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="engagements"
    )
    message = models.TextField(_("message"), max_length=3000)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = EngagementQuerySet.as_manager()

    class Meta:
        verbose_name = _("service engagement")
        verbose_name_plural = _("service engagements")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.company} → {self.service}"

    def get_absolute_url(self) -> str:
        return reverse("brokers:engagement_detail", kwargs={"pk": self.pk})

    @property
    def was_delivered(self) -> bool:
        return self.delivered_at is not None


class EngagementEvent(models.Model):
    """One row per step of an engagement: its trail, shown to both sides."""

    class Action(models.TextChoices):
        REQUEST = "request", _("Requested")
        ACCEPT = "accept", _("Accepted")
        DECLINE = "decline", _("Declined")
        DELIVER = "deliver", _("Marked delivered")
        CLOSE = "close", _("Closed")
        RATE = "rate", _("Rated")

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    side = models.CharField(_("side"), max_length=8, blank=True)  # "company" or "broker"
    note = models.TextField(_("note"), blank=True, max_length=3000)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("engagement event")
        verbose_name_plural = _("engagement events")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.engagement_id}: {self.get_action_display()}"


class EngagementRating(TimeStampedModel):
    """Each side rates a delivered engagement once (1–5 and a comment)."""

    class Side(models.TextChoices):
        COMPANY = "company", _("Company")
        BROKER = "broker", _("Brokerage")

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="ratings")
    side = models.CharField(_("side"), max_length=8, choices=Side.choices)
    score = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("rated by"), on_delete=models.SET_NULL, null=True,
        related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("engagement rating")
        verbose_name_plural = _("engagement ratings")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["engagement", "side"], name="one_rating_per_side"),
            models.CheckConstraint(condition=Q(score__gte=1) & Q(score__lte=5), name="rating_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.get_side_display()}: {localnumber(self.score)}"


class InquiryReply(models.Model):
    """A reply written in the inbox and e-mailed to the buyer; the inquiry's thread, oldest first."""

    inquiry = models.ForeignKey(
        BuyerInquiry, verbose_name=_("buyer inquiry"), on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    # Who the buyer was told the reply is from, as it was then (a person leaves, a name changes).
    sender = models.CharField(_("from"), max_length=300)
    body = models.TextField(_("reply"), max_length=5000)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now, editable=False)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reply to a buyer")
        verbose_name_plural = _("replies to buyers")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.inquiry} · {self.sender}"


class InboxSettings(models.Model):
    """The inbox's one row of settings, kept by the centre's programme managers in the admin."""

    escalate_after_days = models.PositiveSmallIntegerField(
        _("escalate after (working days)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_(
            "An inquiry nobody has answered for this many working days (Saturday to Wednesday) goes "
            "to the programme managers, once."
        ),
    )

    class Meta:
        verbose_name = _("inbox settings")
        verbose_name_plural = _("inbox settings")

    def __str__(self) -> str:
        return str(_("Inbox settings"))

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.pk = 1  # one row only
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> InboxSettings:
        return cls.objects.get_or_create(pk=1)[0]


# ---------------------------------------------------------------------------
# Mandates: a company authorises a brokerage to act for it
# ---------------------------------------------------------------------------
class MandateQuerySet(models.QuerySet["Mandate"]):
    def in_force(self, *, today: date | None = None) -> MandateQuerySet:
        """Mandates that count today: not revoked, valid until today or later, held by an approved
        brokerage whose licence is valid today (they count again once a new licence is approved)."""
        today = today or timezone.localdate()
        return self.filter(
            licence_valid_q("broker__", today=today),
            status=Mandate.Status.ACTIVE,
            valid_until__gte=today,
            broker__status=Broker.Status.APPROVED,
        )

    def visible_to(self, user: User) -> MandateQuerySet:
        """The granting company's members and the holding brokerage's members; nobody else."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(company__memberships__user=user) | Q(broker__memberships__user=user)).distinct()


class Mandate(TimeStampedModel):
    """A company authorises a brokerage to represent it in chosen countries for chosen product
    categories until a date: to answer offers and open deals on its behalf. The company revokes it
    at any time. Only "active" and "revoked" are stored; "expired" is read from the date."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")  # never stored: an active mandate past its date

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="mandates"
    )
    broker = models.ForeignKey(
        Broker, verbose_name=_("brokerage"), on_delete=models.CASCADE, related_name="mandates"
    )
    countries = models.ManyToManyField(TargetCountry, verbose_name=_("countries"), related_name="mandates")
    categories = models.ManyToManyField(
        ProductCategory, verbose_name=_("product categories"), related_name="mandates"
    )
    valid_until = models.DateField(_("valid until"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = MandateQuerySet.as_manager()

    class Meta:
        verbose_name = _("mandate")
        verbose_name_plural = _("mandates")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["broker", "company", "status"], name="mandate_broker_company_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["active", "revoked"]), name="mandate_status_stored"
            ),
            models.CheckConstraint(
                condition=(Q(status="revoked") & Q(revoked_at__isnull=False))
                | (Q(status="active") & Q(revoked_at__isnull=True)),
                name="mandate_revoked_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company} → {self.broker}"

    def get_absolute_url(self) -> str:
        return reverse("brokers:mandate_detail", kwargs={"pk": self.pk})

    @property
    def current_status(self) -> str:
        """active, revoked, or expired (active, but the day after `valid_until` has come)."""
        if self.status == self.Status.ACTIVE and self.valid_until < timezone.localdate():
            return self.Status.EXPIRED
        return self.status

    def get_current_status_display(self) -> str:
        return str(self.Status(self.current_status).label)

    @property
    def is_revocable(self) -> bool:
        return self.current_status == self.Status.ACTIVE


class MandateEvent(models.Model):
    """One row per step of a mandate (granted, revoked): its trail, shown to both sides."""

    class Action(models.TextChoices):
        GRANT = "grant", _("Mandate given")
        REVOKE = "revoke", _("Mandate revoked")

    mandate = models.ForeignKey(Mandate, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("time"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("mandate event")
        verbose_name_plural = _("mandate events")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.mandate_id}: {self.get_action_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Mandate events are append-only.")
        super().save(*args, **kwargs)


# ---------------------------------------------------------------------------
# Referrals: a brokerage passes an inquiry or a company to another brokerage
# ---------------------------------------------------------------------------
# A deal the receiving brokerage opens from the referred inquiry, or for the referred company,
# within this many days of the referral's acceptance is its outcome (and credits the referrer).
REFERRAL_WINDOW_DAYS = 180

REFERRAL_DEFAULT_SHARE = 10


class ReferralQuerySet(models.QuerySet["Referral"]):
    def of_broker(self, broker: Broker | None) -> ReferralQuerySet:
        """The referrals a brokerage sent or received (none without one)."""
        if broker is None:
            return self.none()
        return self.filter(Q(from_broker=broker) | Q(to_broker=broker))

    def in_window(self, *, now: datetime | None = None) -> ReferralQuerySet:
        """Accepted referrals whose window for an outcome is still open."""
        since = (now or timezone.now()) - timedelta(days=REFERRAL_WINDOW_DAYS)
        return self.filter(status=Referral.Status.ACCEPTED, decided_at__gte=since)


class Referral(LoadedStatus, TimeStampedModel):
    """A brokerage passes a buyer's inquiry it holds, or a company, to another approved brokerage
    that covers the country (or offers the service); the referrer is credited with `share_percent`
    of a deal the receiver opens from it within REFERRAL_WINDOW_DAYS of accepting."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting the brokerage's answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    from_broker = models.ForeignKey(
        Broker, verbose_name=_("referred by"), on_delete=models.CASCADE, related_name="referrals_sent"
    )
    to_broker = models.ForeignKey(
        Broker, verbose_name=_("referred to"), on_delete=models.CASCADE, related_name="referrals_received"
    )
    inquiry = models.ForeignKey(
        BuyerInquiry,
        verbose_name=_("buyer inquiry"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="referrals",
    )
    company = models.ForeignKey(
        Company,
        verbose_name=_("company"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="referrals",
    )
    country = models.ForeignKey(
        TargetCountry, verbose_name=_("country"), on_delete=models.PROTECT, related_name="+"
    )
    service = models.ForeignKey(
        ServiceType,
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    share_percent = models.PositiveSmallIntegerField(
        _("referrer's share (%)"),
        default=REFERRAL_DEFAULT_SHARE,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("The part of a resulting deal credited to the referring brokerage."),
    )
    note = models.TextField(_("note"), max_length=2000, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("referred by (person)"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(inquiry__isnull=False, company__isnull=True)
                | Q(inquiry__isnull=True, company__isnull=False),
                name="referral_of_inquiry_or_company",
            ),
            models.CheckConstraint(
                condition=~Q(from_broker=models.F("to_broker")), name="referral_not_to_self"
            ),
            models.CheckConstraint(
                condition=Q(share_percent__gte=1) & Q(share_percent__lte=50), name="referral_share_1_50"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_broker} → {self.to_broker}: {self.inquiry or self.company}"

    def get_absolute_url(self) -> str:
        return reverse("brokers:referral_detail", kwargs={"pk": self.pk})

    @property
    def subject(self) -> str:
        return str(self.inquiry or self.company)

    @property
    def window_ends_at(self) -> datetime | None:
        if self.status != self.Status.ACCEPTED or self.decided_at is None:
            return None
        return self.decided_at + timedelta(days=REFERRAL_WINDOW_DAYS)


class CoBrokerInvitation(models.Model):
    """An invitation to co-broker, on an offer (OfferPartner) or a deal (deals.DealPartner): the
    invited brokerage's agreed share of the credit, what it does, and its answer. The concrete
    models add what the invitation is for, the invited brokerage and their constraints."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Invited")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # A live invitation holds its brokerage's place: one at a time per brokerage.
    LIVE = (Status.PENDING, Status.ACCEPTED)

    share_percent = models.PositiveSmallIntegerField(
        _("co-broker's share (%)"), validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    role_note = models.CharField(_("what the co-broker does"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("invited by"), on_delete=models.SET_NULL, null=True,
        related_name="+",
    )  # fmt: skip
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("answered by"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("invited at"), default=timezone.now, editable=False)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]

    @staticmethod
    def constraints_for(holder: str, *, share_name: str, live_name: str) -> list[models.BaseConstraint]:
        """A share of 1–99%, and one live invitation (pending or accepted) per brokerage and
        `holder` (the offer or the deal), under each concrete model's constraint names."""
        return [
            models.CheckConstraint(
                condition=Q(share_percent__gte=1) & Q(share_percent__lte=99), name=share_name
            ),
            models.UniqueConstraint(
                fields=[holder, "broker"], condition=Q(status__in=["pending", "accepted"]), name=live_name
            ),
        ]


class OfferPartner(CoBrokerInvitation):
    """A brokerage invited onto an offer as co-broker (one holds the buyer, the other the
    registration or logistics in the country) for an agreed share of the credit of any deal opened
    from the offer. Once accepted, it sees the offer's responses, and each deal opened from one
    takes it on as co-broker with that share (deals/services.py)."""

    offer = models.ForeignKey(
        Offer, verbose_name=_("offer"), on_delete=models.CASCADE, related_name="partners"
    )
    broker = models.ForeignKey(
        Broker, verbose_name=_("co-broker"), on_delete=models.CASCADE, related_name="offer_partnerships"
    )

    class Meta(CoBrokerInvitation.Meta):
        verbose_name = _("offer co-broker")
        verbose_name_plural = _("offer co-brokers")
        constraints = CoBrokerInvitation.constraints_for(
            "offer", share_name="offer_partner_share_1_99", live_name="one_live_partner_per_offer"
        )

    def __str__(self) -> str:
        return f"{self.offer_id}: {self.broker_id} ({self.share_percent}%)"
