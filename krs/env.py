"""Strict readers for settings taken from the environment.

Each reader fails with ``ImproperlyConfigured`` naming the variable, so a typo in production stops
the process at start instead of running with a silently different value. ``dj-database-url`` parses
database URLs; the scalar types are small enough that a library would add more than it saves
(django-environ, for one, reads an unknown boolean such as ``ture`` as False without a word).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class Env:
    """Reads typed values from a mapping (``os.environ`` by default)."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.environ = os.environ if environ is None else environ

    def _raw(self, name: str) -> str | None:
        value = self.environ.get(name)
        if value is None:
            return None
        value = value.strip()
        return value if value != "" else None

    def str(self, name: str, default: str | None = None) -> str | None:
        value = self._raw(name)
        return default if value is None else value

    def bool(self, name: str, default: bool) -> bool:
        value = self._raw(name)
        if value is None:
            return default
        lowered = value.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a boolean: use one of true/false, 1/0, yes/no, on/off."
        )

    def int(self, name: str, default: int, *, minimum: int | None = None) -> int:
        value = self._raw(name)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
        if minimum is not None and number < minimum:
            raise ImproperlyConfigured(f"{name}={number} must be at least {minimum}.")
        return number

    def decimal(self, name: str, default: Decimal) -> Decimal:
        value = self._raw(name)
        if value is None:
            return default
        try:
            return Decimal(value)
        except InvalidOperation:
            raise ImproperlyConfigured(f"{name}={value!r} is not a number.") from None

    def list(self, name: str, default: list[str] | None = None) -> list[str]:
        value = self._raw(name)
        if value is None:
            return list(default or [])
        return [item.strip() for item in value.split(",") if item.strip()]

    def choice(self, name: str, default: str, choices: set[str] | list[str]) -> str:
        value = self._raw(name)
        if value is None:
            return default
        if value not in choices:
            allowed = ", ".join(sorted(choices))
            raise ImproperlyConfigured(f"{name}={value!r} is not one of: {allowed}.")
        return value

    def database(self, name: str, default: str) -> dict:
        value = self._raw(name) or default
        try:
            config = dj_database_url.parse(value, conn_max_age=60, conn_health_checks=True)
        except Exception as exc:  # dj-database-url raises several types for a bad URL
            raise ImproperlyConfigured(f"{name}={value!r} is not a valid database URL: {exc}") from None
        if not config.get("ENGINE"):
            raise ImproperlyConfigured(f"{name}={value!r} names no database engine.")
        if config["ENGINE"] not in {"django.db.backends.sqlite3", "django.db.backends.postgresql"}:
            raise ImproperlyConfigured(f"{name}: only sqlite:// and postgres:// are supported.")
        if not config.get("NAME"):
            raise ImproperlyConfigured(f"{name}={value!r} names no database.")
        return config
