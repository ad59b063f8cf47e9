"""低保 figures computed from the rows, for any period (F13, F13a).

- newly approved: enrolments confirmed in the period (households; people = members at confirmation);
- removed: enrolments ended in the period (households; people = the enrolment's members);
- money paid: payments with status paid whose money reached the account in the period;
- working days from acceptance to confirmation: per enrolment with its 审核确认 case, by the work
  calendar (`core.workdays`: working days after the acceptance day up to the confirmation day),
  with who decided (the district 民政局 or a township), so the page shows F13's before / after.

No figure here is stored or typed: the dashboard section and the public page call these functions.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.accounts.models import OrgUnit
from onewindow.core import workdays
from onewindow.core.stats import Chart, Figure, Section, Table

from .models import Enrolment, Payment


@dataclass
class Figures:
    date_from: datetime.date
    date_to: datetime.date
    approved_households: int = 0
    approved_people: int = 0
    removed_households: int = 0
    removed_people: int = 0
    paid_fen: int = 0
    # working days from acceptance to confirmation, over the enrolments with a case
    timed: int = 0
    avg_workdays: float | None = None
    max_workdays: int | None = None
    by_decider: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def paid_yuan(self) -> str:
        return f"{self.paid_fen // 100:,}.{self.paid_fen % 100:02d}"


def _durations(qs: Any) -> list[tuple[int, str]]:
    """(working days, decider kind) per confirmed enrolment with an accepted case."""
    # Counted on the case's county's calendar (its deciding unit's county, joined with its kind).
    rows = qs.filter(case__accepted_at__isnull=False).values_list(
        "case__accepted_at", "confirmed_on", "case__department__kind", "case__department__county_id"
    )
    out = []
    for accepted_at, confirmed_on, kind, county in rows.iterator(chunk_size=2000):
        accepted = timezone.localtime(accepted_at).date()
        decider = "district" if kind == OrgUnit.Kind.DEPARTMENT else "township"
        out.append((workdays.workdays_between(accepted, confirmed_on, county), decider))
    return out


def figures(*, date_from: datetime.date, date_to: datetime.date, township: OrgUnit | None = None, county: Any = None) -> Figures:
    enrolments = Enrolment.objects.all()
    payments = Payment.objects.filter(status=Payment.Status.PAID)
    if county is not None:  # one county's, through the household's township (explicit: no county_lookup yet)
        code = getattr(county, "pk", county)
        enrolments = enrolments.filter(household__township__county_id=code)
        payments = payments.filter(household__township__county_id=code)
    if township is not None:
        enrolments = enrolments.filter(household__township=township)
        payments = payments.filter(household__township=township)
    f = Figures(date_from, date_to)
    approved = enrolments.filter(confirmed_on__range=(date_from, date_to))
    a = approved.aggregate(h=Count("id"), p=Sum("people"))
    r = enrolments.filter(ended_on__range=(date_from, date_to)).aggregate(h=Count("id"), p=Sum("people"))
    f.approved_households, f.approved_people = a["h"] or 0, a["p"] or 0
    f.removed_households, f.removed_people = r["h"] or 0, r["p"] or 0
    f.paid_fen = payments.filter(paid_on__range=(date_from, date_to)).aggregate(t=Sum("amount_fen"))["t"] or 0
    durations = _durations(approved)
    if durations:
        days = [d for d, _k in durations]
        f.timed = len(days)
        f.avg_workdays = round(sum(days) / len(days), 1)
        f.max_workdays = max(days)
        for decider in ("district", "township"):
            mine = [d for d, k in durations if k == decider]
            if mine:
                f.by_decider[decider] = {
                    "n": len(mine),
                    "avg": round(sum(mine) / len(mine), 1),
                    "min": min(mine),
                    "max": max(mine),
                }
    return f


def yearly(first: int, last: int, county: Any = None) -> list[Figures]:
    return [
        figures(date_from=datetime.date(y, 1, 1), date_to=datetime.date(y, 12, 31), county=county) for y in range(first, last + 1)
    ]


def years_with_data(county: Any = None) -> tuple[int, int] | None:
    # From the first enrolment confirmed through a case: households taken over from the old
    # register have no acceptance to time. One county's (`county`), or every county's.
    enrolments = Enrolment.objects.all()
    if county is not None:
        enrolments = enrolments.filter(household__township__county_id=getattr(county, "pk", county))
    with_case = enrolments.filter(case__isnull=False).order_by("confirmed_on")
    first = with_case.first() or enrolments.order_by("confirmed_on").first()
    if first is None:
        return None
    return first.confirmed_on.year, timezone.localdate().year


def _overall(years: list[Figures], decider: str) -> float | None:
    parts = [y.by_decider[decider] for y in years if decider in y.by_decider]
    n = sum(p["n"] for p in parts)
    return round(sum(p["avg"] * p["n"] for p in parts) / n, 1) if n else None


def _days(v: float | None) -> Any:
    return "—" if v is None else v


def sections(*, user: Any = None, params: Any = None) -> list[Section]:
    """The dashboard's 低保 section: the chosen period's figures (default: this year) and, per
    year, approvals and working days (before / after the delegation to townships)."""
    params = params or {}
    span = years_with_data(params.get("county"))
    if span is None:
        return []
    today = timezone.localdate()
    date_from = params.get("date_from") or datetime.date(today.year, 1, 1)
    date_to = params.get("date_to") or today
    township = params.get("township")
    f = figures(date_from=date_from, date_to=date_to, township=township, county=params.get("county"))
    where = township.name if township is not None else _("全区")
    sec = Section(
        key="welfare",
        title=_("最低生活保障（低保）"),
        order=16,
        note=_(
            "%(where)s，%(a)s – %(b)s：新批准为确认日期在期间内的在保记录，退出为期间内结束的在保记录，发放金额为期间内到账的发放记录。"
        )
        % {"where": where, "a": date_from, "b": date_to},
    )
    sec.figures = [
        Figure(_("新批准低保家庭"), f.approved_households, _("户"), fact="F13a", note=_("%(n)d 人") % {"n": f.approved_people}),
        Figure(_("退出低保家庭"), f.removed_households, _("户"), fact="F13a", note=_("%(n)d 人") % {"n": f.removed_people}),
        Figure(_("发放低保金"), f.paid_yuan, _("元"), fact="F13a", note=_("银行已到账的发放记录")),
        Figure(
            _("受理到确认平均用时"),
            _days(f.avg_workdays),
            _("个工作日"),
            fact="F13",
            note=_("最长 %(m)s 个工作日") % {"m": _days(f.max_workdays)},
        ),
    ]
    years = yearly(*span, county=params.get("county"))
    rows, cats, district_avg, township_avg = [], [], [], []
    for y in years:
        d, t = y.by_decider.get("district", {}), y.by_decider.get("township", {})
        cats.append(str(y.date_from.year))
        district_avg.append(d.get("avg"))
        township_avg.append(t.get("avg"))
        rows.append(
            [
                y.date_from.year,
                y.approved_households,
                y.approved_people,
                y.removed_households,
                y.removed_people,
                y.paid_yuan,
                _days(d.get("avg")),
                _days(d.get("max")),
                _days(t.get("avg")),
                _days(t.get("max")),
            ]
        )
    sec.tables = [
        Table(
            title=_("低保逐年情况"),
            columns=[
                _("年度"),
                _("新批准（户）"),
                _("新批准（人）"),
                _("退出（户）"),
                _("退出（人）"),
                _("发放金额（元）"),
                _("区民政局审批平均工作日"),
                _("区民政局审批最长工作日"),
                _("乡镇审批平均工作日"),
                _("乡镇审批最长工作日"),
            ],
            rows=rows,
        )
    ]
    sec.charts = [
        Chart(
            key="welfare-workdays",
            title=_("低保受理到确认的平均工作日"),
            kind="bar",
            categories=cats,
            series=[(_("区民政局审批"), district_avg), (_("乡镇（街道）审批"), township_avg)],
            unit=_("个工作日"),
            text=_("区民政局审批的低保平均用时 %(d)s 个工作日，乡镇（街道）审批的平均用时 %(t)s 个工作日。")
            % {"d": _days(_overall(years, "district")), "t": _days(_overall(years, "township"))},
            note=_("按确认年份，每件从受理次日到确认日的工作日数的平均值"),
        )
    ]
    return [sec]


def households_by_county(codes: list[str], *, on: datetime.date) -> dict[str, int]:
    """Per county (by code): 低保 households in payment on day `on` (confirmed by then, not ended
    by then), through the household's township. For the roll-up above the counties."""
    from django.db.models import Q

    out = dict.fromkeys(codes, 0)
    key = "household__township__county_id"
    rows = (
        Enrolment.objects.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on), confirmed_on__lte=on, **{f"{key}__in": codes})
        .values(key)
        .annotate(n=Count("id"))
        .order_by()
    )
    for r in rows:
        out[r[key]] = r["n"]
    return out
