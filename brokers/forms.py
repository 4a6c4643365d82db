from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from companies.models import Company
from portal.forms import DigitsFormMixin, LocalDateField, PhoneField, StyledFormMixin, formfield_https
from portal.models import TargetCountry
from portal.organisations.forms import OrganisationFormMixin
from products.models import Product, ProductCategory

from .models import (
    LANGUAGES,
    REFERRAL_DEFAULT_SHARE,
    Broker,
    BrokerService,
    BuyerInquiry,
    EngagementRating,
    LicenceRenewal,
    Mandate,
    Offer,
    OfferAttachment,
    OfferResponse,
    ServiceType,
)


class NamedChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: object) -> str:
        return obj.name


class BrokerForm(OrganisationFormMixin, StyledFormMixin, DigitsFormMixin, forms.ModelForm):
    key_field = "licence_number"
    digit_fields = ("licence_number",)

    services = NamedChoiceField(
        label=_("Services"), queryset=ServiceType.objects.all(), widget=forms.CheckboxSelectMultiple
    )
    countries = NamedChoiceField(
        label=_("Covered countries"),
        queryset=TargetCountry.objects.active(),
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.MultipleChoiceField(
        label=_("Working languages"), choices=LANGUAGES, widget=forms.CheckboxSelectMultiple, required=False
    )
    licence_expires_on = LocalDateField(label=_("Licence valid until"))

    class Meta:
        model = Broker
        formfield_callback = formfield_https
        field_classes = {"phone": PhoneField}
        fields = [
            "name_fa", "name_en", "licence_number", "licence_file", "licence_expires_on", "services",
            "countries", "languages",
            "offices", "description_fa", "description_en", "phone", "email", "website", "logo",
        ]  # fmt: skip
        widgets = {
            "name_en": forms.TextInput(attrs={"dir": "ltr"}),
            "licence_number": forms.TextInput(attrs={"dir": "ltr"}),
            "description_fa": forms.Textarea(attrs={"rows": 4, "dir": "rtl"}),
            "description_en": forms.Textarea(attrs={"rows": 4, "dir": "ltr"}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "dir": "ltr"}),
            "email": forms.EmailInput(attrs={"dir": "ltr"}),
            "website": forms.URLInput(attrs={"dir": "ltr"}),
            "logo": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
            "licence_file": forms.ClearableFileInput(attrs={"accept": "application/pdf,image/*"}),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # The licence the centre approved is renewed through a LicenceRenewal (its own page), never
        # by editing the profile: the other fields are saved without re-uploading it.
        if self.instance.pk and self.instance.status in (Broker.Status.APPROVED, Broker.Status.SUSPENDED):
            del self.fields["licence_file"]
            del self.fields["licence_expires_on"]

    @property
    def licence_renewed_elsewhere(self) -> bool:
        return "licence_file" not in self.fields

    def clean(self) -> dict[str, object]:
        """A licence is replaced as a whole: a new expiry date comes with the new licence's scan, and
        an expired licence can only be replaced by one still valid. A brokerage registered before the
        date was asked records it without re-uploading its licence."""
        cleaned = super().clean()
        expires_on = cleaned.get("licence_expires_on")
        if expires_on is None:
            return cleaned
        stored = Broker.objects.filter(pk=self.instance.pk).first() if self.instance.pk else None
        changed = stored is None or stored.licence_expires_on != expires_on
        if changed and expires_on < timezone.localdate():
            self.add_error("licence_expires_on", _("This date has passed: enter the end of a valid licence."))
        if stored is not None:
            new_file = "licence_file" in self.changed_data
            changed = changed and stored.licence_expires_on is not None
            if changed and not new_file:
                self.add_error("licence_file", _("Upload the new licence together with its expiry date."))
            elif new_file and not changed and stored.licence_expired:
                self.add_error("licence_expires_on", _("Enter the expiry date of the new licence."))
        return cleaned


class LicenceRenewalForm(StyledFormMixin, forms.ModelForm):
    """The renewed licence: its scan and its new end (a Jalali date on Persian pages)."""

    expires_on = LocalDateField(label=_("New licence valid until"))

    class Meta:
        model = LicenceRenewal
        fields = ["licence_file", "expires_on"]
        widgets = {"licence_file": forms.ClearableFileInput(attrs={"accept": "application/pdf,image/*"})}

    def __init__(self, *args: object, broker: Broker, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # A brokerage whose date was never recorded may send the date of its current licence alone.
        self.fields["licence_file"].required = broker.licence_expires_on is not None
        if broker.licence_expires_on is None:
            self.fields["licence_file"].help_text = _(
                "Recording the date of your current licence? The scan you registered with is enough: "
                "leave this empty. Renewing it? Upload the new licence."
            )
            self.fields["expires_on"].label = _("Licence valid until")


class OfferForm(StyledFormMixin, DigitsFormMixin, forms.ModelForm):
    categories = NamedChoiceField(
        label=_("Product categories"),
        queryset=ProductCategory.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Offer
        fields = [
            "kind", "country", "categories", "title_fa", "title_en", "description_fa", "description_en",
            "quantity", "unit", "target_price", "currency", "deadline",
        ]  # fmt: skip
        field_classes = {"deadline": LocalDateField}
        widgets = {
            "kind": forms.RadioSelect,
            "title_en": forms.TextInput(attrs={"dir": "ltr"}),
            "description_fa": forms.Textarea(attrs={"rows": 4, "dir": "rtl"}),
            "description_en": forms.Textarea(attrs={"rows": 4, "dir": "ltr"}),
            "quantity": forms.TextInput(attrs={"inputmode": "numeric", "dir": "ltr"}),
            "target_price": forms.TextInput(attrs={"inputmode": "decimal", "dir": "ltr"}),
        }

    def __init__(self, *args: object, broker: Broker, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Only the countries the brokerage covers are offered; the service checks it again.
        self.fields["country"].queryset = broker.countries.filter(is_active=True)
        self.fields["country"].label_from_instance = lambda c: c.name


class AttachmentForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = OfferAttachment
        fields = ["file", "title"]
        widgets = {"file": forms.ClearableFileInput(attrs={"accept": "application/pdf,image/*"})}


class ProductChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Product) -> str:
        return obj.name


class ResponseForm(StyledFormMixin, DigitsFormMixin, forms.ModelForm):
    products = ProductChoiceField(
        label=_("Your products"), queryset=Product.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = OfferResponse
        fields = ["products", "unit_price", "currency", "quantity", "lead_time_days", "message"]
        widgets = {
            "unit_price": forms.TextInput(attrs={"inputmode": "decimal", "dir": "ltr"}),
            "quantity": forms.TextInput(attrs={"inputmode": "numeric", "dir": "ltr"}),
            "lead_time_days": forms.TextInput(attrs={"inputmode": "numeric", "dir": "ltr"}),
            "message": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: object, company: object, for_company: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["products"].queryset = company.products.filter(status=Product.Status.PUBLISHED)
        if for_company:  # a brokerage answering for the company under its mandate
            self.fields["products"].label = _("Products of %(company)s") % {"company": company.name}


class MandateForm(StyledFormMixin, forms.ModelForm):
    """What a company authorises: which brokerage, where, for which categories, until when."""

    broker = forms.ModelChoiceField(
        label=_("Brokerage"),
        queryset=Broker.objects.none(),
        error_messages={"invalid_choice": _("Choose an approved brokerage whose licence is valid.")},
    )
    countries = NamedChoiceField(
        label=_("Countries"), queryset=TargetCountry.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    categories = NamedChoiceField(
        label=_("Product categories"),
        queryset=ProductCategory.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )
    valid_until = LocalDateField(
        label=_("Valid until"),
        help_text=_("The mandate counts up to and including this day; you can revoke it at any time."),
    )

    class Meta:
        model = Mandate
        fields = ["broker", "countries", "categories", "valid_until", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["broker"].queryset = Broker.objects.publishing().order_by("name_en")
        self.fields["broker"].label_from_instance = lambda broker: broker.name
        self.fields["countries"].queryset = TargetCountry.objects.active()


class MandateRevokeForm(StyledFormMixin, forms.Form):
    note = forms.CharField(
        label=_("Reason (optional; the brokerage reads it)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class InquiryForm(StyledFormMixin, forms.ModelForm):
    # A field people never see: bots fill it in, and their message is dropped.
    website = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"})
    )

    class Meta:
        model = BuyerInquiry
        fields = ["name", "organisation", "country", "email", "message"]
        widgets = {
            "email": forms.EmailInput(attrs={"dir": "ltr"}),
            "message": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].queryset = TargetCountry.objects.active()
        self.fields["country"].label_from_instance = lambda c: c.name

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class BrokerServiceForm(StyledFormMixin, DigitsFormMixin, forms.ModelForm):
    service_type = forms.ModelChoiceField(label=_("Service type"), queryset=ServiceType.objects.all())
    countries = NamedChoiceField(
        label=_("Countries served"),
        queryset=TargetCountry.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = BrokerService
        fields = [
            "service_type", "fee_model", "fee_amount", "fee_percent", "currency", "countries",
            "description_fa", "description_en",
        ]  # fmt: skip
        widgets = {
            "fee_model": forms.RadioSelect,
            "fee_amount": forms.TextInput(attrs={"inputmode": "decimal", "dir": "ltr"}),
            "fee_percent": forms.TextInput(attrs={"inputmode": "decimal", "dir": "ltr"}),
            "description_fa": forms.Textarea(attrs={"rows": 4, "dir": "rtl"}),
            "description_en": forms.Textarea(attrs={"rows": 4, "dir": "ltr"}),
        }

    def __init__(self, *args: object, broker: Broker, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service_type"].label_from_instance = lambda t: t.name
        # Only the countries the brokerage covers are offered; the service checks it again.
        self.fields["countries"].queryset = broker.countries.filter(is_active=True)


class EngagementBookForm(StyledFormMixin, forms.Form):
    message = forms.CharField(
        label=_("Your message to the brokerage"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What you need, for which products and countries, and by when."),
    )


class EngagementStepForm(StyledFormMixin, forms.Form):
    note = forms.CharField(
        label=_("Note to the other side"),
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class EngagementRatingForm(StyledFormMixin, DigitsFormMixin, forms.ModelForm):
    class Meta:
        model = EngagementRating
        fields = ["score", "comment"]
        widgets = {
            "score": forms.TextInput(attrs={"inputmode": "numeric", "dir": "ltr", "min": 1, "max": 5}),
            "comment": forms.Textarea(attrs={"rows": 3}),
        }


class InquiryReplyForm(StyledFormMixin, forms.Form):
    body = forms.CharField(
        label=_("Your reply to the buyer"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write your reply to the buyer.")},
    )


class InquiryCloseForm(StyledFormMixin, forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[("", "---------"), *BuyerInquiry.CloseReason.choices],
        error_messages={"required": _("Choose a reason from the list.")},
    )
    note = forms.CharField(
        label=_("Note"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReferralForm(StyledFormMixin, DigitsFormMixin, forms.Form):
    """Pass an inquiry you hold, or a company, to another brokerage (the choices are the user's)."""

    inquiry = forms.ModelChoiceField(
        label=_("Inquiry you hold"), queryset=BuyerInquiry.objects.none(), required=False
    )
    company = forms.ModelChoiceField(label=_("Company"), queryset=Company.objects.none(), required=False)
    country = forms.ModelChoiceField(
        label=_("Country"),
        queryset=TargetCountry.objects.all(),
        required=False,
        help_text=_("For a company: the country the referral is for (an inquiry's is its buyer's)."),
    )
    service = forms.ModelChoiceField(
        label=_("Service needed"), queryset=ServiceType.objects.all(), required=False
    )
    to_broker = forms.ModelChoiceField(
        label=_("Refer to brokerage"),
        queryset=Broker.objects.none(),
        error_messages={"required": _("Choose the brokerage to refer to.")},
    )
    share_percent = forms.IntegerField(
        label=_("Your share of a resulting deal (%)"),
        min_value=1,
        max_value=50,
        initial=REFERRAL_DEFAULT_SHARE,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "dir": "ltr"}),
    )
    note = forms.CharField(
        label=_("Note to the brokerage"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: object, inquiries: object, targets: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["inquiry"].queryset = inquiries
        self.fields["company"].queryset = Company.objects.verified().order_by("name_en")
        self.fields["to_broker"].queryset = targets

    def clean(self) -> dict:
        data = super().clean()
        if bool(data.get("inquiry")) == bool(data.get("company")):
            raise forms.ValidationError(_("Refer either an inquiry you hold or a company."))
        if data.get("company") and not data.get("country"):
            self.add_error("country", _("Choose the country the referral is for."))
        return data


class CoBrokerInviteForm(StyledFormMixin, DigitsFormMixin, forms.Form):
    """Invite a co-broker (onto an offer or a deal) with the share of the credit agreed with it."""

    broker = forms.ModelChoiceField(
        label=_("Brokerage to invite"),
        queryset=Broker.objects.none(),
        error_messages={"required": _("Choose the brokerage to invite.")},
    )
    share_percent = forms.IntegerField(
        label=_("Its share of the credit (%)"),
        min_value=1,
        max_value=99,
        help_text=_("E.g. 40 for a 60/40 split; your brokerage keeps the rest."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "dir": "ltr"}),
    )
    role_note = forms.CharField(label=_("What it does"), max_length=200, required=False)

    def __init__(self, *args: object, inviter_id: int | None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["broker"].queryset = (
            Broker.objects.publishing().exclude(pk=inviter_id).order_by("name_en")
        )
