"""`uslugi agency_system create --name NAME --department CODE [--test] [--webhook-url URL]`:
register an agency system and print its OAuth2 client credentials (the secret once)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from uslugi.agencies.integration import system_create
from uslugi.core.errors import DomainError


class Command(BaseCommand):
    help = "Agency systems of the integration API (OAuth2 client credentials)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="register a system and print its credentials")
        create.add_argument("--name", required=True)
        create.add_argument("--department", required=True, help="catalogue department code")
        create.add_argument(
            "--test", action="store_true", help="a test system: gets only test applications"
        )
        create.add_argument("--webhook-url", default="", dest="webhook_url")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            credentials = system_create(
                name=options["name"],
                department_code=options["department"],
                is_test=options["test"],
                webhook_url=options["webhook_url"],
            )
        except DomainError as exc:
            raise CommandError(f"{options['department']}: {exc.text}") from exc
        system = credentials.system
        kind = "test" if system.is_test else "real"
        self.stdout.write(
            f"agency system {system.pk} ({kind}) for {system.department.code}\n"
            f"client_id: {credentials.client_id}\n"
            f"client_secret: {credentials.client_secret}\n"
            "The secret is kept hashed: store it now, it is not shown again.\n"
        )
        if credentials.webhook_secret:
            self.stdout.write(
                f"webhook_secret: {credentials.webhook_secret}\n"
                "Webhooks are signed with it (HMAC-SHA256); an administrator can read it in "
                "the admin.\n"
            )
