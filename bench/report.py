"""Tables, growth between sizes, and the issue's targets computed from a run's figures."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Row = dict[str, Any]  # one endpoint's results at one size (see bench.run.measure_size)

CATALOG_AND_LISTS = [
    "catalog_fa", "catalog_en", "catalog_page50", "catalog_category", "catalog_country", "catalog_ready_for",
    "offer_board", "company_directory", "api_products_20", "api_products_100", "api_offers_20",
    "api_offers_100", "api_companies_20", "api_companies_100",
]  # fmt: skip
SEARCH = ["search_fa", "search_en", "search_nohit", "api_search"]
ADMIN_LISTS = [
    f"admin_apps_{role}{kind}"
    for role in ("reviewer", "manager")
    for kind in ("", "_status", "_programme", "_reference", "_company")
]
PAGE_SIZE_PAIRS = [(f"api_{c}_20", f"api_{c}_100") for c in ("products", "offers", "companies")]
P99_LIMIT_MS, GROWTH_LIMIT_PCT, PUBLIC_QUERY_LIMIT = 250, -30, 8


@dataclass(frozen=True)
class Target:
    """One line of the issue's "The targets": what is checked, on which endpoints, how."""

    text: str
    kind: str  # ratio | p99 | growth | page_size | queries
    endpoints: list[str] = field(default_factory=list)  # empty: every endpoint
    minimum: float = 0.0


TARGETS = [
    Target("catalog, offer board, directory and list APIs: ratio >= 0.25", "ratio", CATALOG_AND_LISTS, 0.25),
    Target("search in Persian and English: ratio >= 0.10", "ratio", SEARCH, 0.10),
    Target("product page: ratio >= 0.30", "ratio", ["product"], 0.30),
    Target("landing page and country page: ratio >= 0.30", "ratio", ["landing", "country"], 0.30),
    Target("reviewer's and manager's admin lists: ratio >= 0.05", "ratio", ADMIN_LISTS, 0.05),
    Target("programme dashboard: ratio >= 0.05", "ratio", ["admin_dashboard"], 0.05),
    Target(f"no endpoint's p99 above {P99_LIMIT_MS} ms at 8 connections", "p99"),
    Target("10k -> 100k products: no endpoint loses more than 30% of its req/s", "growth"),
    Target("SQL queries constant in page size (API 20 vs 100 per page)", "page_size"),
    Target(f"at most {PUBLIC_QUERY_LIMIT} SQL queries on public pages", "queries"),
]


# ---------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------
def figure(row: Row, run: str = "warm") -> dict[str, Any] | None:
    """The load figures of `run` (warm or cache_off); cache_off falls back to warm."""
    return row.get(run) or row.get("warm")


def floors(rows: list[Row]) -> list[float]:
    return [r[run]["floor_rps"] for r in rows for run in ("warm", "cache_off") if r.get(run)]


def floor_median(rows: list[Row]) -> float | None:
    values = floors(rows)
    return round(statistics.median(values), 1) if values else None


def floor_warning(rows: list[Row]) -> str:
    """A warning when the floor moved by more than half around its median (a busy machine)."""
    values, median = floors(rows), floor_median(rows)
    if not values or not median or (min(values) > median / 2 and max(values) < median * 1.5):
        return ""
    return (f"warning: the floor ranged from {min(values):,.0f} to {max(values):,.0f} req/s: the machine "
            "was busy (see machine.load_average), so ratios are noisy")  # fmt: skip


def growth(results: dict[int, list[Row]], run: str = "warm") -> list[dict[str, Any]]:
    """Req/s change per endpoint of `run` from the smallest to the largest size (10k and 100k if
    both ran)."""
    sizes = sorted(results)
    if len(sizes) < 2:
        return []
    small, large = (10_000, 100_000) if {10_000, 100_000} <= set(sizes) else (sizes[0], sizes[-1])
    before = {r["name"]: r for r in results[small]}
    changes = []
    for row in results[large]:
        old = before.get(row["name"])
        if old and old.get(run) and row.get(run) and old[run]["rps"]:
            a, b = old[run]["rps"], row[run]["rps"]
            change = round((b - a) / a * 100, 1)
            changes.append({"endpoint": row["name"], "from_size": small, "to_size": large,
                            "from_rps": a, "to_rps": b, "change_pct": change})  # fmt: skip
    return changes


