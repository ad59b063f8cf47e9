"""Grant an administrator duty from the command line (三员分立, accounts/duties.py): how a
deployment names its first security and audit administrators. Refused if the account already
holds another duty; audited with no actor (the installer at the console)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onewindow.accounts.duties import DUTY_ROLE
from onewindow.accounts.models import User
from onewindow.accounts.services import role_grant
from onewindow.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Grant the system, security or audit administrator duty to an account."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("duty", choices=sorted(DUTY_ROLE))

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no account {options['username']!r}")
        try:
            role_grant(user=user, role=DUTY_ROLE[options["duty"]], actor=None)
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from None
        self.stdout.write(f"{user.username}: {options['duty']} administrator")
