"""Sweeps (core/sweeps.py runs them every minute; each is idempotent and returns a count): slots of the
booking window, reminders and no-shows."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from onewindow.accounts.sms import signed
from onewindow.core.audit import audit
from onewindow.hall.models import ServiceArea

from ..models import Booking, Slot
from ..policy import area_county, county_codes, policy
from ..scheduling import materialise
from ._common import _place_text, _tell, _when_text


def materialise_window(*, now: datetime.datetime | None = None) -> int:
    """Store every area's planned slots over the booking window ahead (today .. max_days_ahead), so
    that reads, which never write, rarely have to compute a day in memory. A day already marked
    costs nothing, so once a day rolls into the window only that day is computed. Returns the
    number of area-days marked."""
    today = timezone.localdate(now or timezone.now())
    # Each county's areas over its own window (policy per county): one materialise per county.
    by_county: dict[str, list[int]] = {}
    for pk, county in ServiceArea.objects.values_list("pk", "point__org_unit__county_id"):
        by_county.setdefault(county, []).append(pk)
    marked = 0
    for county, area_ids in sorted(by_county.items()):
        marked += materialise(area_ids, today, today + datetime.timedelta(days=policy(county).max_days_ahead))[0]
    return marked


def send_reminders(*, now: datetime.datetime | None = None, limit: int = 500) -> int:
    """The day-before and hour-before reminders. A flag on the booking (set by a conditional
    UPDATE) and an outbox dedupe key make each reminder go out once."""
    now = now or timezone.now()
    sent = 0
    plans = [
        ("day", "day_reminder_at", datetime.timedelta(hours=24), datetime.timedelta(hours=2)),
        ("hour", "hour_reminder_at", datetime.timedelta(hours=1), datetime.timedelta(0)),
    ]
    for label, field, ahead, skip_if_closer in plans:
        due = (
            Booking.objects.filter(status=Booking.Status.BOOKED, starts_at__gt=now + skip_if_closer, starts_at__lte=now + ahead)
            .filter(**{f"{field}__isnull": True})
            .select_related("area", "area__point__org_unit", "matter", "user")  # the unit: the county's signature
            .order_by("starts_at")[:limit]
        )
        for b in due:
            with transaction.atomic():
                if not Booking.objects.filter(pk=b.pk, **{f"{field}__isnull": True}).update(**{field: now}):
                    continue
                # The hour reminder also covers a booking made less than a day ahead.
                body = (
                    gettext("提醒：您 %(when)s 在%(place)s 有预约（%(code)s），请携带所需材料。")
                    if label == "day"
                    else gettext("提醒：您的预约 %(when)s 即将开始，地点%(place)s，预约码 %(code)s。")
                ) % {"when": _when_text(b), "place": _place_text(b), "code": b.code}
                body = signed(body, area_county(b.area))
                _tell(
                    b, kind=f"appointment.reminder.{label}", body=body, dedupe_key=f"appt:{b.uuid}:{label}:{b.reschedule_count}"
                )
                sent += 1
    return sent


def mark_no_shows(*, now: datetime.datetime | None = None) -> int:
    """Bookings still unclaimed when their session is over become no-shows. They keep counting in
    the person's weekly limit (the counter is not given back)."""
    now = now or timezone.now()
    # The check-in tolerance is the booking's county's: the query takes the shortest of any county,
    # each booking is then held to its own.
    shortest = min([policy(None).checkin_late_minutes, *(policy(c).checkin_late_minutes for c in county_codes())])
    n = 0
    for b in Booking.objects.filter(
        status=Booking.Status.BOOKED, ends_at__lt=now - datetime.timedelta(minutes=shortest)
    ).select_related("slot", "area__point__org_unit")[:1000]:
        grace = datetime.timedelta(minutes=policy(area_county(b.area)).checkin_late_minutes)
        session_end = (
            Slot.objects.filter(area_id=b.area_id, session_key=b.slot.session_key)
            .order_by("-ends_at")
            .values_list("ends_at", flat=True)
            .first()
        ) or b.ends_at
        if session_end + grace > now:
            continue
        with transaction.atomic():
            if Booking.objects.filter(pk=b.pk, status=Booking.Status.BOOKED).update(
                status=Booking.Status.NO_SHOW, no_show_at=now
            ):
                b.status = Booking.Status.NO_SHOW
                audit(actor=None, action="appointment.no_show", target=b, data={"code": b.code})
                n += 1
    return n
