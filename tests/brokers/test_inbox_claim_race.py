"""Two brokers claim the same inquiry at the same moment: exactly one holds it (real transactions,
PostgreSQL row locks)."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from brokers import services
from brokers.models import BuyerInquiry
from tests.conftest import skip_or_fail
from tests.portal.factories import TargetCountryFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_of_two_simultaneous_claims_exactly_one_wins(broker_member, other_broker_member, monkeypatch):
    if connection.vendor != "postgresql":
        skip_or_fail("the race needs PostgreSQL's row locks (set DATABASE_URL)")
    inquiry = services.inquiry_submit(
        source_ip=None, language="en", name="Ali", organisation="Basra Medical",
        country=TargetCountryFactory(iso_code="IQ"), email="ali@buyer.example", message="Masks?",
    )  # fmt: skip
    services.inquiry_route(inquiry=inquiry)
    # Each claim dwells a moment between reading the inquiry and saving it: without the row lock
    # both would read it unclaimed and both would "win".
    save = BuyerInquiry.save

    def slow_save(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        time.sleep(0.3)
        return save(self, *args, **kwargs)

    monkeypatch.setattr(BuyerInquiry, "save", slow_save)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def claim(user) -> None:  # noqa: ANN001
        try:
            barrier.wait(timeout=10)
            services.inquiry_claim(inquiry=BuyerInquiry(pk=inquiry.pk), by=user)
            outcomes[user.email] = "holds"
        except ValidationError as error:
            outcomes[user.email] = error.messages[0]
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim, args=(user,)) for user in (broker_member, other_broker_member)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == sorted([broker_member.email, other_broker_member.email])
    assert list(outcomes.values()).count("holds") == 1
    inquiry.refresh_from_db()
    winner = next(email for email, outcome in outcomes.items() if outcome == "holds")
    loser = next(outcome for outcome in outcomes.values() if outcome != "holds")
    assert inquiry.status == BuyerInquiry.Status.CLAIMED
    assert inquiry.holder.email == winner
    # The one who lost is told who holds it (in Persian, the services' language without a request).
    assert loser == f"{inquiry.holder_label} پیش‌تر این استعلام را برداشته است."
