"""Last demo step: every staff account the steps made gets an authenticator holding the demo key
(accounts/demo.py DEMO_TOTP_BASE32, in the README), so the second factor works in the demo."""

from __future__ import annotations

from onewindow.core.demo import DemoContext

from .demo import DEMO_TOTP_BASE32, give_demo_authenticators


def build(ctx: DemoContext) -> None:
    made = give_demo_authenticators()
    ctx.say(f"  staff authenticators: {made} new (demo key {DEMO_TOTP_BASE32})")
