"""Hall API (/api/v1/hall/): public reads for kiosks, boards and phones (numbers only, no personal
data), the kiosk's take-ticket with a device token, and the staff endpoints (session + CSRF).

The kiosk take-ticket endpoint is the hot path: one indexed read of the area and its point, then
`ticket_issue`'s single statement; no session, no CSRF, no per-request audit row (the ticket's
"issued" event is its record)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema, Status
from ninja.security import APIKeyHeader, SessionAuth

from onewindow.accounts.models import Role
from onewindow.core.errors import NotFound, PermissionDenied, ValidationFailed

from . import selectors, services
from .models import ServiceArea, Ticket, Window

router = Router(tags=["hall"])
session_auth = SessionAuth()


class KioskToken(APIKeyHeader):
    param_name = "X-Kiosk-Token"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        # The area named in the body decides which point's token must match; here we only demand
        # that a token is present. The handler compares it in constant time.
        return key or None


kiosk_auth = KioskToken()


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}


class TicketIn(Schema):
    area: UUID
    priority: str = "normal"
    id_number: str = ""
    phone: str = ""


class IssuedOut(Schema):
    uuid: UUID
    number: str
    business_date: str
    status: str
    ahead: int | None = None
    estimated_wait_minutes: int | None = None


class TicketStatusOut(Schema):
    uuid: UUID
    number: str
    area: str
    point: str
    business_date: str
    status: str
    status_label: str
    ahead: int
    estimated_wait_minutes: int
    window: int | None


class AreaOut(Schema):
    uuid: UUID
    code: str
    name: str
    theme: str
    prefix: str
    waiting: int
    require_id_number: bool


class PointOut(Schema):
    uuid: UUID
    code: str
    name: str


class CallOut(Schema):
    id: int
    number: str
    window: int
    at: datetime
    recall: bool
    text: str


class CurrentOut(Schema):
    uuid: UUID
    number: str
    status: str
    area: str
    call_count: int
    intake_url: str


class QueueItemOut(Schema):
    uuid: UUID
    number: str
    area: str
    priority: str
    issued_at: datetime


class WindowOut(Schema):
    uuid: UUID
    number: int
    signed_in: str | None
    current: CurrentOut | None
    queue: list[QueueItemOut]
    held: list[QueueItemOut]


class CallSpecificIn(Schema):
    ticket: UUID


class TransferIn(Schema):
    area: UUID | None = None
    window: UUID | None = None
    position: str = "last"
    note: str = ""


class AreaLiveOut(Schema):
    uuid: UUID
    name: str
    waiting: int
    longest_wait_minutes: int
    issued_today: int
    open_windows: int
    warn: bool


class OverviewOut(Schema):
    areas: list[AreaLiveOut]
    windows_open: int
    windows_total: int
    figures: dict[str, Any]


class AreaSettingsIn(Schema):
    daily_cap: int | None = None
    warn_level: int | None = None
    service_level_minutes: int | None = None
    require_id_number: bool | None = None
    per_person_daily_limit: int | None = None
    default_service_minutes: int | None = None


class AreaSettingsOut(Schema):
    uuid: UUID
    daily_cap: int
    warn_level: int
    service_level_minutes: int | None
    require_id_number: bool
    per_person_daily_limit: int
    default_service_minutes: int


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


# --- public --------------------------------------------------------------------------------------


@router.get("/points", response=list[PointOut], auth=None, summary="Service points (public)")
def list_points(request: HttpRequest) -> Any:
    from .models import ServicePoint

    return [{"uuid": p.uuid, "code": p.code, "name": p.name} for p in ServicePoint.objects.order_by("code")]


@router.get(
    "/points/{point_uuid}/areas", response={200: list[AreaOut], 404: ErrorOut}, auth=None, summary="Areas and waiting counts"
)
def point_areas(request: HttpRequest, point_uuid: UUID) -> Any:
    point = selectors.point_by_uuid(point_uuid)
    if point is None:
        raise NotFound()
    counts = selectors.waiting_counts(point)
    return [
        {
            "uuid": a.uuid,
            "code": a.code,
            "name": a.name,
            "theme": a.theme,
            "prefix": a.ticket_prefix,
            "waiting": counts.get(a.pk, 0),
            "require_id_number": a.require_id_number,
        }
        for a in selectors.open_areas(point)
    ]


@router.get("/points/{point_uuid}/calls", response={200: list[CallOut], 404: ErrorOut}, auth=None, summary="Board: calls")
def point_calls(request: HttpRequest, point_uuid: UUID, after: int | None = None) -> Any:
    """Today's calls at the point, oldest first; `after` = the last id the board has seen."""
    point = selectors.point_by_uuid(point_uuid)
    if point is None:
        raise NotFound()
    return [
        {
            "id": c.id,
            "number": c.number,
            "window": c.window,
            "at": c.at,
            "recall": c.recall,
            "text": announce_text(c.number, c.window),
        }
        for c in selectors.board_calls(point, after=after)
    ]


