"""The shared cache, made optional: a Redis outage slows nothing down and breaks nothing.

Everything the portal keeps in the cache can be lost: log-in and inquiry rate limits, API
throttles, cached pages and fragments, and the session cache in front of the database. So when
Redis cannot be reached, `ResilientRedisCache` answers as an empty cache would (a read misses, a
write is dropped, a rate limit starts from zero: requests are allowed), logs one warning, and
for `DOWN_SECONDS` does not try again at all, so requests do not each wait for a refused
connection. Socket timeouts (in OPTIONS) bound the wait when Redis hangs rather than refuses.

Keys written or deleted while Redis was unreachable are deleted once it answers again (in this
process, best effort), so a value from before the outage, such as the cached copy of a session
that was ended during it, does not come back to life.

Django's own RedisCache has no "ignore exceptions" option (django-redis has IGNORE_EXCEPTIONS,
but not the pause, and would be one more dependency for ~100 lines).
"""

from __future__ import annotations

import datetime as dt
import logging
import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any, TypeVar

import redis
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Keys to clear after an outage, per Redis location; bounded so an outage cannot eat memory.
MAX_STALE_KEYS = 10_000


class _Breaker:
    """Per process and per Redis location: is Redis taken to be down, and until when?"""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.down_until = 0.0
        self.down_since: float | None = None
        self.stale_keys: set[str] = set()


_breakers: dict[str, _Breaker] = {}
_breakers_lock = threading.Lock()


def _breaker_for(location: str) -> _Breaker:
    with _breakers_lock:
        return _breakers.setdefault(location, _Breaker())


