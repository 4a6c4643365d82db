"""The benchmark's settings: the portal's own (production when the runner's environment says so)
with a URLconf that adds the floor view.

The runner sets DJANGO_DEBUG=false, a secret key, DJANGO_ALLOWED_HOSTS, DATABASE_URL, REDIS_URL
and a collected STATIC_ROOT, exactly as a deployment would; nothing else differs from production.
"""

from __future__ import annotations

from portal.settings import *  # noqa: F403
from portal.settings import REST_FRAMEWORK

ROOT_URLCONF = "bench.urls"

# wrk loads the API from one address, which the anonymous throttle (120/min) would answer with
# 429 after two seconds. The throttle still runs on every request (its cache reads and writes
# are part of the figure); only its limit is out of reach.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"anon": "100000000/min", "user": "100000000/min"},
}
