"""Rollups: figures kept per day (and per month, and for the cases per year) so that no page replays a raw event log.

An app that keeps rollups provides `onewindow/<app>/rollups.py` with

    def refresh(*, overlap: int = 0) -> int    # count what changed since the last refresh
    def rebuild() -> int                       # throw everything away and count it all again

Both are idempotent: a day's rows are always recomputed whole from the source rows of that day,
never incremented, so counting a change twice gives the same rows as counting it once. `refresh`
finds the changed days from the app's event log (ids above its `RollupMark`); the periodic sweep
passes an `overlap` so that it also looks again at the last few thousand events, which catches a
transaction that took an id below the mark but committed after the previous refresh read it.

`claim(name)` takes the mark's row lock (skipping, not waiting, when another refresh holds it), so
two refreshes of one rollup never interleave their delete-and-insert of the same day.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Max, Subquery, Value
from django.utils import timezone

from .models import RollupMark

logger = logging.getLogger("onewindow.rollups")

# Events the periodic sweep reads again below the mark (see the module docstring).
SWEEP_OVERLAP = 5000


def modules() -> list[tuple[str, object]]:
    found: list[tuple[str, Any]] = []
    for app in settings.INSTALLED_APPS:
        if not app.startswith("onewindow."):
            continue
        name = f"{app}.rollups"
        try:
            found.append((app.rsplit(".", 1)[1], importlib.import_module(name)))
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return found


@contextmanager
def claim(name: str) -> Iterator[RollupMark | None]:
    """The mark of rollup `name`, locked for this transaction; None while another refresh holds it."""
    try:
        with transaction.atomic():
            RollupMark.objects.get_or_create(name=name)
    except IntegrityError:  # created by a concurrent refresh at the same moment
        pass
    with transaction.atomic():
        mark = RollupMark.objects.select_for_update(skip_locked=True).filter(name=name).first()
        yield mark
        if mark is not None:
            mark.refreshed_at = timezone.now()
            mark.save(update_fields=["last_id", "refreshed_at"])


def marked(name: str) -> int:
    """The mark's event id without locking (-1 when there is none yet): lets a refresh with
    nothing to do return without writing."""
    found = RollupMark.objects.filter(name=name).values_list("last_id", flat=True).first()
    return -1 if found is None else found


# The rollups already brought up to date inside `checked_once()` (None outside it).
_checked: ContextVar[set[str] | None] = ContextVar("rollups_checked", default=None)


@contextmanager
def checked_once() -> Iterator[None]:
    """Inside, each rollup is brought up to date at most once: a page whose sections each refresh
    the rollups they read (the dashboard: the cases' rollups for the case figures and again for the
    agents' cases) asks the database once per rollup, not once per section. The page is still
    never more than its own request behind."""
    token = _checked.set(set())
    try:
        yield
    finally:
        _checked.reset(token)


def pending(name: str, event_model: type[models.Model]) -> int | None:
    """The newest id of `event_model` when the rollup `name` has events above its mark to count,
    else None: one query (the mark's row with the log's newest id beside it) on every page view
    with nothing new; none for a rollup already looked at inside `checked_once()`."""
    seen = _checked.get()
    if seen is not None:
        if name in seen:
            return None
        seen.add(name)
    newest = Subquery(event_model._default_manager.order_by("-id").values("id")[:1])
    row = RollupMark.objects.filter(name=name).annotate(newest=newest).values_list("last_id", "newest").first()
    if row is None:  # never refreshed: whatever there is (a refresh creates the mark)
        return int(event_model._default_manager.aggregate(m=Max("id"))["m"] or 0)
    last_id, top = row
    return None if (top or 0) <= last_id else int(top)


def last_refreshed(name: str) -> object:
    return RollupMark.objects.filter(name=name).values_list("refreshed_at", flat=True).first()


def _each(verb: str, **kwargs: int) -> int:
    total = 0
    for label, module in modules():
        fn: Callable[..., int] | None = getattr(module, verb, None)
        if fn is None:
            continue
        try:
            total += int(fn(**kwargs) or 0)
        except Exception:
            logger.exception("rollup %s.%s failed", label, verb)
    return total


def refresh_all() -> int:
    """The periodic sweep (core/sweeps.py): every app's rollups, with the overlap."""
    return _each("refresh", overlap=SWEEP_OVERLAP)


def rebuild_all() -> int:
    return _each("rebuild")


@contextmanager
def serial_reads() -> Iterator[None]:
    """On PostgreSQL, no parallel workers for the reads inside (the session's setting, reset after):
    a page of figures makes a dozen small aggregates over a few thousand rollup rows each, where
    starting workers costs more than it saves, the more so on a machine whose cores are busy
    (measured on the benchmark's database at load 8 on 2 cores: a 16-month matter breakdown
    44 ms with the default two workers, 18 ms without). Two statements per page."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cur:
        cur.execute("SET max_parallel_workers_per_gather = 0")
    try:
        yield
    finally:
        if not connection.needs_rollback and connection.connection is not None:
            with connection.cursor() as cur:
                cur.execute("RESET max_parallel_workers_per_gather")


def unalias(row: dict[str, Any]) -> dict[str, Any]:
    """A grouped row with its "s_"-aliased sums under their column names again."""
    return {k.removeprefix("s_"): v for k, v in row.items()}


def month_split(date_from: date, date_to: date) -> tuple[tuple[date, date] | None, list[tuple[date, date]]]:
    """Cover [date_from, date_to] with whole months (first days, inclusive) and the day ranges left
    at either end: a long period reads a month's row instead of thirty days' rows."""
    first = date_from if date_from.day == 1 else (date_from.replace(day=1) + timedelta(days=32)).replace(day=1)
    end = (date_to + timedelta(days=1)).replace(day=1)  # the first month not wholly inside
    if first >= end:
        return None, [(date_from, date_to)]
    days = []
    if date_from < first:
        days.append((date_from, first - timedelta(days=1)))
    if end <= date_to:
        days.append((end, date_to))
    return (first, (end - timedelta(days=1)).replace(day=1)), days


def year_split(first_month: date, last_month: date) -> tuple[tuple[date, date] | None, list[tuple[date, date]]]:
    """Cover the months first_month..last_month (first days, inclusive) with whole years (1 January,
    inclusive) and the month ranges left at either end."""
    y0 = first_month.year + (first_month.month != 1)
    y1 = last_month.year - (last_month.month != 12)
    if y0 > y1:
        return None, [(first_month, last_month)]
    months = []
    if first_month < date(y0, 1, 1):
        months.append((first_month, date(y0 - 1, 12, 1)))
    if last_month > date(y1, 12, 1):
        months.append((date(y1 + 1, 1, 1), last_month))
    return (date(y0, 1, 1), date(y1, 1, 1)), months


def summed(
    day_model: type[models.Model],
    month_model: type[models.Model],
    *,
    day_field: str,
    scope: models.Q,
    date_from: date,
    date_to: date,
    group: list[str],
    measures: dict[str, Any],
    year_model: type[models.Model] | None = None,
) -> dict[tuple[Any, ...], dict[str, int]]:
    """Measures added up over a period, grouped by `group`: whole years from the year rows (when
    there is a `year_model`), whole months from the month rows, the ends from the day rows.
    `measures` maps a name to an aggregate (Sum("x"), Sum(..., filter=...))."""
    months, day_ranges = month_split(date_from, date_to)
    parts = [
        day_model._default_manager.filter(scope, **{f"{day_field}__gte": lo, f"{day_field}__lte": hi}) for lo, hi in day_ranges
    ]
    month_ranges = [months] if months else []
    if months and year_model is not None:
        years, month_ranges = year_split(*months)
        if years:
            parts.append(year_model._default_manager.filter(scope, year__gte=years[0], year__lte=years[1]))
    for lo, hi in month_ranges:
        parts.append(month_model._default_manager.filter(scope, month__gte=lo, month__lte=hi))
    return _union_sum(parts, group, measures)


def _union_sum(parts: list[Any], group: list[str], measures: dict[str, Any]) -> dict[tuple[Any, ...], dict[str, int]]:
    """The parts (querysets of day, month and year rows) grouped and summed each, then added up in
    one statement (UNION ALL, summed again per group): one round trip, and each group comes back
    once instead of once per part."""
    names = list(measures)
    # Aliased: an aggregate may not share its name with a column of the table.
    aliased = {f"s_{i}": agg for i, agg in enumerate(measures.values())}
    sqls, params = [], []
    for qs in parts:
        # Without a group: grouped by a constant, which Django leaves out of GROUP BY (one row).
        grouped = qs.values(*group) if group else qs.annotate(_all=Value(0)).values("_all")
        try:
            sql, p = grouped.annotate(**aliased).values_list(*group, *aliased).order_by().query.sql_with_params()
        except EmptyResultSet:  # a scope that can match nothing
            continue
        sqls.append(sql)  # bare, not in parentheses: SQLite refuses those in a compound SELECT
        params.extend(p)
    if not sqls:
        return {(): dict.fromkeys(names, 0)} if not group else {}
    q = connection.ops.quote_name
    # The compound SELECT's columns are named by its first part: the group's columns and s_<i>.
    cols = [q(parts[0].model._meta.get_field(g).column) for g in group]
    select = ", ".join(cols + [f"SUM({q(a)})" for a in aliased])
    by = f" GROUP BY {', '.join(cols)}" if cols else ""
    with connection.cursor() as cur:
        # Only our own SQL (from the querysets) and quoted names are formatted in; values are parameters.
        cur.execute(f"SELECT {select} FROM ({' UNION ALL '.join(sqls)}) parts{by}", params)  # noqa: S608
        rows = cur.fetchall()
    out: dict[tuple[Any, ...], dict[str, int]] = {}
    n = len(group)
    for r in rows:
        if not group and all(v is None for v in r):
            continue
        out[tuple(r[:n])] = {m: int(v or 0) for m, v in zip(names, r[n:], strict=True)}
    if not group:
        out.setdefault((), dict.fromkeys(names, 0))
    return out
