"""Which target countries a product is ready for: its certificates against each country's
requirements for its category. Pure functions over prefetched data, so pages stay at a fixed
number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from portal.models import TargetCountry

from .models import Certification, CountryRequirement, Product, ProductCertification

HELD, EXPIRED, UNVERIFIED, MISSING = "held", "expired", "unverified", "missing"


@dataclass
class Requirement:
    certification: Certification
    state: str  # HELD, EXPIRED, UNVERIFIED (declared, not verified by the centre) or MISSING
    certificate: ProductCertification | None = None


@dataclass
class CountryCompliance:
    country: TargetCountry
    requirements: list[Requirement] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return bool(self.requirements) and all(r.state == HELD for r in self.requirements)


def _best_certificates(certificates: Iterable[ProductCertification]) -> dict[int, ProductCertification]:
    """For each certification, the verified certificate that expires last (an unverified one
    only where none is verified)."""
    best: dict[int, ProductCertification] = {}
    for certificate in certificates:
        current = best.get(certificate.certification_id)
        if current is None or (certificate.is_verified, certificate.expiry_date) > (
            current.is_verified,
            current.expiry_date,
        ):
            best[certificate.certification_id] = certificate
    return best


def compliance_matrix(
    product: Product,
    countries: Sequence[TargetCountry],
    requirements: Iterable[CountryRequirement],
    *,
    today: date | None = None,
) -> list[CountryCompliance]:
    """One row per country: each required certification as held, expired, unverified or missing.
    Only a verified certificate is held; one the centre has not verified is shown as such."""
    today = today or timezone.localdate()
    held = _best_certificates(product.certifications.all())
    by_country: dict[int, list[CountryRequirement]] = defaultdict(list)
    for requirement in requirements:
        if requirement.category_id == product.category_id:
            by_country[requirement.country_id].append(requirement)
    rows = []
    for country in countries:
        row = CountryCompliance(country=country)
        for requirement in by_country.get(country.pk, []):
            certificate = held.get(requirement.certification_id)
            if certificate is None:
                state = MISSING
            elif not certificate.is_valid_on(today):
                state = EXPIRED
            elif certificate.is_verified:
                state = HELD
            else:
                state = UNVERIFIED
            row.requirements.append(Requirement(requirement.certification, state, certificate))
        rows.append(row)
    return rows


def ready_countries(
    products: Sequence[Product],
    countries: Sequence[TargetCountry],
    requirements: Sequence[CountryRequirement],
    *,
    today: date | None = None,
) -> dict[int, list[TargetCountry]]:
    """For each product id, the countries it is ready for (products need prefetched certificates)."""
    return {
        product.pk: [
            row.country
            for row in compliance_matrix(product, countries, requirements, today=today)
            if row.ready
        ]
        for product in products
    }


def requirements_for(categories: Iterable[int]) -> list[CountryRequirement]:
    return list(
        CountryRequirement.objects.filter(category_id__in=set(categories), country__is_active=True)
        .select_related("certification")
        .order_by("certification__name_en")
    )