# ---------------------------------------------------------------------------
# Targets
# ---------------------------------------------------------------------------
def evaluate(
    results: dict[int, list[Row]],
    changes: list[dict[str, Any]],
    changes_off: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Each target at 100,000 products (else the largest size run): pass, fail or n/a, and why;
    for the cache-off figures too where there are some."""
    size = 100_000 if 100_000 in results else max(results)
    rows = {r["name"]: r for r in results[size]}
    checks: dict[str, Callable[..., tuple[str, str]]] = {
        "ratio": _ratio, "p99": _p99, "growth": _growth, "page_size": _page_size, "queries": _queries,
    }  # fmt: skip
    verdicts = []
    for target in TARGETS:
        names = [n for n in (target.endpoints or rows) if n in rows]
        entry = {"target": target.text, "size": size, "endpoints": names}
        if target.kind == "growth":
            entry["warm"] = _result(*_growth(changes))
            if changes_off:
                entry["cache_off"] = _result(*_growth(changes_off))
        elif target.kind in ("page_size", "queries"):
            entry["warm"] = _result(*checks[target.kind](rows))
        else:
            for run in ("warm", "cache_off"):
                entry[run] = _result(*checks[target.kind](rows, names, run, target.minimum))
        verdicts.append(entry)
    return verdicts


def _result(result: str, detail: str) -> dict[str, str]:
    return {"result": result, "detail": detail}


def _verdict(failures: list[str], checked: int, worst: str) -> tuple[str, str]:
    if not checked:
        return "n/a", "not measured in this run"
    more = f" and {len(failures) - 4} more" if len(failures) > 4 else ""
    return ("fail", "; ".join(failures[:4]) + more) if failures else ("pass", worst)


def _ratio(rows: dict[str, Row], names: list[str], run: str, minimum: float) -> tuple[str, str]:
    figures = {n: figure(rows[n], run) for n in names if figure(rows[n], run)}
    failures = [
        f"{n} {f['ratio']:.3f}" + (f" ({f['non2xx']} non-2xx)" if f["non2xx"] else "")
        for n, f in figures.items()
        if f["ratio"] is None or f["ratio"] < minimum or f["non2xx"]
    ]
    worst = min(figures, key=lambda n: figures[n]["ratio"] or 0, default="")
    return _verdict(failures, len(figures), f"lowest {worst} {figures[worst]['ratio']:.3f}" if worst else "")


def _p99(rows: dict[str, Row], names: list[str], run: str, _minimum: float) -> tuple[str, str]:
    figures = {n: figure(rows[n], run) for n in names if figure(rows[n], run)}
    failures = [f"{n} {f['p99_ms'] or 'no answer'} ms" for n, f in figures.items()
                if f["p99_ms"] is None or f["p99_ms"] > P99_LIMIT_MS or f["timeouts"]]  # fmt: skip
    worst = max(figures, key=lambda n: figures[n]["p99_ms"] or 0, default="")
    return _verdict(failures, len(figures), f"highest {worst} {figures[worst]['p99_ms']} ms" if worst else "")


def _growth(changes: list[dict[str, Any]]) -> tuple[str, str]:
    failures = [
        f"{c['endpoint']} {c['change_pct']:+.0f}%" for c in changes if c["change_pct"] < GROWTH_LIMIT_PCT
    ]
    worst = min(changes, key=lambda c: c["change_pct"], default=None)
    return _verdict(
        failures, len(changes), f"worst {worst['endpoint']} {worst['change_pct']:+.0f}%" if worst else ""
    )


def _page_size(rows: dict[str, Row]) -> tuple[str, str]:
    pairs = [(a, b) for a, b in PAGE_SIZE_PAIRS if a in rows and b in rows]
    counts = {n: rows[n]["in_process"]["queries"] for pair in pairs for n in pair}
    failures = [f"{b} {counts[b]} vs {counts[a]}" for a, b in pairs if counts[a] != counts[b]]
    return _verdict(failures, len(pairs), ", ".join(f"{a}/{b}: {counts[a]}/{counts[b]}" for a, b in pairs))


def _queries(rows: dict[str, Row]) -> tuple[str, str]:
    public = {n: r["in_process"]["queries"] for n, r in rows.items() if r["role"] is None}
    failures = [f"{n} {q}" for n, q in public.items() if q > PUBLIC_QUERY_LIMIT]
    worst = max(public, key=public.get, default="")
    return _verdict(failures, len(public), f"most {worst} {public[worst]}" if worst else "")


# ---------------------------------------------------------------------------
# Printing
# ---------------------------------------------------------------------------
def _num(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def size_table(size: int, rows: list[Row]) -> str:
    """One line per endpoint: warm figures, queries, ratio, and the cache-off figures."""
    header = (f"{'endpoint':<30}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'queries':>8}{'ratio':>8}"
              f"{'off r/s':>9}{'off ratio':>10}  notes")  # fmt: skip
    warning, median = floor_warning(rows), floor_median(rows)
    lines = [
        f"\n{size:,} products (median floor {_num(floor_median(rows), 0)} req/s)",
        *([warning] if warning else []),
        header,
        "-" * len(header),
    ]
    for row in rows:
        warm, off = row.get("warm") or {}, row.get("cache_off") or {}
        off_rps, off_ratio = (_num(off.get("rps")), _num(off.get("ratio"), 3)) if off else ("", "")
        lines.append(
            f"{row['name']:<30}{_num(warm.get('rps')):>9}{_num(warm.get('p50_ms')):>9}"
            f"{_num(warm.get('p99_ms')):>9}{row['in_process']['queries']:>8}{_num(warm.get('ratio'), 3):>8}"
            f"{off_rps:>9}{off_ratio:>10}  {_notes(row, median)}"
        )
    return "\n".join(lines)


def _notes(row: Row, median_floor: float | None = None) -> str:
    notes = []
    if row["in_process"]["status"] != 200:
        notes.append(f"in-process status {row['in_process']['status']}")
    first = row["in_process"].get("queries_first_request")
    if first is not None and first != row["in_process"]["queries"]:
        notes.append(f"{first} queries when cold")
    for run in ("warm", "cache_off"):
        f = row.get(run)
        if not f:
            continue
        label = "" if run == "warm" else "off: "
        if f["preflight_status"] != 200:
            notes.append(f"{label}status {f['preflight_status']}")
        if f["non2xx"]:
            notes.append(f"{label}{f['non2xx']} non-2xx")
        if f["timeouts"]:
            notes.append(f"{label}{f['timeouts']} timeouts")
        if median_floor and f["floor_rps"] < median_floor / 2:
            notes.append(f"{label}floor low ({f['floor_rps']:,.0f}): ratio overstated")
        if run == "warm" and f["cache_hits"]:
            notes.append(f"{f['cache_hits'] * 100 // max(1, f['requests'])}% cache hits")
    return ", ".join(notes)


def growth_table(changes: list[dict[str, Any]], changes_off: list[dict[str, Any]] | None = None) -> str:
    """Req/s before and after per endpoint, warm and (where measured) with the cache off."""
    if not changes:
        return ""
    first, off = changes[0], {c["endpoint"]: c for c in changes_off or []}
    lines = [f"\nGrowth {first['from_size']:,} -> {first['to_size']:,} products (req/s)",
             f"{'endpoint':<30}{'before':>10}{'after':>10}{'change':>9}"
             f"{'off before':>12}{'off after':>11}{'change':>9}"]  # fmt: skip
    for c in changes:
        line = f"{c['endpoint']:<30}{_num(c['from_rps']):>10}{_num(c['to_rps']):>10}{c['change_pct']:>+8.0f}%"
        o = off.get(c["endpoint"])
        if o:
            line += f"{_num(o['from_rps']):>12}{_num(o['to_rps']):>11}{o['change_pct']:>+8.0f}%"
        lines.append(line)
    return "\n".join(lines)


def targets_table(verdicts: list[dict[str, Any]]) -> str:
    lines = [f"\nThe issue's targets (at {verdicts[0]['size']:,} products)" if verdicts else ""]
    for v in verdicts:
        warm, off = v["warm"], v.get("cache_off")
        line = f"  [{warm['result']:^4}] {v['target']}: {warm['detail']}"
        if off and off["result"] != warm["result"]:
            line += f"  | cache off: {off['result']} ({off['detail']})"
        lines.append(line)
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# Reading a results file again: python -m bench.report bench/results/<date>.json
# ---------------------------------------------------------------------------
def summarise(results: dict[str, Any]) -> None:
    """Recompute floors, growth and targets of a results file from its measured rows, in place."""
    rows = {int(size): data["rows"] for size, data in results["sizes"].items()}
    for data in results["sizes"].values():
        values = floors(data["rows"])
        data["floor_median_rps"] = floor_median(data["rows"])
        data["floor_range_rps"] = [min(values), max(values)] if values else None
    results["growth"], results["growth_cache_off"] = growth(rows), growth(rows, "cache_off")
    results["targets"] = evaluate(rows, results["growth"], results["growth_cache_off"])


def print_all(results: dict[str, Any]) -> None:
    for size, data in results["sizes"].items():
        print(size_table(int(size), data["rows"]))
    print(growth_table(results["growth"], results.get("growth_cache_off")))
    print(targets_table(results["targets"]))


def main() -> None:
    import argparse
    import json
    from pathlib import Path

    parser = argparse.ArgumentParser(prog="python -m bench.report", description="Print a results file.")
    parser.add_argument("results", type=Path)
    parser.add_argument("--update", action="store_true", help="write the recomputed summaries back")
    args = parser.parse_args()
    results = json.loads(args.results.read_text(encoding="utf-8"))
    summarise(results)
    print_all(results)
    if args.update:
        args.results.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
