from __future__ import annotations

import pytest
from django.db import OperationalError

from config import celery_app

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_broker_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["broker"] == "ok"
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_names_the_database_when_it_is_down_but_not_why(client, monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise OperationalError('connection to server at "db.internal" (10.0.0.7), port 5432 failed')

    monkeypatch.setattr("portal.http.health.connection.cursor", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["database"]
    assert body["database"] == "unavailable"
    # Anyone may call /healthz: the detail is for the operator's log only.
    assert "db.internal" not in response.content.decode()
    assert "10.0.0.7" not in response.content.decode()
    assert "db.internal" in caplog.text


def test_healthz_names_the_broker_when_it_is_down(client, monkeypatch):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    # Port 9 (discard) on loopback: nothing listens there, so the connection is refused at once.
    monkeypatch.setitem(celery_app.conf, "broker_url", "redis://127.0.0.1:9/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["broker"]
    assert body["broker"] == "unavailable"
    assert "127.0.0.1" not in response.content.decode()
    assert body["database"] == "ok"


def test_healthz_accepts_only_get(client):
    assert client.post("/healthz").status_code == 405
