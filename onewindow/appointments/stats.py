"""Appointment figures for the dashboard, counted from bookings and slots (never stored totals).

- off-hours services delivered: off-hours bookings that were checked in (turned into a ticket);
- no-show rate: no-shows / (checked in + no-shows), over bookings whose time has passed;
- utilisation per session kind: places booked / places offered, over the period's slots.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.catalog.models import Matter
from onewindow.core.stats import Chart, Figure, Section, Table, counts, describe_chart
from onewindow.core.tenancy import for_county

from .models import Booking, SessionKind, Slot

# The off-hours service started on 2018-12-30 (F12); the seed reports its total "by the end of June"
# 2021. Only the dates are fixed here: the figures are counted.
SERVICE_SINCE = datetime.date(2018, 12, 30)
SEED_REPORT_DATE = datetime.date(2021, 6, 30)


def _bounds(d1: datetime.date, d2: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(d1, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(d2 + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return start, end


def _county(county: Any, prefix: str) -> dict[str, Any]:
    """The filter to one county (a County or its code) through a row's service point's unit, or none.
    An explicit lookup: these models carry no county_lookup yet (docs/tenancy.md)."""
    return {} if county is None else {f"{prefix}org_unit__county_id": getattr(county, "pk", county)}


def _served_off_hours(date_from: datetime.date, date_to: datetime.date | None, county: Any = None) -> Any:
    start, end = _bounds(date_from, date_to or timezone.localdate())
    return Booking.objects.filter(
        status=Booking.Status.CHECKED_IN,
        is_off_hours=True,
        starts_at__gte=start,
        starts_at__lt=end,
        **_county(county, "area__point__"),
    )


def served_off_hours(
    *, date_from: datetime.date = SERVICE_SINCE, date_to: datetime.date | None = None, county: Any = None
) -> int:
    return int(_served_off_hours(date_from, date_to, county).count())


def figures(*, date_from: datetime.date, date_to: datetime.date, point: Any = None, county: Any = None) -> dict[str, Any]:
    """The period's figures, every service point (of `county`, when given) or one (`point`, when drilled into)."""
    start, end = _bounds(date_from, date_to)
    qs = Booking.objects.filter(starts_at__gte=start, starts_at__lt=end, **_county(county, "area__point__"))
    if point is not None:
        qs = qs.filter(area__point=point)
    agg = qs.aggregate(
        total=Count("id"),
        off=Count("id", filter=Q(is_off_hours=True)),
        served=Count("id", filter=Q(status=Booking.Status.CHECKED_IN)),
        served_off=Count("id", filter=Q(status=Booking.Status.CHECKED_IN, is_off_hours=True)),
        no_show=Count("id", filter=Q(status=Booking.Status.NO_SHOW)),
        cancelled=Count("id", filter=Q(status=Booking.Status.CANCELLED)),
        late=Count("id", filter=Q(checked_in_late=True)),
    )
    settled = agg["served"] + agg["no_show"]
    agg["no_show_rate"] = agg["no_show"] / settled if settled else None
    per_kind = []
    slots = Slot.objects.filter(
        date__gte=date_from, date__lte=min(date_to, timezone.localdate()), **_county(county, "area__point__")
    )
    if point is not None:
        slots = slots.filter(area__point=point)
    offered = {r["kind"]: r for r in slots.values("kind").annotate(places=Sum("capacity"), booked=Sum("booked"), n=Count("id"))}
    by_kind = {
        r["session_kind"]: r
        for r in qs.values("session_kind").annotate(
            served=Count("id", filter=Q(status=Booking.Status.CHECKED_IN)),
            no_show=Count("id", filter=Q(status=Booking.Status.NO_SHOW)),
        )
    }
    for kind in SessionKind:
        o = offered.get(kind.value, {})
        b = by_kind.get(kind.value, {})
        places = int(o.get("places") or 0)
        booked = int(o.get("booked") or 0)
        per_kind.append(
            {
                "kind": kind,
                "slots": int(o.get("n") or 0),
                "places": places,
                "booked": booked,
                "utilisation": booked / places if places else None,
                "served": int(b.get("served") or 0),
                "no_show": int(b.get("no_show") or 0),
            }
        )
    agg["per_kind"] = per_kind
    agg["per_point"] = list(
        qs.values("area__point__name", "area__point__code")
        .annotate(n=Count("id"), served_off=Count("id", filter=Q(status=Booking.Status.CHECKED_IN, is_off_hours=True)))
        .order_by("-served_off", "area__point__name")
    )
    return agg


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v * 100:.1f}%"


