"""Each process keeps copies of the renderings it reads most (the "fragments" cache, in front of
Redis): a copy saves the round trip, and never shows what the key does not name."""

from __future__ import annotations

import pytest
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache

from portal.http.cache import LocalFirstCache, ResilientRedisCache
from portal.http.page_cache import PAGES, public_content_changed
from products.models import Product
from tests.products.factories import ProductFactory


class CountingCache(LocMemCache):
    """The shared cache, counting the reads that reach it."""

    def __init__(self, name: str, params: dict) -> None:
        super().__init__(name, params)
        self.reads = 0

    def get(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201 - BaseCache.get
        self.reads += 1
        return super().get(*args, **kwargs)

    def get_many(self, keys, version=None):  # noqa: ANN001, ANN201 - BaseCache.get_many
        self.reads += 1
        return super().get_many(keys, version=version)


@pytest.fixture
def shared(settings) -> CountingCache:
    settings.CACHES = {
        "default": {"BACKEND": "tests.portal.test_fragment_copies.CountingCache", "LOCATION": "shared"},
        "fragments": {
            "BACKEND": "portal.http.cache.LocalFirstCache",
            "OPTIONS": {"BEHIND": "default", "LOCAL_SECONDS": 60, "MAX_ENTRIES": 3},
        },
    }
    shared = caches["default"]
    shared.clear()
    return shared


def another_process() -> LocalFirstCache:
    """The fragments cache as another process has it: copies of its own (a store of another name)."""
    return LocalFirstCache("fragments-of-another-process", {"OPTIONS": {"BEHIND": "default"}})


def test_a_rendering_read_once_is_then_read_from_the_process_copy(shared):
    caches["fragments"].set("card:v7:1", "<div>mask</div>", 300)
    other = another_process()
    assert other.get("card:v7:1") == "<div>mask</div>"  # from the shared cache, as every process
    reads = shared.reads
    assert other.get("card:v7:1") == "<div>mask</div>"
    assert other.get_many(["card:v7:1"]) == {"card:v7:1": "<div>mask</div>"}
    assert shared.reads == reads  # no round trip for a value this process holds


def test_a_copy_lives_no_longer_than_its_local_seconds(shared, time_machine):
    time_machine.move_to("2026-12-01 10:00:00", tick=False)
    caches["fragments"].set("header:v7:fa", "<header>", 300)
    shared.delete("header:v7:fa")  # only the copy is left
    assert caches["fragments"].get("header:v7:fa") == "<header>"
    time_machine.move_to("2026-12-01 10:01:01", tick=False)  # past LOCAL_SECONDS (60)
    assert caches["fragments"].get("header:v7:fa") is None


def test_the_most_recently_used_copies_are_kept_within_max_entries(shared):
    fragments = caches["fragments"]
    for n in range(5):
        fragments.set(f"card:v7:{n}", n, 300)
    shared.clear()  # what remains is the copies: at most MAX_ENTRIES (3)
    held = fragments.get_many([f"card:v7:{n}" for n in range(5)])
    assert len(held) <= 3
    assert "card:v7:4" in held


def test_nothing_is_copied_while_the_shared_cache_is_unreachable(settings):
    """Version numbers read as their first value during an outage: a copy made then could name
    older content after it. So an outage copies nothing, and every rendering is made anew."""
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.http.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: refused at once
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2, "DOWN_SECONDS": 30},
        },
        "fragments": {"BACKEND": "portal.http.cache.LocalFirstCache"},
    }
    down = caches["default"]
    assert isinstance(down, ResilientRedisCache)
    fragments = caches["fragments"]
    fragments.set("card:v1:1", "<div>old</div>", 300)
    assert down.is_down
    assert fragments.get("card:v1:1") is None


@pytest.mark.django_db
def test_a_cleared_shared_cache_never_brings_back_an_older_rendering(client, settings):
    """Redis keeps nothing on disk: after a restart the content's version starts again, and it must
    not start at a number this process's copies were made under. Here the change comes with no
    signal (a bulk update), so only the new version keeps the old card out of the page."""
    settings.PAGE_CACHE_SECONDS = 0
    settings.FRAGMENT_CACHE_SECONDS = 300
    product = ProductFactory(name_en="Surgical mask")
    assert "Surgical mask" in client.get("/en/products/").content.decode()
    before = PAGES.current()
    cache.clear()  # a Redis restart
    Product.objects.filter(pk=product.pk).update(name_en="Respirator")
    assert PAGES.current() > before
    page = client.get("/en/products/").content.decode()
    assert "Respirator" in page
    assert "Surgical mask" not in page


@pytest.mark.django_db
def test_a_content_change_is_seen_through_the_copies(client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    settings.FRAGMENT_CACHE_SECONDS = 300
    product = ProductFactory(name_en="Surgical mask")
    client.get("/en/products/")
    client.get("/en/products/")  # read from this process's copy
    Product.objects.filter(pk=product.pk).update(name_en="Respirator")
    public_content_changed()  # what a save announces
    assert "Respirator" in client.get("/en/products/").content.decode()


def test_a_copy_read_and_changed_by_one_caller_is_unchanged_for_the_next(shared):
    """Renderings (strings) are held as they are; anything a caller could change is held as
    Django's local-memory cache holds every value, pickled, so each read is a fresh one."""
    fragments = caches["fragments"]
    fragments.set("choices:v7:fa", {"countries": ["IQ", "AF"]}, 300)
    fragments.set("card:v7:1", "<div>mask</div>", 300)
    shared.clear()  # only the copies are left
    read = fragments.get("choices:v7:fa")
    read["countries"].append("RU")
    assert fragments.get("choices:v7:fa") == {"countries": ["IQ", "AF"]}
    assert fragments.get_many(["card:v7:1", "card:v7:2"]) == {"card:v7:1": "<div>mask</div>"}
    assert fragments.has_key("card:v7:1")
    fragments.delete("card:v7:1")
    assert not fragments.has_key("card:v7:1")
