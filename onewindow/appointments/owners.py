"""Who holds an active booking (contract: onewindow.core.ownership).

A booking (已预约) waits for the person to come and check in: it is in the applicant's own list
(their bookings page; a person booked for at the counter has the SMS and the booking code). When
its session is over the no-show sweep closes it. Nobody holds it when no active window serves its
area: the check-in would give a ticket that nobody calls.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from onewindow.core.ownership import Owner, Waiting
from onewindow.hall.models import WindowArea

from .models import Booking


def _served_areas() -> set[int]:
    return set(WindowArea.objects.filter(window__is_active=True).values_list("area_id", flat=True))


def _item(b: Booking, served: set[int]) -> Waiting:
    owner = Owner.of_applicant(b.user, b.person_name)
    if b.area_id not in served:
        owner = Owner(applicant=b.user, person=b.person_name, held=False, why_not_held=str(_("没有窗口服务预约的服务区")))
    return Waiting(
        key=f"booking:{b.code}",
        action="keep",
        label=str(_("按时到场签到")),
        subject=f"{b.code} · {b.matter}",
        owner=owner,
        since=b.created_at,
        due=b.starts_at.date(),
        obj=b,
    )


def waiting_for(obj: Any) -> list[Waiting] | None:
    if not isinstance(obj, Booking):
        return None
    return [_item(obj, _served_areas())] if obj.status == Booking.Status.BOOKED else []


def all_waiting() -> Iterator[Waiting]:
    served = _served_areas()
    for b in Booking.objects.filter(status=Booking.Status.BOOKED).select_related("matter").iterator(chunk_size=500):
        yield _item(b, served)
