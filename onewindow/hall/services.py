"""Writes of the hall: taking tickets, window actions, window sessions, area settings, the day's close.

Concurrency is the database's job here:
- A ticket number comes from one conditional upsert of the per-(area, day) counter
  (`... DO UPDATE SET n = n + 1 WHERE n < cap RETURNING n`). On PostgreSQL the counter, the ticket
  and its "issued" event are written by ONE self-committing statement (data-modifying CTEs), so the
  counter row's lock is held for the statement only, never while Python runs. On SQLite the same
  three statements run in one short IMMEDIATE transaction (SQLite has a single writer anyway).
- A window claims the next ticket with a conditional UPDATE (`WHERE status = 'waiting'`), on
  PostgreSQL picked with `FOR UPDATE SKIP LOCKED`; the row count decides, and an empty claim while
  tickets still wait is retried. A partial unique index keeps one current ticket per window.
- TicketEvent rows are the audit record of tickets (written in the same statement/transaction as
  the change); settings and window sessions write core AuditEntry rows.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import uuid as uuid_lib
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.core.audit import audit
from onewindow.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from onewindow.core.identity import validate_resident_id

from .models import ServiceArea, ServicePoint, Ticket, TicketEvent, Window, WindowArea, WindowSession

SHANGHAI = ZoneInfo("Asia/Shanghai")

PRIORITY_RANK: dict[str, int] = {Ticket.Priority.APPOINTMENT: 1, Ticket.Priority.GREEN: 2, Ticket.Priority.NORMAL: 3}
RANK_FRONT = 0  # transferred "to the front of the line"

S = Ticket.Status
K = TicketEvent.Kind


def business_date(now: datetime | None = None) -> date:
    """The hall's business day: the calendar date in Asia/Shanghai."""
    return (now or timezone.now()).astimezone(SHANGHAI).date()


def format_number(prefix: str, seq: int) -> str:
    return f"{prefix}{seq:03d}"


def person_key(id_number: str) -> str:
    """A keyed hash of an ID number, so the per-person counter never stores the number itself."""
    return hmac.new(settings.SECRET_KEY.encode(), id_number.encode(), hashlib.sha256).hexdigest()


# --- taking a ticket -----------------------------------------------------------------------------

_PG_ISSUE = """
WITH c AS (
    INSERT INTO hall_areadaycounter (area_id, business_date, n)
    SELECT %(area)s, %(bd)s, 1 WHERE (SELECT daily_cap FROM hall_servicearea WHERE id = %(area)s) > 0
    ON CONFLICT (area_id, business_date) DO UPDATE SET n = hall_areadaycounter.n + 1
    WHERE hall_areadaycounter.n < (SELECT daily_cap FROM hall_servicearea WHERE id = %(area)s)
    RETURNING n
), t AS (
    INSERT INTO hall_ticket (uuid, created_at, updated_at, area_id, issue_area_id, point_id, business_date, seq, number,
        source, priority, priority_rank, status, issued_at, queue_at, id_number, phone, booking_ref, issued_by_id, call_count)
    SELECT %(uuid)s, %(now)s, %(now)s, %(area)s, %(area)s, %(point)s, %(bd)s, c.n,
        %(prefix)s || CASE WHEN c.n < 1000 THEN lpad(c.n::text, 3, '0') ELSE c.n::text END,
        %(source)s, %(priority)s, %(rank)s, 'waiting', %(now)s, clock_timestamp(), %(id_number)s, %(phone)s, %(booking_ref)s,
        %(actor)s, 0
    FROM c
    RETURNING id, seq, number, queue_at
), e AS (
    INSERT INTO hall_ticketevent (ticket_id, kind, at, actor_id, window_id, area_id, point_id, business_date, note)
    SELECT t.id, 'issued', %(now)s, %(actor)s, NULL, %(area)s, %(point)s, %(bd)s, %(source)s FROM t
)
SELECT id, seq, number, queue_at FROM t
"""

_COUNTER_UPSERT = """
INSERT INTO hall_areadaycounter (area_id, business_date, n)
SELECT %(area)s, %(bd)s, 1 WHERE (SELECT daily_cap FROM hall_servicearea WHERE id = %(area)s) > 0
ON CONFLICT (area_id, business_date) DO UPDATE SET n = hall_areadaycounter.n + 1
WHERE hall_areadaycounter.n < (SELECT daily_cap FROM hall_servicearea WHERE id = %(area)s)
RETURNING n
"""

