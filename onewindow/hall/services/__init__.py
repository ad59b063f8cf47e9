"""Writes of the hall: taking tickets, window actions, window sessions, area settings, the day's close.
Split by theme (issuing, calling, windows, areas, day; the raw SQL in sql; shared helpers in
_common); import from here. The business day is hall/days.py, the queue position a selector.

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

# Reads, kept importable from here: the position estimate is the selectors'.
from ..days import SHANGHAI, business_date
from ..selectors import average_service_minutes, open_window_count, ticket_position
from ._common import PRIORITY_RANK, RANK_FRONT, K, S, _d, _dt, _event, _uuid, format_number, person_key
from .areas import AREA_SETTINGS, area_update_settings, point_update_settings
from .calling import (
    _current_or_conflict,
    _finish_current,
    _move,
    _pg_call_next,
    _pg_claim,
    _window_serves,
    call_next,
    call_next_by_uuid,
    call_specific,
    current_ticket,
    finish,
    hold,
    mark_no_show,
    recall,
    resume,
    start_serving,
    ticket_for_window,
    transfer,
)
from .day import close_day
from .issuing import _issue_rows, kiosk_ticket_issue, remote_id_number, ticket_issue
from .sql import (
    _COUNTER_UPSERT,
    _EVENT_INSERT,
    _PERSON_UPSERT,
    _PG_CLAIM,
    _PG_FINISH_AND_CLAIM,
    _PG_FINISH_CURRENT,
    _PG_ISSUE,
    _PG_KIOSK_ISSUE,
    _SQLITE_CLAIM,
    _TICKET_ATTNAMES,
    _TICKET_INSERT,
    _WINDOW_AREAS_IF_SIGNED_IN,
    _WINDOW_BY_UUID_IF_SIGNED_IN,
)
from .windows import _require_session, window_sign_in, window_sign_out

__all__ = [
    "AREA_SETTINGS",
    "PRIORITY_RANK",
    "RANK_FRONT",
    "SHANGHAI",
    "_COUNTER_UPSERT",
    "_EVENT_INSERT",
    "_PERSON_UPSERT",
    "_PG_CLAIM",
    "_PG_FINISH_AND_CLAIM",
    "_PG_FINISH_CURRENT",
    "_PG_ISSUE",
    "_PG_KIOSK_ISSUE",
    "_SQLITE_CLAIM",
    "_TICKET_ATTNAMES",
    "_TICKET_INSERT",
    "_WINDOW_AREAS_IF_SIGNED_IN",
    "_WINDOW_BY_UUID_IF_SIGNED_IN",
    "K",
    "S",
    "_current_or_conflict",
    "_d",
    "_dt",
    "_event",
    "_finish_current",
    "_issue_rows",
    "_move",
    "_pg_call_next",
    "_pg_claim",
    "_require_session",
    "_uuid",
    "_window_serves",
    "area_update_settings",
    "average_service_minutes",
    "business_date",
    "call_next",
    "call_next_by_uuid",
    "call_specific",
    "close_day",
    "current_ticket",
    "finish",
    "format_number",
    "hold",
    "kiosk_ticket_issue",
    "mark_no_show",
    "open_window_count",
    "person_key",
    "point_update_settings",
    "recall",
    "remote_id_number",
    "resume",
    "start_serving",
    "ticket_for_window",
    "ticket_issue",
    "ticket_position",
    "transfer",
    "window_sign_in",
    "window_sign_out",
]
