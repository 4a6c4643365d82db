"""A fingerprint of every row the project owns, to show that a refused write changed nothing."""

from __future__ import annotations

import hashlib
from functools import cache

from django.apps import apps
from django.db import connection
from django.db.models import Model

PROJECT_APPS = (
    "portal",
    "companies",
    "products",
    "brokers",
    "deals",
    "support",
    "auth",
    "otp_static",
    "otp_totp",
)
# Columns that change on every request and say nothing about access: a log-in stamps last_login.
IGNORED_COLUMNS = {("portal_user", "last_login")}
# Tables that are not the project's data: permissions never change in a request, and the security
# log records refusals by design (a refused write is meant to leave a line there).
IGNORED_TABLES = {"auth_permission", "auth_group_permissions", "portal_securityevent"}


@cache
def _tables() -> tuple[tuple[str, tuple[str, ...], str], ...]:
    """(table, columns, primary key column) of every concrete model of the project's apps."""
    tables = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.app_label not in PROJECT_APPS or meta.proxy or not meta.managed:
            continue
        table = meta.db_table
        if table in IGNORED_TABLES:
            continue
        columns = tuple(
            f.column
            for f in meta.concrete_fields
            if (table, f.column) not in IGNORED_COLUMNS and f.column is not None
        )
        tables.append((table, columns, meta.pk.column))
    return tuple(sorted(set(tables)))


def snapshot() -> dict[str, str]:
    """{table: digest of its rows}; one query on PostgreSQL, one per table elsewhere."""
    tables = _tables()
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        # Table and column names come from the models, never from a request.
        parts = [
            f"SELECT '{table}', md5(coalesce(string_agg(row({', '.join(map(quote, columns))})::text, "  # noqa: S608
            f"'|' ORDER BY {quote(pk)}), '')) FROM {quote(table)}"
            for table, columns, pk in tables
        ]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts))
            return dict(cursor.fetchall())
    result = {}
    by_table = {m._meta.db_table: m for m in apps.get_models(include_auto_created=True)}
    for table, columns, _pk in tables:
        model: type[Model] = by_table[table]
        names = [f.attname for f in model._meta.concrete_fields if f.column in columns]
        rows = model._base_manager.order_by(model._meta.pk.attname).values_list(*names)
        result[table] = hashlib.md5(repr(list(rows)).encode(), usedforsecurity=False).hexdigest()
    return result


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(table for table in before.keys() | after.keys() if before.get(table) != after.get(table))
