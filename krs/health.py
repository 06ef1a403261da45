"""GET /health/: is this web process able to serve, and are the broker and a worker alive?

For a load balancer or a monitor: no login, no session, nothing sensitive in the answer (an error is
named by its exception class only, never its message, which may hold a host name or a user). 200 with
each check when all pass, 503 when one fails. Cheap enough to call every few seconds: one SELECT 1,
one broker round trip, one indexed read of the heartbeat row (docs/operations.md, "Health").
"""

from __future__ import annotations

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from krs.celery import app
from krs.models import Heartbeat

BROKER_TIMEOUT = 2.0  # seconds: a monitor must get an answer even when Redis hangs


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True}


def check_broker() -> dict:
    """A round trip to the broker: Redis answers a PING; the development filesystem broker is a folder."""
    url = settings.CELERY_BROKER_URL
    kind = url.split("://", 1)[0]
    if kind == "filesystem":
        folder = settings.CELERY_BROKER_DIR / "in"
        return {"ok": folder.is_dir(), "kind": "filesystem (development)"}
    if kind in ("redis", "rediss"):
        client = redis.Redis.from_url(url, socket_timeout=BROKER_TIMEOUT, socket_connect_timeout=BROKER_TIMEOUT)
        try:
            client.ping()
        finally:
            client.close()
        return {"ok": True, "kind": "redis"}

    with app.connection_for_read() as conn:
        conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT)
    return {"ok": True, "kind": kind}


def worker_stale_after() -> int:
    """Seconds after which the heartbeat is too old: three missed beats, plus slack for a busy worker."""
    return 3 * settings.KRS_SWEEP_SECONDS + 30


def check_worker() -> dict:
    """The periodic heartbeat (krs.tasks.heartbeat) proves that beat fired and a worker ran the task."""

    at = Heartbeat.objects.filter(name="beat").values_list("at", flat=True).first()
    if at is None:
        return {"ok": False, "error": "no heartbeat yet"}
    age = max(0, int((timezone.now() - at).total_seconds()))
    return {"ok": age <= worker_stale_after(), "age_seconds": age, "stale_after_seconds": worker_stale_after()}


CHECKS = {"database": check_database, "broker": check_broker, "worker": check_worker}


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as exc:  # any failure is this check's failure, reported by class only
            results[name] = {"ok": False, "error": type(exc).__name__}
    ok = all(result["ok"] for result in results.values())
    return JsonResponse({"status": "ok" if ok else "failing", "checks": results}, status=200 if ok else 503)
