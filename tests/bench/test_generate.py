"""The benchmark's data-set generator: sizes, invariants, determinism and its search queries."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.utils import timezone

import bench.generate
from bench.context import Sizes
from bench.generate import Summary, generate
from brokers.models import Broker, BuyerInquiry, Offer, OfferResponse
from companies.models import Company, CompanyMembership
from portal.models import Notification, ReferenceCounter, TargetCountry, User
from portal.permissions import Role
from products.models import CountryRequirement, Product, ProductCertification
from support.models import (
    Application,
    ApplicationEvent,
    Review,
    ReviewAssignment,
    Status,
    SupportProgram,
)

pytestmark = pytest.mark.django_db

# Tiny, but with enough applications that every workflow state occurs.
SIZES = Sizes.scaled(200, applications=400)


@pytest.fixture
def summary() -> Summary:
    return generate(SIZES, seed=7, log=lambda line: None)


def _contents_of_a_run(seed: int, *, days_later: int = 0) -> dict[str, list[tuple]]:
    """Generate (as if `days_later`), read what identifies the data set, and roll it all back."""
    with transaction.atomic():
        generate(SIZES, seed=seed, log=lambda line: None, now=timezone.now() + timedelta(days=days_later))
        texts = ("name_fa", "name_en", "description_fa")
        contents = {
            "products": list(Product.objects.order_by("pk").values_list(*texts)),
            "offers": list(Offer.objects.order_by("pk").values_list("title_en", "status", "quantity")),
            "applications": list(
                Application.objects.order_by("pk").annotate(events_count=Count("events"))
                .values_list("status", "requested_amount", "granted_amount", "events_count")
            ),
        }  # fmt: skip
        transaction.set_rollback(True)
    return contents


def _matching(query: str) -> bool:
    text = Q()
    for field in ("name_fa", "name_en", "description_fa", "description_en"):
        text |= Q(**{f"{field}__icontains": query})
    return Product.objects.filter(text).exists()


def test_sizes_follow_the_issue_ratios_per_100k_products() -> None:
    sizes = Sizes.scaled(100_000)
    assert (sizes.companies, sizes.offers, sizes.responses) == (2000, 10_000, 50_000)
    assert sizes.applications == 20_000
    assert Sizes.scaled(10_000).companies == 200
    assert Sizes.scaled(1_000_000).applications == 200_000
    assert Sizes.scaled(1000, offers=7).offers == 7


def test_counts_per_model_match_the_sizes(summary: Summary) -> None:
    assert Product.objects.count() == SIZES.products == summary.counts["products"]
    assert Company.objects.count() == SIZES.companies
    assert Broker.objects.count() == SIZES.brokers
    assert Offer.objects.count() == SIZES.offers
    assert Application.objects.count() == SIZES.applications
    assert BuyerInquiry.objects.count() == SIZES.inquiries
    assert 0 < OfferResponse.objects.count() == summary.counts["responses"] <= SIZES.responses
    assert ApplicationEvent.objects.count() == summary.counts["events"]
    assert Notification.objects.count() == summary.counts["notifications"] > 0
    staff = 1 + SIZES.reviewers + SIZES.managers
    assert User.objects.count() == SIZES.companies + SIZES.brokers + staff
    assert TargetCountry.objects.count() == 14
    assert CountryRequirement.objects.values("country").distinct().count() == 14


def test_every_product_belongs_to_a_company_and_every_company_to_an_owner(summary: Summary) -> None:
    assert not Product.objects.filter(company__isnull=True).exists()
    assert CompanyMembership.objects.filter(role="owner").count() == SIZES.companies
    sizes = list(Company.objects.annotate(n=Count("products")).order_by("pk").values_list("n", flat=True))
    assert sizes[0] == max(sizes)  # the first company is the largest
    assert Company.objects.order_by("pk").first().status == Company.Status.VERIFIED
    assert Product.objects.public().exists()


def test_products_hold_one_to_three_certificates_some_expired_some_expiring(summary: Summary) -> None:
    per_product = Counter(ProductCertification.objects.values_list("product", flat=True))
    assert set(per_product.values()) <= {1, 2, 3}
    assert len(per_product) == SIZES.products
    today = timezone.localdate()
    assert ProductCertification.objects.filter(expiry_date__lt=today).exists()
    assert ProductCertification.objects.expiring_within(60).exists()


def test_certificates_are_verified_by_managers_so_products_are_ready_for_countries(summary: Summary) -> None:
    certificates = ProductCertification.objects.all()
    assert not certificates.exclude(status=ProductCertification.Status.VERIFIED).exists()
    managers = set(User.objects.filter(groups__name=Role.PROGRAMME_MANAGER).values_list("pk", flat=True))
    assert set(certificates.values_list("reviewed_by", flat=True)) <= managers
    assert not certificates.filter(
        Q(reviewed_at__isnull=True) | Q(reviewed_at__lt=F("submitted_at"))
    ).exists()
    iraq = TargetCountry.objects.get(iso_code="IQ")
    assert Product.objects.public().ready_for(iraq).exists()


def test_applications_reach_every_state_with_a_consistent_timeline(summary: Summary) -> None:
    assert set(Application.objects.values_list("status", flat=True)) == set(Status.values)
    for application in Application.objects.prefetch_related("events"):
        previous = Status.DRAFT
        for event in application.events.all():
            assert event.from_status == previous
            previous = event.to_status
        assert previous == application.status


def test_leads_and_reviewers_hold_panel_seats_as_the_workflow_gives_them(summary: Summary) -> None:
    """The reviewers' admin lists find applications by seat (support.panel), as in production."""
    assigned = Application.objects.exclude(assigned_reviewer=None)
    assert assigned.exists()
    round_ = OuterRef("review_round")
    seat = ReviewAssignment.objects.filter(
        application=OuterRef("pk"), reviewer=OuterRef("assigned_reviewer"), review_round=round_
    )
    assert not assigned.exclude(Exists(seat)).exists()
    scored = ReviewAssignment.objects.filter(
        application=OuterRef("application"), reviewer=OuterRef("reviewer"), review_round=round_
    )
    assert not Review.objects.exclude(Exists(scored)).exists()