_TICKET_INSERT = """
INSERT INTO hall_ticket (uuid, created_at, updated_at, area_id, issue_area_id, point_id, business_date, seq, number,
    source, priority, priority_rank, status, issued_at, queue_at, id_number, phone, booking_ref, issued_by_id, call_count)
VALUES (%(uuid)s, %(now)s, %(now)s, %(area)s, %(area)s, %(point)s, %(bd)s, %(seq)s, %(number)s,
    %(source)s, %(priority)s, %(rank)s, 'waiting', %(now)s, %(queue_at)s, %(id_number)s, %(phone)s, %(booking_ref)s, %(actor)s, 0)
RETURNING id
"""

_EVENT_INSERT = """
INSERT INTO hall_ticketevent (ticket_id, kind, at, actor_id, window_id, area_id, point_id, business_date, note)
SELECT id, %(kind)s, %(now)s, %(actor)s, %(window)s, area_id, point_id, business_date, %(note)s FROM hall_ticket WHERE id = %(ticket)s
"""

_PERSON_UPSERT = """
INSERT INTO hall_persondaycounter (area_id, business_date, person_key, n) VALUES (%(area)s, %(bd)s, %(key)s, 1)
ON CONFLICT (area_id, business_date, person_key) DO UPDATE SET n = hall_persondaycounter.n + 1
WHERE hall_persondaycounter.n < %(limit)s
RETURNING n
"""


def _dt(value: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _d(value: date) -> Any:
    return connection.ops.adapt_datefield_value(value)


def _uuid(value: uuid_lib.UUID) -> Any:
    return Ticket._meta.get_field("uuid").get_db_prep_value(value, connection)


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
        "id_number": number_id,
        "phone": phone,
        "booking_ref": booking_ref,
        "actor": actor_id,
    }
    if number_id and area.per_person_daily_limit:
        # Per-person limit: both counters in one transaction, so a refused ticket uses up nothing.
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                _PERSON_UPSERT,
                {"area": area.pk, "bd": _d(bd), "key": person_key(number_id), "limit": area.per_person_daily_limit},
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


# The kiosk's whole request in one self-committing statement: the area (by UUID, with its point's
# device token), the counter, the ticket and its event. Any refusal returns no row; the slow path
# then names the reason.
_PG_KIOSK_ISSUE = """
WITH a AS (
    SELECT a.id, a.point_id, a.ticket_prefix FROM hall_servicearea a JOIN hall_servicepoint p ON p.id = a.point_id
    WHERE a.uuid = %(area_uuid)s AND p.kiosk_token = %(token)s AND p.kiosk_token <> '' AND NOT a.require_id_number
      AND a.daily_cap > 0
), c AS (
    INSERT INTO hall_areadaycounter (area_id, business_date, n)
    SELECT a.id, %(bd)s, 1 FROM a
    ON CONFLICT (area_id, business_date) DO UPDATE SET n = hall_areadaycounter.n + 1
    WHERE hall_areadaycounter.n < (SELECT daily_cap FROM hall_servicearea WHERE id = excluded.area_id)
    RETURNING area_id, n
), t AS (
    INSERT INTO hall_ticket (uuid, created_at, updated_at, area_id, issue_area_id, point_id, business_date, seq, number,
        source, priority, priority_rank, status, issued_at, queue_at, id_number, phone, booking_ref, issued_by_id, call_count)
    SELECT %(uuid)s, %(now)s, %(now)s, a.id, a.id, a.point_id, %(bd)s, c.n,
        a.ticket_prefix || CASE WHEN c.n < 1000 THEN lpad(c.n::text, 3, '0') ELSE c.n::text END,
        'kiosk', %(priority)s, %(rank)s, 'waiting', %(now)s, clock_timestamp(), '', '', '', NULL, 0
    FROM c JOIN a ON a.id = c.area_id
    RETURNING id, area_id, point_id, number
), e AS (
    INSERT INTO hall_ticketevent (ticket_id, kind, at, actor_id, window_id, area_id, point_id, business_date, note)
    SELECT t.id, 'issued', %(now)s, NULL, NULL, t.area_id, t.point_id, %(bd)s, 'kiosk' FROM t
)
SELECT number FROM t
"""


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


