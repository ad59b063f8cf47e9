"""The dashboard's filters: parsed from the query string into what providers expect (dates and
objects found by their public codes), described in words (pages and exported files say which
filters made the numbers), and turned back into links for drilling down."""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.utils.translation import gettext as _

from onewindow.accounts.models import County, OrgUnit
from onewindow.cases.models import Channel
from onewindow.catalog.models import Bundle, Matter
from onewindow.core.tenancy import for_county
from onewindow.hall.models import ServiceArea, ServicePoint

# Query keys kept when drilling down or exporting, in the order they are described.
KEYS = ["county", "date_from", "date_to", "department", "township", "matter", "bundle", "channel", "point", "area"]
TOWNSHIP_KINDS = (OrgUnit.Kind.TOWNSHIP, OrgUnit.Kind.SUBDISTRICT)


def _by_code(model: Any, code: Any, county: Any = None, **extra: Any) -> Any:
    code = str(code or "").strip()[:64]
    if not code:
        return None
    qs = model.objects.filter(code=code, **extra)
    return (for_county(qs, county) if county is not None else qs).first()


def parse_params(raw: Any, county: Any = None) -> dict[str, Any]:
    """date_from / date_to as dates (dropped when invalid or reversed); department, township,
    matter, bundle, point, area as objects found by code (dropped when unknown, or of another
    county than `county`, the reader's: a link cannot reach another county's unit); channel when it
    is one; `county` as the County (the one given, which the caller resolved for the reader);
    anything else as a string."""
    params: dict[str, Any] = {k: raw.get(k) for k in raw}
    params.pop("county", None)
    if county is not None:
        params["county"] = county if isinstance(county, County) else County.objects.filter(pk=county).first()
    for key in ("date_from", "date_to"):
        value = params.pop(key, None)
        if value:
            with contextlib.suppress(ValueError):
                params[key] = datetime.date.fromisoformat(str(value))
    if "date_from" in params and "date_to" in params and params["date_from"] > params["date_to"]:
        params.pop("date_from")
        params.pop("date_to")
    lookups: dict[str, tuple[Any, dict[str, Any]]] = {
        "department": (OrgUnit, {"kind": OrgUnit.Kind.DEPARTMENT}),
        "township": (OrgUnit, {"kind__in": TOWNSHIP_KINDS}),
        "matter": (Matter, {}),
        "bundle": (Bundle, {}),
        "point": (ServicePoint, {}),
        "area": (ServiceArea, {}),
    }
    for key, (model, extra) in lookups.items():
        if key in params:
            found = _by_code(model, params.pop(key), county, **extra)
            if found is not None:
                params[key] = found
    if "channel" in params and params["channel"] not in Channel.values:
        params.pop("channel")
    return params


def _code(value: Any) -> str:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(getattr(value, "code", value))


def _kept(params: dict[str, Any]) -> list[str]:
    """The keys links carry: the county only for a reader who chose it (a province's, a city's or
    the platform's reader); a county's staff are always in their own."""
    return KEYS if params.get("county_chosen") else KEYS[1:]


def query(params: dict[str, Any], **changes: Any) -> str:
    """The query string of `params` (filters only) with `changes` applied (None removes a key)."""
    out = {k: _code(params[k]) for k in _kept(params) if params.get(k) is not None}
    for k, v in changes.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = _code(v)
    return urlencode(out)


def driller(params: dict[str, Any]) -> Callable[[str], str]:
    """`drill` for many links from one page: the page's own filters are read once."""
    base = {k: _code(params[k]) for k in _kept(params) if params.get(k) is not None}

    def follow(link: str) -> str:
        extra = dict(pair.split("=", 1) for pair in link.split("&") if "=" in pair)
        return urlencode(base | extra)

    return follow


def drill(params: dict[str, Any], link: str) -> str:
    """The query string for following a chart's or table's link ("department=ZJJ") from here."""
    return driller(params)(link)


def describe(params: dict[str, Any]) -> list[tuple[str, str]]:
    """(filter, value) pairs in words, for the page and the exported files."""
    labels = {
        "county": _("区县"),
        "date_from": _("开始日期"),
        "date_to": _("结束日期"),
        "department": _("部门"),
        "township": _("乡镇（街道）"),
        "matter": _("事项"),
        "bundle": _("一件事"),
        "channel": _("渠道"),
        "point": _("服务场所"),
        "area": _("服务区"),
    }
    out = []
    for k in _kept(params):  # the county only when the reader chose it (a county's staff: always theirs)
        v = params.get(k)
        if v is None:
            continue
        if k == "channel":
            text = str(dict(Channel.choices).get(v, v))
        elif k == "matter":
            text = v.search_name or v.code
        elif isinstance(v, datetime.date):
            text = v.isoformat()
        else:
            text = str(getattr(v, "name", v))
        out.append((str(labels[k]), text))
    return out


def trail(params: dict[str, Any]) -> list[tuple[str, str]]:
    """The way back up: (label, query string) from the district down to the current level."""
    top = params.get("remit")
    if top is not None:  # the reader's remit is the top: the district is not theirs to see
        other = "township" if top.kind == OrgUnit.Kind.DEPARTMENT else "department"
        steps = [(top.name, query(params, **{other: None}, matter=None, bundle=None, channel=None))]
    else:
        steps = [(_("全区"), query(params, department=None, township=None, matter=None, bundle=None, channel=None))]
    for key in ("department", "township"):
        if params.get(key) is not None and params[key] != top:
            steps.append((params[key].name, query(params, matter=None, bundle=None, channel=None)))
    for key in ("matter", "bundle"):
        if params.get(key) is not None:
            v = params[key]
            steps.append((getattr(v, "search_name", "") or getattr(v, "name", "") or v.code, query(params, channel=None)))
    return steps
