"""Schemathesis against /api/schema/, in process through Django's WSGI app, as each role.

Shared by the short run in the test suite (tests/portal/test_api_schema_fuzz.py) and the long
one (`make fuzz`). Checks: no server error, and every response matches the schema (status code
documented, content type, body shape).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import schemathesis
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def headers_for(user) -> dict[str, str]:
    """Session and CSRF cookies (and the CSRF header) of a signed-in user; none for anonymous."""
    request = RequestFactory().get("/")
    token = get_token(request)
    cookies = {settings.CSRF_COOKIE_NAME: request.META["CSRF_COOKIE"]}
    if user is not None:
        client = Client()
        client.force_login(user)
        cookies[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME].value
    cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
    return {"Cookie": cookie, "X-CSRFToken": token, "Accept-Language": "en"}


@contextmanager
def connection_kept_open() -> Iterator[None]:
    """As Django's test client does: the WSGI app must not close the test's database connection
    (and with it the test's transaction) at the end of each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def load_schema():
    with connection_kept_open():
        return schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())


def fuzz(schema, headers: dict[str, str], *, examples: int) -> list[str]:
    """Run every operation with `examples` generated cases; the failures, one block each."""
    with connection_kept_open():
        return _fuzz(schema, headers, examples=examples)


def _fuzz(schema, headers: dict[str, str], *, examples: int) -> list[str]:
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=examples,
            derandomize=True,  # the same cases on every run: a failure is reproducible
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case) -> None:
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS)

        try:
            run()
        except BaseException as error:  # schemathesis' FailureGroup is a BaseExceptionGroup
            if isinstance(error, KeyboardInterrupt):
                raise
            failures.append(f"{operation.label}: {str(error).strip()[:1500]}")
    return failures
