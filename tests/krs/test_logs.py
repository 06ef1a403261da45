"""Structured logs: a request id on every line, one line per request, JSON lines with KRS_LOG_FORMAT=json."""

from __future__ import annotations

import io
import json
import logging
import logging.config
import sys

import pytest
from django.utils import timezone

from krs import logs
from krs.celery import app as celery_app
from krs.models import Notification
from krs.tasks import send_notification
from tests.krs.test_settings import run_django

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_lines():
    """The project's JSON handler (krs.logs.logging_config) on the root logger; yields a reader of its lines."""
    config = logs.logging_config(json=True, level="INFO")
    stream = io.StringIO()
    formatter = logging.config.DictConfigurator(config).configure_formatter(config["formatters"]["json"])
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler.addFilter(logs.ContextFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.INFO)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def test_each_request_gets_an_id_echoed_in_the_response(client):
    first, second = client.get("/accounts/login/"), client.get("/accounts/login/")
    assert len(first["X-Request-ID"]) == 32 and first["X-Request-ID"] != second["X-Request-ID"]


def test_a_proxys_request_id_is_kept_and_a_strange_one_replaced(client):
    assert client.get("/accounts/login/", HTTP_X_REQUEST_ID="nginx-0123456789abcdef")["X-Request-ID"] == "nginx-0123456789abcdef"
    replaced = client.get("/accounts/login/", HTTP_X_REQUEST_ID="bad id\nwith newline")["X-Request-ID"]
    assert "\n" not in replaced and len(replaced) == 32


def test_a_request_is_one_json_line_with_id_user_path_status_and_duration(client, district_user, json_lines):
    client.force_login(district_user)
    response = client.get("/notifications/")
    line = next(line for line in json_lines() if line["logger"] == "krs.request")
    assert line["request_id"] == response["X-Request-ID"]
    assert (line["method"], line["path"], line["status"], line["user_id"]) == ("GET", "/notifications/", 200, district_user.pk)
    assert line["level"] == "INFO" and isinstance(line["duration_ms"], float) and "time" in line


def test_lines_logged_inside_a_request_carry_its_id(client, json_lines):
    response = client.get("/no-such-page/")
    lines = json_lines()
    not_found = next(line for line in lines if line["logger"] == "django.request")
    assert not_found["request_id"] == response["X-Request-ID"]
    assert logs.current_request_id.get() == "-"  # and the id is gone once the response is closed


def test_the_query_string_is_never_logged_and_a_reset_token_is_masked(client, json_lines):
    client.get("/accounts/login/?next=/x&token=s3cr3t-value")
    client.get("/accounts/reset/MQ/cbk2ol-0123456789abcdef0123456789abcdef/")
    text = "\n".join(json.dumps(line) for line in json_lines())
    assert "s3cr3t-value" not in text and "0123456789abcdef0123456789abcdef" not in text
    assert "/accounts/reset/MQ/***/" in text


def test_a_celery_task_s_lines_carry_its_task_id(json_lines):
    from celery.signals import task_postrun, task_prerun

    task_prerun.send(sender=None, task_id="task-1234", task=None)
    logging.getLogger("krs.tasks").info("sweeping")
    task_postrun.send(sender=None, task_id="task-1234", task=None)
    logging.getLogger("krs.tasks").info("idle")
    sweeping, idle = (line for line in json_lines() if line["logger"] == "krs.tasks")
    assert sweeping["task_id"] == "task-1234" and idle["task_id"] == "-"


def test_krs_log_format_json_makes_every_line_json(tmp_path):
    result = run_django({"KRS_LOG_FORMAT": "json", "KRS_VAR_DIR": str(tmp_path)},
                        "shell", "-c", "import logging; logging.getLogger('krs.test').warning('ช่วยด้วย')")
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert (line["logger"], line["level"], line["message"], line["request_id"]) == ("krs.test", "WARNING", "ช่วยด้วย", "-")


def test_text_is_the_default(tmp_path):
    result = run_django({"KRS_VAR_DIR": str(tmp_path)}, "shell", "-c",
                        "import logging; logging.getLogger('krs.test').warning('hello')")
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().endswith("WARNING krs.test [-] hello")


def test_a_notification_mail_the_worker_prints_is_logged_as_info_not_a_warning(caplog, settings, monkeypatch, district_user):
    """The console mail backend of `make run` prints to stdout, which the worker sends to the log (celery.redirected)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    note = Notification.objects.create(user=district_user, kind=Notification.Kind.REMINDER, key="mail-log", subject="แจ้งเตือน",
                                       body="ข้อความแจ้งเตือน", created_at=timezone.now())
    # What the worker does at start (celery.apps.worker.Worker.on_start), with its configured level.
    monkeypatch.setattr(sys, "stdout", sys.stdout)
    monkeypatch.setattr(sys, "stderr", sys.stderr)
    celery_app.log.redirect_stdouts(celery_app.conf.worker_redirect_stdouts_level)
    with caplog.at_level(logging.INFO):
        assert send_notification.apply(args=[note.pk]).result is True
    printed = [r for r in caplog.records if r.name == "celery.redirected"]
    assert any("ข้อความแจ้งเตือน" in r.getMessage() for r in printed)
    assert {r.levelname for r in printed} == {"INFO"}
