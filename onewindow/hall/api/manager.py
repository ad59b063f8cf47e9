"""The hall manager: the point's live figures and an area's settings."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest

from onewindow.core.apikit import ErrorOut
from onewindow.core.errors import NotFound, PermissionDenied

from .. import selectors, services
from .base import _area, router, session_auth
from .schemas import AreaSettingsIn, AreaSettingsOut, OverviewOut

# Operation ids name the module these operations were first written in (config/api.py).
OPERATION_IDS_MODULE = "onewindow.hall.api"


# --- hall manager --------------------------------------------------------------------------------


@router.get(
    "/points/{point_uuid}/overview",
    response={200: OverviewOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    auth=session_auth,
    summary="Hall manager: live figures",
)
def point_overview(request: HttpRequest, point_uuid: UUID) -> Any:
    from ..stats import day_figures

    point = selectors.point_by_uuid(point_uuid)
    if point is None:
        raise NotFound()
    if not selectors.can_manage(request.user, point):
        raise PermissionDenied()
    live = selectors.point_live(point)
    wins = selectors.windows_live(point)
    return {
        "areas": [
            {
                "uuid": a.area.uuid,
                "name": a.area.name,
                "waiting": a.waiting,
                "longest_wait_minutes": a.longest_wait_minutes,
                "issued_today": a.issued_today,
                "open_windows": a.open_windows,
                "warn": a.warn,
            }
            for a in live
        ],
        "windows_open": sum(1 for w in wins if w["session"]),
        "windows_total": len(wins),
        "figures": day_figures(point=point).as_dict(),
    }


@router.patch(
    "/areas/{area_uuid}",
    response={200: AreaSettingsOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    auth=session_auth,
    summary="Hall manager: area settings (cap, warning level, service level, ID rules)",
)
def area_settings(request: HttpRequest, area_uuid: UUID, payload: AreaSettingsIn) -> Any:
    area = _area(area_uuid)
    values = payload.dict(exclude_unset=True)
    if "service_level_minutes" not in values:
        values = {k: v for k, v in values.items() if v is not None}
    services.area_update_settings(area=area, actor=request.user, **values)
    return {
        "uuid": area.uuid,
        "daily_cap": area.daily_cap,
        "warn_level": area.warn_level,
        "service_level_minutes": area.service_level_minutes,
        "require_id_number": area.require_id_number,
        "per_person_daily_limit": area.per_person_daily_limit,
        "default_service_minutes": area.default_service_minutes,
    }
