from __future__ import annotations

from django import forms

from portal.forms import DigitsFormMixin, LocalDateField, StyledFormMixin
from portal.i18n.digits import to_ascii_digits
from portal.models import TargetCountry

from .models import Product, ProductCertification, ProductImage


class CountryChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: TargetCountry) -> str:
        return obj.name


def normalize_hs_code(value: str) -> str:
    """HS codes are often written in groups ("3004.90", "۳۰۰۴ ۹۰ ۱۰"): drop the dots and spaces.

    Anything else (letters, dashes) stays, so the 6-to-10-digits rule names the problem."""
    return "".join(ch for ch in to_ascii_digits(value) if ch not in " .\u00a0\u200c")


class HSCodeField(forms.CharField):
    def to_python(self, value: object) -> str:
        return normalize_hs_code(super().to_python(value))


class ProductForm(StyledFormMixin, DigitsFormMixin, forms.ModelForm):
    digit_fields = ("hs_code",)

    registered_countries = CountryChoiceField(
        queryset=TargetCountry.objects.active(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=Product._meta.get_field("registered_countries").verbose_name,
        help_text=Product._meta.get_field("registered_countries").help_text,
    )

    class Meta:
        model = Product
        fields = [
            "name_fa", "name_en", "category", "hs_code", "description_fa", "description_en",
            "specifications_fa", "specifications_en", "monthly_capacity", "capacity_unit",
            "minimum_order", "fob_price", "currency", "lead_time_days", "image", "datasheet",
            "registered_countries", "name_ar", "description_ar", "name_ru", "description_ru",
        ]  # fmt: skip
        field_classes = {"hs_code": HSCodeField}
        widgets = {
            "name_en": forms.TextInput(attrs={"dir": "ltr"}),
            "hs_code": forms.TextInput(attrs={"inputmode": "numeric", "dir": "ltr", "maxlength": 10}),
            "description_fa": forms.Textarea(attrs={"rows": 4, "dir": "rtl"}),
            "description_en": forms.Textarea(attrs={"rows": 4, "dir": "ltr"}),
            "specifications_fa": forms.Textarea(attrs={"rows": 4, "dir": "rtl"}),
            "specifications_en": forms.Textarea(attrs={"rows": 4, "dir": "ltr"}),
            "monthly_capacity": forms.TextInput(attrs={"inputmode": "numeric", "dir": "ltr"}),
            "minimum_order": forms.TextInput(attrs={"inputmode": "numeric", "dir": "ltr"}),
            "fob_price": forms.TextInput(attrs={"inputmode": "decimal", "dir": "ltr"}),
            "lead_time_days": forms.TextInput(attrs={"inputmode": "numeric", "dir": "ltr"}),
            "image": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
            "datasheet": forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
            "name_ar": forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
            "name_ru": forms.TextInput(attrs={"dir": "ltr", "lang": "ru"}),
            "description_ar": forms.Textarea(attrs={"rows": 3, "dir": "rtl", "lang": "ar"}),
            "description_ru": forms.Textarea(attrs={"rows": 3, "dir": "ltr", "lang": "ru"}),
        }


class CertificateForm(StyledFormMixin, DigitsFormMixin, forms.ModelForm):
    class Meta:
        model = ProductCertification
        fields = ["certification", "number", "issuer", "expiry_date", "file"]
        field_classes = {"expiry_date": LocalDateField}
        widgets = {
            "number": forms.TextInput(attrs={"dir": "ltr"}),
            "file": forms.ClearableFileInput(attrs={"accept": "application/pdf,image/*"}),
        }


class GalleryImageForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = ProductImage
        fields = ["image", "caption"]
        widgets = {"image": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})}
