"""The load benchmark (`make bench`): every endpoint of the issue against the bare-Django floor.

    .venv/bin/python -m bench.run [--sizes 10000,100000] [--duration 10] [--only PATTERN]

For each size: build (or reuse) the data set `bench_<size>`, count each endpoint's SQL queries
in-process, then serve it with gunicorn (2 sync workers, production settings, Redis cache
flushed) and load every endpoint with wrk, the floor view (`/bench/floor`) measured just
before each one. Anonymous pages and API answers are loaded a second time by a server started
with PAGE_CACHE_SECONDS=0. Prints a table per size, the growth between sizes and the issue's targets;
writes everything to bench/results/<date>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from . import database, report
from .endpoints import Endpoint, build_endpoints
from .generate import DEFAULT_SEED, GENERATOR_VERSION
from .load import ROOT, Load, ensure_wrk, fetch, fetch_each, flush_cache, gunicorn, wrk_run
from .machine import machine_info

RESULTS_DIR = Path(__file__).resolve().parent / "results"
DATABASE_TEMPLATE = "postgres://postgres@127.0.0.1:5432/bench_{label}"


def size_label(size: int) -> str:
    """10000 -> 10k, 1000000 -> 1m."""
    if size % 1_000_000 == 0:
        return f"{size // 1_000_000}m"
    return f"{size // 1000}k" if size % 1000 == 0 else str(size)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    add = parser.add_argument
    add("--sizes", default="10000,100000", help="products per data set, comma-separated")
    add("--duration", type=int, default=10, help="seconds of load per endpoint (default 10)")
    add(
        "--floor-duration",
        type=int,
        default=None,
        help="seconds per floor run (default 3, at most --duration)",
    )
    add("--warmup", type=int, default=None, help="seconds of warm-up load per cached endpoint (default 2)")
    add("--only", default="", help="a regular expression: run only the endpoints whose name matches")
    add("--no-cache-off", action="store_true", help="skip the second pass with PAGE_CACHE_SECONDS=0")
    add("--database-url", default=DATABASE_TEMPLATE, help="URL template with {label} (default %(default)s)")
    add("--redis-url", default="redis://127.0.0.1:6379/9", help="the server's cache, flushed before each run")
    add("--seed", type=int, default=DEFAULT_SEED)
    add("--regenerate", action="store_true", help="rebuild the data sets even when they fit")
    add("--threads", type=int, default=2)
    add("--connections", type=int, default=8)
    add("--timeout", type=int, default=10, help="wrk's request timeout in seconds")
    add("--results-dir", type=Path, default=RESULTS_DIR)
    args = parser.parse_args(argv)
    args.sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    args.floor_duration = args.floor_duration or min(3, args.duration)
    args.warmup = min(2, args.duration) if args.warmup is None else args.warmup
    return args


# ---------------------------------------------------------------------------
# Data sets and environments
# ---------------------------------------------------------------------------
def ensure_dataset(url: str, size: int, args: argparse.Namespace) -> tuple[dict[str, Any], float | None]:
    """The data set's marker, generating it first when missing, of another size, seed or version."""
    marker = database.read_marker(url)
    fits = bool(marker) and (marker["generator_version"], marker["products"], marker["seed"]) == (
        GENERATOR_VERSION, size, args.seed,
    )  # fmt: skip
    if fits and not args.regenerate:
        print(
            f"Reusing {database.name_of(url)} (generated {marker['generated_at'][:16]}); migrating",
            flush=True,
        )
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],  # noqa: S603
                       cwd=ROOT, env={**os.environ, "DATABASE_URL": url}, check=True)  # fmt: skip
        # A migration that rewrote rows (a new derived column) leaves dead rows and unmerged GIN
        # entries until autovacuum reaches them: measured so, the search ran 40% slower. The
        # figures are for a settled database.
        database.vacuum_analyze(url)
        return marker, None
    if marker is None and database.exists(url) and database.holds_data(url):
        sys.exit(f"{database.name_of(url)} holds data but no bench data set: not touching it")
    started = time.monotonic()
    command = [sys.executable, "-m", "bench.generate", "--products", str(size), "--database-url", url,
               "--seed", str(args.seed), "--reset"]  # fmt: skip
    subprocess.run(command, cwd=ROOT, check=True)  # noqa: S603
    return database.read_marker(url), round(time.monotonic() - started, 1)


