"""/healthz and its probes: each probe returns None when healthy, else a short generic reason.

/healthz answers anyone, so a reason never carries the exception's text (host names, ports, user
names, driver versions); the detail goes to the log, where the operator looks.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)
UNAVAILABLE = "unavailable"


def database_problem() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("health check: the database is unavailable")
        return UNAVAILABLE
    return None


def broker_problem() -> str | None:
    from celery import current_app as app

    if app.conf.task_always_eager:
        return None  # tasks run in-process: there is no broker to lose
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0.2, timeout=2)
    except Exception:
        logger.exception("health check: the broker is unavailable")
        return UNAVAILABLE
    return None


def broker_name() -> str:
    from celery import current_app as app

    return "in-process" if app.conf.task_always_eager else settings.CELERY_BROKER_URL.split("://")[0]


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    problems = {"database": database_problem(), "broker": broker_problem()}
    failing = [part for part, problem in problems.items() if problem]
    body = {
        "status": "ok" if not failing else "fail",
        "database": problems["database"] or "ok",
        "broker": problems["broker"] or "ok",
        "broker_kind": broker_name(),
    }
    if failing:
        body["failing"] = failing
    return JsonResponse(body, status=503 if failing else 200)
