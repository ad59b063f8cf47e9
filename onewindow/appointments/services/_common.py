"""What the appointment services share: booking codes, the week of a day, and telling the person."""

from __future__ import annotations

import datetime
import secrets

from django.utils import timezone

from onewindow.core.models import Notification
from onewindow.core.notify import notify

from ..models import Booking

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out over the phone


SELF_CHANNELS = (Booking.Channel.WEB, Booking.Channel.PHONE)


DESK_CHANNELS = (Booking.Channel.COUNTER, Booking.Channel.CALL)


LINK_SALT = "onewindow.appointments.manage"


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def _place_text(b: Booking) -> str:
    return f"{b.area.point.name} {b.area.name}"


def _when_text(b: Booking) -> str:
    start = timezone.localtime(b.starts_at)
    return f"{start:%Y-%m-%d %H:%M}-{timezone.localtime(b.ends_at):%H:%M}"


def _tell(b: Booking, *, kind: str, body: str, dedupe_key: str | None = None, new_key: bool = False) -> None:
    """SMS to the person served (and a site message to the account, if any). `new_key`: the key
    names something made in this transaction, so nothing can have been queued under it yet."""
    if b.phone:
        notify(
            channel=Notification.Channel.SMS,
            recipient=b.phone,
            body=body,
            user=b.user,
            kind=kind,
            dedupe_key=dedupe_key,
            new_key=new_key,
        )
    if b.user_id and b.user is not None:
        notify(
            channel=Notification.Channel.SITE,
            recipient=b.user.username,
            body=body,
            user=b.user,
            kind=kind,
            dedupe_key=f"{dedupe_key}:site" if dedupe_key else None,
            new_key=new_key,
        )
