"""Shared ground: the user, target countries, notifications and the abstract timestamped base."""

from __future__ import annotations

import re
import secrets
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class LoadedStatus:
    """Model mixin: remembers the status a row had when it was read (`status_as_saved`), so that
    a change can tell whether the row was public before it (portal.http.page_cache.status_shown)."""

    @classmethod
    def from_db(cls, db: str, field_names: list[str], values: list[Any]) -> Any:
        instance = super().from_db(db, field_names, values)
        if "status" in instance.__dict__:
            instance.status_as_saved = instance.status
        return instance


def bilingual(obj: object, field: str) -> dict[str, str]:
    """{"fa": obj.<field>_fa, "en": obj.<field>_en}: a JSON-safe pair for notification contexts."""
    return {"fa": getattr(obj, f"{field}_fa", ""), "en": getattr(obj, f"{field}_en", "")}


def bilingual_text(text: str) -> dict[str, str]:
    """{"fa": ..., "en": ...}: a translatable text (a choice's label) in both languages, JSON-safe for
    notification contexts, which are rendered later in their reader's language (`|loc`)."""
    pair = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            pair[language] = str(text)
    return pair


def localized(obj: object, field: str) -> str:
    """Return `<field>_<active language>`, falling back when empty: Arabic and Russian to English,
    then Persian; Persian and English to each other (portal/i18n/languages.py)."""
    from portal.i18n.languages import pick

    return pick(obj, field)


class Language(models.TextChoices):
    PERSIAN = "fa", "فارسی"
    ENGLISH = "en", "English"


# ---------------------------------------------------------------------------
# Users
# ---------------------------------------------------------------------------
class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        # E-mail addresses are stored lower-case, so log-in is case-insensitive.
        return self.get(**{self.model.USERNAME_FIELD: (username or "").lower()})


