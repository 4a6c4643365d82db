"""A pytest plugin, loaded first (`-p tests.parallel` in pyproject.toml): with pytest-xdist, each
worker process gets its own Redis database, so one worker's cache.clear() or real Celery worker
never touches another's. (PostgreSQL needs nothing: pytest-django gives each worker its own test
database.) It runs at import, before Django reads its settings from the environment."""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

REDIS_DATABASES = 16  # redis-server's default


def redis_url_for_worker(url: str, worker: str) -> str:
    """`redis://host:port/15` for gw0, `/14` for gw1 ... counting down from the given database."""
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    database = (base - int(worker.removeprefix("gw"))) % REDIS_DATABASES
    return urlunsplit(parts._replace(path=f"/{database}"))


_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker and os.environ.get("REDIS_URL"):
    os.environ["REDIS_URL"] = redis_url_for_worker(os.environ["REDIS_URL"], _worker)
