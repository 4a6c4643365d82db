"""PostgreSQL housekeeping for bench databases: create, drop, inspect, and the data-set marker.

Plain psycopg, no Django: the runner calls these before any Django settings exist, and the
generator before it migrates. The marker is one row in `bench_dataset` (outside Django's
migrations) saying which generator version built the data set, from which seed, at what size.
"""

from __future__ import annotations

import json
from typing import Any

import dj_database_url
import psycopg
from psycopg import sql

MARKER_TABLE = "bench_dataset"
# Tables that, when they hold rows, mean the database has data someone may want to keep.
DATA_TABLES = ("portal_user", "companies_company", "products_product", "portal_targetcountry")


def _params(url: str, *, dbname: str | None = None) -> dict[str, Any]:
    config = dj_database_url.parse(url)
    if "postgresql" not in config["ENGINE"]:
        raise SystemExit(f"bench databases are PostgreSQL, not {config['ENGINE']} ({url})")
    params = {"host": config["HOST"] or None, "port": config["PORT"] or None, "user": config["USER"] or None}
    if config.get("PASSWORD"):
        params["password"] = config["PASSWORD"]
    params["dbname"] = dbname or config["NAME"]
    return params


def name_of(url: str) -> str:
    return dj_database_url.parse(url)["NAME"]


def connect(url: str, *, maintenance: bool = False) -> psycopg.Connection:
    """An autocommit connection to the database of `url` (or to `postgres` with maintenance)."""
    return psycopg.connect(**_params(url, dbname="postgres" if maintenance else None), autocommit=True)


def exists(url: str) -> bool:
    with connect(url, maintenance=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name_of(url)]).fetchone()
    return row is not None


def create(url: str) -> None:
    with connect(url, maintenance=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name_of(url))))


def drop(url: str) -> None:
    """Drop the database, disconnecting whoever is still connected (PostgreSQL 13+)."""
    with connect(url, maintenance=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name_of(url))))


def holds_data(url: str) -> bool:
    """Whether the database holds rows in any of the portal's main tables (or a bench data set)."""
    with connect(url) as conn:
        for table in (*DATA_TABLES, MARKER_TABLE):
            if conn.execute("SELECT to_regclass(%s)", [table]).fetchone()[0] is None:
                continue
            query = sql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(sql.Identifier(table))
            if conn.execute(query).fetchone()[0]:
                return True
    return False


def read_marker(url: str) -> dict[str, Any] | None:
    """The data-set marker of the database, or None (no database, no table, no row)."""
    if not exists(url):
        return None
    with connect(url) as conn:
        if conn.execute("SELECT to_regclass(%s)", [MARKER_TABLE]).fetchone()[0] is None:
            return None
        row = conn.execute(sql.SQL("SELECT data FROM {}").format(sql.Identifier(MARKER_TABLE))).fetchone()
    return row[0] if row else None


def write_marker(url: str, data: dict[str, Any]) -> None:
    with connect(url) as conn, conn.transaction():
        table = sql.Identifier(MARKER_TABLE)
        conn.execute(sql.SQL("CREATE TABLE IF NOT EXISTS {} (data jsonb NOT NULL)").format(table))
        conn.execute(sql.SQL("DELETE FROM {}").format(table))
        conn.execute(sql.SQL("INSERT INTO {} (data) VALUES (%s)").format(table), [json.dumps(data)])


def vacuum_analyze(url: str) -> None:
    """Fresh statistics and visibility maps, as a database that has lived a while would have."""
    with connect(url) as conn:
        conn.execute("VACUUM ANALYZE")


def server_version(url: str) -> str:
    with connect(url, maintenance=True) as conn:
        return conn.execute("SHOW server_version").fetchone()[0]
