"""The window's clerk (signed in to the window): state and queue, sign in and out, call, recall,
hold, resume, transfer."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Schema

from onewindow.core.apikit import ErrorOut
from onewindow.core.errors import NotFound

from .. import selectors, services
from ..models import Ticket, Window
from .base import _area, _window_for_staff, router, session_auth
from .schemas import CallSpecificIn, TransferIn, WindowOut

# Operation ids name the module these operations were first written in (config/api.py).
OPERATION_IDS_MODULE = "onewindow.hall.api"


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
