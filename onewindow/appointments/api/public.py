"""Public reads: the bookable matters, where they can be booked, free places per day."""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from ninja import P, Query, QueryEx

from onewindow.core.apikit import PageParams, page_of, paginate
from onewindow.core.errors import ValidationFailed

from .. import selectors
from ..policy import area_county, policy
from .base import _matter, _ok, _place, _slot, router
from .schemas import ApptDayOut, ApptMatterOut, ApptOverviewAreaOut, ApptPlaceOut

# Operation ids name the module these operations were first written in (config/api.py).
OPERATION_IDS_MODULE = "onewindow.appointments.api"


# ---------------------------------------------------------------------------------------------
# Public reads


@router.get("/matters", response=_ok(200, page_of(ApptMatterOut)), summary="Bookable matters")
def matters(
    request: HttpRequest, params: Query[PageParams], q: QueryEx[str, P(max_length=100)] = "", off_hours: bool = False
) -> Any:
    return paginate(selectors.bookable_matters(q=q, off_hours_only=off_hours), params, _matter)


@router.get("/matters/{matter}/places", response=_ok(200, page_of(ApptPlaceOut)), summary="Where a matter can be booked")
def places(request: HttpRequest, matter: UUID, params: Query[PageParams]) -> Any:
    return paginate(selectors.matter_places(selectors.matter_by_uuid(matter)), params, _place)


@router.get(
    "/matters/{matter}/places/{area}/availability",
    response=_ok(200, page_of(ApptDayOut)),
    summary="Days and slots with free places (within the booking window)",
)
def availability(
    request: HttpRequest,
    matter: UUID,
    area: UUID,
    params: Query[PageParams],
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> Any:
    today = timezone.localdate()
    place = selectors.area_by_uuid(area)
    start = start or today
    end = end or today + datetime.timedelta(days=policy(area_county(place)).max_days_ahead)
    if end < start or (end - start).days > 62:
        raise ValidationFailed(fields={"end": ["end must be on or after start, at most 62 days later"]})
    days = selectors.availability(matter=selectors.matter_by_uuid(matter), area=place, start=start, end=end)
    from onewindow.core.workdays import CalendarNotCovered

    def day(d: Any) -> dict[str, Any]:
        return {
            "date": d.date,
            "holiday": d.holiday,
            "uncovered": d.uncovered,
            "message": str(CalendarNotCovered(d.date.year).message) if d.uncovered else "",
            "free": d.free,
            "slots": [_slot(s) for s in d.slots],
        }

    return paginate(days, params, day)


@router.get("/overview", response=_ok(200, page_of(ApptOverviewAreaOut)), summary="Free places per service point and day")
def overview(
    request: HttpRequest, params: Query[PageParams], start: datetime.date | None = None, end: datetime.date | None = None
) -> Any:
    today = timezone.localdate()
    start = start or today
    end = end or selectors.longest_window_end(today)  # each area's county window cuts its own days
    if end < start or (end - start).days > 62:
        raise ValidationFailed(fields={"end": ["end must be on or after start, at most 62 days later"]})

    def area(am: Any) -> dict[str, Any]:
        return {
            "area": am.area.uuid,
            "code": am.area.code,
            "name": am.area.name,
            "point": am.area.point.name,
            "days": [{"date": d, "free": f, "off_hours_free": o} for d, (f, o) in sorted(am.days.items())],
            "uncovered": sorted(am.uncovered),
        }

    return paginate(selectors.month_overview(start=start, end=end), params, area)
