from __future__ import annotations

from django import forms

from portal.forms import (
    DigitsFormMixin,
    LocalDateField,
    PhoneField,
    StyledFormMixin,
    formfield_https,
)
from portal.organisations.forms import OrganisationFormMixin

from .models import Company


class CompanyForm(OrganisationFormMixin, StyledFormMixin, DigitsFormMixin, forms.ModelForm):
    key_field = "national_id"
    digit_fields = ("national_id", "certificate_number")

    class Meta:
        model = Company
        formfield_callback = formfield_https
        field_classes = {"certificate_expiry": LocalDateField, "phone": PhoneField}
        fields = [
            "name_fa", "name_en", "national_id", "company_type", "certificate_number",
            "certificate_expiry", "certificate_file", "province", "city", "address", "phone",
            "website", "profile_fa", "profile_en", "logo", "name_ar", "profile_ar", "name_ru", "profile_ru",
        ]  # fmt: skip
        widgets = {
            "profile_fa": forms.Textarea(attrs={"rows": 4, "dir": "rtl"}),
            "profile_en": forms.Textarea(attrs={"rows": 4, "dir": "ltr"}),
            "name_ar": forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
            "name_ru": forms.TextInput(attrs={"dir": "ltr", "lang": "ru"}),
            "profile_ar": forms.Textarea(attrs={"rows": 3, "dir": "rtl", "lang": "ar"}),
            "profile_ru": forms.Textarea(attrs={"rows": 3, "dir": "ltr", "lang": "ru"}),
            "name_en": forms.TextInput(attrs={"dir": "ltr"}),
            "national_id": forms.TextInput(attrs={"inputmode": "numeric", "dir": "ltr", "maxlength": 11}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "dir": "ltr"}),
            "website": forms.URLInput(attrs={"dir": "ltr"}),
            "logo": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
            "certificate_file": forms.ClearableFileInput(attrs={"accept": "application/pdf,image/*"}),
        }
