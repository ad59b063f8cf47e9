"""The leaders' dashboard: every app's figures (discovered, see discovery.py) with charts, drill-down
from the district to departments or townships, matters and the list of cases; exports of any view;
the hall's wall screen. Thin: parse the filters, collect, render."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from onewindow.accounts.models import OrgUnit
from onewindow.accounts.tenancy import staff_county
from onewindow.cases.models import Case, Channel
from onewindow.core import dbrouter
from onewindow.core.authed import AuthedRequest
from onewindow.core.dbrouter import replica_read
from onewindow.core.errors import NotFound, PermissionDenied, ValidationFailed
from onewindow.core.parsing import parse_day
from onewindow.core.rollups import last_refreshed, serial_reads

from . import exports, rollup, wall
from .discovery import collect, district_only
from .filters import describe, driller, parse_params, query, trail
from .selectors import (
    can_list_cases,
    can_view_dashboard,
    case_list,
    is_county_reader,
    is_platform_operator,
    list_measure,
    reader_county,
    remit,
    rollup_counties,
    within_remit,
)
from .tables import rows_html

CASES_PER_PAGE = 50
# The heading of the list behind each figure (selectors.list_measure, cases.figures.COUNTED).
LIST_HEADINGS = {
    "red": _lazy("现在已超期的办件"),
    "yellow": _lazy("现在临近超期的办件"),
    "received": _lazy("收到的申请"),
    "concluded": _lazy("已办结的办件（按时办结率的分母）"),
    "on_time": _lazy("按时办结的办件"),
    "late_done": _lazy("超期办结的办件"),
    "timed": _lazy("计入平均办理用时的办件"),
    "supplemented": _lazy("出具过补正通知的办件"),
    "refused": _lazy("不予受理的申请"),
    "joint": _lazy("联合办理（一件事）的办件"),
    "done": _lazy("已送达或不予受理的办件"),
    "zero_trips": _lazy("申请人一次也没有到现场的办件"),
    "one_trip": _lazy("申请人到现场不超过一次的办件"),
}


class CappedPaginator(Paginator[Case]):
    """Counts at most `CAP` cases (one more tells that there are more): the count of a long list
    (a channel's whole history: a few hundred thousand cases) would cost more than the page. Pages
    go up to the cap, as far as an export goes; past it the reader narrows the filters."""

    CAP = exports.MAX_CASE_ROWS

    @cached_property
    def counted(self) -> int:
        # Without the list's order and joins: PostgreSQL may stop a plain scan at the cap (a channel's
        # whole history: 96 ms) instead of walking the index of receipt to it (730 ms at 1M cases).
        # The list is the cases' QuerySet; the stubs type `object_list` as any sliceable sequence.
        return int(self.object_list.order_by().values("pk")[: self.CAP + 1].count())  # type: ignore[attr-defined]

    @cached_property
    def count(self) -> int:
        return min(self.counted, self.CAP)

    @property
    def capped(self) -> bool:
        return self.counted > self.CAP


def _splits(params: dict[str, Any], measure: str) -> list[tuple[str, str]]:
    """The concluded cases split the way the on-time rate counts them: (label, query) for the
    on-time and the late ones, each with the page's filters."""
    if measure not in ("concluded", "on_time", "late_done"):
        return []
    return [(str(LIST_HEADINGS[m]), query(params, view="cases", counts=m)) for m in ("concluded", "on_time", "late_done")]


def _require(request: HttpRequest) -> None:
    if not can_view_dashboard(request.user):
        raise PermissionDenied(_("只有领导、大厅管理员和系统管理员可以查看统计分析。"))


def _require_cases(request: HttpRequest) -> None:
    """The lists of cases name people: a province's or city's reader sees figures only."""
    if not can_list_cases(request.user):
        raise PermissionDenied(_("省、市统计查看人只能查看汇总数字，不能查看办件清单。"))


def _params(request: HttpRequest) -> dict[str, Any]:
    """The query's filters, in the reader's county (their own, or for a province's, a city's or the
    platform's reader the county asked for among theirs) and narrowed to the reader's remit (their
    department or township)."""
    county = reader_county(request.user, str(request.GET.get("county") or "")[:6])
    params = within_remit(parse_params(request.GET, county), remit(request.user))
    params["county_chosen"] = staff_county(request.user) is None  # links then carry it
    return params


def _no_case_links(sections: list[Any]) -> None:
    """For a reader who may not list cases: every link down to a list of cases taken off (the
    figures stay; the way down stops at the matter)."""

    def keep(link: str) -> str:
        return "" if "view=cases" in link else link

    for s in sections:
        for f in s.figures:
            f.link = keep(f.link)
        for t in s.tables:
            t.links = [keep(link) for link in t.links]
        for c in s.charts:
            c.links = [keep(link) for link in c.links]


def _charts_payload(sections: list[Any]) -> dict[str, Any]:
    """What the page's script needs to draw each chart: numbers, names and drill-down hrefs."""
    out = {}
    for s in sections:
        for c in s.charts:
            out[c.key] = {
                "kind": c.kind,
                "categories": c.categories,
                "series": [{"name": name, "data": data} for name, data in c.series],
                "unit": c.unit,
                "links": c.hrefs,
            }
    return out


def _links(sections: list[Any], params: dict[str, Any]) -> None:
    """Turn each figure's, table row's and chart category's filter into a ready href, and the
    tables' and charts' rows into HTML (tables.rows_html)."""
    follow = driller(params)

    def href(link: str) -> str:
        return f"?{follow(link)}" if link else ""

    for s in sections:
        for f in s.figures:
            f.href = href(f.link)
        for t in s.tables:
            hrefs = [href(link) for link in t.links] + [""] * (len(t.rows) - len(t.links))
            t.body = rows_html(zip(hrefs, t.rows, strict=False), columns=len(t.columns))
        for c in s.charts:
            c.hrefs = [href(link) for link in c.links]
            hrefs = c.hrefs + [""] * (len(c.categories) - len(c.hrefs))
            cells = (
                [name, *(data[i] if i < len(data) else None for _n, data in c.series)] for i, name in enumerate(c.categories)
            )
            c.body = rows_html(zip(hrefs, cells, strict=False), columns=len(c.series) + 1)


def _filter_units(county: Any) -> dict[str, list[OrgUnit]]:
    """The filter form's departments and townships of the county, in one read."""
    kinds = [OrgUnit.Kind.DEPARTMENT, OrgUnit.Kind.TOWNSHIP, OrgUnit.Kind.SUBDISTRICT]
    units = list(OrgUnit.objects.filter(kind__in=kinds, county=county).order_by("sort_order", "code"))
    return {
        "departments": [u for u in units if u.kind == OrgUnit.Kind.DEPARTMENT],
        "townships": [u for u in units if u.kind != OrgUnit.Kind.DEPARTMENT],
    }


@login_required
@replica_read  # figures only; the rollup refresh it may run writes (and reads) on the primary
def index(request: AuthedRequest) -> HttpResponse:
    _require(request)
    params = _params(request)
    if params.get("view") == "cases":
        _require_cases(request)
        return cases(request, params)
    with serial_reads():
        sections = collect(user=request.user, params=params)
    if not can_list_cases(request.user):
        _no_case_links(sections)
    _links(sections, params)
    context = {
        "sections": sections,
        "params": params,
        "query": query(params),
        "filters": describe(params),
        "trail": trail(params),
        "charts": _charts_payload(sections),
        **_filter_units(params["county"]),
        "region_reader": not is_county_reader(request.user),
        "rollup_link": staff_county(request.user) is None and bool(rollup_counties(request.user)),
        # A reader who chooses the county (a province's, a city's, the platform's) gets a choice of theirs.
        "county_choices": rollup_counties(request.user) if params.get("county_chosen") else [],
        "channels": Channel.choices,
        "refreshed": last_refreshed("cases"),
        "replica": dbrouter.status(),
        "remit": params["remit"],
        "district_only": district_only(params),
        "now": timezone.localtime(),
    }
    return render(request, "dashboard/index.html", context)


def cases(request: AuthedRequest, params: dict[str, Any]) -> HttpResponse:
    """The bottom of every drill-down: the cases behind a figure, as far as the reader may see them."""
    qs = case_list(request.user, params)
    page = CappedPaginator(qs, CASES_PER_PAGE, allow_empty_first_page=True).get_page(request.GET.get("page"))
    measure = list_measure(params)
    extra = {"late": params.get("late") or None, "counts": measure or None}
    context = {
        "page": page,
        "params": params,
        "filters": describe(params),
        "trail": trail(params),
        "query": query(params),
        "list_query": query(params, view="cases", **extra),
        "late": params.get("late", ""),
        "heading": LIST_HEADINGS.get(params.get("late") or measure, _("办件清单")),
        "splits": _splits(params, measure),
        "concluded_column": measure in ("concluded", "on_time", "late_done", "timed"),
    }
    return render(request, "dashboard/cases.html", context)


@login_required
def export(request: AuthedRequest, fmt: str) -> HttpResponse:
    """Any view as CSV or xlsx, with the filters that made it at the top of the file."""
    _require(request)
    params = _params(request)
    if params.get("view") == "cases":
        _require_cases(request)
        title, sheets = exports.case_sheets(case_list(request.user, params)[: exports.MAX_CASE_ROWS])
        title = str(LIST_HEADINGS.get(params.get("late") or list_measure(params), title))
    else:
        with serial_reads():
            title, sheets = exports.figure_sheets(collect(user=request.user, params=params))
    return exports.respond(fmt, title=title, filters=describe(params), sheets=sheets)


@login_required
@replica_read  # figures only
def wall_page(request: AuthedRequest) -> HttpResponse:
    """大屏: the hall's screen. Dark, big, no navigation; reloads its figures every minute. A
    county's screen: for its readers, not a province's or city's."""
    _require_cases(request)
    params = _params(request)
    context = wall.context(params)
    template = "dashboard/_wall_body.html" if request.headers.get("HX-Request") else "dashboard/wall.html"
    return render(request, template, context)


def _rollup(request: AuthedRequest) -> tuple[Any, dict[str, Any], str]:
    """The roll-up's section, its filters (the period only) and the figure it ranks by."""
    counties = rollup_counties(request.user)
    if not counties:
        raise PermissionDenied(_("只有省、市统计查看人和平台管理员可以查看各区县汇总。"))
    parsed = parse_params(request.GET)
    params = {k: parsed[k] for k in ("date_from", "date_to") if k in parsed}
    labels = rollup.metric_labels()
    sort = str(request.GET.get("sort") or "")
    sort = sort if sort in labels else "received"
    with serial_reads():
        sec, _rows = rollup.section(counties, params, sort=sort)
    return sec, params, sort


@login_required
@replica_read  # figures only
def counties(request: AuthedRequest) -> HttpResponse:
    """各区县汇总: each county's key figures side by side, the sum, compared and ranked; a county's
    name leads to that county's dashboard (figures only for a province's or city's reader)."""
    sec, params, sort = _rollup(request)
    base = query(params)
    index = reverse("dashboard:index")

    def href(link: str) -> str:
        return f"{index}?{link}&{base}" if base else f"{index}?{link}"

    for t in sec.tables:
        hrefs = [href(link) for link in t.links] + [""] * (len(t.rows) - len(t.links))
        t.body = rows_html(zip(hrefs, t.rows, strict=False), columns=len(t.columns))
    for c in sec.charts:
        c.hrefs = [href(link) for link in c.links]
        cells = ([name, *(data[i] for _n, data in c.series)] for i, name in enumerate(c.categories))
        c.body = rows_html(zip(c.hrefs, cells, strict=False), columns=len(c.series) + 1)
    context = {
        "s": sec,
        "params": params,
        "sort": sort,
        "sorts": [(k, v[0]) for k, v in rollup.metric_labels().items()],
        "query": urlencode({**dict(pair.split("=", 1) for pair in base.split("&") if "=" in pair), "sort": sort}),
        "charts": _charts_payload([sec]),
        # The province's operators manage who reads this page (readers, below).
        "operator": is_platform_operator(request.user),
    }
    return render(request, "dashboard/counties.html", context)


@login_required
def counties_export(request: AuthedRequest, fmt: str) -> HttpResponse:
    """The roll-up as CSV or xlsx, with its period and ranking in the file."""
    sec, params, sort = _rollup(request)
    _title, sheets = exports.figure_sheets([sec])
    filters = [*describe(params), (_("排名依据"), rollup.metric_labels()[sort][0])]
    return exports.respond(fmt, title=sec.title, filters=filters, sheets=sheets)


def _term(value: str) -> datetime.date | None:
    """The grant form's 有效期至: empty for a grant until revoked; a date that is not one is refused
    in words (nothing stored)."""
    if not value:
        return None
    return parse_day(value, "valid_until", message=_("有效期的日期格式不正确。"), hint=_("请填写日期，如 2027-06-30。"))


@login_required
def readers(request: AuthedRequest) -> HttpResponse:
    """省市统计查看人: the province's operators grant and take back a province's or city's roll-up
    (models.RegionReader). Everybody else, a county's administrator included, gets 403: a county's
    administrator could otherwise give themselves the other counties' figures."""
    from onewindow.accounts.models import User
    from onewindow.core.errors import ApplicationError

    from . import services
    from .selectors import reader_candidates, region_codes, region_name, region_readers

    if not is_platform_operator(request.user):
        raise PermissionDenied(_("只有省级平台管理员可以管理省市统计查看人。"))
    error: ApplicationError | None = None
    posted: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        posted = {
            "username": request.POST.get("username", "").strip()[:150],
            "region_code": request.POST.get("region_code", "")[:6],
            "valid_until": request.POST.get("valid_until", "").strip()[:10],
        }
        try:
            user = User.objects.filter(username=posted["username"]).first()
            if user is None:
                raise NotFound(_("没有这个用户名的用户。"), fields={"username": [_("没有这个用户名的用户。")]})
            if action == "grant":
                services.region_reader_grant(
                    user=user, region_code=posted["region_code"], actor=request.user, valid_until=_term(posted["valid_until"])
                )
                messages.success(
                    request,
                    _("已授予 %(name)s 查看%(region)s汇总。") % {"name": user, "region": region_name(posted["region_code"])},
                )
            elif action == "revoke":
                services.region_reader_revoke(user=user, region_code=posted["region_code"], actor=request.user)
                messages.success(
                    request,
                    _("已收回 %(name)s 查看%(region)s汇总的权限。")
                    % {"name": user, "region": region_name(posted["region_code"])},
                )
            else:
                raise ValidationFailed(_("未知的操作。"))
        except ApplicationError as exc:
            error = exc
        else:
            return redirect("dashboard:readers")
    today = timezone.localdate()
    rows = [
        {"reader": r, "region": region_name(r.region_code), "expired": r.valid_until is not None and r.valid_until < today}
        for r in region_readers()
    ]
    # Finding the person: a search by user name or name (`?q=`); choosing one fills the grant
    # form's user name (`?username=`), so nobody has to know an account's exact name by heart.
    query = request.GET.get("q", "").strip()[:64]
    if not posted.get("username"):
        posted["username"] = request.GET.get("username", "").strip()[:150]
    return render(
        request,
        "dashboard/readers.html",
        {
            "q": query,
            "candidates": reader_candidates(query),
            "rows": rows,
            "regions": [(code, region_name(code)) for code in region_codes()],
            "error": error,
            "posted": posted,
        },
        status=error.status if error is not None else 200,
    )