def sections(*, user: Any, params: dict[str, Any]) -> list[Section]:
    """The whole history by default (the service began 2018-12-30), or params date_from/date_to."""
    date_to = params.get("date_to") or timezone.localdate()
    date_from = params.get("date_from") or SERVICE_SINCE
    county = params.get("county")
    f = figures(date_from=date_from, date_to=date_to, point=params.get("point"), county=county)
    # The two fixed counts in one statement: bookable matters, and served_off_hours(date_to=SEED_REPORT_DATE).
    matters = Matter.objects.filter(current_version__off_hours_bookable=True)
    n = counts(
        bookable=for_county(matters, county) if county is not None else matters,
        seed_served=_served_off_hours(SERVICE_SINCE, SEED_REPORT_DATE, county),
    )
    bookable = n["bookable"]
    sec = Section(key="appointments", title=str(_("预约与延时错时服务")), order=45)
    period = f"{date_from} – {date_to}"
    sec.figures = [
        Figure(
            str(_("可预约延时错时服务的事项")),
            bookable,
            str(_("项")),
            fact="F12",
            note=str(_("可以预约午间、晚间、周末或节假日办理的事项")),
        ),
        Figure(
            str(_("延时错时服务办件（截至2021年6月底）")),
            n["seed_served"],
            str(_("件")),
            fact="F12",
            note=str(_("自2018-12-30开办起，已签到办理的午间、晚间、周末、节假日预约")),
        ),
        Figure(str(_("延时错时服务办件（所选期间）")), f["served_off"], str(_("件")), note=period),
        Figure(str(_("预约总数")), f["total"], str(_("个")), note=period),
        Figure(
            str(_("其中延时错时预约")), f["off"], str(_("个")), note=str(_("所选期间的预约中，约在午间、晚间、周末或节假日的"))
        ),
        Figure(str(_("爽约率")), _pct(f["no_show_rate"]), note=str(_("爽约 / (签到 + 爽约)"))),
        Figure(str(_("取消")), f["cancelled"], str(_("个")), note=str(_("所选期间的预约中，被群众或工作人员取消的"))),
    ]
    kinds = [str(k["kind"].label) for k in f["per_kind"]]
    utilisation = [round(100 * k["utilisation"], 1) if k["utilisation"] is not None else None for k in f["per_kind"]]
    sec.charts.append(
        Chart(
            key="appointments-kinds",
            title=str(_("各时段预约名额利用率")),
            kind="bar",
            categories=kinds,
            series=[(str(_("利用率（%）")), utilisation)],
            unit="%",
            note=str(_("所选期间到今天为止的时段：已约名额占开放名额的比例")),
            text=describe_chart(str(_("各时段预约名额利用率")), kinds, [u or 0 for u in utilisation], "%"),
        )
    )
    points = [r["area__point__name"] for r in f["per_point"]]
    sec.charts.append(
        Chart(
            key="appointments-points",
            title=str(_("各服务场所预约与延时错时服务")),
            kind="hbar",
            categories=points,
            series=[
                (str(_("预约")), [r["n"] for r in f["per_point"]]),
                (str(_("延时错时服务办件")), [r["served_off"] for r in f["per_point"]]),
            ],
            unit=str(_("个")),
            links=[f"point={r['area__point__code']}" for r in f["per_point"]],
            note=str(_("所选期间各服务场所的预约数，和其中已签到办理的午间、晚间、周末、节假日预约")),
            text=describe_chart(str(_("各服务场所预约")), points, [r["n"] for r in f["per_point"]], str(_("个"))),
        )
    )
    sec.tables.append(
        Table(
            title=str(_("各时段利用率")),
            columns=[
                str(_("时段类型")),
                str(_("时段数")),
                str(_("名额")),
                str(_("已约")),
                str(_("利用率")),
                str(_("已签到")),
                str(_("爽约")),
            ],
            rows=[
                [str(k["kind"].label), k["slots"], k["places"], k["booked"], _pct(k["utilisation"]), k["served"], k["no_show"]]
                for k in f["per_kind"]
            ],
        )
    )
    sec.tables.append(
        Table(
            title=str(_("各服务场所")),
            columns=[str(_("服务场所")), str(_("预约")), str(_("延时错时服务办件"))],
            rows=[[r["area__point__name"], r["n"], r["served_off"]] for r in f["per_point"]],
            links=[f"point={r['area__point__code']}" for r in f["per_point"]],
        )
    )
    return [sec]


def by_county(codes: list[str], *, date_from: datetime.date, date_to: datetime.date) -> dict[str, int]:
    """Per county (by code): off-hours appointments of the period checked in (served), through the
    booking's service point's unit. For the roll-up above the counties."""
    out = dict.fromkeys(codes, 0)
    key = "area__point__org_unit__county_id"
    rows = _served_off_hours(date_from, date_to).filter(**{f"{key}__in": codes}).values(key).annotate(n=Count("id"))
    for r in rows:
        out[r[key]] = r["n"]
    return out
