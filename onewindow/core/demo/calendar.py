from __future__ import annotations

from onewindow.core.calendar_seed import seed_from_chinesecalendar
from onewindow.core.demo import DemoContext


def build(ctx: DemoContext) -> None:
    added = seed_from_chinesecalendar()
    ctx.say(f"  work calendar: {added} days added from chinesecalendar")
