"""A real Celery worker, started from the test, consumes tasks through the configured broker.

Redis is what production runs; the filesystem transport is what `make run` uses with no
configuration. Both are exercised with a real `celery worker` process, not an eager call.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from celery import Celery

from tests.conftest import port_open, require

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("KRS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def start_worker(env: dict[str, str], queue: str) -> subprocess.Popen:
    full_env = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    full_env.update(env)
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "krs", "worker", "--pool=solo", "--concurrency=1",
         "-Q", queue, "--without-heartbeat", "--without-gossip", "--without-mingle",
         f"--hostname=test-{queue}@%h", "--loglevel=WARNING"],
        cwd=ROOT, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def stop(worker: subprocess.Popen) -> str:
    worker.terminate()
    try:
        output, _ = worker.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
        output, _ = worker.communicate()
    return output or ""


@pytest.fixture(autouse=True)
def _client_config_from_arguments_only(monkeypatch):
    """Celery reads CELERY_BROKER_URL / CELERY_RESULT_BACKEND from the environment over its arguments."""
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.delenv("CELERY_RESULT_BACKEND", raising=False)


@pytest.mark.redis
@pytest.mark.celery_worker
def test_a_real_worker_consumes_a_task_through_redis():
    redis_host_port = REDIS_URL.split("//", 1)[1].split("/", 1)[0]
    host, _, port = redis_host_port.partition(":")
    require(port_open(host, int(port or 6379)), f"Redis is not reachable at {REDIS_URL}")

    queue = f"krs-test-{uuid.uuid4().hex[:8]}"
    worker = start_worker({"CELERY_BROKER_URL": REDIS_URL, "CELERY_RESULT_BACKEND": REDIS_URL}, queue)
    client = Celery("krs-test-client", broker=REDIS_URL, backend=REDIS_URL)
    try:
        token = uuid.uuid4().hex
        result = client.send_task("krs.tasks.ping", args=[token], queue=queue)
        assert result.get(timeout=90) == f"pong:{token}"
    finally:
        output = stop(worker)
        client.close()
    assert "Traceback" not in output, output


@pytest.mark.celery_worker
def test_a_real_worker_consumes_a_task_through_the_serverless_default_broker(tmp_path):
    """`make run` with no configuration: kombu's filesystem transport under KRS_VAR_DIR."""
    queue = f"krs-test-{uuid.uuid4().hex[:8]}"
    results = tmp_path / "results"
    results.mkdir()
    env = {
        "KRS_VAR_DIR": str(tmp_path),
        "CELERY_BROKER_URL": "",  # blank means "unset": the default filesystem broker
        "CELERY_RESULT_BACKEND": f"file://{results}",
    }
    broker_dir = tmp_path / "celery" / "broker" / "in"
    broker_dir.mkdir(parents=True)  # the worker creates it too, but the client may publish first
    worker = start_worker(env, queue)
    client = Celery(
        "krs-test-client",
        broker="filesystem://",
        backend=f"file://{results}",
        broker_transport_options={
            "data_folder_in": str(broker_dir),
            "data_folder_out": str(broker_dir),
            "control_folder": str(tmp_path / "celery" / "broker" / "control"),
        },
    )
    try:
        token = uuid.uuid4().hex
        result = client.send_task("krs.tasks.ping", args=[token], queue=queue)
        assert result.get(timeout=90) == f"pong:{token}"
    finally:
        output = stop(worker)
        client.close()
    assert "Traceback" not in output, output


@pytest.mark.django_db
def test_the_heartbeat_records_when_it_last_ran():
    from krs.models import Heartbeat
    from krs.tasks import heartbeat

    first = heartbeat()
    second = heartbeat()
    assert Heartbeat.objects.count() == 1  # an upsert: running twice adds nothing
    assert Heartbeat.objects.get().at.isoformat() == second >= first


def test_the_periodic_schedule_is_registered():
    from krs.celery import app

    app.loader.import_default_modules()
    app.finalize()
    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()} if app.conf.beat_schedule else set()
    assert "krs.tasks.heartbeat" in tasks