def average_service_minutes(area: ServiceArea, *, day: date | None = None) -> float:
    """Mean service time of the area's last 20 finished tickets today, else the area's default."""
    rows = list(
        Ticket.objects.filter(area=area, business_date=day or business_date(), status=S.FINISHED, called_at__isnull=False)
        .order_by("-finished_at")
        .values_list("called_at", "started_at", "finished_at")[:20]
    )
    spans = [(fin - begin).total_seconds() / 60 for called, start, fin in rows if fin and (begin := start or called)]
    spans = [s for s in spans if s > 0]
    return sum(spans) / len(spans) if spans else float(area.default_service_minutes)


def open_window_count(area: ServiceArea) -> int:
    return (
        WindowSession.objects.filter(ended_at__isnull=True, window__is_active=True, window__windowarea__area=area)
        .values("window")
        .distinct()
        .count()
    )


def ticket_position(ticket: Ticket) -> tuple[int, int]:
    """(tickets ahead in its area's line, estimated wait in minutes). (0, 0) once called."""
    if ticket.status != S.WAITING:
        return 0, 0
    r, q = ticket.priority_rank, ticket.queue_at
    ahead = (
        Ticket.objects.filter(area_id=ticket.area_id, business_date=ticket.business_date, status=S.WAITING)
        .filter(Q(priority_rank__lt=r) | Q(priority_rank=r, queue_at__lt=q) | Q(priority_rank=r, queue_at=q, id__lt=ticket.pk))
        .count()
    )
    area = ticket.area
    windows = max(1, open_window_count(area))
    minutes = math.ceil(ahead * average_service_minutes(area, day=ticket.business_date) / windows) if ahead else 0
    return ahead, minutes


# --- window sessions -----------------------------------------------------------------------------


def window_sign_in(*, window: Window, actor: Any) -> WindowSession:
    from .selectors import can_work_at

    if not can_work_at(actor, window.point):
        raise PermissionDenied()
    if not window.is_active:
        raise Conflict(_("该窗口已停用。"), code="window_inactive")
    now = timezone.now()
    with transaction.atomic():
        current = WindowSession.objects.filter(window=window, user=actor, ended_at__isnull=True).first()
        if current:
            return current
        # A staff member works at one window at a time: signing in here ends the other shift.
        WindowSession.objects.filter(user=actor, ended_at__isnull=True).update(ended_at=now, updated_at=now)
        try:
            with transaction.atomic():
                session = WindowSession.objects.create(window=window, user=actor, started_at=now)
        except IntegrityError:
            raise Conflict(_("该窗口已有工作人员签到。"), code="window_taken") from None
        audit(actor=actor, action="hall.window.sign_in", target=window, data={"session": str(session.uuid)})
        return session


def window_sign_out(*, window: Window, actor: Any) -> None:
    now = timezone.now()
    with transaction.atomic():
        n = WindowSession.objects.filter(window=window, user=actor, ended_at__isnull=True).update(ended_at=now, updated_at=now)
        if n != 1:
            raise Conflict(_("您未在该窗口签到。"), code="not_signed_in")
        audit(actor=actor, action="hall.window.sign_out", target=window)


def _require_session(window: Window, actor: Any) -> None:
    if (
        not getattr(actor, "is_authenticated", False)
        or not WindowSession.objects.filter(window_id=window.pk, user_id=actor.pk, ended_at__isnull=True).exists()
    ):
        raise PermissionDenied(_("请先签到该窗口。"), code="not_signed_in")


# --- window actions ------------------------------------------------------------------------------


def _event(*, ticket_id: int, kind: str, now: datetime, actor: Any, window: Window | None, note: str = "") -> None:
    with connection.cursor() as cur:
        cur.execute(
            _EVENT_INSERT,
            {
                "kind": kind,
                "now": _dt(now),
                "actor": actor.pk if actor else None,
                "window": window.pk if window else None,
                "note": note[:200],
                "ticket": ticket_id,
            },
        )


_PG_FINISH_CURRENT = """
WITH d AS (
    UPDATE hall_ticket SET status = 'finished', finished_at = %(now)s, updated_at = %(now)s
    WHERE window_id = %(w)s AND status IN ('called', 'serving')
    RETURNING id, area_id, point_id, business_date
)
INSERT INTO hall_ticketevent (ticket_id, kind, at, actor_id, window_id, area_id, point_id, business_date, note)
SELECT id, 'finished', %(now)s, %(u)s, %(w)s, area_id, point_id, business_date, '' FROM d
"""


