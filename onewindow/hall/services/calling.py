"""Window actions: call the next ticket or a named one, recall, no-show, serve, finish, hold, resume,
transfer."""

from __future__ import annotations

import uuid as uuid_lib
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

from ..models import ServiceArea, Ticket, Window, WindowArea
from ._common import RANK_FRONT, K, S, _d, _dt, _event, business_date
from .sql import (
    _PG_CLAIM,
    _PG_FINISH_AND_CLAIM,
    _PG_FINISH_CURRENT,
    _SQLITE_CLAIM,
    _TICKET_ATTNAMES,
    _WINDOW_AREAS_IF_SIGNED_IN,
    _WINDOW_BY_UUID_IF_SIGNED_IN,
)
from .windows import _require_session


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
