"""Load the demo data (idempotent): `python manage.py seed_demo`."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from krs.demo import DEMO_LOGINS, seed_offices_and_users


class Command(BaseCommand):
    help = "Load demo offices and one user of each role; safe to run again (nothing is duplicated)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even when DEBUG is off (demo passwords are public: never on a live site).",
        )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError("seed_demo creates users with public passwords; refusing with DEBUG=false.")
        created = seed_offices_and_users()
        self.stdout.write(f"demo data: {created['offices']} office(s) and {created['users']} user(s) created")
        self.stdout.write("demo logins (username / password — role):")
        for login in DEMO_LOGINS:
            self.stdout.write(f"  {login.username:<10} {login.password:<18} {login.role} @ {login.office_code}")