def _finish_current(window: Window, actor: Any, now: datetime) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(_PG_FINISH_CURRENT, {"w": window.pk, "u": actor.pk, "now": _dt(now)})
        return
    for ticket_id in list(Ticket.objects.filter(window=window, status__in=[S.CALLED, S.SERVING]).values_list("id", flat=True)):
        n = Ticket.objects.filter(id=ticket_id, window=window, status__in=[S.CALLED, S.SERVING]).update(
            status=S.FINISHED, finished_at=now, updated_at=now
        )
        if n:
            _event(ticket_id=ticket_id, kind=K.FINISHED, now=now, actor=actor, window=window)


# One area's line, read through hall_ticket_queue_idx and stopped at the first row nobody else has
# locked; the outer UPDATE re-checks the status, so a ticket is never handed to two windows.
_PG_CLAIM = """
WITH pick AS (
    SELECT t.id FROM hall_ticket t
    WHERE t.area_id = %(area)s AND t.status = 'waiting' AND t.business_date = %(bd)s
      AND (t.target_window_id IS NULL OR t.target_window_id = %(w)s)
    ORDER BY t.priority_rank, t.queue_at, t.id
    LIMIT 1
    FOR UPDATE SKIP LOCKED
), claimed AS (
    UPDATE hall_ticket t SET status = 'called', window_id = %(w)s, clerk_id = %(u)s, called_at = COALESCE(t.called_at, %(now)s),
        call_count = 1, updated_at = %(now)s, target_window_id = NULL
    FROM pick WHERE t.id = pick.id AND t.status = 'waiting'
    RETURNING {ticket_columns}
), e AS (
    INSERT INTO hall_ticketevent (ticket_id, kind, at, actor_id, window_id, area_id, point_id, business_date, note)
    SELECT id, 'called', %(now)s, %(u)s, %(w)s, area_id, point_id, business_date, '' FROM claimed
)
SELECT * FROM claimed
""".replace("{ticket_columns}", ", ".join(f"t.{f.column}" for f in Ticket._meta.concrete_fields))

_TICKET_ATTNAMES = [f.attname for f in Ticket._meta.concrete_fields]

_SQLITE_CLAIM = """
UPDATE hall_ticket SET status = 'called', window_id = %(w)s, clerk_id = %(u)s, called_at = COALESCE(called_at, %(now)s),
    call_count = 1, updated_at = %(now)s, target_window_id = NULL
WHERE status = 'waiting' AND id = (
    SELECT t.id FROM hall_ticket t
    WHERE t.area_id = %(area)s AND t.status = 'waiting' AND t.business_date = %(bd)s
      AND (t.target_window_id IS NULL OR t.target_window_id = %(w)s)
    ORDER BY t.priority_rank, t.queue_at, t.id
    LIMIT 1)
RETURNING id
"""

# The areas a window serves, in its priority order - empty unless `actor` has an open shift there.
_WINDOW_AREAS_IF_SIGNED_IN = """
SELECT wa.area_id FROM hall_windowarea wa
WHERE wa.window_id = %(w)s AND EXISTS (
    SELECT 1 FROM hall_windowsession s WHERE s.window_id = %(w)s AND s.user_id = %(u)s AND s.ended_at IS NULL)
ORDER BY wa.priority, wa.id
"""


