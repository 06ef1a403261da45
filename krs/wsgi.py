"""WSGI entry point (gunicorn krs.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "krs.settings")
application = get_wsgi_application()
