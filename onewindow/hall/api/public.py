"""Public reads for kiosks, boards and phones (numbers only, no personal data) and taking a ticket
(the kiosk's hot path, and the signed-in person's)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Status

from onewindow.accounts.models import Role
from onewindow.core.apikit import ErrorOut, PageParams, page_of, paginate
from onewindow.core.errors import NotFound, PermissionDenied, ValidationFailed

from .. import selectors, services
from ..models import Ticket
from .base import _area, _ticket_out, announce_text, kiosk_auth, router, session_auth
from .schemas import AreaOut, CallOut, IssuedTicketOut, PointOut, TicketIn, TicketStatusOut

# Operation ids name the module these operations were first written in (config/api.py).
OPERATION_IDS_MODULE = "onewindow.hall.api"


# --- public --------------------------------------------------------------------------------------


@router.get("/points", response=page_of(PointOut), auth=None, summary="Service points (public)")
def list_points(request: HttpRequest, params: Query[PageParams]) -> Any:
    from ..models import ServicePoint

    return paginate(ServicePoint.objects.order_by("code"), params, lambda p: {"uuid": p.uuid, "code": p.code, "name": p.name})


@router.get(
    "/points/{point_uuid}/areas", response={200: page_of(AreaOut), 404: ErrorOut}, auth=None, summary="Areas and waiting counts"
)
def point_areas(request: HttpRequest, params: Query[PageParams], point_uuid: UUID) -> Any:
    point = selectors.point_by_uuid(point_uuid)
    if point is None:
        raise NotFound()
    counts = selectors.waiting_counts(point)
    return paginate(
        selectors.open_areas(point),
        params,
        lambda a: {
            "uuid": a.uuid,
            "code": a.code,
            "name": a.name,
            "theme": a.theme,
            "prefix": a.ticket_prefix,
            "waiting": counts.get(a.pk, 0),
            "require_id_number": a.require_id_number,
        },
    )


@router.get("/points/{point_uuid}/calls", response={200: page_of(CallOut), 404: ErrorOut}, auth=None, summary="Board: calls")
def point_calls(request: HttpRequest, params: Query[PageParams], point_uuid: UUID, after: int | None = None) -> Any:
    """Today's calls at the point, oldest first; `after` = the last id the board has seen."""
    point = selectors.point_by_uuid(point_uuid)
    if point is None:
        raise NotFound()
    return paginate(
        selectors.board_calls(point, after=after),
        params,
        lambda c: {
            "id": c.id,
            "number": c.number,
            "window": c.window,
            "at": c.at,
            "recall": c.recall,
            "text": announce_text(c.number, c.window),
        },
    )


@router.get("/tickets/{ticket_uuid}", response={200: TicketStatusOut, 404: ErrorOut}, auth=None, summary="Follow a ticket")
def ticket_status(request: HttpRequest, ticket_uuid: UUID) -> Any:
    t = selectors.ticket_by_uuid(ticket_uuid)
    if t is None:
        raise NotFound()
    return _ticket_out(t)


# --- taking tickets ------------------------------------------------------------------------------


@router.post(
    "/kiosk/tickets",
    response={201: IssuedTicketOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
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
        from ..kiosk import green_request

        green_request(ticket_uuid=ticket_uuid)
    return Status(201, {"uuid": ticket_uuid, "number": number, "business_date": day.isoformat(), "status": Ticket.Status.WAITING})


@router.post(
    "/tickets",
    response={201: IssuedTicketOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
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