# PostgreSQL: finish the window's current ticket and claim the next one in ONE self-committing
# statement. `gate` makes the claim depend on the finish, so the finish has run before the claim
# writes (the one-current-ticket-per-window index then sees the old row as already updated).
_PG_FINISH_AND_CLAIM = """
WITH done AS (
    UPDATE hall_ticket SET status = 'finished', finished_at = %(now)s, updated_at = %(now)s
    WHERE window_id = %(w)s AND status IN ('called', 'serving')
    RETURNING id, area_id, point_id, business_date
), done_ev AS (
    INSERT INTO hall_ticketevent (ticket_id, kind, at, actor_id, window_id, area_id, point_id, business_date, note)
    SELECT id, 'finished', %(now)s, %(u)s, %(w)s, area_id, point_id, business_date, '' FROM done
), gate AS (
    SELECT count(*) AS n FROM done
), pick AS (
    SELECT t.id FROM hall_ticket t, gate
    WHERE gate.n >= 0 AND t.area_id = %(area)s AND t.status = 'waiting' AND t.business_date = %(bd)s
      AND (t.target_window_id IS NULL OR t.target_window_id = %(w)s)
    ORDER BY t.priority_rank, t.queue_at, t.id
    LIMIT 1
    FOR UPDATE OF t SKIP LOCKED
), claimed AS (
    UPDATE hall_ticket t SET status = 'called', window_id = %(w)s, clerk_id = %(u)s, called_at = COALESCE(t.called_at, %(now)s),
        call_count = 1, updated_at = %(now)s, target_window_id = NULL
    FROM pick WHERE t.id = pick.id AND t.status = 'waiting'
    RETURNING {ticket_columns}
), e AS (
    INSERT INTO hall_ticketevent (ticket_id, kind, at, actor_id, window_id, area_id, point_id, business_date, note)
    SELECT id, 'called', %(now)s, %(u)s, %(w)s, area_id, point_id, business_date, '' FROM claimed
)
SELECT * FROM claimed
""".replace("{ticket_columns}", ", ".join(f"t.{f.column}" for f in Ticket._meta.concrete_fields))


def _pg_claim(sql: str, params: dict[str, Any]) -> Any:
    """Run one claim statement; inside a caller's transaction, under a savepoint so a refused
    statement does not poison it."""
    if connection.in_atomic_block:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchone()
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()


def _pg_call_next(*, window_id: int, areas: list[int], actor: Any) -> Ticket | None:
    now = timezone.now()
    bd = business_date(now)
    params = {"w": window_id, "u": actor.pk, "now": now, "bd": bd}
    finished = False
    for area_id in areas:
        for _attempt in range(5):
            sql = _PG_CLAIM if finished else _PG_FINISH_AND_CLAIM
            try:
                row = _pg_claim(sql, {**params, "area": area_id})
            except IntegrityError:
                # Another request of this same window claimed at the same moment (a double click):
                # the one-current-ticket index refused ours. Nothing was written.
                raise Conflict(_("号码状态已变化，请刷新。"), code="stale") from None
            finished = True
            if row:
                return Ticket.from_db(connection.alias, _TICKET_ATTNAMES, row)
            # Nothing claimed: either nobody waits here, or every candidate was taken by another
            # window between our snapshot and our lock (SKIP LOCKED); look again.
            if (
                not Ticket.objects.filter(status=S.WAITING, business_date=bd, area_id=area_id)
                .filter(Q(target_window__isnull=True) | Q(target_window_id=window_id))
                .exists()
            ):
                break
    return None


def call_next(*, window: Window, actor: Any) -> Ticket | None:
    """Finish the window's current ticket (if any) and call the next one by the rules: the window's
    areas in their priority order, within an area appointment / green channel / arrival order.
    None when nobody waits."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("请先签到该窗口。"), code="not_signed_in")
    now = timezone.now()
    bd = business_date(now)
    params = {"w": window.pk, "u": actor.pk, "now": _dt(now), "bd": _d(bd)}
    with connection.cursor() as cur:
        cur.execute(_WINDOW_AREAS_IF_SIGNED_IN, params)
        areas = [r[0] for r in cur.fetchall()]
    if not areas:
        _require_session(window, actor)  # raises when not signed in; otherwise the window serves no area
        return None
    if connection.vendor == "postgresql":
        return _pg_call_next(window_id=window.pk, areas=areas, actor=actor)
    with transaction.atomic():
        _finish_current(window, actor, now)
        for area_id in areas:
            with connection.cursor() as cur:
                cur.execute(_SQLITE_CLAIM, {**params, "area": area_id})
                row = cur.fetchone()
            if row:
                _event(ticket_id=row[0], kind=K.CALLED, now=now, actor=actor, window=window)
                return Ticket.objects.get(id=row[0])
    return None


# The window (by UUID) and its areas in priority order - only with the actor's open shift there.
_WINDOW_BY_UUID_IF_SIGNED_IN = """
SELECT w.id, w.number, wa.area_id FROM hall_window w JOIN hall_windowarea wa ON wa.window_id = w.id
WHERE w.uuid = %(wu)s AND EXISTS (
    SELECT 1 FROM hall_windowsession s WHERE s.window_id = w.id AND s.user_id = %(u)s AND s.ended_at IS NULL)
