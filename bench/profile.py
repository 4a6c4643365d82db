"""Where one endpoint's time goes, in process: CPU per request and the functions that take it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_100k \\
        python -m bench.profile /bench/floor /fa/products/ --requests 300 [--top 25] [--cache]
    python -m bench.profile /admin/support/application/ --as reviewer0@bench.example --sort tottime

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
import os
import pstats
import tempfile
import time
from pathlib import Path

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


def _cpu_per_request(client: Client, path: str, count: int) -> float:
    start = time.process_time()
    for _ in range(count):
        client.get(path, secure=True)
    return (time.process_time() - start) / count * 1000


def _client(email: str | None) -> Client:
    client = Client(HTTP_X_FORWARDED_FOR="192.0.2.1")
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
    client = _client(args.email)
    for _ in range(args.warmup):
        response = client.get(path, secure=True)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, secure=True)
    plain = _cpu_per_request(client, path, args.requests)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(args.requests):
        client.get(path, secure=True)
    profiler.disable()
    if args.dump:
        profiler.dump_stats(args.dump)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(args.sort)
    stats.print_stats(args.top)
    print(f"\n=== {path}: HTTP {response.status_code}, {len(response.content):,} bytes, "
          f"{len(queries)} queries, {plain:.3f} ms CPU a request ({args.requests} requests)")  # fmt: skip
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
