"""Parallel test workers each get their own Redis database (tests/environment.py)."""

from __future__ import annotations

from tests.environment import redis_url_for_worker


def test_each_worker_counts_down_from_the_given_database():
    assert redis_url_for_worker("redis://127.0.0.1:6379/15", "gw0") == "redis://127.0.0.1:6379/15"
    assert redis_url_for_worker("redis://127.0.0.1:6379/15", "gw1") == "redis://127.0.0.1:6379/14"
    assert redis_url_for_worker("redis://:secret@cache:6380/1", "gw3") == "redis://:secret@cache:6380/14"
    assert redis_url_for_worker("redis://127.0.0.1:6379", "gw1") == "redis://127.0.0.1:6379/15"
