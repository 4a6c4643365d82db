"""The sizes of a data set and the state the generator's steps hand to each other."""

from __future__ import annotations

import random
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from .queries import QueryCollector

if TYPE_CHECKING:
    from portal.models import TargetCountry
    from products.models import Certification, ProductCategory

    from .catalog import CompanyPlan

BATCH = 2000  # rows per INSERT: large enough to amortise round trips, small enough for memory


@dataclass(frozen=True)
class Sizes:
    """How many of each thing; `scaled` keeps the issue's ratios per 100,000 products."""

    products: int
    companies: int
    brokers: int
    offers: int
    responses: int
    applications: int
    inquiries: int
    reviewers: int
    managers: int

    @classmethod
    def scaled(cls, products: int, **overrides: int) -> Sizes:
        """2,000 companies, 100 brokers, 10,000 offers with 50,000 responses, 20,000 applications,
        1,000 inquiries, 40 reviewers and 8 managers per 100,000 products (with small minimums)."""
        if products < 1:
            raise ValueError("a data set needs at least one product")
        per = products / 100_000
        sizes = {
            "products": products,
            "companies": min(products, max(2, round(2_000 * per))),
            "brokers": max(3, round(100 * per)),
            "offers": max(4, round(10_000 * per)),
            "responses": max(4, round(50_000 * per)),
            "applications": max(10, round(20_000 * per)),
            "inquiries": max(2, round(1_000 * per)),
            "reviewers": max(2, round(40 * per)),
            "managers": max(2, round(8 * per)),
        }
        unknown = set(overrides) - set(sizes)
        if unknown:
            raise ValueError(f"unknown sizes: {sorted(unknown)}")
        sizes.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**sizes)

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass
class Build:
    """What one generation run has created so far (ids and small objects, never all products)."""

    sizes: Sizes
    rng: random.Random
    today: date
    now: datetime
    queries: QueryCollector = field(default_factory=QueryCollector)
    countries: list[TargetCountry] = field(default_factory=list)
    categories: dict[str, ProductCategory] = field(default_factory=dict)
    certifications: dict[str, Certification] = field(default_factory=dict)
    companies: list[CompanyPlan] = field(default_factory=list)
    superuser_id: int = 0
    reviewer_ids: list[int] = field(default_factory=list)
    manager_ids: list[int] = field(default_factory=list)
    brokers: list[Any] = field(default_factory=list)  # brokers.models.Broker, approved first
    counts: dict[str, int] = field(default_factory=dict)
