"""The hall's raw SQL, all of it: the ticket issue (one statement on PostgreSQL), the kiosk issue, the
window's claim of the next ticket and the finish of the current one.

ID and phone numbers go in encrypted, with their lookup hashes (core/fieldcrypto/): the callers
pass `fieldcrypto.encrypt()` / `blind_index()` values, as the model fields would write them.

Column lists come from the models. A new ticket names every column it sets in TICKET_VALUES; the
columns left to NULL or their database default are TICKET_LEFT_OUT, and a ticket event names every
column (`_event_insert` refuses a statement that leaves one out). `hall/tests/test_sql.py` checks
that every concrete field of Ticket is in one of the two, so a field added to the model without a
database default cannot be silently skipped by the hot path's INSERTs."""

# The statements are put together at import time from this module's constants and the models' column
# names only; every value goes in as a query parameter.
# ruff: noqa: S608
from __future__ import annotations

from ..models import Ticket, TicketEvent

# The value of each column of a new ticket, by field name (parameters of ticket_issue's statements).
# The PostgreSQL statements replace seq / number / queue_at with expressions of the counter's CTE.
TICKET_VALUES: dict[str, str] = {
    "uuid": "%(uuid)s",
    "created_at": "%(now)s",
    "updated_at": "%(now)s",
    "area": "%(area)s",
    "issue_area": "%(area)s",
    "point": "%(point)s",
    "business_date": "%(bd)s",
    "seq": "%(seq)s",
    "number": "%(number)s",
    "source": "%(source)s",
    "priority": "%(priority)s",
    "priority_rank": "%(rank)s",
    "status": "'waiting'",
    "issued_at": "%(now)s",
    "queue_at": "%(queue_at)s",
    "id_number": "%(id_number)s",
    "id_number_hash": "%(id_number_hash)s",
    "phone": "%(phone)s",
    "phone_hash": "%(phone_hash)s",
    "booking_ref": "%(booking_ref)s",
    "issued_by": "%(actor)s",
    "call_count": "0",
}
# Set later in a ticket's life, or by the database (each is nullable or has a db_default).
TICKET_LEFT_OUT = ("id", "green_requested", "target_window", "window", "clerk", "called_at", "started_at", "finished_at")


_TICKET_COLUMN = {f.name: str(f.column) for f in Ticket._meta.concrete_fields}


def _ticket_insert(overrides: dict[str, str] | None = None) -> tuple[str, str]:
    """(column list, value list) of a new ticket, in the same order."""
    values = {**TICKET_VALUES, **(overrides or {})}
    assert set(values) == set(TICKET_VALUES), "overrides name columns TICKET_VALUES does not"
    columns = ", ".join(_TICKET_COLUMN[name] for name in values)
    return columns, ", ".join(values.values())


def _event_insert(values: dict[str, str], *, select_from: str = "") -> str:
    """INSERT of one ticket event row per row of `select_from` (or of the given values), naming
    every column of TicketEvent."""
    fields = [f for f in TicketEvent._meta.concrete_fields if not f.primary_key]
    missing = {f.name for f in fields} - set(values)
    assert not missing, f"a ticket event statement leaves out {sorted(missing)}"
    columns = ", ".join(f.column for f in fields)
    selected = ", ".join(values[f.name] for f in fields)
    return f"INSERT INTO hall_ticketevent ({columns})\nSELECT {selected}" + (f" FROM {select_from}" if select_from else "")


# Every column of a ticket, for the claim's RETURNING (read back into a Ticket without a query).
TICKET_COLUMNS = ", ".join(f"t.{f.column}" for f in Ticket._meta.concrete_fields)
_TICKET_ATTNAMES = [f.attname for f in Ticket._meta.concrete_fields]

_PG_NUMBER = "{prefix} || CASE WHEN c.n < 1000 THEN lpad(c.n::text, 3, '0') ELSE c.n::text END"

