"""Load the demo data (idempotent): `python manage.py seed_demo`.

Each project app may have a ``demo`` module with a ``seed()`` function returning a summary dict; they
run in INSTALLED_APPS order (krs first: offices and users), so `krs` needs to import none of them.
"""

from __future__ import annotations

import importlib
import importlib.util

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from krs.demo import DEMO_LOGINS

PROJECT_APPS = ("krs", "indicators", "reporting", "certification", "attachments")


class Command(BaseCommand):
    help = "Load demo offices, users and frameworks; safe to run again (nothing is duplicated)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even when DEBUG is off (demo passwords are public: never on a live site).",
        )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError("seed_demo creates users with public passwords; refusing with DEBUG=false.")
        with transaction.atomic():
            for config in apps.get_app_configs():
                if config.name not in PROJECT_APPS or importlib.util.find_spec(f"{config.name}.demo") is None:
                    continue
                summary = importlib.import_module(f"{config.name}.demo").seed()
                details = ", ".join(f"{value} {key}" for key, value in summary.items())
                self.stdout.write(f"demo data [{config.name}]: created {details}")
        self.stdout.write("demo logins (username / password — role):")
        for login in DEMO_LOGINS:
            self.stdout.write(f"  {login.username:<10} {login.password:<18} {login.role} @ {login.office_code}")
