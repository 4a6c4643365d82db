from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from brokers.forms import CoBrokerInviteForm
from companies.models import Company
from portal.forms import DigitsFormMixin, LocalDateField, StyledFormMixin
from portal.models import TargetCountry
from products.models import Product

from .models import Deal, LostReason, Payment, Shipment

LINE_ROWS = 5


def _country_field(field: forms.ModelChoiceField) -> None:
    field.queryset = TargetCountry.objects.active()
    field.label_from_instance = lambda country: country.name


class DealForm(StyledFormMixin, DigitsFormMixin, forms.ModelForm):
    """The buyer and the terms of a deal; its lines come in a `DealLineFormSet` beside it."""

    company = forms.ModelChoiceField(
        label=_("Company that sells"), queryset=Company.objects.none(), required=False
    )

    class Meta:
        model = Deal
        fields = [
            "buyer_name",
            "buyer_country",
            "buyer_type",
            "destination",
            "incoterm",
            "currency",
            "usd_rate",
        ]
        widgets = {
            "usd_rate": forms.TextInput(attrs={"inputmode": "decimal", "dir": "ltr"}),
        }

    def __init__(self, *args: Any, companies: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _country_field(self.fields["buyer_country"])
        _country_field(self.fields["destination"])
        if companies is not None:
            # A brokerage opening a deal for a company (direct, or from an inquiry) names it among
            # the companies whose mandate it holds; the service checks what the mandate covers.
            self.fields["company"].label = _("Company you act for")
            self.fields["company"].queryset = companies
            self.fields["company"].error_messages["invalid_choice"] = _(
                "Choose a company whose mandate your brokerage holds."
            )
            self.fields["company"].required = True
            self.fields["company"].label_from_instance = lambda company: company.name
            self.order_fields(["company"])
        else:
            del self.fields["company"]


class DealLineForm(StyledFormMixin, DigitsFormMixin, forms.Form):
    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.none(), required=False)
    quantity = forms.IntegerField(
        label=_("Quantity"), min_value=1, required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "dir": "ltr"}),
    )  # fmt: skip
    unit_price = forms.DecimalField(
        label=_("Unit price"), min_value=0, max_digits=14, decimal_places=2, required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "dir": "ltr"}),
    )  # fmt: skip

    def __init__(self, *args: Any, products: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if products is not None:
            self.fields["product"].queryset = products
        self.fields["product"].label_from_instance = lambda product: product.name

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        filled = [name for name in ("product", "quantity", "unit_price") if data.get(name) not in (None, "")]
        typed = [name for name in ("product", "quantity", "unit_price") if self.errors.get(name)]
        if (filled or typed) and len(filled) + len(typed) < 3:
            for name in ("product", "quantity", "unit_price"):
                if name not in filled and name not in typed:
                    self.add_error(name, _("Fill in the product, its quantity and its unit price."))
        return data

    @property
    def line(self) -> dict[str, Any] | None:
        data = getattr(self, "cleaned_data", {})
        if data.get("product") is None:
            return None
        return {"product": data["product"], "quantity": data["quantity"], "unit_price": data["unit_price"]}


class BaseLineFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, products: Any, **kwargs: Any) -> None:
        self.products = products
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "products": self.products}

    def clean(self) -> None:
        if any(self.errors):
            return
        if not self.lines:
            raise forms.ValidationError(_("Add at least one product with its quantity and unit price."))

    @property
    def lines(self) -> list[dict[str, Any]]:
        return [form.line for form in self.forms if form.line is not None]


DealLineFormSet = forms.formset_factory(
    DealLineForm, formset=BaseLineFormSet, extra=LINE_ROWS, max_num=20, absolute_max=20, validate_max=True
)


def deal_products(company: Company) -> Any:
    """The products a company can sell in a deal: its own, not archived."""
    return company.products.exclude(status=Product.Status.ARCHIVED).order_by("name_en")


class ShipmentForm(StyledFormMixin, DigitsFormMixin, forms.ModelForm):
    digit_fields = ("declaration_number",)

    quantity = forms.IntegerField(
        label=capfirst(Shipment._meta.get_field("quantity").verbose_name), min_value=1,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "dir": "ltr"}),
    )  # fmt: skip

    class Meta:
        model = Shipment
        fields = ["shipped_on", "quantity", "declaration_number", "invoice", "transport_document"]
        field_classes = {"shipped_on": LocalDateField}
        widgets = {
            "declaration_number": forms.TextInput(attrs={"dir": "ltr"}),
            "invoice": forms.ClearableFileInput(attrs={"accept": "application/pdf,image/*"}),
            "transport_document": forms.ClearableFileInput(attrs={"accept": "application/pdf,image/*"}),
        }


class PaymentForm(StyledFormMixin, DigitsFormMixin, forms.ModelForm):
    class Meta:
        model = Payment
        fields = ["amount", "currency", "received_on"]
        field_classes = {"received_on": LocalDateField}
        widgets = {"amount": forms.TextInput(attrs={"inputmode": "decimal", "dir": "ltr"})}

    def __init__(self, *args: Any, deal: Deal, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"currency": deal.currency})
        super().__init__(*args, **kwargs)
        allowed = {deal.currency, Product.Currency.USD}
        self.fields["currency"].choices = [c for c in Product.Currency.choices if c[0] in allowed]


class LostForm(StyledFormMixin, forms.Form):
    lost_reason = forms.ChoiceField(label=_("Reason"), choices=LostReason.choices)
    lost_note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class NoteForm(StyledFormMixin, forms.Form):
    note = forms.CharField(
        label=_("Note (optional)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class PartnerInviteForm(CoBrokerInviteForm):
    """Invite a co-broker onto a deal with the share of the credit agreed with it."""

    def __init__(self, *args: Any, deal: Deal, **kwargs: Any) -> None:
        super().__init__(*args, inviter_id=deal.broker_id, **kwargs)
