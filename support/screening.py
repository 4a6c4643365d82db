"""Eligibility screening of a submitted application.

A pure function: it reads the application and a date, and returns the reasons it is not eligible,
in the applicant's words. An empty list means eligible. Celery only runs it (see tasks.py).
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from companies.models import Company
from products.models import Product, ProductReadiness

from .evidence import rule_refusal
from .models import Application, SupportProgram
from .selectors import program_budget


def screen(application: Application, *, on: date) -> list[str]:
    """Reasons `application` is not eligible on `on` (empty when it is)."""
    program = application.program
    company = application.company
    reasons: list[str] = []
    if company.status != Company.Status.VERIFIED:
        reasons.append(_("The company is not verified by the centre."))
    if not company.certificate_valid_on(on):
        reasons.append(_("The knowledge-based certificate was not valid on the submission date."))
    if not program.is_open_on(on):
        reasons.append(_("The programme was not open on the submission date."))
    uploaded = set(application.documents.values_list("document_type_id", flat=True))
    for document_type in program.required_documents.all():
        if document_type.pk not in uploaded:
            reasons.append(_("A required document is missing: %(name)s.") % {"name": document_type.name})
    if application.requested_amount > program.cap_per_application:
        reasons.append(
            _("The requested amount is above the programme's cap of %(cap)s %(currency)s.")
            % {"cap": program.cap_per_application, "currency": program.currency}
        )
    elif application.requested_amount > program_budget(program).remaining:
        reasons.append(_("The requested amount is above what is left of the programme's budget."))
    products = list(application.products.all())
    if not products:
        reasons.append(_("Choose at least one product."))
    if any(p.company_id != company.pk or p.status != Product.Status.PUBLISHED for p in products):
        reasons.append(_("Only the company's own published products can be included."))
    eligible_categories = set(program.eligible_categories.values_list("pk", flat=True))
    if eligible_categories and any(p.category_id not in eligible_categories for p in products):
        reasons.append(_("A product is outside the programme's eligible categories."))
    countries = set(application.countries.values_list("pk", flat=True))
    if not countries:
        reasons.append(_("Choose at least one target country."))
    eligible_countries = set(program.eligible_countries.values_list("pk", flat=True))
    if eligible_countries and not countries <= eligible_countries:
        reasons.append(_("A target country is outside the programme's eligible countries."))
    if program.support_type == SupportProgram.SupportType.JOINT_BRAND:
        reasons.extend(_not_ready(products, countries, on=on))
    # The programme's evidence rule, from the company's deals as they stood on the submission date.
    evidence = rule_refusal(application, on=on)
    if evidence:
        reasons.append(evidence)
    return reasons


def joint_brand_not_ready(application: Application, *, on: date) -> list[str]:
    """Why the application's products cannot carry the joint brand on `on` (empty when they can):
    screening asks, and the approval asks again under its lock."""
    countries = set(application.countries.values_list("pk", flat=True))
    return _not_ready(list(application.products.all()), countries, on=on)


def _not_ready(products: list[Product], countries: set[int], *, on: date) -> list[str]:
    """The joint national brand vouches for a product's papers: each product must be ready for
    each target country on `on`, by certificates the centre verified (ProductReadiness)."""
    ready = set(
        ProductReadiness.objects.filter(
            product__in=products, country_id__in=countries, valid_until__gte=on
        ).values_list("product_id", "country_id")
    )
    return [
        _("%(product)s does not hold verified, valid certificates for every requirement of a target country.")
        % {"product": product.name}
        for product in products
        if any((product.pk, country) not in ready for country in countries)
    ]
