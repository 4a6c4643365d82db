from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from config.settings import env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("1", True), ("Off", False), ("no", False)])
def test_env_bool_reads_common_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("X_FLAG", raw)
    assert env_bool("X_FLAG", not expected) is expected


def test_env_helpers_fail_loudly_on_malformed_values(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    monkeypatch.setenv("X_INT", "ten")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env_bool("X_FLAG", False)
    with pytest.raises(ImproperlyConfigured, match="X_INT"):
        env_int("X_INT", 1)


def test_env_list_splits_and_trims(monkeypatch):
    monkeypatch.setenv("X_LIST", " a.example, b.example ,,")
    assert env_list("X_LIST", []) == ["a.example", "b.example"]
    monkeypatch.delenv("X_LIST")
    assert env_list("X_LIST", ["default"]) == ["default"]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "PORTAL_RELEASE"))
    }
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "k" * 20 + "-production-secret-with-enough-entropy-0123456789",
    "DJANGO_ALLOWED_HOSTS": "export.example.org",
    "DATABASE_URL": "postgres://portal:secret@db.internal:5432/portal",
    "REDIS_URL": "redis://cache.internal:6379/0",
}


def test_check_deploy_is_clean_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_use_postgres_redis_and_real_broker():
    code = (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CACHES['default']['BACKEND'],"
        " s.CELERY_BROKER_URL, s.CELERY_TASK_ALWAYS_EAGER, s.STORAGES['staticfiles']['BACKEND'])"
    )
    result = _manage("shell", "--no-imports", "-c", code, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "portal.http.cache.ResilientRedisCache",
        "redis://cache.internal:6379/0",
        "False",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
    ]


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", DJANGO_DEBUG="false")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_embedded_default_is_sqlite_with_in_process_tasks():
    code = (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER)"
    )
    result = _manage("shell", "--no-imports", "-c", code)
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True"]


def test_collectstatic_builds_the_hashed_manifest_for_production(tmp_path):
    result = _manage("collectstatic", "--noinput", DJANGO_STATIC_ROOT=str(tmp_path), **PRODUCTION)
    assert result.returncode == 0, result.stderr[-2000:]
    manifest = (tmp_path / "staticfiles.json").read_text()
    for asset in [
        "vendor/bootstrap/bootstrap.rtl.min.css",
        "vendor/vazirmatn/vazirmatn.css",
        "portal/portal.css",
    ]:
        assert asset in manifest
    assert list(tmp_path.glob("vendor/bootstrap-icons/fonts/bootstrap-icons.*.woff2"))


def test_connections_persist_in_production_but_not_under_the_development_server():
    code = (
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['CONN_MAX_AGE'], s.PAGE_CACHE_SECONDS)"
    )
    production = _manage("shell", "--no-imports", "-c", code, **PRODUCTION)
    development = _manage(
        "shell", "--no-imports", "-c", code, DATABASE_URL="postgres://portal:secret@db.internal:5432/portal"
    )
    assert production.stdout.split() == ["60", "60"]  # one connection per worker; pages cached
    assert development.stdout.split() == ["0", "0"]  # a thread per request; templates change


def test_the_release_is_portal_release_when_set_and_else_the_same_digest_in_every_process(tmp_path):
    """Two processes of one release (gunicorn workers, each with its own hash seed) key their
    cached pages alike; a deployment's PORTAL_RELEASE wins over the digest."""
    code = "from django.conf import settings as s; print(s.RELEASE)"
    first, second = (
        _manage("shell", "--no-imports", "-c", code, DJANGO_STATIC_ROOT=str(tmp_path)) for _ in range(2)
    )
    named = _manage(
        "shell", "--no-imports", "-c", code, PORTAL_RELEASE="3f9c2ab", DJANGO_STATIC_ROOT=str(tmp_path)
    )
    assert first.returncode == 0, first.stderr
    assert len(first.stdout.strip()) == 12
    assert first.stdout == second.stdout
    assert named.stdout.split() == ["3f9c2ab"]


@pytest.mark.django_db
def test_the_portals_postgresql_connections_plan_no_parallel_workers():
    """A request's queries take milliseconds: two more server processes per query (a capped count
    went parallel) cost more than they save, and take the cores other requests need."""
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting (set DATABASE_URL)")
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] == "0"
    code = "from django.conf import settings as s; print(s.DATABASES['default']['OPTIONS']['options'])"
    kept = _manage(
        "shell", "--no-imports", "-c", code,
        DATABASE_URL="postgres://portal:secret@db.internal:5432/portal?options=-c%20statement_timeout%3D5000",
        DATABASE_PARALLEL_WORKERS="2",
    )  # fmt: skip
    assert kept.stdout.split() == ["-c", "statement_timeout=5000", "-c", "max_parallel_workers_per_gather=2"]
    options = "from django.conf import settings as s; print(s.DATABASES['default'].get('OPTIONS', {}))"
    untouched = _manage(
        "shell", "--no-imports", "-c", options,
        DATABASE_URL="postgres://portal:secret@db.internal:6432/portal", DATABASE_PARALLEL_WORKERS="-1",
    )  # fmt: skip
    assert untouched.stdout.strip() == "{}"  # behind PgBouncer: no startup options at all
