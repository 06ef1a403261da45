"""KRS: the project package and the core every app shares."""

from krs.celery import app as celery_app

__all__ = ["celery_app"]