def server_env(url: str, args: argparse.Namespace, secret: str, static_root: Path) -> dict[str, str]:
    """Production settings on loopback: what gunicorn and the in-process probe both run with."""
    env = {key: value for key, value in os.environ.items() if key != "PAGE_CACHE_SECONDS"}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings", DJANGO_DEBUG="false", DJANGO_SECRET_KEY=secret,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost", DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_STATIC_ROOT=str(static_root), DJANGO_LOG_LEVEL="WARNING", DATABASE_URL=url,
        REDIS_URL=args.redis_url, PYTHONPATH=str(ROOT),
        # wrk.lua names one of 768 client addresses in X-Forwarded-For, as one trusted proxy would:
        # the API throttle, the lockouts and the security log must see those, not loopback.
        DJANGO_TRUSTED_PROXY_COUNT="1",
    )  # fmt: skip
    return env


def collect_static(env: dict[str, str]) -> None:
    """Collected, hashed and compressed static files, as whitenoise serves them in production."""
    print("Collecting static files", flush=True)
    command = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"]
    subprocess.run(command, cwd=ROOT, env=env, check=True)  # noqa: S603


def probe(command: str, env: dict[str, str], work: Path, **files: Path) -> Any:
    """Run bench.probe in a subprocess with the server's environment; return its JSON answer."""
    out = work / f"probe-{command}.json"
    options = [arg for name, path in files.items() for arg in (f"--{name}", str(path))]
    subprocess.run([sys.executable, "-m", "bench.probe", command, *options, "--out", str(out)],  # noqa: S603
                   cwd=ROOT, env=env, check=True)  # fmt: skip
    return json.loads(out.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------
def measure_size(size: int, args: argparse.Namespace, wrk: str, env: dict[str, str], work: Path) -> dict:
    """Everything measured at one size: the data set, in-process queries, warm and cache-off loads."""
    work.mkdir(parents=True, exist_ok=True)
    off_env = {**env, "PAGE_CACHE_SECONDS": "0"}
    flush_cache(args.redis_url)
    fixtures_file = work / "probe-fixtures.json"
    fx = probe("fixtures", off_env, work)
    endpoints = [e for e in build_endpoints(fx) if re.search(args.only, e.name)]
    endpoints_file = work / "endpoints.json"
    endpoints_file.write_text(
        json.dumps([{"name": e.name, "role": e.role, "paths": e.paths} for e in endpoints])
    )
    in_process = probe("queries", off_env, work, fixtures=fixtures_file, endpoints=endpoints_file)
    rows = [
        {**e.as_dict(), "in_process": in_process[e.name], "warm": None, "cache_off": None} for e in endpoints
    ]
    for row, figures in zip(rows, load_all(env, endpoints, args, wrk, work, "warm"), strict=True):
        row["warm"] = figures
    public = [e for e in endpoints if e.cached]
    if public and not args.no_cache_off:
        by_name = {r["name"]: r for r in rows}
        for endpoint, figures in zip(
            public, load_all(off_env, public, args, wrk, work, "cache_off"), strict=True
        ):
            by_name[endpoint.name]["cache_off"] = figures
    return {
        "rows": rows,
        "fixtures": {k: fx[k] for k in ("largest_company", "largest_company_products", "users")},
    }


def load_all(env: dict[str, str], endpoints: list[Endpoint], args: argparse.Namespace, wrk: str,
             work: Path, run: str) -> list[dict]:  # fmt: skip
    """Start a server with `env` on a flushed cache and load each endpoint after a floor run."""
    load = Load(args.duration, args.threads, args.connections, args.timeout)
    flush_cache(args.redis_url)
    cookies = probe("sessions", env, work, fixtures=work / "probe-fixtures.json")
    floor_file = _paths_file(work, "floor", ("/bench/floor",))
    print(f"\n{run}: gunicorn with {'PAGE_CACHE_SECONDS=0' if run == 'cache_off' else 'the page cache on'}")
    results = []
    with gunicorn(env, log=work / f"gunicorn-{run}.log") as base:
        wrk_run(wrk, base, floor_file, load, duration=args.warmup or 1)  # both workers up and warm
        for endpoint in endpoints:
            paths_file = _paths_file(work, endpoint.name, endpoint.paths)
            cookie = cookies[endpoint.role] if endpoint.role else ""
            floor = wrk_run(wrk, base, floor_file, load, duration=args.floor_duration)
            status, size = fetch(base + endpoint.paths[0], cookie=cookie)
            if run == "warm" and endpoint.cached and args.warmup:
                # Warm means every page of the rotation has been asked for once (1,000 product
                # pages are more than a few seconds of load reach), then the load warms the rest.
                fetch_each(base, endpoint.paths, cookie=cookie)
                wrk_run(wrk, base, paths_file, load, cookie=cookie, duration=args.warmup)
            elif run == "cache_off" and args.warmup:
                # No page is kept, but the fragments a page is built from (product cards, filter
                # fields, navigation) are, as on a running site: each path once fills them, so the
                # figure is the page's own work (its queries and rendering), not a first card render.
                fetch_each(base, endpoint.paths, cookie=cookie)
            figures = wrk_run(wrk, base, paths_file, load, cookie=cookie)
            ratio = round(figures["rps"] / floor["rps"], 4) if floor["rps"] else None
            figures.update(floor_rps=floor["rps"], floor_p50_ms=floor["p50_ms"], ratio=ratio,
                           preflight_status=status, preflight_bytes=size)  # fmt: skip
            _progress(endpoint, figures)
            results.append(figures)
    return results


def _paths_file(work: Path, name: str, paths: tuple[str, ...]) -> Path:
    path = work / f"paths-{name}.txt"
    path.write_text("\n".join(paths) + "\n", encoding="ascii")
    return path


def _progress(endpoint: Endpoint, f: dict) -> None:
    problems = (
        ""
        if f["preflight_status"] == 200 and not f["non2xx"]
        else f"  status {f['preflight_status']}, {f['non2xx']} non-2xx"
    )
    print(f"  {endpoint.name:<30}{f['rps']:>9.1f} req/s  p50 {f['p50_ms']} ms  p99 {f['p99_ms']} ms"
          f"  floor {f['floor_rps']:.0f}  ratio {f['ratio']}{problems}", flush=True)  # fmt: skip


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------
def results_path(directory: Path, now: datetime) -> Path:
    """bench/results/<YYYY-MM-DD>.json, with the time added when that file exists."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{now:%Y-%m-%d}.json"
    return path if not path.exists() else directory / f"{now:%Y-%m-%d-%H%M%S}.json"


def _stop_on_term(*_: object) -> None:
    raise KeyboardInterrupt  # unwinds through every `with`, which stops gunicorn


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _stop_on_term)
    wrk = ensure_wrk()
    started, secret = datetime.now().astimezone(), secrets.token_urlsafe(40)
    sizes: dict[int, dict[str, Any]] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
            work = Path(tmp)
            for size in args.sizes:
                url = args.database_url.format(label=size_label(size))
                marker, generated = ensure_dataset(url, size, args)
                env = server_env(url, args, secret, work / "static")
                if not (work / "static").exists():
                    collect_static(env)
                load_before = os.getloadavg()
                measured = measure_size(size, args, wrk, env, work / size_label(size))
                dataset = {k: v for k, v in marker.items() if k != "queries"}
                sizes[size] = {"database": database.name_of(url), "dataset": dataset,
                               "generated_in_this_run_seconds": generated, **measured,
                               "load_average": {"before": load_before, "after": os.getloadavg()}}  # fmt: skip
                print(report.size_table(size, sizes[size]["rows"]), flush=True)
    except KeyboardInterrupt:
        print("\nInterrupted: servers stopped, nothing written.", file=sys.stderr)
        return 130
    return finish(args, wrk, started, sizes)


def finish(args: argparse.Namespace, wrk: str, started: datetime, sizes: dict[int, dict[str, Any]]) -> int:
    """Print growth and targets; write the results file."""
    first_url = args.database_url.format(label=size_label(args.sizes[0]))
    load = {
        "tool": "wrk", "threads": args.threads, "connections": args.connections, "duration_s": args.duration,
        "floor_duration_s": args.floor_duration, "warmup_s": args.warmup, "timeout_s": args.timeout,
        "server": "gunicorn bench.wsgi, 2 sync workers", "only": args.only, "seed": args.seed,
    }  # fmt: skip
    results: dict[str, Any] = {
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": " ".join(["python -m bench.run", *sys.argv[1:]]),
        "load": load,
        "machine": machine_info(first_url, wrk),
        "sizes": {str(size): data for size, data in sizes.items()},
    }
    report.summarise(results)  # floors, growth and targets
    print(report.growth_table(results["growth"], results["growth_cache_off"]))
    print(report.targets_table(results["targets"]))
    path = results_path(args.results_dir, started)
    path.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"\nResults: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
