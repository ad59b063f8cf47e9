"""Kiosk pages bound to a registered device, rate limited, and a green channel that staff confirm.

The kiosk API proves the device with the point's token (header X-Kiosk-Token). The kiosk PAGES do
the same thing, so they take the same lock: a hall manager signs in on the kiosk once and
registers it (`device_register`), which stores the point's token in an HttpOnly cookie; every
kiosk page and action of that point then checks it. Rotating the token (`device_token_rotate`)
unregisters every device of the point at once.

A ticket asked for with the green channel (老年人、残疾人、孕妇、军人) waits in the normal line,
marked as a request, until a member of staff who sees the person confirms it (`green_confirm`):
anyone on the network could tick the box, nobody can show a staff member a false reason.
"""

from __future__ import annotations

import datetime
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from onewindow.core import ratelimit
from onewindow.core.audit import audit
from onewindow.core.clientip import client_ip
from onewindow.core.errors import Conflict, NotFound, PermissionDenied

from . import selectors
from .models import ServiceArea, ServicePoint, Ticket
from .services import PRIORITY_RANK, business_date, ticket_issue

KIOSK_COOKIE = "ow_kiosk"
# A kiosk serves one person at a time: a ticket every few seconds is the most a real queue needs.
KIOSK_ACTIONS_PER_MINUTE = 20


def device_token(request: HttpRequest) -> str:
    return request.COOKIES.get(KIOSK_COOKIE, "")


def is_registered(request: HttpRequest, point: ServicePoint) -> bool:
    token = device_token(request)
    return bool(point.kiosk_token) and bool(token) and hmac.compare_digest(point.kiosk_token.encode(), token.encode())


def require_device(request: HttpRequest, point: ServicePoint) -> str:
    """The device's token, or PermissionDenied for a browser that is not a registered kiosk of
    this point (also a kiosk of another point)."""
    if not is_registered(request, point):
        raise PermissionDenied(_("这台设备没有登记为本场所的取号机。请大厅管理员在本机登录后登记。"), code="kiosk_not_registered")
    return device_token(request)


def throttle(request: HttpRequest, point: ServicePoint, action: str) -> None:
    ip = client_ip(request) or "-"
    ratelimit.hit(
        f"kiosk:{action}:{point.pk}:{ip}",
        limit=KIOSK_ACTIONS_PER_MINUTE,
        per=datetime.timedelta(minutes=1),
        message=str(_("操作太频繁，请稍后再试，或到服务台请工作人员帮忙。")),
    )


def _ensure_token(point: ServicePoint, *, actor: Any, rotate: bool) -> str:
    with transaction.atomic():
        locked = ServicePoint.objects.select_for_update().get(pk=point.pk)
        if rotate or not locked.kiosk_token:
            locked.kiosk_token = secrets.token_urlsafe(32)
            locked.save(update_fields=["kiosk_token", "updated_at"])
            audit(actor=actor, action="hall.kiosk_token_rotate", target=locked)
        point.kiosk_token = locked.kiosk_token
        return locked.kiosk_token


def device_register(*, request: HttpRequest, point: ServicePoint, response: HttpResponse) -> None:
    """A hall manager of the point registers the browser they are using as one of its kiosks."""
    if not selectors.can_manage(request.user, point):
        raise PermissionDenied()
    token = _ensure_token(point, actor=request.user, rotate=False)
    with transaction.atomic():
        audit(actor=request.user, action="hall.kiosk_register", target=point, data={"ip": client_ip(request)})
    response.set_cookie(
        KIOSK_COOKIE,
        token,
        max_age=5 * 365 * 86400,
        httponly=True,
        samesite="Strict",
        secure=bool(getattr(settings, "SESSION_COOKIE_SECURE", False)),
    )


def device_token_rotate(*, point: ServicePoint, actor: Any) -> None:
    """A new token: every kiosk (pages and API devices) of the point must be registered again."""
    if not selectors.can_manage(actor, point):
        raise PermissionDenied()
    _ensure_token(point, actor=actor, rotate=True)


def kiosk_take(*, area: ServiceArea, id_number: str | None, green: bool) -> Ticket:
    """The kiosk page's ticket: a normal one, marked as a green-channel request if asked."""
    with transaction.atomic():
        ticket = ticket_issue(area=area, source=Ticket.Source.KIOSK, id_number=id_number, priority=Ticket.Priority.NORMAL)
        if green:
            green_request(ticket_uuid=ticket.uuid)
            ticket.green_requested = True
    return ticket


def green_request(*, ticket_uuid: Any) -> None:
    Ticket.objects.filter(uuid=ticket_uuid, status=Ticket.Status.WAITING).update(green_requested=True)


def green_requests(point: ServicePoint) -> list[Ticket]:
    """Today's waiting tickets whose holder asked for the green channel at a kiosk."""
    return list(
        Ticket.objects.filter(point=point, business_date=business_date(), status=Ticket.Status.WAITING, green_requested=True)
        .select_related("area")
        .order_by("issued_at")
    )


def green_confirm(*, point: ServicePoint, ticket_uuid: Any, actor: Any, approve: bool = True) -> Ticket:
    """Staff of the point saw the person: the ticket moves to the green channel (or the request is
    declined and it keeps its normal place). One conditional UPDATE: a ticket called meanwhile is
    left as it is."""
    if not selectors.can_work_at(actor, point):
        raise PermissionDenied()
    ticket = Ticket.objects.filter(uuid=ticket_uuid, point=point).select_related("area").first()
    if ticket is None:
        raise NotFound()
    changes: dict[str, Any] = {"green_requested": False}
    if approve:
        changes |= {"priority": Ticket.Priority.GREEN, "priority_rank": PRIORITY_RANK[Ticket.Priority.GREEN]}
    with transaction.atomic():
        if not Ticket.objects.filter(pk=ticket.pk, status=Ticket.Status.WAITING, green_requested=True).update(**changes):
            raise Conflict(_("该号已被叫号或已处理。"), code="green_gone")
        audit(actor=actor, action="hall.green_confirm" if approve else "hall.green_decline", target=ticket)
    ticket.refresh_from_db()
    return ticket