class _OneClientPerPool(RedisCacheClient):
    """Django's Redis cache client, keeping one redis-py client per connection pool rather than
    making one for every call: each one copies redis-py's table of ~170 reply handlers (0.2 ms),
    and a request makes several calls (throttles, the content version, cached fragments). A
    redis-py client is shared safely between threads: it takes a connection from the pool per
    command."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, redis.Redis] = {}

    def get_client(self, key: str | None = None, *, write: bool = False) -> redis.Redis:
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    """Django's RedisCache that degrades to a miss (see the module docstring).

    OPTIONS: `DOWN_SECONDS` (default 5) is how long to skip Redis after a failure; the rest
    (`socket_connect_timeout`, `socket_timeout`, ...) go to redis-py's connection pool.
    """

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS", {}))
        self.down_seconds = float(options.pop("DOWN_SECONDS", 5))
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = _OneClientPerPool
        self._breaker = _breaker_for(",".join(self._servers))

    # -- the guard ---------------------------------------------------------------------------
    @property
    def is_down(self) -> bool:
        return time.monotonic() < self._breaker.down_until

    def _guard(self, default: T, call: Callable[[], T], *, stale: list[str] | None = None) -> T:
        breaker = self._breaker
        if time.monotonic() < breaker.down_until:
            self._remember(stale)
            return default
        try:
            result = call()
        except redis.RedisError as exc:
            self._trip(exc)
            self._remember(stale)
            return default
        if breaker.down_since is not None:
            self._recovered()
        return result

    def _remember(self, keys: list[str] | None) -> None:
        if keys:
            with self._breaker.lock:
                room = MAX_STALE_KEYS - len(self._breaker.stale_keys)
                self._breaker.stale_keys.update(keys[: max(room, 0)])

    def _trip(self, exc: Exception) -> None:
        breaker = self._breaker
        with breaker.lock:
            first = breaker.down_since is None
            if first:
                breaker.down_since = time.monotonic()
            breaker.down_until = time.monotonic() + self.down_seconds
        if first:
            logger.warning(
                "Cache unreachable (%s: %s): serving without it (misses, no rate limits) "
                "and retrying every %.0f s",
                type(exc).__name__,
                exc,
                self.down_seconds,
            )

    def _recovered(self) -> None:
        breaker = self._breaker
        with breaker.lock:
            if breaker.down_since is None:
                return
            seconds = time.monotonic() - breaker.down_since
            breaker.down_since = None
            stale, breaker.stale_keys = list(breaker.stale_keys), set()
        if stale:
            try:
                self._cache.delete_many(stale)
            except redis.RedisError:
                self._remember(stale)  # down again already: try at the next recovery
        logger.warning(
            "Cache reachable again after %.1f s; cleared %d keys written meanwhile", seconds, len(stale)
        )

    # -- the operations ----------------------------------------------------------------------
    def add(self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        full = self.make_and_validate_key(key, version=version)
        return self._guard(
            False, lambda: self._cache.add(full, value, self.get_backend_timeout(timeout)), stale=[full]
        )

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        full = self.make_and_validate_key(key, version=version)
        return self._guard(default, lambda: self._cache.get(full, default))

    def set(self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        full = self.make_and_validate_key(key, version=version)
        self._guard(
            None, lambda: self._cache.set(full, value, self.get_backend_timeout(timeout)), stale=[full]
        )

    def touch(self, key: str, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        full = self.make_and_validate_key(key, version=version)
        return self._guard(False, lambda: self._cache.touch(full, self.get_backend_timeout(timeout)))

    def delete(self, key: str, version: int | None = None) -> bool:
        full = self.make_and_validate_key(key, version=version)
        return self._guard(False, lambda: self._cache.delete(full), stale=[full])

    def get_many(self, keys: Any, version: int | None = None) -> dict[str, Any]:
        return self._guard({}, lambda: super(ResilientRedisCache, self).get_many(keys, version=version))

    def has_key(self, key: str, version: int | None = None) -> bool:
        full = self.make_and_validate_key(key, version=version)
        return self._guard(False, lambda: self._cache.has_key(full))

    def incr(self, key: str, delta: int = 1, version: int | None = None) -> int:
        """As a missing key does: ValueError, which every caller already handles."""
        full = self.make_and_validate_key(key, version=version)
        missing = object()
        result = self._guard(missing, lambda: self._cache.incr(full, delta), stale=[full])
        if result is missing:
            raise ValueError(f"Key '{key}' not found (the cache is unreachable)")
        return result

    def set_many(
        self, data: dict[str, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list:
        stale = [self.make_and_validate_key(key, version=version) for key in data]
        self._guard(
            None,
            lambda: super(ResilientRedisCache, self).set_many(data, timeout, version=version),
            stale=stale,
        )
        return []

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        keys = list(keys)
        stale = [self.make_and_validate_key(key, version=version) for key in keys]
        self._guard(
            None, lambda: super(ResilientRedisCache, self).delete_many(keys, version=version), stale=stale
        )

    def clear(self) -> bool:
        return self._guard(False, lambda: self._cache.clear())


class LocalFirstCache(BaseCache):
    """A copy in each process's memory in front of the shared cache, for renderings kept under
    keys that say everything they depend on: the release and the public content's generation
    (`page_cache.content_version`), the language, the date. A value never changes under such a
    key, so a local copy is never wrong; it saves the round trip to Redis for what a page reads
    every time (the header, footer and filter fields, a list's 24 cards). A copy made on a read
    lives its LOCAL_SECONDS whatever time the shared entry had left: a value may be served up to
    that much past its own timeout.

    Not for values that are replaced or deleted under the same key (counters, sessions, a
    vocabulary dropped on change): another process's copy would outlive the change. A copy is kept
    `LOCAL_SECONDS` (default 60) at most, and the `MAX_ENTRIES` (default 5,000) most recently used;
    while the shared cache is unreachable nothing is copied (the version numbers read meanwhile are
    each request's own: `page_cache.Generation.current`).

    OPTIONS: `BEHIND`, the alias of the shared cache (default "default"), `LOCAL_SECONDS` and
    `MAX_ENTRIES`."""

    def __init__(self, name: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS", {}))
        self.behind_alias = options.pop("BEHIND", "default")
        self.local_seconds = float(options.pop("LOCAL_SECONDS", 60))
        max_entries = int(options.pop("MAX_ENTRIES", 5000))
        super().__init__({**params, "OPTIONS": options})
        self._local = _Copies(max_entries)

    @property
    def behind(self) -> BaseCache:
        return caches[self.behind_alias]

    def _local_timeout(self, timeout: Any) -> float | None:
        """How long to keep a copy of a value stored for `timeout` (None when not at all)."""
        if getattr(self.behind, "is_down", False):
            return None
        seconds = self.behind.default_timeout if timeout is DEFAULT_TIMEOUT else timeout
        if seconds is not None and seconds <= 0:
            return None
        return self.local_seconds if seconds is None else min(seconds, self.local_seconds)

    def _copy(self, data: dict[str, Any], timeout: Any, version: int | None) -> None:
        """Keep copies of `data`, stored (or read, `timeout` None) in the shared cache."""
        seconds = self._local_timeout(timeout)
        if seconds is not None and data:
            self._local.set_many(data, seconds, version)

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        missing = object()
        value = self._local.get_many([key], version).get(key, missing)
        if value is missing:
            value = self.behind.get(key, missing, version=version)
            if value is missing:
                return default
            self._copy({key: value}, None, version)
        return value

    def get_many(self, keys: Any, version: int | None = None) -> dict[str, Any]:
        keys = list(keys)
        found = self._local.get_many(keys, version)
        missing = [key for key in keys if key not in found]
        if missing:
            fetched = self.behind.get_many(missing, version=version)
            self._copy(fetched, None, version)
            found.update(fetched)
        return found

    def set(self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        self.behind.set(key, value, timeout, version=version)
        self._copy({key: value}, timeout, version)

    def set_many(
        self, data: dict[str, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list:
        failed = self.behind.set_many(data, timeout, version=version)
        self._copy(data, timeout, version)
        return failed

    def add(self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        added = self.behind.add(key, value, timeout, version=version)
        if added:
            self._copy({key: value}, timeout, version)
        return added

    def delete(self, key: str, version: int | None = None) -> bool:
        """Here and in the shared cache; other processes' copies live out their LOCAL_SECONDS."""
        self._local.delete(key, version)
        return self.behind.delete(key, version=version)

    def touch(self, key: str, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self.behind.touch(key, timeout, version=version)

    def has_key(self, key: str, version: int | None = None) -> bool:
        return bool(self._local.get_many([key], version)) or self.behind.has_key(key, version=version)

    def clear(self) -> None:
        """This process's copies only: the shared cache holds more than these values."""
        self._local.clear()


# Values a caller cannot change: a copy holds them as they are. Anything else is kept pickled, as
# Django's local-memory cache keeps every value, so that a caller changing what it read changes
# nobody else's.
_AS_THEY_ARE = (str, bytes, int, float, Decimal, dt.date, dt.time, dt.timedelta, type(None))


class _Pickled(bytes):
    """A value kept pickled."""


class _Copies:
    """A process's copies for LocalFirstCache: the most recently used `max_entries`, each until
    its expiry. What Django's LocMemCache does, less what a copy does not need: pickling
    renderings (strings; a search page reads 30 of them, each unpickled) and checking each key's
    characters (the shared cache checked them when the value was stored)."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._data: OrderedDict[tuple[str, int | None], tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get_many(self, keys: Iterable[str], version: int | None) -> dict[str, Any]:
        found, now = {}, time.time()
        with self._lock:
            for key in keys:
                held = self._data.get((key, version))
                if held is None:
                    continue
                if held[0] <= now:
                    del self._data[key, version]
                    continue
                self._data.move_to_end((key, version))
                found[key] = held[1]
        return {
            key: pickle.loads(value) if type(value) is _Pickled else value  # noqa: S301 - pickled here
            for key, value in found.items()
        }

    def set_many(self, data: dict[str, Any], seconds: float, version: int | None) -> None:
        expires = time.time() + seconds
        kept = {
            (key, version): (
                expires,
                value
                if isinstance(value, _AS_THEY_ARE)
                else _Pickled(pickle.dumps(value, pickle.HIGHEST_PROTOCOL)),
            )
            for key, value in data.items()
        }
        with self._lock:
            for key, held in kept.items():
                self._data[key] = held
                self._data.move_to_end(key)
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)

    def delete(self, key: str, version: int | None) -> None:
        with self._lock:
            self._data.pop((key, version), None)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
