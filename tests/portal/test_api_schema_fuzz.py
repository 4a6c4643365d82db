"""Schemathesis against the OpenAPI schema, as anonymous and as each role: no server error, and no
response that breaks the schema (documented status, content type and body).

A short deterministic run here (FUZZ_EXAMPLES cases per operation, 3 by default); `make fuzz` runs
the same test with many more.
"""

from __future__ import annotations

import os

import pytest
from rest_framework.throttling import SimpleRateThrottle

from tests.brokers.factories import OfferFactory
from tests.portal.api_fuzz import fuzz, headers_for, load_schema
from tests.products.factories import ProductFactory
from tests.support.factories import ApplicationFactory, ProgramFactory

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))


@pytest.fixture
def world(company, company_member, brokerage, broker_member):
    """Something in every list, so that responses are checked with real rows in them."""
    ProductFactory(company=company, with_image=True)
    OfferFactory(broker=brokerage)
    ApplicationFactory(company=company, program=ProgramFactory())


@pytest.mark.parametrize("persona", ["anonymous", "company_member", "broker_member", "reviewer", "manager"])
def test_api_answers_as_its_schema_says(request, world, monkeypatch, persona):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": None, "user": None})
    failures = fuzz(load_schema(), headers_for(request.getfixturevalue(persona)), examples=EXAMPLES)
    assert failures == [], "\n\n".join(failures)
