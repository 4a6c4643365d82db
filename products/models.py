"""Product categories, certification types, products with their certificates, and the
per-country certification requirements behind the compliance matrix."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from companies.models import Company
from portal.models import LoadedStatus, TargetCountry, TimeStampedModel, User, localized
from portal.uploads.files import GeneratedName, validate_image, validate_image_or_pdf, validate_pdf

EXPIRY_WARNING_DAYS = 60

hs_code_validator = RegexValidator(r"^[0-9]{6,10}$", _("An HS code has 6 to 10 digits."))


class ProductCategory(TimeStampedModel):
    slug = models.SlugField(_("slug"), unique=True)
    name_fa = models.CharField(_("name (Persian)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_ar = models.CharField(_("name (Arabic)"), max_length=100, blank=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=100, blank=True)
    description_fa = models.TextField(_("description (Persian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    icon = models.CharField(_("icon"), max_length=40, blank=True, help_text=_("A Bootstrap Icons name."))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")
        ordering = ["position", "name_en"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")


class Certification(TimeStampedModel):
    """A kind of certificate or registration: CE, FDA EUA, ISO 13485, IRFDA licence, WHO EUL..."""

    code = models.SlugField(_("code"), unique=True)
    name_fa = models.CharField(_("name (Persian)"), max_length=150)
    name_en = models.CharField(_("name (English)"), max_length=150)
    name_ar = models.CharField(_("name (Arabic)"), max_length=150, blank=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=150, blank=True)
    issuer = models.CharField(_("usual issuer"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        ordering = ["name_en"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")


class CountryRequirement(TimeStampedModel):
    """A target country requires this certification for products of this category."""

    country = models.ForeignKey(
        TargetCountry, verbose_name=_("country"), on_delete=models.CASCADE, related_name="requirements"
    )
    category = models.ForeignKey(
        ProductCategory, verbose_name=_("category"), on_delete=models.CASCADE, related_name="requirements"
    )
    certification = models.ForeignKey(
        Certification, verbose_name=_("certification"), on_delete=models.CASCADE, related_name="requirements"
    )
    note_fa = models.CharField(_("note (Persian)"), max_length=300, blank=True)
    note_en = models.CharField(_("note (English)"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("country requirement")
        verbose_name_plural = _("country requirements")
        ordering = ["country__name_en", "category__position", "certification__name_en"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "category", "certification"], name="unique_country_requirement"
            )
        ]

    def __str__(self) -> str:
        return f"{self.country} · {self.category} · {self.certification}"


SEARCH_COLUMNS = ("search_vector", "name_vector", "search_names")
# The catalog's default order, served by the newest-first indexes below; the id last, so that
# products published and created at one instant (an import) keep one order from page to page.
NEWEST_FIRST = ("-published_at", "-created_at", "-pk")
# What visitors may see: published products of verified companies (Product.company_verified).
PUBLIC = Q(status="published", company_verified=True)


class ProductQuerySet(models.QuerySet["Product"]):
    def public(self) -> ProductQuerySet:
        """Published products of verified companies: what visitors may see."""
        return self.filter(PUBLIC)

    def for_listing(self) -> ProductQuerySet:
        """With what a product card or the API shows, without the search columns (kilobytes a row)."""
        return self.select_related("company", "category").defer(*SEARCH_COLUMNS)

    def of_company(self, company: Company | None) -> ProductQuerySet:
        return self.filter(company=company) if company else self.none()

    def visible_to(self, user: User) -> ProductQuerySet:
        """Public products, plus every product of the user's own company."""
        if not user.is_authenticated:
            return self.filter(PUBLIC)
        return self.filter(PUBLIC | Q(company__memberships__user=user)).distinct()

    def ready_for(self, country: TargetCountry | int, *, on: date | None = None) -> ProductQuerySet:
        """Products holding a valid certificate for every certification `country` requires of
        their category (and the country requires at least one): see ProductReadiness."""
        ready = ProductReadiness.objects.filter(
            product=OuterRef("pk"), country=country, valid_until__gte=on or timezone.localdate()
        )
        return self.filter(Exists(ready))


