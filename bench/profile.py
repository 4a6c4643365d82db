"""Where one endpoint's time goes, in process: CPU per request and the functions that take it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_100k \\
        python -m bench.profile /bench/floor /fa/products/ --requests 300 [--top 25] [--cache]
    python -m bench.profile /admin/support/application/ --as reviewer0@bench.example --sort tottime
    python -m bench.profile '/fa/products/?q={fa}' '/api/v1/products/?search={en}' '/en/products/?q={none}'

A path holding {fa}, {en} or {none} rotates through the data set's search queries of that kind
(bench/queries/<database>.json, written by bench.generate), one query a request, as `make bench`
does: the figure is then a search's cost, not one query's served from warm per-query state.

Each path is requested through the full WSGI handler (the production middleware and settings of
bench.settings, page cache off unless --cache), first a few times to warm per-process caches, then
`--requests` times under cProfile. It prints the CPU time per request (process time, so another
load on the machine inflates it less than wall time) without and with the profiler, the SQL
queries per request, and the functions with the most cumulative and own time. Figures are for
comparing two versions of the code on the same machine, not for the issue's targets: those come
from `make bench`.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import itertools
import json
import os
import pstats
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-profile-not-secret-" + "x" * 40)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("DJANGO_LOG_LEVEL", "ERROR")
os.environ.setdefault("DJANGO_STATIC_ROOT", os.path.join(tempfile.gettempdir(), "bench-profile-static"))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="+", help="paths to request, e.g. /bench/floor /fa/products/")
    parser.add_argument("--requests", type=int, default=200, help="profiled requests per path (200)")
    parser.add_argument("--warmup", type=int, default=5, help="requests before measuring (5)")
    parser.add_argument("--top", type=int, default=20, help="functions to list (20)")
    parser.add_argument("--cache", action="store_true", help="keep the page cache on")
    parser.add_argument("--sort", default="cumulative", help="pstats order: cumulative or tottime")
    parser.add_argument("--as", dest="email", help="sign in as this user (staff pass the 2nd factor)")
    parser.add_argument("--dump", help="also write the raw profile here (for pstats or snakeviz)")
    return parser.parse_args(argv)


QUERY_KINDS = ("fa", "en", "none")


def _paths(path: str) -> itertools.cycle:
    """The path itself, or the path with each of the data set's queries of its kind in turn."""
    kinds = [kind for kind in QUERY_KINDS if f"{{{kind}}}" in path]
    if not kinds:
        return itertools.cycle([path])
    name = settings.DATABASES["default"]["NAME"]
    queries = json.loads((Path(__file__).resolve().parent / "queries" / f"{name}.json").read_text("utf-8"))
    return itertools.cycle([path.replace(f"{{{kinds[0]}}}", quote(q)) for q in queries[kinds[0]]])


_ADDRESSES = itertools.cycle(f"192.0.2.{n}" for n in range(1, 255))


def _get(client: Client, path: str):  # noqa: ANN202 - a test client response
    """One request from the next of 254 addresses, as bench/wrk.lua sends them: no address
    reaches the API's throttle, which would answer 429 without doing the work."""
    return client.get(path, secure=True, headers={"x-forwarded-for": next(_ADDRESSES)})


def _cpu_per_request(client: Client, paths: itertools.cycle, count: int) -> float:
    start = time.process_time()
    for _ in range(count):
        _get(client, next(paths))
    return (time.process_time() - start) / count * 1000


def _client(email: str | None) -> Client:
    client = Client()
    if email:
        from bench.probe import _pass_second_factor
        from portal.accounts.two_factor import requires_second_factor
        from portal.models import User

        user = User.objects.get(email=email)
        client.force_login(user)
        if requires_second_factor(user):
            _pass_second_factor(client, user)
    return client


def profile_path(path: str, args: argparse.Namespace) -> None:
    client, paths = _client(args.email), _paths(path)
    for _ in range(args.warmup):
        response = _get(client, next(paths))
    response = _get(client, next(paths))
    plain = _cpu_per_request(client, paths, args.requests)
    with CaptureQueriesContext(connection) as captured:
        for _ in range(50):
            _get(client, next(paths))
    sql_ms = sum(float(q["time"]) for q in captured.captured_queries) * 1000 / 50
    per_request = len(captured.captured_queries) / 50
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(args.requests):
        _get(client, next(paths))
    profiler.disable()
    if args.dump:
        profiler.dump_stats(args.dump)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(args.sort)
    stats.print_stats(args.top)
    print(f"\n=== {path}: HTTP {response.status_code}, {len(response.content):,} bytes, "
          f"{per_request:.1f} queries and {sql_ms:.1f} ms of SQL (wall; means of 50 requests), "
          f"{plain:.3f} ms CPU a request ({args.requests} requests)")  # fmt: skip
    print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:12000])


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():  # production's manifest storage
        call_command("collectstatic", interactive=False, verbosity=0)
    cache = {} if args.cache else {"PAGE_CACHE_SECONDS": 0}
    with override_settings(**cache):
        for path in args.paths:
            profile_path(path, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
