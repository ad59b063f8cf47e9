"""Taking a ticket: at the desk or kiosk, with the per-(area, day) counter and the per-person limit."""

from __future__ import annotations

import hmac
import uuid as uuid_lib
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from onewindow.core.fieldcrypto import blind_index, encrypt
from onewindow.core.identity import validate_resident_id

from ..days import business_date
from ..models import ServiceArea, Ticket
from ._common import PRIORITY_RANK, K, S, _d, _dt, _uuid, format_number, person_key
from .sql import _COUNTER_UPSERT, _EVENT_INSERT, _PERSON_UPSERT, _PG_ISSUE, _PG_KIOSK_ISSUE, _TICKET_INSERT


def _issue_rows(params: dict[str, Any], prefix: str) -> tuple[int, int, str, datetime] | None:
    """Number a ticket: (id, seq, number, queue_at). The place in line (queue_at) is taken while the
    area's counter is held (PostgreSQL: clock_timestamp() in the statement, after the counter row is
    locked; SQLite: the clock read inside the write transaction), so within an area the line is in
    number order however many kiosks take tickets at once. Reading the clock before the numbering
    statement let concurrent takers get numbers in one order and places in another."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(_PG_ISSUE, {**params, "prefix": prefix})
            row = cur.fetchone()
            return (row[0], row[1], row[2], row[3]) if row else None
        with transaction.atomic():
            cur.execute(_COUNTER_UPSERT, params)
            row = cur.fetchone()
            if row is None:
                return None
            seq = row[0]
            number = format_number(prefix, seq)
            queue_at = timezone.now()  # the write lock is held: no other taker numbers in between
            cur.execute(_TICKET_INSERT, {**params, "seq": seq, "number": number, "queue_at": _dt(queue_at)})
            ticket_id = cur.fetchone()[0]
            cur.execute(
                _EVENT_INSERT,
                {
                    "kind": K.ISSUED,
                    "now": params["now"],
                    "actor": params["actor"],
                    "window": None,
                    "note": params["source"],
                    "ticket": ticket_id,
                },
            )
            return ticket_id, seq, number, queue_at


# Remote tickets (taken on the phone or online, without coming to the hall) per person, per area and
# business day where the area sets no limit of its own: never unlimited (issue 13: one account took
# 30 in a row). A setting; an area's own `per_person_daily_limit` (1-100) overrides it.
REMOTE_TICKETS_PER_PERSON_DEFAULT = 2


def person_daily_limit(area: ServiceArea, source: str) -> int:
    """The most tickets one ID number may take in `area` today through `source` (0 = no limit).
    Remote tickets always have one: the area's own limit, else `ONEWINDOW_REMOTE_TICKETS_PER_PERSON`."""
    if area.per_person_daily_limit:
        return int(area.per_person_daily_limit)
    if source == Ticket.Source.PHONE:
        return int(getattr(settings, "ONEWINDOW_REMOTE_TICKETS_PER_PERSON", REMOTE_TICKETS_PER_PERSON_DEFAULT))
    return 0


def remote_id_number(user: Any, id_number: str | None = None) -> str:
    """The ID number a remote (phone / online) ticket of `user` is bound to: the account's own, once
    real-name verified (`verified_at`, set only when the identity backend confirms it). Raises
    ValidationFailed `not_verified` otherwise, or when another number is asked for."""
    own = (getattr(user, "id_number", None) or "") if getattr(user, "is_authenticated", False) else ""
    if not own or getattr(user, "verified_at", None) is None:
        raise ValidationFailed(_("远程取号需先完成实名认证。"), code="not_verified")
    if id_number and id_number != own:
        raise ValidationFailed(_("远程取号只能使用本人已认证的身份证号码。"), code="not_own_id")
    return str(own)


