"""一次不跑 measured from cases (F2): how many times each applicant came in person for a finished case
(`CaseVisit`: handing in at a window, bringing a supplement, collecting the result, a hall ticket
served for it; one per case and day; an agent's trips are not the applicant's). Not from the
catalog's `max_visits` promises: from what happened. Read from the cases' rollups, so it follows the
dashboard's filters (department, township, matter, channel) and the reader's remit."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from onewindow.core.stats import Figure, Section, Table

from .models import Channel

# Counted over the rollups of the cases received in the period (`CaseDay` & co.: done, zero_trips,
# one_trip, trips), like every case figure; with no period given, over the whole history.
EARLIEST = datetime.date(2000, 1, 1)

Rows = list[tuple[tuple[Any, ...], dict[str, int]]]


def _by_channel(params: dict[str, Any]) -> Rows:
    from . import figures
    from .rollups import refresh

    refresh()
    period = figures.Period.of({"date_from": EARLIEST} | params)
    return figures.breakdown(params, period, "channel")


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def visit_figures(
    date_from: datetime.date | None = None, date_to: datetime.date | None = None, *, params: dict[str, Any] | None = None
) -> dict[str, Any]:
    """{"done", "zero", "at_most_one", "zero_share", "at_most_one_share", "mean"} (shares in %) for
    the finished applications received date_from..date_to (the whole history by default) within the
    dashboard filters `params`."""
    params = dict(params or {})
    params.update({k: v for k, v in (("date_from", date_from), ("date_to", date_to)) if v is not None})
    return _figures(_by_channel(params))


def _figures(rows: Rows) -> dict[str, Any]:
    done = sum(s["done"] for _k, s in rows)
    zero = sum(s["zero_trips"] for _k, s in rows)
    one = sum(s["one_trip"] for _k, s in rows)
    trips = sum(s["trips"] for _k, s in rows)
    return {
        "done": done,
        "zero": zero,
        "at_most_one": one,
        "zero_share": _share(zero, done),
        "at_most_one_share": _share(one, done),
        "mean": round(trips / done, 2) if done else None,
    }


def _channel_rows(rows: Rows) -> list[list[Any]]:
    labels = dict(Channel.choices)
    return [
        [
            str(labels.get(k[0], k[0])),
            s["done"],
            f"{100 * s['zero_trips'] / s['done']:.1f}%",
            f"{100 * s['one_trip'] / s['done']:.1f}%",
        ]
        for k, s in sorted(rows, key=lambda kv: -kv[1]["done"])
        if s["done"]
    ]


def by_channel(date_from: datetime.date | None = None, date_to: datetime.date | None = None) -> list[list[Any]]:
    params = {k: v for k, v in (("date_from", date_from), ("date_to", date_to)) if v is not None}
    return _channel_rows(_by_channel(params))


def visit_section(params: Any = None, *, by_channel: Rows | None = None) -> Section:
    """The 一次不跑 section of the dashboard (listed by cases.stats.sections, which passes the rows per
    channel it has already added up for the same filters and period)."""
    params = params or {}
    rows = by_channel if by_channel is not None else _by_channel(params)
    f = _figures(rows)
    pct = str(_("%"))
    return Section(
        key="visits",
        title=str(_("一次不跑：群众到现场次数")),
        order=25,
        note=str(_("所选期间收到、已送达或不予受理的申请，群众为它到现场的次数（同一天算一次）。")),
        figures=[
            Figure(
                str(_("办结的办件")),
                f["done"],
                str(_("件")),
                note=str(_("已送达或不予受理的办件")),
                link="view=cases&counts=done",
            ),
            Figure(
                str(_("一次不跑（到现场 0 次）")),
                f["zero_share"],
                pct,
                fact="F2",
                note=str(_("办结的办件中，申请人一次也没有到现场的比例")),
                link="view=cases&counts=zero_trips",
            ),
            Figure(
                str(_("最多跑一次（到现场不超过 1 次）")),
                f["at_most_one_share"],
                pct,
                fact="F2",
                note=str(_("办结的办件中，申请人到现场不超过一次的比例")),
                link="view=cases&counts=one_trip",
            ),
            Figure(
                str(_("平均到现场次数")),
                f["mean"],
                str(_("次")),
                note=str(_("办结的办件平均每件申请人到现场的次数（代办员跑的不算）")),
                link="view=cases&counts=done",
            ),
        ],
        tables=[
            Table(
                columns=[str(_("申请渠道")), str(_("办结件数")), str(_("0 次")), str(_("不超过 1 次"))],
                rows=_channel_rows(rows),
                title=str(_("按申请渠道")),
            )
        ],
    )