ORDER BY wa.priority, wa.id
"""


def call_next_by_uuid(*, window_uuid: uuid_lib.UUID, actor: Any) -> tuple[uuid_lib.UUID | None, str | None, int]:
    """call_next for the API: (ticket uuid, number, window number); (None, None, n) when nobody
    waits. On PostgreSQL two statements: the window with its areas (and the shift check), then the
    self-committing finish-and-claim. The area is passed as a literal so the planner always walks
    the queue index (a subquery there made it sort the whole line when statistics were young)."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("请先签到该窗口。"), code="not_signed_in")
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(_WINDOW_BY_UUID_IF_SIGNED_IN, {"wu": window_uuid, "u": actor.pk})
            rows = cur.fetchall()
        if rows:
            window_id, window_number = rows[0][0], rows[0][1]
            t = _pg_call_next(window_id=window_id, areas=[r[2] for r in rows], actor=actor)
            return (t.uuid, t.number, window_number) if t else (None, None, window_number)
    window = Window.objects.filter(uuid=window_uuid).order_by().first()
    if window is None:
        raise NotFound(_("窗口不存在。"))
    t = call_next(window=window, actor=actor)
    return (t.uuid, t.number, window.number) if t else (None, None, window.number)


def current_ticket(window: Window) -> Ticket | None:
    return Ticket.objects.filter(window=window, status__in=[S.CALLED, S.SERVING]).select_related("area").first()


def _window_serves(window: Window, area_id: int) -> bool:
    return WindowArea.objects.filter(window=window, area_id=area_id).exists()


def call_specific(*, window: Window, ticket: Ticket, actor: Any) -> Ticket:
    """Call one waiting ticket out of order (e.g. a person the clerk sees at the window)."""
    _require_session(window, actor)
    if ticket.point_id != window.point_id or not _window_serves(window, ticket.area_id):
        raise ValidationFailed(_("该号码不属于本窗口服务的区域。"), code="wrong_area")
    now = timezone.now()
    with transaction.atomic():
        _finish_current(window, actor, now)
        n = Ticket.objects.filter(id=ticket.pk, status=S.WAITING).update(
            status=S.CALLED, window=window, clerk=actor, called_at=now, call_count=1, updated_at=now, target_window=None
        )
        if n != 1:
            raise Conflict(_("该号码已不在等候中。"), code="not_waiting")
        _event(ticket_id=ticket.pk, kind=K.CALLED, now=now, actor=actor, window=window, note="specific")
    ticket.refresh_from_db()
    return ticket


def _current_or_conflict(window: Window, statuses: list[str]) -> Ticket:
    ticket = Ticket.objects.filter(window=window, status__in=statuses).select_related("point").first()
    if ticket is None:
        raise Conflict(_("本窗口当前没有可操作的号码。"), code="no_current_ticket")
    return ticket


def _move(*, ticket: Ticket, window: Window, actor: Any, expect: list[str], kind: str, note: str = "", **changes: Any) -> Ticket:
    now = timezone.now()
    changes = {k: (now if v is timezone.now else v) for k, v in changes.items()}
    with transaction.atomic():
        n = Ticket.objects.filter(id=ticket.pk, status__in=expect, window=window).update(updated_at=now, **changes)
        if n != 1:
            raise Conflict(_("号码状态已变化，请刷新。"), code="stale")
        _event(ticket_id=ticket.pk, kind=kind, now=now, actor=actor, window=window, note=note)
    ticket.refresh_from_db()
    return ticket


def recall(*, window: Window, actor: Any) -> Ticket:
    """Call the current ticket again (the board announces it again)."""
    _require_session(window, actor)
    ticket = _current_or_conflict(window, [S.CALLED])
    return _move(ticket=ticket, window=window, actor=actor, expect=[S.CALLED], kind=K.RECALLED, call_count=F("call_count") + 1)


def mark_no_show(*, window: Window, actor: Any) -> Ticket:
    """The called person did not come: allowed after the point's number of recalls."""
    _require_session(window, actor)
    ticket = _current_or_conflict(window, [S.CALLED])
    needed = 1 + ticket.point.max_recalls
    if ticket.call_count < needed:
        raise Conflict(_("需重呼%(n)d次后才能过号。") % {"n": ticket.point.max_recalls}, code="recall_first")
    return _move(
        ticket=ticket, window=window, actor=actor, expect=[S.CALLED], kind=K.NO_SHOW, status=S.NO_SHOW, finished_at=timezone.now
    )