def ticket_issue(
    *,
    area: ServiceArea,
    source: str,
    actor: Any = None,
    id_number: str | None = None,
    priority: str = "normal",
    booking_ref: str = "",
    phone: str = "",
) -> Ticket:
    """Take a ticket in `area`. Raises ValidationFailed for bad input and Conflict when the area's
    daily cap or the person's daily limit is reached; changes nothing in either case."""
    if source not in Ticket.Source.values:
        raise ValidationFailed(_("未知的取号方式。"), fields={"source": [_("未知的取号方式。")]})
    if priority not in Ticket.Priority.values:
        raise ValidationFailed(_("未知的优先级。"), fields={"priority": [_("未知的优先级。")]})
    if source == Ticket.Source.PHONE:
        # A remote ticket is bound to the real-name ID of the account that takes it, and so is its
        # limit: the number of a verified account only (one number is verified for one account), so
        # two accounts of one person share one count and nobody queues on another's number.
        id_number = remote_id_number(actor, id_number)
    number_id = validate_resident_id(id_number) if id_number else ""
    if area.require_id_number and not number_id:
        raise ValidationFailed(_("该服务区需凭身份证取号。"), code="id_required", fields={"id_number": [_("请输入身份证号码。")]})
    phone = (phone or "").strip()[:20]
    booking_ref = (booking_ref or "").strip()[:40]
    now = timezone.now()
    bd = business_date(now)
    ticket_uuid = uuid_lib.uuid4()
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    params = {
        "area": area.pk,
        "point": area.point_id,
        "bd": _d(bd),
        "now": _dt(now),
        "uuid": _uuid(ticket_uuid),
        "source": source,
        "priority": priority,
        "rank": PRIORITY_RANK[priority],
        # Raw SQL bypasses the model fields: encrypt and hash here as they would.
        "id_number": encrypt(number_id) if number_id else "",
        "id_number_hash": blind_index(number_id) or "",
        "phone": encrypt(phone) if phone else "",
        "phone_hash": blind_index(phone) or "",
        "booking_ref": booking_ref,
        "actor": actor_id,
    }
    limit = person_daily_limit(area, source) if number_id else 0
    if limit:
        # Per-person limit: both counters in one transaction, so a refused ticket uses up nothing.
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                _PERSON_UPSERT,
                {"area": area.pk, "bd": _d(bd), "key": person_key(number_id), "limit": limit},
            )
            if cur.fetchone() is None:
                raise Conflict(_("您今天在该服务区的取号次数已达上限。"), code="person_limit")
            row = _issue_rows(params, area.ticket_prefix)
            if row is None:
                raise Conflict(_("该服务区今日号源已取完。"), code="daily_cap")
    else:
        row = _issue_rows(params, area.ticket_prefix)
        if row is None:
            raise Conflict(_("该服务区今日号源已取完。"), code="daily_cap")
    ticket_id, seq, number, queue_at = row
    ticket = Ticket(
        id=ticket_id,
        uuid=ticket_uuid,
        created_at=now,
        updated_at=now,
        area=area,
        issue_area=area,
        point_id=area.point_id,
        business_date=bd,
        seq=seq,
        number=number,
        source=source,
        priority=priority,
        priority_rank=PRIORITY_RANK[priority],
        status=S.WAITING,
        issued_at=now,
        queue_at=queue_at,
        id_number=number_id,
        phone=phone,
        booking_ref=booking_ref,
        issued_by_id=actor_id,
        call_count=0,
    )
    ticket._state.adding = False
    ticket._state.db = connection.alias
    return ticket


def kiosk_ticket_issue(
    *, area_uuid: uuid_lib.UUID, token: str, priority: str = "normal", id_number: str = ""
) -> tuple[uuid_lib.UUID, str, date]:
    """A kiosk device takes a ticket: (ticket uuid, number, business date). On PostgreSQL, for areas
    that do not bind tickets to ID numbers, this is ONE statement; otherwise, and to name the reason
    of any refusal, it goes through `ticket_issue`."""
    if priority not in (Ticket.Priority.NORMAL, Ticket.Priority.GREEN):
        raise ValidationFailed(_("未知的优先级。"), fields={"priority": [_("未知的优先级。")]})
    if connection.vendor == "postgresql" and not id_number and token:
        now = timezone.now()
        bd = business_date(now)
        ticket_uuid = uuid_lib.uuid4()
        with connection.cursor() as cur:
            cur.execute(
                _PG_KIOSK_ISSUE,
                {
                    "area_uuid": area_uuid,
                    "token": token,
                    "bd": bd,
                    "now": now,
                    "uuid": ticket_uuid,
                    "priority": priority,
                    "rank": PRIORITY_RANK[priority],
                },
            )
            row = cur.fetchone()
        if row:
            return ticket_uuid, row[0], bd
    area = ServiceArea.objects.select_related("point").filter(uuid=area_uuid).order_by().first()
    if area is None:
        raise NotFound(_("服务区不存在。"))
    if not area.point.kiosk_token or not hmac.compare_digest(area.point.kiosk_token, token or ""):
        raise PermissionDenied(_("取号机令牌无效。"), code="bad_kiosk_token")
    t = ticket_issue(area=area, source=Ticket.Source.KIOSK, id_number=id_number or None, priority=priority)
    return t.uuid, t.number, t.business_date
