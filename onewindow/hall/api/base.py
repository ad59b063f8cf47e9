"""The hall API's router, its two ways in (the staff's session, the kiosk's device token) and the
converters its resources share."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router
from ninja.security import SessionAuth

from onewindow.core.apikit import KioskToken
from onewindow.core.errors import NotFound, PermissionDenied

from .. import selectors
from ..models import ServiceArea, Ticket, Window

router = Router(tags=["hall"])
session_auth = SessionAuth()


kiosk_auth = KioskToken()


def announce_text(number: str, window: int) -> str:
    # Mandarin call text; kept in Chinese in every UI language (the hall's announcement language).
    return f"请{number}号到{window}号窗口办理"


def _ticket_out(t: Ticket, with_position: bool = True) -> dict[str, Any]:
    ahead, wait = selectors.ticket_position(t) if with_position else (0, 0)
    return {
        "uuid": t.uuid,
        "number": t.number,
        "area": t.area.name,
        "point": t.point.name,
        "business_date": t.business_date.isoformat(),
        "status": t.status,
        "status_label": str(t.get_status_display()),
        "ahead": ahead,
        "estimated_wait_minutes": wait,
        "window": t.window.number if t.window_id and t.window else None,
    }


def _area(value: UUID) -> ServiceArea:
    area = selectors.area_by_uuid(value)
    if area is None:
        raise NotFound(_("服务区不存在。"))
    return area


def _window_for_staff(request: HttpRequest, value: UUID) -> Window:
    window = selectors.window_by_uuid(value)
    if window is None:
        raise NotFound(_("窗口不存在。"))
    if not selectors.can_work_at(request.user, window.point):
        raise PermissionDenied()
    return window
