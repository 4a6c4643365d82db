"""Deals: what an accepted offer response, a buyer inquiry or a company's own buyer became.

A deal links a company (and optionally the brokerage that brought the buyer) to a buyer, with its
lines (the company's products, quantities and unit prices), its shipments and the payments
received. Its status moves only through deals/services.py; each move appends a `DealEvent`."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brokers.models import (
    Broker,
    BuyerInquiry,
    CoBrokerInvitation,
    Mandate,
    Offer,
    OfferResponse,
    Referral,
)
from companies.models import Company
from portal.models import LoadedStatus, TargetCountry, TimeStampedModel
from portal.templatetags.portal_tags import localnumber, money_text
from portal.uploads.files import GeneratedName, validate_image_or_pdf
from products.models import Product

CENTS = Decimal("0.01")


class Status(models.TextChoices):
    NEGOTIATING = "negotiating", _("Negotiating")
    CONTRACTED = "contracted", _("Contracted")
    SHIPPED = "shipped", _("Shipped")
    PAID = "paid", _("Paid")
    CLOSED = "closed", _("Closed")
    LOST = "lost", _("Lost")


# The stages a deal can still be lost from (after payment it is won, whatever follows).
OPEN_STATES = (Status.NEGOTIATING, Status.CONTRACTED, Status.SHIPPED)


class Action(models.TextChoices):
    OPEN = "open", _("Deal opened")
    CONTRACT = "contract", _("Contract signed")
    SHIP = "ship", _("Shipment recorded")
    PAY = "pay", _("Payment recorded")
    CLOSE = "close", _("Deal closed")
    LOSE = "lose", _("Deal lost")
    INVITE = "invite", _("Co-broker invited")
    PARTNER = "partner", _("Co-broker joined")
    DECLINE = "decline", _("Co-broker invitation declined")
    WITHDRAW = "withdraw", _("Co-broker invitation withdrawn")
    REVOKE = "revoke", _("Co-broker invitation withdrawn: mandate revoked")
    CREDIT = "credit", _("Attribution agreed")


class Origin(models.TextChoices):
    RESPONSE = "response", _("Accepted offer response")
    INQUIRY = "inquiry", _("Buyer inquiry")
    DIRECT = "direct", _("Direct (the company's own buyer)")


class BuyerType(models.TextChoices):
    HOSPITAL = "hospital", _("Hospital or clinic")
    DISTRIBUTOR = "distributor", _("Distributor or wholesaler")
    GOVERNMENT = "government", _("Government body")
    PHARMACY = "pharmacy", _("Pharmacy chain")
    NGO = "ngo", _("NGO or international organisation")
    OTHER = "other", _("Other")


class Incoterm(models.TextChoices):
    EXW = "EXW", "EXW"
    FCA = "FCA", "FCA"
    FOB = "FOB", "FOB"
    CFR = "CFR", "CFR"
    CIF = "CIF", "CIF"
    CPT = "CPT", "CPT"
    CIP = "CIP", "CIP"
    DAP = "DAP", "DAP"
    DPU = "DPU", "DPU"
    DDP = "DDP", "DDP"


class LostReason(models.TextChoices):
    PRICE = "price", _("Price")
    CERTIFICATION = "certification", _("Certification")
    LOGISTICS = "logistics", _("Logistics")
    PAYMENT_TERMS = "payment_terms", _("Payment terms")
    BUYER_WITHDREW = "buyer_withdrew", _("Buyer withdrew")
    COMPETITOR = "competitor", _("Competitor")
    OTHER = "other", _("Other")


class DealQuerySet(models.QuerySet["Deal"]):
    def of_parties(self, *, company: Company | None, broker: Broker | None) -> DealQuerySet:
        """The deals of a company and of a brokerage (either may be None)."""
        condition = Q(pk__in=[])
        if company is not None:
            condition |= Q(company=company)
        if broker is not None:
            # Its own deals, and those it co-brokers (an accepted invitation makes it a party).
            partnered = DealPartner.objects.filter(broker=broker, status=DealPartner.Status.ACCEPTED)
            condition |= Q(broker=broker) | Q(pk__in=partnered.values("deal_id"))
        return self.filter(condition)


class Deal(LoadedStatus, TimeStampedModel):
    reference = models.CharField(_("reference number"), max_length=20, unique=True)
    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="deals"
    )
    broker = models.ForeignKey(
        Broker,
        verbose_name=_("broker"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deals",
    )
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices)
    # The company's mandate under which a brokerage acted for the company on this deal: the deal's
    # brokerage opening it on the company's behalf ("opened by broker X for company Y"), or, on a
    # deal from an accepted response, the brokerage that sent the response for the company (it is
    # then the deal's co-broker); null when the parties acted in their own names.
    mandate = models.ForeignKey(
        Mandate,
        verbose_name=_("opened under mandate"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deals",
    )
    offer_response = models.OneToOneField(
        OfferResponse,
        verbose_name=_("offer response"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deal",
    )
    inquiry = models.ForeignKey(
        BuyerInquiry,
        verbose_name=_("buyer inquiry"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deals",
    )
    buyer_name = models.CharField(_("buyer"), max_length=200)
    buyer_country = models.ForeignKey(
        TargetCountry, verbose_name=_("buyer's country"), on_delete=models.PROTECT, related_name="+"
    )
    buyer_type = models.CharField(_("buyer's organisation type"), max_length=12, choices=BuyerType.choices)
    destination = models.ForeignKey(
        TargetCountry, verbose_name=_("destination country"), on_delete=models.PROTECT, related_name="deals"
    )
    incoterm = models.CharField(_("incoterm"), max_length=3, choices=Incoterm.choices)
    currency = models.CharField(
        _("currency"), max_length=3, choices=Product.Currency.choices, default=Product.Currency.USD
    )
    usd_rate = models.DecimalField(
        _("US dollars per unit of the currency"),
        max_digits=14,
        decimal_places=6,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal("0.000001"))],
        help_text=_("The rate agreed or used on the day the deal was opened; 1 for US dollars."),
    )
    expected_value = models.DecimalField(
        _("expected value"), max_digits=16, decimal_places=2, default=Decimal(0), editable=False
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NEGOTIATING)
    lost_reason = models.CharField(_("reason lost"), max_length=16, choices=LostReason.choices, blank=True)
    lost_note = models.TextField(_("note on the loss"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = DealQuerySet.as_manager()

    class Meta:
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["company", "-created_at"], name="deal_company_created_idx"),
            models.Index(fields=["broker", "-created_at"], name="deal_broker_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(usd_rate__gt=0), name="deal_usd_rate_positive"),
            models.CheckConstraint(condition=Q(expected_value__gte=0), name="deal_value_not_negative"),
            models.CheckConstraint(
                condition=(Q(status=Status.LOST) & ~Q(lost_reason=""))
                | (~Q(status=Status.LOST) & Q(lost_reason="")),
                name="deal_lost_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(origin="response", offer_response__isnull=False)
                | Q(origin="inquiry", inquiry__isnull=False, offer_response__isnull=True)
                | Q(origin="direct", inquiry__isnull=True, offer_response__isnull=True),
                name="deal_origin_has_its_source",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("deals:detail", kwargs={"pk": self.pk})

    @property
    def usd_rate_shown(self) -> Decimal:
        """The rate without the trailing zeros of its six stored decimals (0.027 rather than 0.027000)."""
        rate = self.usd_rate.normalize()
        return rate.quantize(Decimal(1)) if rate == rate.to_integral_value() else rate

    def opened_under_mandate(self) -> bool:
        return self.mandate_id is not None

    @property
    def expected_value_usd(self) -> Decimal:
        return (self.expected_value * self.usd_rate).quantize(CENTS)

    def to_usd(self, amount: Decimal, currency: str) -> Decimal:
        """An amount in the deal's currency or in US dollars, in US dollars at the deal's rate."""
        rate = Decimal(1) if currency == Product.Currency.USD else self.usd_rate
        return (amount * rate).quantize(CENTS)

    def quantity_total(self) -> int:
        return self.lines.aggregate(total=Sum("quantity"))["total"] or 0

    def quantity_shipped(self) -> int:
        return self.shipments.aggregate(total=Sum("quantity"))["total"] or 0


class DealLine(models.Model):
    deal = models.ForeignKey(Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="deal_lines"
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    unit_price = models.DecimalField(
        _("unit price"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )

    class Meta:
        verbose_name = _("deal line")
        verbose_name_plural = _("deal lines")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="dealline_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="dealline_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} × {self.quantity}"

    @property
    def total(self) -> Decimal:
        return (self.unit_price * self.quantity).quantize(CENTS)


class Shipment(models.Model):
    deal = models.ForeignKey(Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="shipments")
    shipped_on = models.DateField(_("shipping date"))
    quantity = models.PositiveIntegerField(_("quantity shipped"), validators=[MinValueValidator(1)])
    declaration_number = models.CharField(_("export declaration number"), max_length=50)
    invoice = models.FileField(
        _("commercial invoice (PDF or image)"),
        upload_to=GeneratedName("deals/invoices"),
        validators=[validate_image_or_pdf],
    )
    transport_document = models.FileField(
        _("bill of lading or air waybill (PDF or image)"),
        upload_to=GeneratedName("deals/transport"),
        validators=[validate_image_or_pdf],
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["shipped_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="shipment_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.declaration_number} ({self.quantity})"


class Payment(models.Model):
    deal = models.ForeignKey(Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="payments")
    amount = models.DecimalField(
        _("amount received"), max_digits=16, decimal_places=2, validators=[MinValueValidator(CENTS)]
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Product.Currency.choices)
    received_on = models.DateField(_("date received"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("payment received")
        verbose_name_plural = _("payments received")
        ordering = ["received_on", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="deal_payment_positive")]

    def __str__(self) -> str:
        return money_text(self.amount, self.currency)

    @property
    def amount_usd(self) -> Decimal:
        return self.deal.to_usd(self.amount, self.currency)


class DealEvent(models.Model):
    """The append-only timeline of a deal: every status change (and every shipment or payment)."""

    deal = models.ForeignKey(Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # What a shipment or payment event recorded: the timeline and the e-mails render it in each
    # reader's language from these rows; `note` holds only what a person wrote.
    shipment = models.ForeignKey(
        Shipment,
        verbose_name=_("shipment"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    payment = models.ForeignKey(
        Payment, verbose_name=_("payment"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    partner = models.ForeignKey(
        "DealPartner",
        verbose_name=_("co-broker"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    # The split of the deal's credit that this step agreed, for each reader to read in their language:
    # [{"broker": brokerage id, "share": percent, "role": a CreditRole}].
    credits = models.JSONField(_("credit split"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("deal event")
        verbose_name_plural = _("deal events")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        # The step by its name (the admin heads each row of the timeline with it), not its code.
        return f"{self.deal}: {self.get_action_display()}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("Deal events are append-only.")
        super().save(*args, **kwargs)


class CreditRole(models.TextChoices):
    INTRODUCED = "introduced", _("Introduced the buyer")
    CO_BROKER = "co_broker", _("Co-broker")
    REFERRAL = "referral", _("Referral")


class DealCredit(models.Model):
    """A brokerage's share of the credit for a deal. When any brokerage is credited, a deal's
    shares sum to 100 (deals/services.py writes them all at once, never one by one)."""

    deal = models.ForeignKey(Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="credits")
    broker = models.ForeignKey(
        Broker, verbose_name=_("brokerage"), on_delete=models.PROTECT, related_name="deal_credits"
    )
    role = models.CharField(_("role"), max_length=12, choices=CreditRole.choices)
    share_percent = models.PositiveSmallIntegerField(
        _("share (%)"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    offer = models.ForeignKey(
        Offer, verbose_name=_("offer"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    inquiry = models.ForeignKey(
        BuyerInquiry,
        verbose_name=_("buyer inquiry"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    referral = models.ForeignKey(
        Referral,
        verbose_name=_("referral"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deal_credits",
    )
    created_at = models.DateTimeField(_("credited at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("deal credit")
        verbose_name_plural = _("deal credits")
        ordering = ["deal", "-share_percent", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["deal", "broker", "role"], name="one_credit_per_role"),
            models.CheckConstraint(
                condition=Q(share_percent__gte=1) & Q(share_percent__lte=100), name="credit_share_1_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.broker}: {self.get_role_display()} ({localnumber(self.share_percent)}%)"


class DealPartner(CoBrokerInvitation):
    """A brokerage invited onto a deal as co-broker (one holds the buyer, the other the
    registration or logistics in the country), with the agreed share of the credit. The deal's
    brokerage proposes the split by inviting; the invited brokerage accepts or declines; once
    accepted it is a party of the deal."""

    deal = models.ForeignKey(Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="partners")
    broker = models.ForeignKey(
        Broker, verbose_name=_("co-broker"), on_delete=models.CASCADE, related_name="deal_partnerships"
    )
    role_note = models.CharField(
        _("what the co-broker does"), max_length=200, blank=True,
        help_text=_("E.g. registration and logistics in the destination country."),
    )  # fmt: skip

    class Meta(CoBrokerInvitation.Meta):
        verbose_name = _("co-broker")
        verbose_name_plural = _("co-brokers")
        constraints = CoBrokerInvitation.constraints_for(
            "deal", share_name="partner_share_1_99", live_name="one_live_partner_per_deal"
        )

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.broker_id} ({self.share_percent}%)"
