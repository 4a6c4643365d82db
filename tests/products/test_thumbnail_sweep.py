"""A thumbnail whose message was lost (the broker was down) is made by the sweep afterwards."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import F

from products.models import Product
from products.tasks import product_thumbnails_sweep
from tests.products.factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_the_sweep_makes_thumbnails_that_were_never_made(company):
    lost = ProductFactory(company=company, with_image=True)
    fresh = ProductFactory(company=company, with_image=True)
    old = ProductFactory(company=company, with_image=True)
    Product.objects.filter(pk__in=[lost.pk, fresh.pk, old.pk]).update(thumbnail="")
    Product.objects.filter(pk=lost.pk).update(updated_at=F("updated_at") - timedelta(minutes=10))
    Product.objects.filter(pk=old.pk).update(updated_at=F("updated_at") - timedelta(days=3))
    assert product_thumbnails_sweep() == 1  # the fresh one is left to its own message, the old one given up
    lost.refresh_from_db()
    assert lost.thumbnail.name
    assert product_thumbnails_sweep() == 0  # made once