@router.get("/tickets/{ticket_uuid}", response={200: TicketStatusOut, 404: ErrorOut}, auth=None, summary="Follow a ticket")
def ticket_status(request: HttpRequest, ticket_uuid: UUID) -> Any:
    t = selectors.ticket_by_uuid(ticket_uuid)
    if t is None:
        raise NotFound()
    return _ticket_out(t)


# --- taking tickets ------------------------------------------------------------------------------


@router.post(
    "/kiosk/tickets",
    response={201: IssuedOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    auth=kiosk_auth,
    summary="Kiosk: take a ticket (X-Kiosk-Token)",
)
def kiosk_take(request: HttpRequest, payload: TicketIn) -> Any:
    """A green-channel ticket is a request until staff confirm it (hall.kiosk.green_confirm)."""
    green = payload.priority == Ticket.Priority.GREEN
    ticket_uuid, number, day = services.kiosk_ticket_issue(
        area_uuid=payload.area,
        token=str(getattr(request, "auth", "") or ""),
        priority=Ticket.Priority.NORMAL if green else payload.priority,
        id_number=payload.id_number,
    )
    if green:
        from .kiosk import green_request

        green_request(ticket_uuid=ticket_uuid)
    return Status(201, {"uuid": ticket_uuid, "number": number, "business_date": day.isoformat(), "status": Ticket.Status.WAITING})


@router.post(
    "/tickets",
    response={201: IssuedOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    auth=session_auth,
    summary="Take a ticket remotely (citizen, phone) or for a visitor (clerk)",
)
def take_ticket(request: HttpRequest, payload: TicketIn) -> Any:
    area = _area(payload.area)
    user: Any = request.user
    if selectors.can_work_at(user, area.point):
        source, id_number, priority = Ticket.Source.CLERK, payload.id_number or None, payload.priority
        if priority not in (Ticket.Priority.NORMAL, Ticket.Priority.GREEN):
            raise ValidationFailed(_("未知的优先级。"), fields={"priority": [_("未知的优先级。")]})
    elif user.has_role(Role.CITIZEN) or user.has_role(Role.ENTERPRISE):
        # Remote queueing is bound to the account's own ID number; priority is decided at the hall.
        source, id_number, priority = Ticket.Source.PHONE, services.remote_id_number(user), Ticket.Priority.NORMAL
    else:
        raise PermissionDenied()
    t = services.ticket_issue(area=area, source=source, actor=user, id_number=id_number, priority=priority, phone=payload.phone)
    ahead, wait = selectors.ticket_position(t)
    return Status(
        201,
        {
            "uuid": t.uuid,
            "number": t.number,
            "business_date": t.business_date.isoformat(),
            "status": t.status,
            "ahead": ahead,
            "estimated_wait_minutes": wait,
        },
    )


# --- windows (clerks signed in to the window) ----------------------------------------------------


def window_state(window: Window) -> dict[str, Any]:
    cur = services.current_ticket(window)
    session = selectors.open_session(window)

    def item(t: Ticket) -> dict[str, Any]:
        return {"uuid": t.uuid, "number": t.number, "area": t.area.name, "priority": t.priority, "issued_at": t.issued_at}

    return {
        "uuid": window.uuid,
        "number": window.number,
        "signed_in": str(session.user) if session else None,
        "current": {
            "uuid": cur.uuid,
            "number": cur.number,
            "status": cur.status,
            "area": cur.area.name,
            "call_count": cur.call_count,
            "intake_url": f"/workbench/intake/?ticket={cur.uuid}",
        }
        if cur
        else None,
        "queue": [item(t) for t in selectors.window_queue(window)],
        "held": [item(t) for t in selectors.held_tickets(window)],
    }


WINDOW_RESPONSES = {200: WindowOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


@router.get("/windows/{window_uuid}", response=WINDOW_RESPONSES, auth=session_auth, summary="Window: state and queue")
def window_get(request: HttpRequest, window_uuid: UUID) -> Any:
    return window_state(_window_for_staff(request, window_uuid))


@router.post("/windows/{window_uuid}/sign-in", response=WINDOW_RESPONSES, auth=session_auth, summary="Window: sign in")
def window_sign_in(request: HttpRequest, window_uuid: UUID) -> Any:
    window = _window_for_staff(request, window_uuid)
    services.window_sign_in(window=window, actor=request.user)
    return window_state(window)


@router.post("/windows/{window_uuid}/sign-out", response=WINDOW_RESPONSES, auth=session_auth, summary="Window: sign out")
def window_sign_out(request: HttpRequest, window_uuid: UUID) -> Any:
    window = _window_for_staff(request, window_uuid)
    services.window_sign_out(window=window, actor=request.user)
    return window_state(window)


class CalledOut(Schema):
    uuid: UUID | None
    number: str | None
    window: int


@router.post(
    "/windows/{window_uuid}/call-next",
    response={200: CalledOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    auth=session_auth,
    summary="Window: finish the current ticket and call the next",
)
def window_call_next(request: HttpRequest, window_uuid: UUID) -> Any:
    # Calling demands an open shift at this window, which only a permitted clerk can open.
    ticket_uuid, number, window_number = services.call_next_by_uuid(window_uuid=window_uuid, actor=request.user)
    return {"uuid": ticket_uuid, "number": number, "window": window_number}


def _action(name: str, fn: Any, summary: str) -> None:
    @router.post(
        f"/windows/{{window_uuid}}/{name}",
        response=WINDOW_RESPONSES,
        auth=session_auth,
        summary=summary,
        operation_id=f"hall_window_{name.replace('-', '_')}",
    )
    def handler(request: HttpRequest, window_uuid: UUID) -> Any:
        window = _window_for_staff(request, window_uuid)
        fn(window=window, actor=request.user)
        return window_state(window)


_action("recall", services.recall, "Window: recall the current ticket")
_action("no-show", services.mark_no_show, "Window: mark the current ticket as no-show")
_action("start", services.start_serving, "Window: start serving")
_action("finish", services.finish, "Window: finish")
_action("hold", services.hold, "Window: put the current ticket on hold")


@router.post(
    "/windows/{window_uuid}/call", response=WINDOW_RESPONSES, auth=session_auth, summary="Window: call a specific ticket"
)
def window_call(request: HttpRequest, window_uuid: UUID, payload: CallSpecificIn) -> Any:
    window = _window_for_staff(request, window_uuid)
    services.call_specific(
        window=window, ticket=services.ticket_for_window(window=window, ticket_uuid=payload.ticket), actor=request.user
    )
    return window_state(window)


@router.post(
    "/windows/{window_uuid}/resume", response=WINDOW_RESPONSES, auth=session_auth, summary="Window: resume a held ticket"
)
def window_resume(request: HttpRequest, window_uuid: UUID, payload: CallSpecificIn) -> Any:
    window = _window_for_staff(request, window_uuid)
    services.resume(
        window=window, ticket=services.ticket_for_window(window=window, ticket_uuid=payload.ticket), actor=request.user
    )
    return window_state(window)


@router.post("/windows/{window_uuid}/transfer", response=WINDOW_RESPONSES, auth=session_auth, summary="Window: transfer")
def window_transfer(request: HttpRequest, window_uuid: UUID, payload: TransferIn) -> Any:
    window = _window_for_staff(request, window_uuid)
    to_area = _area(payload.area) if payload.area else None
    to_window = selectors.window_by_uuid(payload.window) if payload.window else None
    if payload.window and to_window is None:
        raise NotFound(_("窗口不存在。"))
    services.transfer(
        window=window, actor=request.user, to_area=to_area, to_window=to_window, position=payload.position, note=payload.note
    )
    return window_state(window)


# --- hall manager --------------------------------------------------------------------------------


@router.get(
    "/points/{point_uuid}/overview",
    response={200: OverviewOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    auth=session_auth,
    summary="Hall manager: live figures",
)
def point_overview(request: HttpRequest, point_uuid: UUID) -> Any:
    from .stats import day_figures

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