def start_serving(*, window: Window, actor: Any) -> Ticket:
    _require_session(window, actor)
    ticket = _current_or_conflict(window, [S.CALLED, S.SERVING])
    if ticket.status == S.SERVING:
        return ticket
    return _move(
        ticket=ticket, window=window, actor=actor, expect=[S.CALLED], kind=K.STARTED, status=S.SERVING, started_at=timezone.now
    )


def finish(*, window: Window, actor: Any) -> Ticket:
    _require_session(window, actor)
    ticket = _current_or_conflict(window, [S.CALLED, S.SERVING])
    return _move(
        ticket=ticket,
        window=window,
        actor=actor,
        expect=[S.CALLED, S.SERVING],
        kind=K.FINISHED,
        status=S.FINISHED,
        finished_at=timezone.now,
    )


def hold(*, window: Window, actor: Any, note: str = "") -> Ticket:
    """Put the current person aside (e.g. fetching a missing paper); the window may call others."""
    _require_session(window, actor)
    ticket = _current_or_conflict(window, [S.CALLED, S.SERVING])
    return _move(
        ticket=ticket, window=window, actor=actor, expect=[S.CALLED, S.SERVING], kind=K.HELD, status=S.ON_HOLD, note=note
    )


def resume(*, window: Window, ticket: Ticket, actor: Any) -> Ticket:
    _require_session(window, actor)
    if current_ticket(window) is not None:
        raise Conflict(_("请先办结或暂停当前号码。"), code="window_busy")
    try:
        return _move(
            ticket=ticket,
            window=window,
            actor=actor,
            expect=[S.ON_HOLD],
            kind=K.RESUMED,
            status=S.SERVING,
            started_at=ticket.started_at or timezone.now(),
        )
    except IntegrityError:
        raise Conflict(_("请先办结或暂停当前号码。"), code="window_busy") from None


def transfer(
    *,
    window: Window,
    actor: Any,
    to_area: ServiceArea | None = None,
    to_window: Window | None = None,
    position: str = "last",
    note: str = "",
) -> Ticket:
    """Send the current person to another area or window, at the front or the end of its line.
    The arrival time (issued_at) is kept, so waiting figures stay honest."""
    _require_session(window, actor)
    if position not in ("first", "last"):
        raise ValidationFailed(_("请选择排在队首或队尾。"), fields={"position": [_("无效的位置。")]})
    if to_area is None and to_window is None:
        raise ValidationFailed(_("请选择转往的服务区或窗口。"), fields={"to": [_("必填。")]})
    ticket = _current_or_conflict(window, [S.CALLED, S.SERVING])
    if to_window is not None:
        if to_window.point_id != window.point_id or to_window.pk == window.pk:
            raise ValidationFailed(_("不能转往该窗口。"), code="bad_window")
        areas = list(WindowArea.objects.filter(window=to_window).order_by("priority").values_list("area_id", flat=True))
        if not areas:
            raise ValidationFailed(_("该窗口未设置服务区。"), code="bad_window")
        if to_area is not None and to_area.pk not in areas:
            raise ValidationFailed(_("该窗口不服务所选服务区。"), code="bad_window")
        area_id = to_area.pk if to_area is not None else (ticket.area_id if ticket.area_id in areas else areas[0])
    else:
        assert to_area is not None
        if to_area.point_id != window.point_id:
            raise ValidationFailed(_("不能转往其他服务场所。"), code="bad_area")
        area_id = to_area.pk
    changes: dict[str, Any] = {
        "status": S.WAITING,
        "area_id": area_id,
        "window_id": None,
        "target_window_id": to_window.pk if to_window else None,
        "call_count": 0,
    }
    if position == "first":
        changes["priority_rank"] = RANK_FRONT
    else:
        changes["queue_at"] = timezone.now
    label = f"area={area_id} window={to_window.number if to_window else ''} {position} {note}".strip()
    return _move(
        ticket=ticket, window=window, actor=actor, expect=[S.CALLED, S.SERVING], kind=K.TRANSFERRED, note=label, **changes
    )


# --- settings ------------------------------------------------------------------------------------