_ISSUE_EVENT = _event_insert(
    {
        "ticket": "t.id",
        "kind": "'issued'",
        "at": "%(now)s",
        "actor": "%(actor)s",
        "window": "NULL",
        "area": "%(area)s",
        "point": "%(point)s",
        "business_date": "%(bd)s",
        "note": "%(source)s",
    },
    select_from="t",
)
_cols, _vals = _ticket_insert({"seq": "c.n", "number": _PG_NUMBER.format(prefix="%(prefix)s"), "queue_at": "clock_timestamp()"})
_PG_ISSUE = f"""
WITH c AS (
    INSERT INTO hall_areadaycounter (area_id, business_date, n)
    SELECT %(area)s, %(bd)s, 1 WHERE (SELECT daily_cap FROM hall_servicearea WHERE id = %(area)s) > 0
    ON CONFLICT (area_id, business_date) DO UPDATE SET n = hall_areadaycounter.n + 1
    WHERE hall_areadaycounter.n < (SELECT daily_cap FROM hall_servicearea WHERE id = %(area)s)
    RETURNING n
), t AS (
    INSERT INTO hall_ticket ({_cols})
    SELECT {_vals}
    FROM c
    RETURNING id, seq, number, queue_at
), e AS (
    {_ISSUE_EVENT}
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

_cols, _vals = _ticket_insert()
_TICKET_INSERT = f"""
INSERT INTO hall_ticket ({_cols})
VALUES ({_vals})
RETURNING id
"""

# One event of a ticket by its id (area, point and day read from the ticket row).
_EVENT_INSERT = _event_insert(
    {
        "ticket": "id",
        "kind": "%(kind)s",
        "at": "%(now)s",
        "actor": "%(actor)s",
        "window": "%(window)s",
        "area": "area_id",
        "point": "point_id",
        "business_date": "business_date",
        "note": "%(note)s",
    },
    select_from="hall_ticket WHERE id = %(ticket)s",
)


_PERSON_UPSERT = """
INSERT INTO hall_persondaycounter (area_id, business_date, person_key, n) VALUES (%(area)s, %(bd)s, %(key)s, 1)
ON CONFLICT (area_id, business_date, person_key) DO UPDATE SET n = hall_persondaycounter.n + 1
WHERE hall_persondaycounter.n < %(limit)s
RETURNING n
"""


# The kiosk's whole request in one self-committing statement: the area (by UUID, with its point's
# device token), the counter, the ticket and its event. Any refusal returns no row; the slow path
# then names the reason.
_cols, _vals = _ticket_insert(
    {
        "area": "a.id",
        "issue_area": "a.id",
        "point": "a.point_id",
        "seq": "c.n",
        "number": _PG_NUMBER.format(prefix="a.ticket_prefix"),
        "source": "'kiosk'",
        "queue_at": "clock_timestamp()",
        "id_number": "''",
        "id_number_hash": "''",
        "phone": "''",
        "phone_hash": "''",
        "booking_ref": "''",
        "issued_by": "NULL",
    }
)
_KIOSK_ISSUE_EVENT = _event_insert(
    {
        "ticket": "t.id",
        "kind": "'issued'",
        "at": "%(now)s",
        "actor": "NULL",
        "window": "NULL",
        "area": "t.area_id",
        "point": "t.point_id",
        "business_date": "%(bd)s",
        "note": "'kiosk'",
    },
    select_from="t",
)
_PG_KIOSK_ISSUE = f"""
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
    INSERT INTO hall_ticket ({_cols})
    SELECT {_vals}
    FROM c JOIN a ON a.id = c.area_id
    RETURNING id, area_id, point_id, number
), e AS (
    {_KIOSK_ISSUE_EVENT}
)
SELECT number FROM t
"""
del _cols, _vals


def _window_event(kind: str, rows: str) -> str:
    """A window's event on each ticket of `rows` (a CTE returning id, area_id, point_id, business_date)."""
    return _event_insert(
        {
            "ticket": "id",
            "kind": f"'{kind}'",
            "at": "%(now)s",
            "actor": "%(u)s",
            "window": "%(w)s",
            "area": "area_id",
            "point": "point_id",
            "business_date": "business_date",
            "note": "''",
        },
        select_from=rows,
    )


_PG_FINISH_CURRENT = f"""
WITH d AS (
    UPDATE hall_ticket SET status = 'finished', finished_at = %(now)s, updated_at = %(now)s
    WHERE window_id = %(w)s AND status IN ('called', 'serving')
    RETURNING id, area_id, point_id, business_date
)
{_window_event("finished", "d")}
"""


# One area's line, read through hall_ticket_queue_idx and stopped at the first row nobody else has
# locked; the outer UPDATE re-checks the status, so a ticket is never handed to two windows.
_PG_CLAIM = f"""
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
    RETURNING {TICKET_COLUMNS}
), e AS (
    {_window_event("called", "claimed")}
)
SELECT * FROM claimed
"""


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
_PG_FINISH_AND_CLAIM = f"""
WITH done AS (
    UPDATE hall_ticket SET status = 'finished', finished_at = %(now)s, updated_at = %(now)s
    WHERE window_id = %(w)s AND status IN ('called', 'serving')
    RETURNING id, area_id, point_id, business_date
), done_ev AS (
    {_window_event("finished", "done")}
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
    RETURNING {TICKET_COLUMNS}
), e AS (
    {_window_event("called", "claimed")}
)
SELECT * FROM claimed
"""


# The window (by UUID) and its areas in priority order - only with the actor's open shift there.
_WINDOW_BY_UUID_IF_SIGNED_IN = """
SELECT w.id, w.number, wa.area_id FROM hall_window w JOIN hall_windowarea wa ON wa.window_id = w.id
WHERE w.uuid = %(wu)s AND EXISTS (
    SELECT 1 FROM hall_windowsession s WHERE s.window_id = w.id AND s.user_id = %(u)s AND s.ended_at IS NULL)
ORDER BY wa.priority, wa.id
"""