class Product(LoadedStatus, TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    class Unit(models.TextChoices):
        PIECE = "piece", _("pieces")
        BOX = "box", _("boxes")
        KIT = "kit", _("kits")
        DEVICE = "device", _("devices")
        LITRE = "litre", _("litres")
        PAIR = "pair", _("pairs")

    class Currency(models.TextChoices):
        USD = "USD", "USD"
        EUR = "EUR", "EUR"
        AED = "AED", "AED"
        CNY = "CNY", "CNY"
        RUB = "RUB", "RUB"
        IQD = "IQD", "IQD"

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="products"
    )
    category = models.ForeignKey(
        ProductCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="products"
    )
    name_fa = models.CharField(_("name (Persian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description_fa = models.TextField(_("description (Persian)"), max_length=5000)
    description_en = models.TextField(_("description (English)"), max_length=5000)
    # Optional texts for Arabic- and Russian-speaking buyers; empty ones fall back to English.
    name_ar = models.CharField(_("name (Arabic)"), max_length=200, blank=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=200, blank=True)
    description_ar = models.TextField(_("description (Arabic)"), max_length=5000, blank=True)
    description_ru = models.TextField(_("description (Russian)"), max_length=5000, blank=True)
    specifications_fa = models.TextField(
        _("technical specifications (Persian)"), blank=True, max_length=5000, help_text=_("One per line.")
    )
    specifications_en = models.TextField(
        _("technical specifications (English)"), blank=True, max_length=5000, help_text=_("One per line.")
    )
    hs_code = models.CharField(
        _("HS code"), max_length=10, validators=[hs_code_validator], help_text=_("6 to 10 digits.")
    )
    monthly_capacity = models.PositiveIntegerField(
        _("monthly production capacity"), validators=[MinValueValidator(1)]
    )
    capacity_unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, default=Unit.PIECE)
    minimum_order = models.PositiveIntegerField(
        _("minimum order quantity"), validators=[MinValueValidator(1)]
    )
    fob_price = models.DecimalField(
        _("FOB unit price"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.USD)
    lead_time_days = models.PositiveSmallIntegerField(
        _("lead time (days)"), validators=[MinValueValidator(1)]
    )
    image = models.ImageField(
        _("main image"), upload_to=GeneratedName("products/images"), blank=True, validators=[validate_image]
    )
    thumbnail = models.ImageField(
        _("thumbnail"), upload_to=GeneratedName("products/thumbnails"), blank=True, editable=False
    )
    datasheet = models.FileField(
        _("datasheet (PDF)"),
        upload_to=GeneratedName("products/datasheets"),
        blank=True,
        validators=[validate_pdf],
    )
    registered_countries = models.ManyToManyField(
        TargetCountry,
        verbose_name=_("registered in"),
        blank=True,
        related_name="registered_products",
        help_text=_("Target countries where the product is already registered."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    joint_brand = models.BooleanField(
        _("joint national brand"), default=False, editable=False,
        help_text=_("Granted by an approved joint-brand support application."),
    )  # fmt: skip
    # The search document, written by a PostgreSQL trigger on every insert and on updates of the
    # text fields (migrations 0004 and 0005; products/search.py reads them). Empty on SQLite, where the
    # catalog searches the text fields themselves.
    search_vector = SearchVectorField(null=True, editable=False)
    name_vector = SearchVectorField(null=True, editable=False)
    search_names = models.TextField(null=True, editable=False)
    # Whether the company is verified, as the database keeps it (triggers on both tables, migration
    # 0018), so that "published, by a verified company" is tested on the product's own row: the join
    # to the companies cost each catalog, search and API query about a third of its time. For
    # queries only: an instance holds what was read, and a save recomputes it whatever it holds.
    company_verified = models.BooleanField(default=False, db_default=False, editable=False)
    objects = ProductQuerySet.as_manager()
    # The search columns are derived (a trigger writes them), and so is the company's verification:
    # no history of kilobytes a row, nor of another row's change.
    history = HistoricalRecords(
        verbose_name=_("history of product"), excluded_fields=[*SEARCH_COLUMNS, "company_verified"]
    )

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        # The id last: products imported in one go share both times, and without a unique last key
        # PostgreSQL may return tied rows in another order for each page (repeated or skipped).
        ordering = list(NEWEST_FIRST)
        indexes = [
            models.Index(fields=["status", "category"], name="product_status_category_idx"),
            models.Index(fields=["hs_code"], name="product_hs_code_idx"),
            # The catalog's, the API's and the company page's default order (newest first, the id
            # last), read a page at a time: without these every list sorted all public rows.
            models.Index(
                F("published_at").desc(),
                F("created_at").desc(),
                F("id").desc(),
                name="product_public_newest_idx",
                condition=Q(status="published"),
            ),
            models.Index(
                "category",
                F("published_at").desc(),
                F("created_at").desc(),
                F("id").desc(),
                name="product_public_category_idx",
                condition=Q(status="published"),
            ),
            models.Index(
                "company",
                F("published_at").desc(),
                F("created_at").desc(),
                F("id").desc(),
                name="product_company_newest_idx",
            ),
            # The catalog's other orders ("price", "-price", "-capacity"), with the id that breaks
            # their many ties (products/filters.py StableOrderingFilter).
            models.Index(
                fields=["fob_price", "id"],
                name="product_public_price_id_idx",
                condition=Q(status="published"),
            ),
            models.Index(
                fields=["monthly_capacity", "id"],
                name="product_public_capacity_id_idx",
                condition=Q(status="published"),
            ),
            # A filtered list's count up to its cap, from this index alone: the public products in
            # id order, merged with a country's registrations or readiness, or read for a category.
            # At 100,000 products: by country 9 -> 1.1 ms, "ready for" 7.8 -> 1.8, by category 3.3
            # -> 0.2 (before, each public product's row was fetched to test it).
            models.Index(
                fields=["id", "category"],
                name="product_public_id_category_idx",
                condition=Q(status="published", company_verified=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(fob_price__gt=0), name="product_price_positive"),
            models.CheckConstraint(condition=Q(monthly_capacity__gt=0), name="product_capacity_positive"),
            # The catalog's order and search's newest window (products/search.py) count on it.
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="product_published_dated",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("products:detail", kwargs={"pk": self.pk})

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def description(self) -> str:
        return localized(self, "description")

    @property
    def specifications(self) -> list[str]:
        return [line.strip() for line in localized(self, "specifications").splitlines() if line.strip()]

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.company.status == Company.Status.VERIFIED

    @property
    def card_image(self):  # noqa: ANN201 - a FieldFile or None
        return self.thumbnail or self.image or None


class ProductImage(TimeStampedModel):
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="gallery"
    )
    image = models.ImageField(
        _("image"), upload_to=GeneratedName("products/gallery"), validators=[validate_image]
    )
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("gallery image")
        verbose_name_plural = _("gallery images")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.caption or self.image.name


class ProductCertificationQuerySet(models.QuerySet["ProductCertification"]):
    def expiring_within(self, days: int, *, today: date | None = None) -> ProductCertificationQuerySet:
        today = today or timezone.localdate()
        return self.filter(expiry_date__gte=today, expiry_date__lte=today + timedelta(days=days))

    def valid_on(self, day: date | None = None) -> ProductCertificationQuerySet:
        """Certificates that count: verified by the centre and not expired on `day`."""
        return self.filter(
            status=ProductCertification.Status.VERIFIED, expiry_date__gte=day or timezone.localdate()
        )

    def awaiting_check(self) -> ProductCertificationQuerySet:
        """The staff queue: pending certificates, the longest waiting first."""
        return self.filter(status=ProductCertification.Status.PENDING).order_by("submitted_at", "pk")


class ProductCertification(TimeStampedModel):
    """A certificate a product holds: which certification, its number, issuer, expiry and scan.

    Companies declare certificates; only those the centre has checked against the scan count
    (readiness, badges, eligibility, the joint brand). The stored status is pending, verified or
    rejected; "expired" is computed from the expiry date (see `state`), so it can never lag behind
    the calendar. Changing what was checked (number, issuer, expiry, file) makes it pending again.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting verification")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")

    # What the centre checks against the scan: a change to any of them needs a new check.
    RECHECKED_FIELDS = ("certification_id", "number", "issuer", "expiry_date", "file")
    EXPIRED = "expired"  # a computed state, never stored

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="certifications"
    )
    certification = models.ForeignKey(
        Certification, verbose_name=_("certification"), on_delete=models.PROTECT, related_name="held_by"
    )
    number = models.CharField(_("certificate number"), max_length=100)
    issuer = models.CharField(_("issued by"), max_length=150)
    expiry_date = models.DateField(_("expiry date"))
    file = models.FileField(
        _("certificate (PDF or image)"),
        upload_to=GeneratedName("products/certificates"),
        blank=True,
        validators=[validate_image_or_pdf],
    )
    expiry_warned_for = models.DateField(
        _("expiry warning sent for"), null=True, blank=True, editable=False,
        help_text=_("The expiry date the company was last warned about (so each is warned once)."),
    )  # fmt: skip

    status = models.CharField(
        _("verification"), max_length=10, choices=Status.choices, default=Status.PENDING, editable=False
    )
    submitted_at = models.DateTimeField(
        _("waiting since"), default=timezone.now, editable=False,
        help_text=_("When the certificate was uploaded or last changed: the queue's order."),
    )  # fmt: skip
    reviewed_at = models.DateTimeField(_("checked at"), null=True, blank=True, editable=False)
    # PROTECT: a decision keeps the name of whoever took it (staff are deactivated, not deleted).
    reviewed_by = models.ForeignKey(
        User, verbose_name=_("checked by"), on_delete=models.PROTECT, null=True, blank=True,
        editable=False, related_name="+",
    )  # fmt: skip
    rejection_reason = models.TextField(
        _("reason for rejection"), blank=True, max_length=2000,
        help_text=_("Shown to the company: what is wrong and what to upload instead."),
    )  # fmt: skip

    objects = ProductCertificationQuerySet.as_manager()
    # The expiry reminder's bookkeeping is no change of the certificate.
    history = HistoricalRecords(
        verbose_name=_("history of product certificate"), excluded_fields=["expiry_warned_for"]
    )

    class Meta:
        verbose_name = _("product certificate")
        verbose_name_plural = _("product certificates")
        ordering = ["certification__name_en", "-expiry_date"]
        permissions = [("verify_productcertification", _("Can verify or reject product certificates"))]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "certification", "number"], name="unique_product_certificate"
            ),
            # A decision always names who took it and when; a rejection always says why.
            models.CheckConstraint(
                condition=Q(status="pending") | Q(reviewed_at__isnull=False, reviewed_by__isnull=False),
                name="certificate_decision_recorded",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="certificate_rejection_has_reason",
            ),
        ]
        indexes = [
            # The staff queue (awaiting_check): a few pending rows among 100,000s of verified ones.
            models.Index(
                fields=["submitted_at", "id"],
                name="certificate_pending_queue_idx",
                condition=Q(status="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.certification} {self.number}"

    @classmethod
    def from_db(cls, db, field_names, values):  # noqa: ANN001, ANN206 - Django's signature
        instance = super().from_db(db, field_names, values)
        # What was checked, as loaded: save() compares with it (no extra query, any write path).
        instance._checked_values = instance._rechecked_values()
        return instance

    def _rechecked_values(self) -> dict[str, object]:
        # A file is compared by its stored name (a FieldFile, an upload or the raw string).
        return {
            name: getattr(value, "name", value)
            for name in self.RECHECKED_FIELDS
            if (value := self.__dict__.get(name, ...)) is not ...
        }

    def rechecked_fields_changed(self) -> bool:
        loaded = getattr(self, "_checked_values", None)
        if not loaded:
            return False
        current = self._rechecked_values()
        return any(current.get(name) != value for name, value in loaded.items())

    def mark_pending(self) -> None:
        """Back to the queue: what the centre checked has changed."""
        self.status = self.Status.PENDING
        self.submitted_at = timezone.now()
        self.reviewed_at = None
        self.reviewed_by = None

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk and self.status != self.Status.PENDING and self.rechecked_fields_changed():
            self.mark_pending()
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {
                    *update_fields,
                    "status",
                    "submitted_at",
                    "reviewed_at",
                    "reviewed_by",
                }
        super().save(*args, **kwargs)
        self._checked_values = self._rechecked_values()

    @property
    def version(self) -> str:
        """A token of what a member of staff checks (the details, the scan and the status): the
        verify and reject forms post the one they were shown, and a decision on a certificate
        that changed since is refused."""
        shown = [self.status, *(str(getattr(self, name)) for name in self.RECHECKED_FIELDS[:-1])]
        shown.append(self.file.name or "")
        return hashlib.sha256("\x1f".join(shown).encode()).hexdigest()[:20]

    @property
    def is_verified(self) -> bool:
        return self.status == self.Status.VERIFIED

    def counts_on(self, day: date) -> bool:
        """Verified and not expired on `day`: what readiness, badges and eligibility use."""
        return self.is_verified and self.is_valid_on(day)

    @property
    def state(self) -> str:
        """pending, verified, rejected or expired (a rejection stays a rejection: it says why)."""
        if self.status != self.Status.REJECTED and self.is_expired:
            return self.EXPIRED
        return self.status

    @property
    def state_label(self) -> str:
        return _("Expired") if self.state == self.EXPIRED else self.get_status_display()

    @property
    def validity(self) -> str:
        """What a buyer is told on the product page: expired, unverified, expires_soon or valid."""
        if self.is_expired:
            return "expired"
        if not self.is_verified:
            return "unverified"
        return "expires_soon" if self.expires_soon else "valid"

    @property
    def validity_label(self) -> str:
        labels = {
            "expired": _("expired"),
            "unverified": _("not verified"),
            "expires_soon": _("expires soon"),
            "valid": _("valid"),
        }
        return labels[self.validity]

    def is_valid_on(self, day: date) -> bool:
        return self.expiry_date >= day

    @property
    def is_expired(self) -> bool:
        return not self.is_valid_on(timezone.localdate())

    @property
    def expires_soon(self) -> bool:
        today = timezone.localdate()
        return today <= self.expiry_date <= today + timedelta(days=EXPIRY_WARNING_DAYS)


class CertificateToCheck(ProductCertification):
    """The staff queue of certificates awaiting verification: an admin page of its own."""

    class Meta:
        proxy = True
        verbose_name = _("certificate to verify")
        verbose_name_plural = _("certificates to verify")
        default_permissions = ()  # the queue asks for products.verify_productcertification


class ProductReadiness(models.Model):
    """The product is ready for `country` until `valid_until`: it holds a certificate for every
    certification the country requires of its category, and the first of them expires then.

    Derived data, never edited: products.readiness rewrites a product's rows when its certificates
    or category change, and a category's rows when a country's requirements change. Expiry needs
    no rewrite (readers compare `valid_until` with today), so "ready for" is an indexed join."""

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="readiness"
    )
    country = models.ForeignKey(
        TargetCountry, verbose_name=_("country"), on_delete=models.CASCADE, related_name="+"
    )
    valid_until = models.DateField(_("ready until"))

    class Meta:
        verbose_name = _("export readiness")
        verbose_name_plural = _("export readiness")
        constraints = [
            models.UniqueConstraint(fields=["product", "country"], name="unique_product_readiness")
        ]
        indexes = [models.Index(fields=["country", "valid_until"], name="readiness_country_until_idx")]

    def __str__(self) -> str:
        return f"{self.product_id} → {self.country_id} ({self.valid_until})"
