"""gunicorn's settings for the portal, read from the directory gunicorn starts in (`gunicorn
config.wsgi`, and `make bench`'s server). Everything else comes from the command line.

The garbage collector: a worker holds about 200,000 tracked objects once loaded (modules, models,
URL patterns, forms), none of which ever becomes garbage, and Python's cycle collector walked them
all again at every full collection, several times a second under load. Each worker freezes them
once loaded (they move to a generation no collection walks) and collects the young generation less
often: a page allocates thousands of objects, nearly all freed by reference counting, so a
collection every 700 allocations (the default) mostly found nothing. Measured in process on a
search page at 100,000 products: 7.8 -> 7.1 ms CPU a request.
"""

from __future__ import annotations

import gc

# Objects allocated (less those freed) between young-generation collections; the older two keep
# Python's defaults. 10,000 is a few pages' worth of short-lived objects.
YOUNG_COLLECTION_EVERY = 10_000


def post_worker_init(worker) -> None:  # noqa: ANN001 - gunicorn's worker
    """Load the URL configuration (views, forms, serializers) now rather than on the first
    request, then freeze everything loaded so far out of the collector's walks."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every view module
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION_EVERY, *gc.get_threshold()[1:])
