"""Knowledge-based companies, their members and invitations."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from simple_history.models import HistoricalRecords

from portal.models import (
    Invitation,
    Organisation,
    OrganisationMembership,
    OrganisationQuerySet,
    localized,
)
from portal.organisations import OrganisationKind, OrganisationTexts
from portal.permissions import Role
from portal.uploads.files import GeneratedName, validate_image, validate_image_or_pdf

from .validators import validate_national_id

CERTIFICATE_WARNING_DAYS = 60


class Province(models.TextChoices):
    ALBORZ = "alborz", _("Alborz")
    ARDABIL = "ardabil", _("Ardabil")
    BUSHEHR = "bushehr", _("Bushehr")
    CHAHARMAHAL = "chaharmahal", _("Chaharmahal and Bakhtiari")
    EAST_AZERBAIJAN = "east_azerbaijan", _("East Azerbaijan")
    ESFAHAN = "esfahan", _("Isfahan")
    FARS = "fars", _("Fars")
    GILAN = "gilan", _("Gilan")
    GOLESTAN = "golestan", _("Golestan")
    HAMADAN = "hamadan", _("Hamadan")
    HORMOZGAN = "hormozgan", _("Hormozgan")
    ILAM = "ilam", _("Ilam")
    KERMAN = "kerman", _("Kerman")
    KERMANSHAH = "kermanshah", _("Kermanshah")
    KHUZESTAN = "khuzestan", _("Khuzestan")
    KOHGILUYEH = "kohgiluyeh", _("Kohgiluyeh and Boyer-Ahmad")
    KURDISTAN = "kurdistan", _("Kurdistan")
    LORESTAN = "lorestan", _("Lorestan")
    MARKAZI = "markazi", _("Markazi")
    MAZANDARAN = "mazandaran", _("Mazandaran")
    NORTH_KHORASAN = "north_khorasan", _("North Khorasan")
    QAZVIN = "qazvin", _("Qazvin")
    QOM = "qom", _("Qom")
    RAZAVI_KHORASAN = "razavi_khorasan", _("Razavi Khorasan")
    SEMNAN = "semnan", _("Semnan")
    SISTAN = "sistan", _("Sistan and Baluchestan")
    SOUTH_KHORASAN = "south_khorasan", _("South Khorasan")
    TEHRAN = "tehran", _("Tehran")
    WEST_AZERBAIJAN = "west_azerbaijan", _("West Azerbaijan")
    YAZD = "yazd", _("Yazd")
    ZANJAN = "zanjan", _("Zanjan")


class CompanyQuerySet(OrganisationQuerySet):
    def verified(self) -> CompanyQuerySet:
        return self.approved()


class Company(Organisation):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending verification")
        VERIFIED = "verified", _("Verified")
        SUSPENDED = "suspended", _("Suspended")

    class Type(models.TextChoices):
        PRIVATE_JOINT_STOCK = "private_joint_stock", _("Private joint-stock company")
        PUBLIC_JOINT_STOCK = "public_joint_stock", _("Public joint-stock company")
        LIMITED = "limited", _("Limited liability company")
        COOPERATIVE = "cooperative", _("Cooperative")
        OTHER = "other", _("Other")

    national_id = models.CharField(
        _("national ID"),
        max_length=11,
        unique=True,
        validators=[validate_national_id],
        help_text=_("The company's 11-digit national ID (شناسه ملی)."),
        error_messages={"unique": _("A company with this national ID is already registered.")},
    )
    certificate_number = models.CharField(_("knowledge-based certificate number"), max_length=50)
    certificate_expiry = models.DateField(_("knowledge-based certificate expiry"))
    certificate_file = models.FileField(
        _("knowledge-based certificate (PDF or image)"),
        upload_to=GeneratedName("companies/certificates"),
        validators=[validate_image_or_pdf],
    )
    company_type = models.CharField(_("company type"), max_length=30, choices=Type.choices)
    province = models.CharField(_("province"), max_length=30, choices=Province.choices)
    city = models.CharField(_("city"), max_length=100)
    address = models.CharField(_("address"), max_length=500)
    phone = models.CharField(_("phone"), max_length=20)
    website = models.URLField(_("website"), blank=True)
    profile_fa = models.TextField(_("profile (Persian)"), blank=True, max_length=3000)
    profile_en = models.TextField(_("profile (English)"), blank=True, max_length=3000)
    # Optional texts for Arabic- and Russian-speaking buyers; empty ones fall back to English.
    name_ar = models.CharField(_("name (Arabic)"), max_length=200, blank=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=200, blank=True)
    profile_ar = models.TextField(_("profile (Arabic)"), blank=True, max_length=3000)
    profile_ru = models.TextField(_("profile (Russian)"), blank=True, max_length=3000)
    logo = models.ImageField(
        _("logo"), upload_to=GeneratedName("companies/logos"), blank=True, validators=[validate_image]
    )
    certificate_warned_for = models.DateField(
        _("expiry warning sent for"), null=True, blank=True, editable=False,
        help_text=_("The certificate expiry date the members were last warned about."),
    )  # fmt: skip
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)

    objects = CompanyQuerySet.as_manager()
    history = HistoricalRecords(verbose_name=_("history of company"))

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name_en"]
        # The directory lists verified companies by name (and by province): the first index reads
        # a page in order, the second serves the province filter and the directory's count.
        indexes = [
            models.Index(fields=["status", "name_en", "id"], name="company_status_name_idx"),
            models.Index(fields=["status", "province"], name="company_status_province_idx"),
        ]

    def get_absolute_url(self) -> str:
        return reverse("companies:detail", kwargs={"pk": self.pk})

    @property
    def profile(self) -> str:
        return localized(self, "profile")

    @property
    def is_verified(self) -> bool:
        return self.status == self.Status.VERIFIED

    def certificate_valid_on(self, day: date) -> bool:
        return self.certificate_expiry >= day

    @property
    def certificate_expired(self) -> bool:
        return not self.certificate_valid_on(timezone.localdate())

    @property
    def certificate_expires_soon(self) -> bool:
        today = timezone.localdate()
        return today <= self.certificate_expiry <= today + timedelta(days=CERTIFICATE_WARNING_DAYS)


class CompanyMembership(OrganisationMembership):
    """A user works for one company; the registrant is its owner."""

    organisation_field = "company"

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="company_membership",
    )

    class Meta:
        verbose_name = _("company membership")
        verbose_name_plural = _("company memberships")


class CompanyInvitation(Invitation):
    organisation_field = "company"

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="invitations"
    )

    class Meta(Invitation.Meta):
        verbose_name = _("company invitation")
        verbose_name_plural = _("company invitations")

    def get_absolute_url(self) -> str:
        return reverse("companies:invitation_accept", kwargs={"token": self.token})


KIND = OrganisationKind(
    model=Company,
    membership=CompanyMembership,
    invitation=CompanyInvitation,
    member_role=Role.COMPANY_MEMBER,
    namespace="companies",
    send_task="companies.tasks.company_invitation_send",
    approved=Company.Status.VERIFIED,
    pending=Company.Status.PENDING,
    suspended=Company.Status.SUSPENDED,
    key_field="national_id",
    editable_fields=frozenset({
        "name_fa", "name_en", "certificate_number", "certificate_expiry", "certificate_file",
        "company_type", "province", "city", "address", "phone", "website", "profile_fa", "profile_en",
        "logo", "name_ar", "name_ru", "profile_ar", "profile_ru",
    }),
    # The company's identity as the centre verified it (the national ID is never edited by members).
    rechecked_fields=(
        "name_fa", "name_en", "national_id", "certificate_number", "certificate_expiry", "certificate_file",
    ),
    texts=OrganisationTexts(
        a_name=_("a company"),
        already_member=_("You are already a member of a company."),
        register_first=_("Register your company first."),
        only_members=_("Only the company's members can change it."),
        suspended=_("Your company is suspended by the centre: its data can be read but not changed."),
        registered=_("Your company is registered and waits for verification by the centre."),
        saved=_("The company profile has been saved."),
        sent_back=_(
            "You changed what the centre verified; the company is pending until the centre checks it again."
        ),
        decided=ngettext_lazy("%(shown)s company updated.", "%(shown)s companies updated.", "n"),
    ),
)  # fmt: skip