def test_references_are_unique_and_the_counters_continue_after_them(summary: Summary) -> None:
    references = list(Application.objects.exclude(reference=None).values_list("reference", flat=True))
    assert len(references) == len(set(references)) > 0
    assert not Application.objects.filter(status=Status.DRAFT, reference__isnull=False).exists()
    for reference in references:
        _, year, number = reference.split("-")
        assert ReferenceCounter.objects.get(prefix="EXP", jalali_year=int(year)).last >= int(number)


def test_grants_stay_within_requests_and_budgets_and_deciders_never_scored(summary: Summary) -> None:
    assert not Application.objects.filter(granted_amount__gt=F("requested_amount")).exists()
    for program in SupportProgram.objects.annotate(granted=Sum("applications__granted_amount")):
        assert (program.granted or 0) <= program.budget
    decided = Application.objects.exclude(decided_by=None)
    assert decided.exists()
    assert not Review.objects.filter(application__in=decided, reviewer=F("application__decided_by")).exists()
    assert set(decided.values_list("decided_by__groups__name", flat=True)) == {Role.PROGRAMME_MANAGER}


def test_offers_and_notifications_look_like_live_data(summary: Summary) -> None:
    today = timezone.localdate()
    assert not Offer.objects.filter(status=Offer.Status.OPEN, deadline__lt=today).exists()
    assert not OfferResponse.objects.values("offer", "company").annotate(n=Count("pk")).filter(n__gt=1)
    # Every e-mail is already sent: a worker started on a bench database must send nothing.
    assert not Notification.objects.email_due(now=timezone.now() + timedelta(days=1)).exists()


def test_the_same_seed_gives_the_same_data_set_on_any_day() -> None:
    first, next_month = _contents_of_a_run(11), _contents_of_a_run(11, days_later=30)
    assert first == next_month
    assert first["products"] != _contents_of_a_run(12)["products"]


def test_names_and_descriptions_are_bilingual_with_arabic_letters_and_zwnj(summary: Summary) -> None:
    names = list(Product.objects.values_list("name_fa", "name_en"))
    assert all(fa and en and fa != en for fa, en in names)
    persian = " ".join(fa for fa, _ in names)
    assert "\u200c" in persian  # ZWNJ, as in ماسک سه‌لایه
    assert "ي" in persian or "ك" in persian  # some rows typed with Arabic letters


def test_the_query_lists_words_occur_in_the_data_and_no_hit_ones_do_not(summary: Summary) -> None:
    queries = summary.queries
    assert len(queries["fa"]) >= 50
    assert len(queries["en"]) >= 50
    assert len(queries["none"]) == 200
    assert len(set(queries["fa"] + queries["en"] + queries["none"])) >= 300
    missing = [q for q in queries["fa"] + queries["en"] if not _matching(q)]
    assert missing == []
    found = [q for q in queries["none"] if _matching(q)]
    assert found == []


def test_the_after_products_hook_gets_every_product_id(monkeypatch: pytest.MonkeyPatch) -> None:
    received: list[list[int]] = []
    monkeypatch.setattr(bench.generate, "_after_products", received.append)
    summary = generate(SIZES, seed=7, log=lambda line: None)
    assert received == [summary.product_ids]
    assert sorted(received[0]) == sorted(Product.objects.values_list("pk", flat=True))