class User(AbstractUser):
    """A person who logs in with an e-mail address; roles are groups (see portal.permissions)."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(
        _("e-mail address"),
        unique=True,
        error_messages={"unique": _("An account with this e-mail address already exists.")},
    )
    full_name = models.CharField(_("full name"), max_length=150)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.PERSIAN
    )
    email_notifications = models.BooleanField(_("send notifications by e-mail"), default=True)
    away_until = models.DateField(
        _("away until"),
        null=True,
        blank=True,
        help_text=_(
            "Staff: the last day you are away (leave, mission). Until then no application is "
            "assigned to you automatically."
        ),
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.email.lower()

    def is_away_on(self, day: date) -> bool:
        """Away (on leave) on `day`: no automatic assignment reaches them."""
        return self.away_until is not None and day <= self.away_until


# ---------------------------------------------------------------------------
# Organisations (companies, brokerages) whose status the centre decides
# ---------------------------------------------------------------------------
class StatusDecision(models.Model):
    """Who last decided an organisation's status, when, and the note its members were sent."""

    status_note = models.TextField(_("note on the status"), blank=True)
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("status changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        abstract = True


class OrganisationQuerySet(models.QuerySet):
    """Reads every kind of organisation answers (its approved status comes from its kind)."""

    def _approved_status(self) -> str:
        from portal.organisations import kind_of

        return kind_of(self.model).approved

    def approved(self) -> OrganisationQuerySet:
        """The organisations the centre approved (verified companies, approved brokerages)."""
        return self.filter(status=self._approved_status())

    def visible_to(self, user: User) -> OrganisationQuerySet:
        """Approved organisations for everyone, plus the user's own in any state."""
        if not user.is_authenticated:
            return self.approved()
        return self.filter(Q(status=self._approved_status()) | Q(memberships__user=user)).distinct()


class Organisation(LoadedStatus, StatusDecision, TimeStampedModel):
    """A company, a brokerage, or a next kind: bilingual names and a status the centre decides.

    Each kind adds its `status` field (with its own `Status` choices) and describes itself with an
    `OrganisationKind` (portal/organisations)."""

    name_fa = models.CharField(_("name (Persian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")


class OrganisationMembership(TimeStampedModel):
    """A user works for one organisation of one kind; the registrant is its owner.

    Each kind adds the foreign key to its organisation (`related_name="memberships"`, named by
    `organisation_field`) and the one-to-one `user` (`related_name="<kind>_membership"`): the
    reverse names are what the rest of the portal asks, so they stay the apps' own."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MEMBER = "member", _("Member")

    organisation_field = ""  # the name of the concrete model's foreign key to its organisation

    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"

    @property
    def organisation(self) -> models.Model:
        return getattr(self, self.organisation_field)


# ---------------------------------------------------------------------------
# Invitations to join a company or a brokerage (each app adds the FK to what is joined)
# ---------------------------------------------------------------------------
def invitation_token() -> str:
    return secrets.token_urlsafe(32)


def invitation_expiry() -> timezone.datetime:
    return timezone.now() + timedelta(days=7)


class InvitationQuerySet(models.QuerySet):
    def open(self) -> InvitationQuerySet:
        return self.filter(accepted_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(TimeStampedModel):
    """An e-mailed link, valid for seven days, that lets its addressee join an organisation."""

    email = models.EmailField(_("e-mail address"))
    token = models.CharField(max_length=64, unique=True, default=invitation_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("invited by"), on_delete=models.SET_NULL, null=True
    )
    expires_at = models.DateTimeField(_("expires at"), default=invitation_expiry)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("e-mail sent at"), null=True, blank=True)

    organisation_field = ""  # the name of the concrete model's foreign key to its organisation

    objects = InvitationQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"

    @property
    def organisation(self) -> models.Model:
        return getattr(self, self.organisation_field)

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()


# ---------------------------------------------------------------------------
# Target countries
# ---------------------------------------------------------------------------
class TargetCountryQuerySet(models.QuerySet["TargetCountry"]):
    def active(self) -> TargetCountryQuerySet:
        return self.filter(is_active=True)

    def confirmed(self) -> TargetCountryQuerySet:
        return self.active().filter(buyer_status=TargetCountry.BuyerStatus.CONFIRMED)


class TargetCountry(TimeStampedModel):
    """A country the programme exports to; confirmed ones have committed buyers."""

    class BuyerStatus(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed buyer")
        PROSPECTIVE = "prospective", _("Prospective")

    iso_code = models.CharField(
        _("ISO code"),
        max_length=2,
        unique=True,
        help_text=_("Two-letter ISO 3166-1 code, e.g. IQ."),
    )
    name_fa = models.CharField(_("name (Persian)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    buyer_status = models.CharField(
        _("buyer status"), max_length=12, choices=BuyerStatus.choices, default=BuyerStatus.PROSPECTIVE
    )
    regulatory_notes_fa = models.TextField(_("regulatory notes (Persian)"), blank=True)
    regulatory_notes_en = models.TextField(_("regulatory notes (English)"), blank=True)
    logistics_notes_fa = models.TextField(_("logistics notes (Persian)"), blank=True)
    logistics_notes_en = models.TextField(_("logistics notes (English)"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = TargetCountryQuerySet.as_manager()

    class Meta:
        verbose_name = _("target country")
        verbose_name_plural = _("target countries")
        ordering = ["name_en"]
        constraints = [
            models.CheckConstraint(
                condition=Q(iso_code__regex=r"^[A-Z]{2}$"), name="targetcountry_iso_code_upper"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("country_detail", kwargs={"iso_code": self.iso_code.lower()})

    def clean(self) -> None:
        super().clean()
        self.iso_code = (self.iso_code or "").strip().upper()

    @property
    def name(self) -> str:
        """In Arabic and Russian from portal/i18n/countries.py (the centre keeps Persian and English)."""
        from portal.i18n.countries import country_name
        from portal.i18n.languages import current_language

        return country_name(self.iso_code, current_language()) or localized(self, "name")

    @property
    def regulatory_notes(self) -> str:
        return localized(self, "regulatory_notes")

    @property
    def logistics_notes(self) -> str:
        return localized(self, "logistics_notes")


# ---------------------------------------------------------------------------
# Notifications: one row per event, both the in-app message and the e-mail outbox
# ---------------------------------------------------------------------------
class NotificationQuerySet(models.QuerySet["Notification"]):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)

    def email_due(self, *, now: timezone.datetime | None = None) -> NotificationQuerySet:
        """E-mails still to send: pending ones, and 'sending' ones whose worker was lost."""
        now = now or timezone.now()
        stale = now - settings.NOTIFICATION_EMAIL_STALE_AFTER
        return self.filter(
            Q(email_status=Notification.EmailStatus.PENDING)
            | Q(email_status=Notification.EmailStatus.SENDING, email_claimed_at__lt=stale)
        )


# A line of an e-mail body that is only a link (the notification's page).
LINK_LINE = re.compile(r"\s*https?://\S+\s*")


class Notification(models.Model):
    class EmailStatus(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Not sent (no e-mail wanted)")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.SlugField(_("kind"), max_length=60, help_text=_("Names the e-mail templates."))
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    context = models.JSONField(_("template context"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email_status = models.CharField(
        _("e-mail status"), max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    email_attempts = models.PositiveSmallIntegerField(_("e-mail attempts"), default=0)
    email_claimed_at = models.DateTimeField(_("e-mail claimed at"), null=True, blank=True)
    email_sent_at = models.DateTimeField(_("e-mail sent at"), null=True, blank=True)
    email_error = models.TextField(_("last e-mail error"), blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The header badge counts a user's unread rows on every page.
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
            # The sweep scans by e-mail state.
            models.Index(fields=["email_status", "email_claimed_at"], name="notification_email_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    def _localized_text(self) -> tuple[str, str]:
        """Title and body in the reader's current language (the stored ones are the e-mail's)."""
        language = (get_language() or self.language)[:2]
        if language == self.language:
            return self.title, self.body
        cached = getattr(self, "_localized_cache", None)
        if cached is None:
            from portal.notifications.services import render_text

            cached = self._localized_cache = render_text(self, language)
        return cached

    @property
    def display_title(self) -> str:
        return self._localized_text()[0]

    @property
    def display_body(self) -> str:
        """The body as the notification list shows it: without the e-mail's line holding the link
        (an absolute address, the list has its own button for it)."""
        body = self._localized_text()[1]
        if not self.url:
            return body
        return "\n".join(line for line in body.splitlines() if not LINK_LINE.fullmatch(line)).strip()


# ---------------------------------------------------------------------------
# Security: the audit log and API tokens for integrations
# ---------------------------------------------------------------------------
class SecurityEvent(models.Model):
    """One security-relevant event: who, what, when and from where. Written, never edited."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("Logged in")
        LOGIN_FAILED = "login_failed", _("Failed log-in")
        LOGOUT = "logout", _("Logged out")
        LOCKED_OUT = "locked_out", _("Locked out")
        UNLOCKED = "unlocked", _("Lockout lifted")
        OTP_VERIFIED = "otp_verified", _("Second factor passed")
        OTP_FAILED = "otp_failed", _("Wrong second-factor code")
        OTP_ENROLLED = "otp_enrolled", _("Second factor set up")
        OTP_REMOVED = "otp_removed", _("Second factor removed")
        BACKUP_CODES_CREATED = "backup_codes_created", _("Backup codes created")
        BACKUP_CODE_USED = "backup_code_used", _("Backup code used")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        PASSWORD_RESET_REQUESTED = "password_reset_requested", _("Password reset requested")
        TOKEN_CREATED = "token_created", _("API token created")
        TOKEN_REVOKED = "token_revoked", _("API token revoked")
        PERMISSION_DENIED = "permission_denied", _("Access denied (403)")

    kind = models.CharField(_("event"), max_length=32, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="security_events",
    )
    username = models.CharField(_("account named"), max_length=254, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("browser or client"), max_length=255, blank=True)
    path = models.CharField(_("page"), max_length=255, blank=True)
    detail = models.CharField(_("detail"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security log")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["kind", "-created_at"], name="security_event_kind"),
            models.Index(fields=["user", "-created_at"], name="security_event_user"),
            models.Index(fields=["ip_address", "-created_at"], name="security_event_address"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.username or self.user_id or '-'}"


class ApiToken(AbstractAuthToken):
    """A named token with which an integration acts as its user (django-rest-knox's model, swapped in).

    Only the SHA-512 digest (`digest`) and the first characters (`token_key`, to tell tokens apart)
    are stored; the token itself is shown once, when it is created.
    """

    name = models.CharField(_("name"), max_length=80)
    created = models.DateTimeField(_("created at"), auto_now_add=True)
    expiry = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.token_key}…)"

    @property
    def is_expired(self) -> bool:
        return self.expiry is not None and self.expiry <= timezone.now()


# ---------------------------------------------------------------------------
# One-time form tokens: a double click or the back button creates nothing twice
# ---------------------------------------------------------------------------
class FormSubmission(models.Model):
    """A creation form's token, used up in the transaction that created the object (portal/http/once.py)."""

    token = models.CharField(max_length=64, primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True)
    url = models.CharField(_("what it created"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")

    def __str__(self) -> str:
        return self.url or self.token


# ---------------------------------------------------------------------------
# Reference numbers (EXP-1405-000123, DL-1405-000042): one counter per prefix and Jalali year
# ---------------------------------------------------------------------------
class ReferenceCounter(models.Model):
    """The last reference number given out with a prefix in a Jalali year (portal/db.py
    `next_reference`): applications count EXP-…, deals DL-…"""

    prefix = models.CharField(max_length=8)
    jalali_year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "jalali_year"], name="reference_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.jalali_year}: {self.last}"
