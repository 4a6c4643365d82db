"""Build a deterministic benchmark data set on PostgreSQL.

    .venv/bin/python -m bench.generate --products 100000 \\
        --database-url postgres://postgres@127.0.0.1:5432/bench_100k [--reset]

Creates the database if it is missing and migrates it; refuses a database that already holds
data unless --reset (which drops and recreates it). Every other size follows --products at the
issue's ratios unless given. The same seed gives the same data set (names, texts, statuses).
Writes the search queries of the data set to bench/queries/<database>.json and a marker row
(generator version, seed, sizes) that `bench.run` checks before reusing the database.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

# Bump when the generated data changes, so `bench.run` rebuilds older data sets.
# 2: readiness rewritten after the bulk inserts; 3: applications no longer depend on the hour;
# 4: certificates are verified by a programme manager (only verified ones make a product ready),
# and applications carry their panel seats.
GENERATOR_VERSION = 4
DEFAULT_SEED = 1405
QUERIES_DIR = Path(__file__).resolve().parent / "queries"

Log = Callable[[str], None]


@dataclass
class Summary:
    """What a generation run created: row counts, the product ids and the search queries."""

    sizes: dict[str, int]
    counts: dict[str, int]
    queries: dict[str, list[str]]
    seconds: float
    product_ids: list[int] = field(repr=False, default_factory=list)


def _after_products(product_ids: list[int]) -> None:
    """Refresh what the app derives from products that bulk inserts bypass.

    Called once, after every product, certificate, registration and joint-brand flag is written
    (bulk_create sends no signals and runs no save()). The place for refreshing derived tables
    such as a per-product search document or per-country readiness. Bump GENERATOR_VERSION when
    this changes what a data set holds, so existing bench databases are rebuilt.

    The search document needs nothing: a PostgreSQL trigger writes it on insert. Readiness is
    rewritten for every product in one INSERT … SELECT.
    """
    from products.readiness import readiness_refresh

    readiness_refresh()


def generate(
    sizes: Any, *, seed: int = DEFAULT_SEED, log: Log = print, now: datetime | None = None
) -> Summary:
    """Generate a data set of `sizes` (a bench.context.Sizes) in the current database, atomically.

    Works on any migrated database without bench data (the test database included); reference
    rows (countries, categories, certifications...) are reused when present. Dates are relative
    to `now` (default: now), so certificates expire and offers close as on a live site; everything
    else depends on the seed alone.
    """
    from django.db import transaction
    from django.utils import timezone

    from . import applications, catalog, notices, trade
    from .context import Build

    started = time.monotonic()
    now = now or timezone.now()
    rng = random.Random(seed)  # noqa: S311 - reproducible data, not secrets
    build = Build(sizes=sizes, rng=rng, today=timezone.localdate(now), now=now)
    with transaction.atomic():
        steps: list[tuple[str, Callable[[], Any]]] = [
            ("reference data", lambda: catalog.create_reference_data(build)),
            ("staff", lambda: catalog.create_staff(build)),
            ("companies", lambda: catalog.create_companies(build)),
            ("products", lambda: catalog.create_products(build)),
            ("brokers", lambda: trade.create_brokers(build)),
            ("offers", lambda: trade.create_offers(build)),
        ]
        results = {name: _timed(name, step, log) for name, step in steps}
        product_ids, offers = results["products"], results["offers"]
        responses = _timed("responses", lambda: trade.create_responses(build, offers), log)
        _timed("inquiries", lambda: trade.create_inquiries(build), log)
        programmes = _timed("programmes", lambda: applications.create_programmes(build), log)
        walks = _timed("applications", lambda: applications.create_applications(build, programmes), log)
        notified = _timed("notifications", lambda: notices.create_notifications(build, walks), log)
        _timed("joint brand", lambda: _grant_joint_brand(applications.joint_brand_product_ids(walks)), log)
        _timed("_after_products", lambda: _after_products(product_ids), log)
    counts = {
        "products": len(product_ids), "companies": len(build.companies), "brokers": len(build.brokers),
        "offers": len(offers), "responses": responses, "applications": len(walks),
        "events": sum(len(w.events) for w in walks), "notifications": notified,
    }  # fmt: skip
    queries = build.queries.build(seed=seed)
    return Summary(sizes.as_dict(), counts, queries, time.monotonic() - started, product_ids)


def _timed(name: str, step: Callable[[], Any], log: Log) -> Any:
    started = time.monotonic()
    result = step()
    log(f"  {name:<16} {time.monotonic() - started:6.1f} s")
    return result


def _grant_joint_brand(product_ids: list[int]) -> None:
    from products.models import Product

    for start in range(0, len(product_ids), 5000):
        Product.objects.filter(pk__in=product_ids[start : start + 5000]).update(joint_brand=True)


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------
def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n")[0])
    parser.add_argument("--products", type=int, default=100_000, help="products (default 100000)")
    for name in (
        "companies",
        "brokers",
        "offers",
        "responses",
        "applications",
        "inquiries",
        "reviewers",
        "managers",
    ):
        parser.add_argument(
            f"--{name}", type=int, default=None, help=f"{name} (default: scaled from --products)"
        )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL", ""), help="a postgres:// URL"
    )
    parser.add_argument("--reset", action="store_true", help="drop and recreate the database first")
    parser.add_argument(
        "--queries-file", type=Path, default=None, help="default bench/queries/<database>.json"
    )
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("--database-url (or DATABASE_URL) is required")
    return args


def prepare_database(url: str, *, reset: bool) -> None:
    """Create (or with reset, recreate) the database; refuse one that holds data otherwise."""
    from . import database

    if reset:
        database.drop(url)
    if not database.exists(url):
        database.create(url)
    elif database.holds_data(url):
        raise SystemExit(f"{database.name_of(url)} already holds data; use --reset to drop and rebuild it")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    from . import database

    prepare_database(args.database_url, reset=args.reset)
    # The portal's own settings, pointed at this database: what `manage.py migrate` would use.
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.core.management import call_command

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # no SQL kept per query: the inserts would fill memory, slowly
    call_command("migrate", interactive=False, verbosity=0)
    from .context import Sizes

    overrides = {k: getattr(args, k) for k in ("companies", "brokers", "offers", "responses", "applications",
                                                "inquiries", "reviewers", "managers")}  # fmt: skip
    sizes = Sizes.scaled(args.products, **overrides)
    name = database.name_of(args.database_url)
    print(f"Generating {name}: {sizes.as_dict()} (seed {args.seed})", flush=True)
    summary = generate(sizes, seed=args.seed, log=lambda line: print(line, flush=True))
    started = time.monotonic()
    database.vacuum_analyze(args.database_url)
    seconds = summary.seconds + time.monotonic() - started
    print(f"  {'vacuum analyze':<16} {time.monotonic() - started:6.1f} s")
    write_outputs(args, name, summary, seconds)
    print(f"Done in {seconds:.0f} s: {summary.counts}")


def write_outputs(args: argparse.Namespace, name: str, summary: Summary, seconds: float) -> None:
    """The marker row in the database and the query list beside the bench."""
    from django.utils import timezone

    from . import database

    database.write_marker(
        args.database_url,
        {
            "generator_version": GENERATOR_VERSION, "seed": args.seed, "products": summary.sizes["products"],
            "sizes": summary.sizes, "counts": summary.counts, "queries": summary.queries,
            "generated_at": timezone.now().isoformat(), "seconds": round(seconds, 1),
        },
    )  # fmt: skip
    path = args.queries_file or QUERIES_DIR / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary.queries, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    total = sum(len(q) for q in summary.queries.values())
    print(f"Queries: {total} ({', '.join(f'{k}: {len(v)}' for k, v in summary.queries.items())}) -> {path}")


if __name__ == "__main__":
    main(sys.argv[1:])
