"""好差评 figures, computed from the rating rows (selectors.counted(): the newest row of each
service, without ratings whose appeal was upheld).

- 好评率: share of 非常满意 + 满意 + 基本满意 among counted ratings;
- average score: the mean level (1..5);
- 差评: 不满意 + 非常不满意;
- follow-up on time: among real-name bad ratings of the period, the share verified (回访核实) by
  its verify date and the share fixed and replied (整改反馈) by its reply date (withdrawn ones,
  whose appeal was upheld, are left out).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import OrgUnit
from onewindow.core.stats import Chart, Figure, Section, Table, describe_chart, unit_link
from onewindow.core.tenancy import for_county

from . import selectors
from .models import BAD_LEVELS, FollowUp, Rating


def month_bounds(month: str | None, *, today: datetime.date | None = None) -> tuple[str, datetime.datetime, datetime.datetime]:
    """'2026-11' -> (label, start, end) in local time; a bad or missing value means this month."""
    today = today or timezone.localdate()
    year, mon = today.year, today.month
    if month:
        try:
            y, m = (int(p) for p in str(month).split("-", 1))
            if 2000 <= y <= 2100 and 1 <= m <= 12:
                year, mon = y, m
        except ValueError:
            pass
    tz = timezone.get_current_timezone()
    start = datetime.datetime(year, mon, 1, tzinfo=tz)
    end = datetime.datetime(year + (mon == 12), mon % 12 + 1, 1, tzinfo=tz)
    return f"{year:04d}-{mon:02d}", start, end


def months_with_ratings(limit: int = 12, *, county: Any = None) -> list[str]:
    from django.db.models.functions import TruncMonth

    qs = Rating.objects.all() if county is None else for_county(Rating.objects.all(), county)
    rows = qs.annotate(m=TruncMonth("created_at")).values_list("m", flat=True).distinct().order_by("-m")[:limit]
    return [f"{timezone.localtime(m):%Y-%m}" if timezone.is_aware(m) else f"{m:%Y-%m}" for m in rows if m]


@dataclass
class Summary:
    count: int
    good: int
    bad: int
    average: float | None

    @property
    def good_rate(self) -> float | None:
        return self.good / self.count if self.count else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "good": self.good,
            "bad": self.bad,
            "average": round(self.average, 2) if self.average is not None else None,
            "good_rate": round(self.good_rate, 4) if self.good_rate is not None else None,
        }


_AGG = {
    "n": Count("id"),
    "good": Count("id", filter=Q(level__gte=3)),
    "bad": Count("id", filter=Q(level__in=BAD_LEVELS)),
    "avg": Avg("level"),
}


def summary(qs: QuerySet[Rating]) -> Summary:
    r = qs.aggregate(**_AGG)
    return Summary(r["n"], r["good"], r["bad"], float(r["avg"]) if r["avg"] is not None else None)


def period_and_all(qs: QuerySet[Rating], start: datetime.datetime, end: datetime.datetime) -> tuple[Summary, Summary]:
    """summary(in_period(start, end, qs)) and summary(qs), in one statement."""
    inside = Q(created_at__gte=start, created_at__lt=end)
    aggs = dict(_AGG)
    aggs.update(
        p_n=Count("id", filter=inside),
        p_good=Count("id", filter=inside & Q(level__gte=3)),
        p_bad=Count("id", filter=inside & Q(level__in=BAD_LEVELS)),
        p_avg=Avg("level", filter=inside),
    )
    r = qs.aggregate(**aggs)

    def made(prefix: str) -> Summary:
        avg = r[f"{prefix}avg"]
        return Summary(r[f"{prefix}n"], r[f"{prefix}good"], r[f"{prefix}bad"], float(avg) if avg is not None else None)

    return made("p_"), made("")


def in_period(start: datetime.datetime, end: datetime.datetime, qs: QuerySet[Rating] | None = None) -> QuerySet[Rating]:
    return (qs if qs is not None else selectors.counted()).filter(created_at__gte=start, created_at__lt=end)


def counted_in(county: Any = None) -> QuerySet[Rating]:
    """The counted ratings of one county (a County or its code): those its units answer for (the
    rating's responsible unit, `Rating.county_lookup`); None: every county's, for the platform's own
    callers (the API without `county`, a platform administrator's ranking)."""
    qs = selectors.counted()
    return qs if county is None else for_county(qs, county)


def grouped(qs: QuerySet[Rating], key: str, name: str) -> list[dict[str, Any]]:
    """Summary per group (unit, area, window, matter), best average first."""
    rows = qs.exclude(**{f"{key}__isnull": True}).values(key, name).annotate(**_AGG).order_by("-avg", "-n", name)
    out = []
    for r in rows:
        s = Summary(r["n"], r["good"], r["bad"], float(r["avg"]) if r["avg"] is not None else None)
        out.append({"name": r[name], "key": r[key], **s.as_dict()})
    return out


def window_ranking(start: datetime.datetime, end: datetime.datetime, *, county: Any = None) -> list[dict[str, Any]]:
    """The monthly window ranking for the hall manager: average score, then number of ratings. One
    county's windows (`county`), or every county's for None (a county's numbering restarts at 1, so
    a ranking across counties would mix two 1号窗口: only the platform's own callers ask for it)."""
    rows = (
        in_period(start, end, counted_in(county))
        .exclude(window__isnull=True)
        .values("window__number", "window__point__name")
        .annotate(**_AGG)
        .order_by("-avg", "-n", "window__number")
    )
    out = []
    for i, r in enumerate(rows, start=1):
        s = Summary(r["n"], r["good"], r["bad"], float(r["avg"]) if r["avg"] is not None else None)
        out.append({"rank": i, "window": r["window__number"], "point": r["window__point__name"], **s.as_dict()})
    return out


def follow_up_figures(start: datetime.datetime, end: datetime.datetime, *, unit_q: Q | None = None) -> dict[str, Any]:
    """Real-name bad ratings of the period and the share followed up on time."""
    fus = FollowUp.objects.filter(rating__created_at__gte=start, rating__created_at__lt=end).exclude(
        status=FollowUp.Status.WITHDRAWN
    )
    if unit_q is not None:
        fus = fus.filter(unit_q)
    total = verified_on_time = replied_on_time = still_open = red = yellow = 0
    # One read: the open and the late ones are counted from the same rows (not three more counts).
    rows = fus.values_list("verified_at", "verify_due", "replied_at", "reply_due", "status", "warning_level")
    for verified_at, verify_due, replied_at, reply_due, status, warning in rows:
        total += 1
        if verified_at is not None and timezone.localdate(verified_at) <= verify_due:
            verified_on_time += 1
        if replied_at is not None and timezone.localdate(replied_at) <= reply_due:
            replied_on_time += 1
        still_open += status in FollowUp.OPEN_STATUSES
        red += warning == "red"
        yellow += warning == "yellow"
    return {
        "real_name_bad": total,
        "verified_on_time": verified_on_time,
        "replied_on_time": replied_on_time,
        "verified_on_time_rate": round(verified_on_time / total, 4) if total else None,
        "replied_on_time_rate": round(replied_on_time / total, 4) if total else None,
        "open": still_open,
        "red": red,
        "yellow": yellow,
    }


def public_corrections(start: datetime.datetime, end: datetime.datetime, *, county: Any = None) -> list[dict[str, Any]]:
    """The public 差评整改 list: replied follow-ups of the period (of one county's units, or every
    county's for None), names masked."""
    from .indicators import tag_label
    from .services import masked_name

    rows = (
        FollowUp.objects.filter(rating__created_at__gte=start, rating__created_at__lt=end, replied_at__isnull=False)
        .exclude(status=FollowUp.Status.WITHDRAWN)
        .select_related("rating", "unit")
        .order_by("rating__created_at", "id")
    )
    if county is not None:
        rows = for_county(rows, county)
    return [
        {
            "date": timezone.localdate(f.rating.created_at),
            "person": masked_name(f.rating.rater_name),
            "service": f.rating.subject_label,
            "unit": f.unit.name,
            "level": f.rating.get_level_display(),
            "reasons": "、".join(tag_label(t) for t in f.rating.tags),
            "fixed": f.reply,
            "status": f.get_status_display(),
            "on_time": timezone.localdate(f.replied_at) <= f.reply_due if f.replied_at else False,
        }
        for f in rows
    ]


def staff_figures(user: Any, start: datetime.datetime, end: datetime.datetime) -> dict[str, Any]:
    """A staff member's own figures: ratings of services they delivered."""
    mine = selectors.counted().filter(staff=user)
    return {"month": summary(in_period(start, end, mine)).as_dict(), "all": summary(mine).as_dict()}


def results(month: str | None, *, county: Any = None) -> dict[str, Any]:
    """The public monthly results: the page and the API show the same figures. The page passes the
    visitor's chosen county (docs/tenancy.md, "Public pages and the county picker"); the API its
    `county` parameter (without it: every county's, as the catalog's API lists)."""
    label, start, end = month_bounds(month)
    qs = in_period(start, end, counted_in(county))
    code = getattr(county, "pk", county)
    return {
        "month": label,
        "total": summary(qs).as_dict(),
        "by_unit": grouped(qs, "unit", "unit__name"),
        "by_area": grouped(qs, "area", "area__name"),
        "by_window": window_ranking(start, end, county=county),
        "by_matter": grouped(qs, "matter", "matter__search_name"),
        "follow_up": follow_up_figures(start, end, unit_q=None if code is None else Q(unit__county_id=code)),
        "corrections": public_corrections(start, end, county=county),
    }


def _pct(value: float | None) -> str:
    return f"{value * 100:.1f}%" if value is not None else "—"


# Narrowed to the reader's remit: the ratings of services its units answer for.
REMIT = True


def sections(*, user: Any = None, params: Any = None) -> list[Section]:
    params = params or {}
    label, start, end = month_bounds(params.get("month"))
    if params.get("date_from") and params.get("date_to"):
        tz = timezone.get_current_timezone()
        start = datetime.datetime.combine(params["date_from"], datetime.time.min, tzinfo=tz)
        end = datetime.datetime.combine(params["date_to"] + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
        label = f"{params['date_from']}~{params['date_to']}"
    base = selectors.counted()
    unit_q = None
    county = params.get("county")
    if county is not None:  # the reader's county: ratings of services its units answer for
        unit_q = Q(unit__county_id=getattr(county, "pk", county))
        base = base.filter(unit_q)
    remit = params.get("remit")
    if remit is not None:  # a department's or township's reader: ratings of services it answers for
        base = base.filter(unit__path__startswith=remit.path)
        unit_q = (unit_q or Q()) & Q(unit__path__startswith=remit.path)
    s, everything = period_and_all(base, start, end)
    fu = follow_up_figures(start, end, unit_q=unit_q)
    by_unit = grouped(in_period(start, end, base), "unit", "unit__name")
    units = {u.pk: u for u in OrgUnit.objects.filter(pk__in=[r["key"] for r in by_unit])}
    links = [unit_link(units[r["key"]].kind, units[r["key"]].code) if r["key"] in units else "" for r in by_unit]
    names = [r["name"] for r in by_unit]
    chart = Chart(
        key="ratings-units",
        title=str(_("各单位评价（%(p)s）")) % {"p": label},
        kind="hbar",
        categories=names,
        series=[
            (str(_("好评")), [r["good"] for r in by_unit]),
            (str(_("差评")), [r["bad"] for r in by_unit]),
        ],
        unit=str(_("条")),
        links=links,
        note=str(_("各责任单位收到的评价：非常满意、满意、基本满意算好评，不满意、非常不满意算差评")),
        text=describe_chart(str(_("各单位评价数")), names, [r["count"] for r in by_unit], str(_("条"))),
    )
    return [
        Section(
            key="ratings",
            title=str(_("好差评")),
            order=70,
            charts=[chart],
            figures=[
                Figure(
                    str(_("评价总数（%(p)s）")) % {"p": label},
                    s.count,
                    note=str(_("这个月的评价，每次服务只算最新一条，申诉成立的不算")),
                ),
                Figure(
                    str(_("好评率（%(p)s）")) % {"p": label},
                    _pct(s.good_rate),
                    note=str(_("非常满意、满意和基本满意占评价总数的比例")),
                ),
                Figure(str(_("差评（%(p)s）")) % {"p": label}, s.bad, note=str(_("不满意和非常不满意的评价"))),
                Figure(
                    str(_("平均分（%(p)s）")) % {"p": label},
                    f"{s.average:.2f}" if s.average else "—",
                    note=str(_("评价等级的平均值（1 非常不满意至 5 非常满意）")),
                ),
                Figure(str(_("实名差评")), fu["real_name_bad"], note=str(_("这个月留了姓名和联系方式、可以回访的差评"))),
                Figure(
                    str(_("按时回访核实率")),
                    _pct(fu["verified_on_time_rate"]),
                    note=str(_("实名差评中，在规定日期前回访核实的比例")),
                ),
                Figure(
                    str(_("按时整改反馈率")),
                    _pct(fu["replied_on_time_rate"]),
                    note=str(_("实名差评中，在规定日期前整改并答复的比例")),
                ),
                Figure(
                    str(_("累计评价")),
                    everything.count,
                    note=str(_("好评率 %(r)s")) % {"r": _pct(everything.good_rate)},
                ),
            ],
            tables=[
                Table(
                    columns=[str(_("单位")), str(_("评价数")), str(_("好评率")), str(_("差评")), str(_("平均分"))],
                    rows=[[r["name"], r["count"], _pct(r["good_rate"]), r["bad"], r["average"]] for r in by_unit],
                    title=str(_("各单位满意度（%(p)s）")) % {"p": label},
                )
            ],
        )
    ]


def by_county(codes: list[str], start: datetime.datetime, end: datetime.datetime) -> dict[str, dict[str, int]]:
    """Per county (by code): the period's counted ratings (as the section counts them) and the good
    ones, through the responsible unit. For the roll-up above the counties."""
    out = {code: {"ratings": 0, "good": 0} for code in codes}
    key = "unit__county_id"
    rows = in_period(start, end).filter(**{f"{key}__in": codes}).values(key).annotate(n=_AGG["n"], good=_AGG["good"]).order_by()
    for r in rows:
        out[r[key]] = {"ratings": r["n"], "good": r["good"]}
    return out
