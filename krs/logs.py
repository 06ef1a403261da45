"""Structured logs: a request id on every line, one line per request, JSON lines when KRS_LOG_FORMAT=json.

Every log record made while a request (or a Celery task) runs carries its ``request_id`` (or
``task_id``), added by :class:`ContextFilter` on the handler, so one request's lines can be found
together. :class:`RequestLogMiddleware` writes one ``krs.request`` line per request with the method,
path, status, duration and user id. Nothing secret goes in: no query string, no headers, no body,
and the token of a password-reset link is masked (docs/operations.md, "Logs").
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid

from celery.signals import task_postrun, task_prerun
from django.core.signals import request_finished
from django.utils.functional import empty

current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
current_task_id: contextvars.ContextVar[str] = contextvars.ContextVar("task_id", default="-")

logger = logging.getLogger("krs.request")

# A proxy's id is kept when it looks like one (letters, digits, dashes; nginx's $request_id is 32 hex).
_GOOD_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# /accounts/reset/<uidb64>/<token>/: the token lets its holder set the password, so it is never written.
_RESET_LINK = re.compile(r"^(/accounts/reset/[^/]+/)(?!set-password/)[^/]+")


def safe_path(path: str) -> str:
    """The path as logged: a password-reset token replaced by ``***``."""
    return _RESET_LINK.sub(r"\1***", path)


class ContextFilter(logging.Filter):
    """Adds ``request_id`` and ``task_id`` to every record (``-`` outside a request or a task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id.get()
        if not hasattr(record, "task_id"):
            record.task_id = current_task_id.get()
        return True


def _user_id(request) -> int | None:
    """The user's id if the request already read it: never a query of its own (pages keep their budgets)."""
    user = request.__dict__.get("user")
    if user is None:
        return None
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is empty:
        return None
    return getattr(wrapped, "pk", None)


class RequestLogMiddleware:
    """Gives each request an id (the proxy's X-Request-ID if sane, else a new one) and logs it when done.

    The id is echoed in the ``X-Request-ID`` response header, so a user's report can be matched to
    the log. First in MIDDLEWARE, so the line covers every other middleware's time.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        rid = given if _GOOD_ID.match(given) else uuid.uuid4().hex
        current_request_id.set(rid)
        started = time.perf_counter()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response["X-Request-ID"] = rid
            return response
        finally:
            duration = (time.perf_counter() - started) * 1000
            logger.info(
                "%s %s %s %.1fms", request.method, safe_path(request.path), status, duration,
                extra={"method": request.method, "path": safe_path(request.path), "status": status,
                       "duration_ms": round(duration, 1), "user_id": _user_id(request)},
            )
            # Not reset here: Django logs a 4xx/5xx response ("django.request") after the middleware has
            # returned; the id is cleared when the response is closed (request_finished, below).


def _forget_request(**kwargs) -> None:
    current_request_id.set("-")


request_finished.connect(_forget_request, dispatch_uid="krs.logs.forget_request")


def connect_celery_signals() -> None:
    """Worker log lines carry the task's id while it runs (called from krs/celery.py)."""

    def started(task_id=None, **kwargs):
        current_task_id.set(task_id or "-")

    def finished(**kwargs):
        current_task_id.set("-")

    task_prerun.connect(started, weak=False)
    task_postrun.connect(finished, weak=False)


def logging_config(*, json: bool, level: str) -> dict:
    """The LOGGING setting: text lines for a person at a terminal, or JSON lines for a log collector."""
    formatters = {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(task_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "timestamp": False,
        },
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "krs.logs.ContextFilter"}},
        "formatters": formatters,
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "json" if json else "plain", "filters": ["context"]},
        },
        "loggers": {
            "axes": {"level": "WARNING"},
            "weasyprint": {"level": "WARNING"},
            "fontTools": {"level": "WARNING"},
        },
        "root": {"handlers": ["console"], "level": level},
    }
