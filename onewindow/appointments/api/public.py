"""Public reads: the bookable matters, where they can be booked, free places per day."""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query

from onewindow.core.errors import ValidationFailed

from .. import selectors
from ..policy import policy
from .base import _matter, _ok, _place, _slot, router
from .schemas import ApptDayOut, ApptMatterOut, ApptOverviewAreaOut, ApptPlaceOut

# Operation ids name the module these operations were first written in (config/api.py).
OPERATION_IDS_MODULE = "onewindow.appointments.api"


# ---------------------------------------------------------------------------------------------
# Public reads


@router.get("/matters", response=_ok(200, list[ApptMatterOut]), summary="Bookable matters")
def matters(
    request: HttpRequest,
    q: str = Query("", max_length=100),
    off_hours: bool = False,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=100_000),
) -> Any:
    qs = selectors.bookable_matters(q=q, off_hours_only=off_hours)[max(0, offset) : max(0, offset) + min(max(1, limit), 200)]
    return [_matter(m) for m in qs]


@router.get("/matters/{matter}/places", response=_ok(200, list[ApptPlaceOut]), summary="Where a matter can be booked")
def places(request: HttpRequest, matter: UUID) -> Any:
    return [_place(a) for a in selectors.matter_places(selectors.matter_by_uuid(matter))]


@router.get(
    "/matters/{matter}/places/{area}/availability",
    response=_ok(200, list[ApptDayOut]),
    summary="Days and slots with free places (within the booking window)",
)
def availability(
    request: HttpRequest, matter: UUID, area: UUID, start: datetime.date | None = None, end: datetime.date | None = None
) -> Any:
    today = timezone.localdate()
    start = start or today
    end = end or today + datetime.timedelta(days=policy().max_days_ahead)
    if end < start or (end - start).days > 62:
        raise ValidationFailed(fields={"end": ["end must be on or after start, at most 62 days later"]})
    days = selectors.availability(
        matter=selectors.matter_by_uuid(matter), area=selectors.area_by_uuid(area), start=start, end=end
    )
    from onewindow.core.workdays import CalendarNotCovered

    return [
        {
            "date": d.date,
            "holiday": d.holiday,
            "uncovered": d.uncovered,
            "message": str(CalendarNotCovered(d.date.year).message) if d.uncovered else "",
            "free": d.free,
            "slots": [_slot(s) for s in d.slots],
        }
        for d in days
    ]


@router.get("/overview", response=_ok(200, list[ApptOverviewAreaOut]), summary="Free places per service point and day")
def overview(request: HttpRequest, start: datetime.date | None = None, end: datetime.date | None = None) -> Any:
    today = timezone.localdate()
    start = start or today
    end = end or today + datetime.timedelta(days=policy().max_days_ahead)
    if end < start or (end - start).days > 62:
        raise ValidationFailed(fields={"end": ["end must be on or after start, at most 62 days later"]})
    out = []
    for am in selectors.month_overview(start=start, end=end):
        out.append(
            {
                "area": am.area.uuid,
                "code": am.area.code,
                "name": am.area.name,
                "point": am.area.point.name,
                "days": [{"date": d, "free": f, "off_hours_free": o} for d, (f, o) in sorted(am.days.items())],
                "uncovered": sorted(am.uncovered),
            }
        )
    return out
