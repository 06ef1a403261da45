"""GET /health/: the database, the broker and the worker, each checked; 503 as soon as one fails."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from krs.models import Heartbeat
from tests.conftest import port_open, require

pytestmark = pytest.mark.django_db
REDIS_OURS = "redis://127.0.0.1:6379/13"


def filesystem_broker(settings, folder) -> None:
    """The development broker, with its folder (settings make it only when the process starts on it: CI's
    PostgreSQL pass starts on Redis)."""
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_DIR = folder
    (folder / "in").mkdir(parents=True, exist_ok=True)


@pytest.fixture
def beating(settings, tmp_path):
    filesystem_broker(settings, tmp_path / "broker")
    Heartbeat.objects.create(name="beat", at=timezone.now() - timedelta(seconds=5))


def test_all_well_is_200_with_each_check_and_needs_no_login(client, beating):
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["broker"] == {"ok": True, "kind": "filesystem (development)"}
    assert body["checks"]["worker"]["ok"] is True and body["checks"]["worker"]["age_seconds"] >= 5
    assert "no-cache" in response["Cache-Control"] and "sessionid" not in response.cookies


def test_a_failing_database_is_503_and_named_by_class_only(client, beating):
    def down(*args, **kwargs):
        raise OperationalError('could not connect to server at "db.internal" as user "krs"')

    with mock.patch.object(connection, "cursor", down):
        response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing"
    assert body["checks"]["database"] == {"ok": False, "error": "OperationalError"}
    assert "db.internal" not in response.content.decode()


def test_an_unreachable_redis_is_503(client, beating, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/13"  # nothing listens on port 1
    response = client.get("/health/")
    assert response.status_code == 503
    broker = response.json()["checks"]["broker"]
    assert broker["ok"] is False and broker["error"] == "ConnectionError"
    assert "127.0.0.1" not in response.content.decode()


@pytest.mark.redis
def test_a_live_redis_answers_the_ping(client, beating, settings):
    require(port_open("127.0.0.1", 6379), "Redis on 127.0.0.1:6379")
    settings.CELERY_BROKER_URL = REDIS_OURS
    response = client.get("/health/")
    assert response.status_code == 200, response.content
    assert response.json()["checks"]["broker"] == {"ok": True, "kind": "redis"}


def test_a_stale_heartbeat_means_the_worker_or_beat_is_down(client, beating, settings):
    settings.KRS_SWEEP_SECONDS = 60
    Heartbeat.objects.filter(name="beat").update(at=timezone.now() - timedelta(seconds=3 * 60 + 31))
    response = client.get("/health/")
    assert response.status_code == 503
    worker = response.json()["checks"]["worker"]
    assert worker["ok"] is False and worker["stale_after_seconds"] == 210 and worker["age_seconds"] >= 211


def test_no_heartbeat_at_all_is_503(client, settings, tmp_path):
    filesystem_broker(settings, tmp_path / "broker")
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == {"ok": False, "error": "no heartbeat yet"}


def test_the_heartbeat_task_makes_the_worker_healthy(client, settings, tmp_path):
    from krs.tasks import heartbeat

    filesystem_broker(settings, tmp_path / "broker")
    assert client.get("/health/").status_code == 503
    heartbeat()  # what beat schedules and a worker runs (tests/krs/test_celery_worker.py runs it for real)
    assert client.get("/health/").status_code == 200


def test_plain_http_probes_are_not_redirected_to_https(client, beating, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/health/").status_code == 200
    assert client.get("/accounts/login/").status_code == 301


def test_only_get(client, beating):
    assert client.post("/health/").status_code == 405
