"""Print the current code of the demo staff authenticator (the key in the README), for signing in
to the demo without an authenticator app. Real accounts hold their own keys; this knows none."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from onewindow.accounts.demo import DEMO_TOTP_KEY
from onewindow.accounts.mfa import demo_code


class Command(BaseCommand):
    help = "Print the demo staff authenticator's current 6-digit code."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(demo_code(DEMO_TOTP_KEY))
