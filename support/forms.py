from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from brokers.models import Broker
from companies.models import Company
from portal.forms import DigitsFormMixin, StyledFormMixin
from portal.models import TargetCountry
from portal.templatetags.portal_tags import localnumber
from products.models import Product

from .evidence import evidence_choices, items_from_values, values_of
from .models import Application, ApplicationDocument, SupportProgram


def _whole_if_possible(amount: Decimal) -> Decimal:
    return amount.to_integral_value() if amount == amount.to_integral_value() else amount


class NamedMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: object) -> str:
        return obj.name


class ApplicationForm(StyledFormMixin, DigitsFormMixin, forms.ModelForm):
    products = NamedMultipleChoiceField(
        label=_("Products"), queryset=Product.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    countries = NamedMultipleChoiceField(
        label=_("Target countries"),
        queryset=TargetCountry.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    evidence = forms.MultipleChoiceField(
        label=_("Export evidence"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Your company's contracted deals, as a whole or by their recorded shipments. A shipment "
            "backs one application only."
        ),
    )

    class Meta:
        model = Application
        fields = ["products", "countries", "broker", "requested_amount", "justification"]
        widgets = {
            "requested_amount": forms.TextInput(attrs={"inputmode": "decimal", "dir": "ltr"}),
            "justification": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args: object, company: Company, program: SupportProgram, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        products = company.products.filter(status=Product.Status.PUBLISHED)
        categories = program.eligible_categories.all()
        if categories.exists():
            products = products.filter(category__in=categories)
        self.fields["products"].queryset = products
        countries = program.eligible_countries.all()
        self.fields["countries"].queryset = (
            countries if countries.exists() else TargetCountry.objects.active()
        )
        self.fields["broker"].queryset = Broker.objects.publishing().order_by("name_en")
        self.fields["broker"].label_from_instance = lambda b: b.name
        self.fields["broker"].empty_label = _("No broker")
        self.fields["requested_amount"].help_text = _("At most %(cap)s %(currency)s.") % {
            "cap": localnumber(_whole_if_possible(program.cap_per_application)),
            "currency": program.currency,
        }
        self.company = company
        self.fields["evidence"].choices = evidence_choices(company)
        if self.instance.pk and not self.is_bound:
            self.initial["evidence"] = values_of(self.instance)

    def evidence_groups(self) -> list[tuple[str, list]]:
        """The evidence checkboxes by deal: (the deal's label, its options' widgets)."""
        widgets = iter(self["evidence"])
        return [
            (label, [next(widgets) for _option in options])
            for label, options in self.fields["evidence"].choices
        ]

    def clean_evidence(self) -> list:
        """The chosen deals and shipments (the choices hold only the company's own)."""
        return items_from_values(self.company, self.cleaned_data.get("evidence") or [])


class DocumentForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = ApplicationDocument
        fields = ["document_type", "file"]
        widgets = {"file": forms.ClearableFileInput(attrs={"accept": "application/pdf,image/*"})}

    def __init__(self, *args: object, program: SupportProgram, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["document_type"].queryset = program.required_documents.all()
        self.fields["document_type"].label_from_instance = lambda d: d.name
        self.fields["document_type"].empty_label = _("Choose the document")
