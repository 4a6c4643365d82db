"""The benchmark's settings: the portal's own (production when the runner's environment says so)
with a URLconf that adds the floor view.

The runner sets DJANGO_DEBUG=false, a secret key, DJANGO_ALLOWED_HOSTS, DATABASE_URL, REDIS_URL
and a collected STATIC_ROOT, exactly as a deployment would; nothing else differs from production.
"""

from __future__ import annotations

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# The API's anonymous throttle keeps its production limit (120 a minute per address): the load
# comes from 768 addresses named in X-Forwarded-For (bench/wrk.lua), as behind the production
# proxy, so no address reaches the limit and each throttle history stays small. (A limit raised
# out of reach instead made every request read and write one address's history of the whole run.)
