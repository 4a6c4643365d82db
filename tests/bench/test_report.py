"""The benchmark runner's pure parts: endpoint paths, growth and the issue's targets."""

from __future__ import annotations

from typing import Any

from bench import report
from bench.endpoints import build_endpoints
from bench.run import parse_args, size_label

FIXTURES = {
    "queries": {
        "fa": [f"ماسک {n}" for n in range(250)],
        "en": [f"mask {n}" for n in range(250)],
        "none": [f"zq{n}" for n in range(200)],
    },
    "products": list(range(1, 501)),
    "offers": list(range(1, 301)),
    "largest_company": 1,
    "countries": ["AF", "IQ", "RU"],
    "categories": ["masks", "ppe"],
    "statuses": ["draft", "approved"],
    "programmes": [1, 2],
    "references": {"reviewer": [f"EXP-1404-{n:06d}" for n in range(1, 201)], "manager": ["EXP-1404-000001"]},
    "company_names": [f"Company {n}" for n in range(250)],
}


def _row(name: str, rps: float, *, floor: float = 1000, p99: float = 50, queries: int = 3) -> dict:
    figures = {
        "rps": rps,
        "ratio": rps / floor,
        "floor_rps": floor,
        "p99_ms": p99,
        "non2xx": 0,
        "timeouts": 0,
    }
    return {"name": name, "role": None, "in_process": {"queries": queries, "status": 200}, "warm": figures}


def test_every_listed_endpoint_is_built_and_searches_rotate_through_200_distinct_paths() -> None:
    endpoints = {e.name: e for e in build_endpoints(FIXTURES)}
    assert len(endpoints) == 36
    for name in ("search_fa", "search_en", "search_nohit", "api_search", "admin_apps_reviewer_reference"):
        assert len(set(endpoints[name].paths)) >= 200, name
    assert endpoints["search_fa"].paths[0] == "/fa/products/?q=%D9%85%D8%A7%D8%B3%DA%A9%200"
    assert endpoints["admin_apps_manager_company"].role == "manager"
    assert endpoints["landing"].cached
    assert endpoints["admin_apps_reviewer_status"].cached  # the staff page cache, per browser
    assert not endpoints["member_dashboard"].cached


def test_growth_compares_10k_with_100k() -> None:
    results = {10_000: [_row("landing", 100)], 100_000: [_row("landing", 60)]}
    assert report.growth(results) == [
        {"endpoint": "landing", "from_size": 10_000, "to_size": 100_000, "from_rps": 100, "to_rps": 60,
         "change_pct": -40.0}
    ]  # fmt: skip


def test_targets_pass_and_fail_from_the_figures_at_100k() -> None:
    rows: list[dict[str, Any]] = [
        _row("product", 400),  # ratio 0.4 >= 0.30
        _row("landing", 200, p99=300),  # ratio 0.2 < 0.30, p99 over 250 ms
        _row("api_products_20", 300, queries=4),
        _row("api_products_100", 300, queries=6),
    ]
    verdicts = {v["target"]: v for v in report.evaluate({100_000: rows}, [])}
    by_start = {text.split(":")[0]: v for text, v in verdicts.items()}
    assert by_start["product page"]["warm"]["result"] == "pass"
    assert by_start["landing page and country page"]["warm"]["result"] == "fail"
    assert by_start["no endpoint's p99 above 250 ms at 8 connections"]["warm"]["result"] == "fail"
    assert by_start["SQL queries constant in page size (API 20 vs 100 per page)"]["warm"]["result"] == "fail"
    assert by_start["search in Persian and English"]["warm"]["result"] == "n/a"


def test_sizes_name_their_databases_and_the_floor_defaults_to_3_seconds() -> None:
    assert [size_label(n) for n in (10_000, 100_000, 1_000_000, 1500)] == ["10k", "100k", "1m", "1500"]
    args = parse_args(["--sizes", "10000,100_000", "--duration", "2"])
    assert args.sizes == [10_000, 100_000]
    assert (args.floor_duration, args.warmup) == (2, 2)
    assert parse_args([]).floor_duration == 3
