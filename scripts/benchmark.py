"""Measure the main read paths: latency (median, p95) and SQL queries per request.

Usage: python scripts/benchmark.py [--requests 30] [--extra-products 0]
Runs against the configured database (SQLite by default, PostgreSQL with DATABASE_URL), after
`seed_demo`. --extra-products N copies demo products N more times to see how pages scale.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from products.models import Product  # noqa: E402

PATHS = [
    ("home", "/fa/"),
    ("catalog", "/fa/products/"),
    ("catalog search", "/fa/products/?q=%D9%85%D8%A7%D8%B3%DA%A9"),
    ("catalog ready_for=LB", "/en/products/?ready_for=LB&ordering=-price"),
    ("product page", None),
    ("companies", "/fa/companies/"),
    ("API products x100", "/api/v1/products/?page_size=100"),
    ("API products search", "/api/v1/products/?search=mask"),
]


def copy_products(times: int) -> None:
    originals = list(Product.objects.all()[:150])
    for _ in range(times):
        Product.objects.bulk_create(
            [
                Product(
                    **{
                        f.attname: getattr(p, f.attname)
                        for f in Product._meta.concrete_fields
                        if f.name != "id"
                    }
                )
                for p in originals
            ]
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--extra-products", type=int, default=0)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    if args.extra_products:
        copy_products(args.extra_products)
    client = Client(HTTP_HOST="127.0.0.1")
    product = Product.objects.public().first()
    total, public = Product.objects.count(), Product.objects.public().count()
    print(f"database: {connection.vendor}; products: {total} ({public} public)")
    print(f"{'path':<24}{'status':>7}{'queries':>9}{'median ms':>11}{'p95 ms':>9}{'KiB':>7}")
    for name, path in PATHS:
        path = path or f"/fa/products/{product.pk}/"
        client.get(path)  # warm caches and template loaders
        timings = []
        for _ in range(args.requests):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(path)
                timings.append((time.perf_counter() - start) * 1000)
        timings.sort()
        p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
        print(
            f"{name:<24}{response.status_code:>7}{len(queries):>9}{statistics.median(timings):>11.1f}"
            f"{p95:>9.1f}{len(response.content) / 1024:>7.0f}"
        )


if __name__ == "__main__":
    main()
