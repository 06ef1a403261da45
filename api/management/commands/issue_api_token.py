"""Issue an API token from the command line and print it once: `manage.py issue_api_token finance --scope write`."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from api.models import ApiToken
from api.services import token_issue
from krs.models import Office, User


class Command(BaseCommand):
    help = "Issue an API token acting as a user; the token is printed once and never stored (docs/api.md)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username", help="The user the token acts as (a bureau's service account, a district user).")
        parser.add_argument("--name", help="What the token is for, e.g. 'budget system'. Default: '<username> (CLI)'.")
        parser.add_argument("--scope", choices=ApiToken.Scope.values, default=ApiToken.Scope.READ)
        parser.add_argument("--office", help="Limit the token to one office (its code).")

    def handle(self, *args, **options) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user {options['username']!r}")
        office = None
        if options["office"]:
            office = Office.objects.filter(code=options["office"]).first()
            if office is None:
                raise CommandError(f"no office {options['office']!r}")
        try:
            issued = token_issue(name=options["name"] or f"{user.username} (CLI)", user=user, scope=options["scope"],
                                 office=office)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stderr.write(f"token '{issued.token.name}' for {user.username}, scope {issued.token.scope}"
                          f"{', office ' + office.code if office else ''}; copy it now, it is not shown again:")
        self.stdout.write(issued.secret)
