"""The hall's raw SQL: the ticket issue (one statement on PostgreSQL), the kiosk issue, the window's
claim of the next ticket and the finish of the current one.

ID and phone numbers go in encrypted, with their lookup hashes (core/fieldcrypto.py): the callers
pass `fieldcrypto.encrypt()` / `blind_index()` values, as the model fields would write them."""

from __future__ import annotations

from ..models import Ticket

_PG_ISSUE = """
WITH c AS (
    INSERT INTO hall_areadaycounter (area_id, business_date, n)
    SELECT %(area)s, %(bd)s, 1 WHERE (SELECT daily_cap FROM hall_servicearea WHERE id = %(area)s) > 0
    ON CONFLICT (area_id, business_date) DO UPDATE SET n = hall_areadaycounter.n + 1
    WHERE hall_areadaycounter.n < (SELECT daily_cap FROM hall_servicearea WHERE id = %(area)s)
    RETURNING n
), t AS (
    INSERT INTO hall_ticket (uuid, created_at, updated_at, area_id, issue_area_id, point_id, business_date, seq, number,
        source, priority, priority_rank, status, issued_at, queue_at, id_number, id_number_hash, phone, phone_hash, booking_ref,
        issued_by_id, call_count)
    SELECT %(uuid)s, %(now)s, %(now)s, %(area)s, %(area)s, %(point)s, %(bd)s, c.n,
        %(prefix)s || CASE WHEN c.n < 1000 THEN lpad(c.n::text, 3, '0') ELSE c.n::text END,
        %(source)s, %(priority)s, %(rank)s, 'waiting', %(now)s, clock_timestamp(), %(id_number)s, %(id_number_hash)s, %(phone)s, %(phone_hash)s, %(booking_ref)s,
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
    source, priority, priority_rank, status, issued_at, queue_at, id_number, id_number_hash, phone, phone_hash, booking_ref,
        issued_by_id, call_count)
VALUES (%(uuid)s, %(now)s, %(now)s, %(area)s, %(area)s, %(point)s, %(bd)s, %(seq)s, %(number)s,
    %(source)s, %(priority)s, %(rank)s, 'waiting', %(now)s, %(queue_at)s, %(id_number)s, %(id_number_hash)s, %(phone)s, %(phone_hash)s, %(booking_ref)s, %(actor)s, 0)
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
        source, priority, priority_rank, status, issued_at, queue_at, id_number, id_number_hash, phone, phone_hash, booking_ref,
        issued_by_id, call_count)
    SELECT %(uuid)s, %(now)s, %(now)s, a.id, a.id, a.point_id, %(bd)s, c.n,
        a.ticket_prefix || CASE WHEN c.n < 1000 THEN lpad(c.n::text, 3, '0') ELSE c.n::text END,
        'kiosk', %(priority)s, %(rank)s, 'waiting', %(now)s, clock_timestamp(), '', '', '', '', '', NULL, 0
    FROM c JOIN a ON a.id = c.area_id
    RETURNING id, area_id, point_id, number
), e AS (
    INSERT INTO hall_ticketevent (ticket_id, kind, at, actor_id, window_id, area_id, point_id, business_date, note)
    SELECT t.id, 'issued', %(now)s, NULL, NULL, t.area_id, t.point_id, %(bd)s, 'kiosk' FROM t
)
SELECT number FROM t
"""


_PG_FINISH_CURRENT = """
WITH d AS (
    UPDATE hall_ticket SET status = 'finished', finished_at = %(now)s, updated_at = %(now)s
    WHERE window_id = %(w)s AND status IN ('called', 'serving')
    RETURNING id, area_id, point_id, business_date
)
INSERT INTO hall_ticketevent (ticket_id, kind, at, actor_id, window_id, area_id, point_id, business_date, note)
SELECT id, 'finished', %(now)s, %(u)s, %(w)s, area_id, point_id, business_date, '' FROM d
"""


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


# The window (by UUID) and its areas in priority order - only with the actor's open shift there.
_WINDOW_BY_UUID_IF_SIGNED_IN = """
SELECT w.id, w.number, wa.area_id FROM hall_window w JOIN hall_windowarea wa ON wa.window_id = w.id
WHERE w.uuid = %(wu)s AND EXISTS (
    SELECT 1 FROM hall_windowsession s WHERE s.window_id = w.id AND s.user_id = %(u)s AND s.ended_at IS NULL)
ORDER BY wa.priority, wa.id
"""