AREA_SETTINGS = (
    "daily_cap",
    "warn_level",
    "service_level_minutes",
    "require_id_number",
    "per_person_daily_limit",
    "default_service_minutes",
)


def area_update_settings(*, area: ServiceArea, actor: Any, **values: Any) -> ServiceArea:
    from .selectors import can_manage

    if not can_manage(actor, area.point):
        raise PermissionDenied()
    unknown = set(values) - set(AREA_SETTINGS)
    if unknown:
        raise ValidationFailed(_("未知的设置项。"), fields={k: [_("未知的设置项。")] for k in unknown})
    errors: dict[str, list[Any]] = {}
    for key in ("daily_cap", "warn_level", "default_service_minutes"):
        if key in values and (not isinstance(values[key], int) or values[key] < 1 or values[key] > 10000):
            errors[key] = [_("请输入1到10000之间的整数。")]
    if "per_person_daily_limit" in values and (
        not isinstance(values["per_person_daily_limit"], int) or not 0 <= values["per_person_daily_limit"] <= 100
    ):
        errors["per_person_daily_limit"] = [_("请输入0到100之间的整数。")]
    slm = values.get("service_level_minutes")
    if slm is not None and (not isinstance(slm, int) or not 1 <= slm <= 240):
        errors["service_level_minutes"] = [_("请输入1到240之间的整数。")]
    if errors:
        raise ValidationFailed(_("提交的数据不正确。"), fields=errors)
    with transaction.atomic():
        before = {k: getattr(area, k) for k in values}
        for k, v in values.items():
            setattr(area, k, v)
        area.save(update_fields=[*values.keys(), "updated_at"])
        audit(actor=actor, action="hall.area.settings", target=area, data={"before": before, "after": values})
    return area


def point_update_settings(
    *, point: ServicePoint, actor: Any, service_level_minutes: int | None = None, max_recalls: int | None = None
) -> ServicePoint:
    from .selectors import can_manage

    if not can_manage(actor, point):
        raise PermissionDenied()
    values: dict[str, int] = {}
    if service_level_minutes is not None:
        if not 1 <= service_level_minutes <= 240:
            raise ValidationFailed(_("请输入1到240之间的整数。"), fields={"service_level_minutes": [_("无效。")]})
        values["service_level_minutes"] = service_level_minutes
    if max_recalls is not None:
        if not 0 <= max_recalls <= 10:
            raise ValidationFailed(_("请输入0到10之间的整数。"), fields={"max_recalls": [_("无效。")]})
        values["max_recalls"] = max_recalls
    with transaction.atomic():
        for k, v in values.items():
            setattr(point, k, v)
        point.save(update_fields=[*values.keys(), "updated_at"])
        audit(actor=actor, action="hall.point.settings", target=point, data=values)
    return point


# --- end of day ----------------------------------------------------------------------------------


def close_day(*, now: datetime | None = None) -> int:
    """Sweep: tickets still open from an earlier business day are closed as abandoned; window
    shifts left open are ended. Idempotent; returns the number of tickets closed."""
    now = now or timezone.now()
    today = business_date(now)
    closed = 0
    stale = list(
        Ticket.objects.filter(business_date__lt=today, status__in=Ticket.OPEN_STATUSES).values_list("id", flat=True)[:5000]
    )
    for ticket_id in stale:
        with transaction.atomic():
            n = Ticket.objects.filter(id=ticket_id, status__in=Ticket.OPEN_STATUSES).update(
                status=S.ABANDONED, finished_at=now, updated_at=now
            )
            if n:
                _event(ticket_id=ticket_id, kind=K.ABANDONED, now=now, actor=None, window=None, note="end of day")
                closed += n
    day_start = datetime.combine(today, datetime.min.time(), tzinfo=SHANGHAI)
    WindowSession.objects.filter(ended_at__isnull=True, started_at__lt=day_start).update(
        ended_at=day_start - timedelta(seconds=1), updated_at=now
    )
    return closed


def ticket_for_window(*, window: Window, ticket_uuid: Any) -> Ticket:
    """A ticket of the window's service point, by UUID (NotFound for anything else)."""
    try:
        value = uuid_lib.UUID(str(ticket_uuid))
    except ValueError:
        raise NotFound() from None
    ticket = Ticket.objects.filter(uuid=value, point_id=window.point_id).first()
    if ticket is None:
        raise NotFound()
    return ticket
