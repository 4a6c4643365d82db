"""A pytest plugin, loaded first (`-p tests.environment` in pyproject.toml), that sets the test run's
environment at import, before Django reads its settings from it:

- with pytest-xdist, each worker process gets its own Redis database, so one worker's cache.clear()
  or real Celery worker never touches another's (PostgreSQL needs nothing: pytest-django gives each
  worker its own test database);
- one Redis call may wait 5 s rather than production's 0.5 s: on a loaded test machine a slow reply
  would otherwise count as an outage, skip the cache for a few seconds and change the query counts
  that tests pin. The outage tests set their own short timeouts, and the processes the tests start
  (tests/portal/scaleout.py) get production's default."""

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


os.environ.setdefault("REDIS_TIMEOUT_SECONDS", "5")
_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker and os.environ.get("REDIS_URL"):
    os.environ["REDIS_URL"] = redis_url_for_worker(os.environ["REDIS_URL"], _worker)
