"""Citizen/enterprise API (/api/v1/portal/): what can be applied for online, my cases with their
progress, answering a supplement notice, my notifications. Drafts live under /materials/."""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from onewindow.accounts.visitor import api_county
from onewindow.catalog.search import MatterQuery as CatalogQuery
from onewindow.catalog.search import search_matters
from onewindow.core import workdays
from onewindow.core.apikit import AUTH, ERROR_CODES, ErrorOut, PageParams, actor, page_of, paginate
from onewindow.materials import selectors as ms
from onewindow.materials import services as material_services

from . import selectors

router = Router(tags=["portal"])


class CitizenMatterOut(Schema):
    uuid: UUID
    code: str
    name: str
    department: str
    kind: str
    audience: str
    committed_days: int
    statutory_days: int
    max_visits: int
    on_mobile: bool


class MatterQuery(PageParams):
    q: str = ""
    county: str = Field("", max_length=6, description="区县行政区划代码：只列这个区县可网上申请的事项")


def _matter(m: Any) -> dict[str, Any]:
    v = m.current_version
    return {
        "uuid": m.uuid,
        "code": m.code,
        "name": v.name,
        "department": m.department.name,
        "kind": v.kind,
        "audience": v.audience,
        "committed_days": v.committed_days,
        "statutory_days": v.statutory_days,
        "max_visits": v.max_visits,
        "on_mobile": v.on_mobile,
    }


@router.get("/matters", response={200: page_of(CitizenMatterOut), ERROR_CODES: ErrorOut}, auth=None)
def matters(request: HttpRequest, params: Query[MatterQuery]) -> Any:
    """Matters that can be applied for online (public)."""
    county = api_county(params.county)  # one county's (the phone's chosen county), or every county's
    qs = ms.online_matters(county).order_by("code")
    if params.q.strip():
        # The one catalog search (synonyms, pinyin, codes, ranking) within what can be applied for.
        qs = search_matters(CatalogQuery(q=params.q.strip()[:100]), scope=ms.online_matters(county))
    return paginate(qs, params, _matter)


class CitizenStepOut(Schema):
    stage: str
    name: str
    department: str
    status: str
    due_on: datetime.date | None
    # True when the date above lies in a year whose holiday schedule is only provisional (it may move).
    due_provisional: bool = False


class SupplementItemOut(Schema):
    name: str
    reason: str
    requirement: int | None
    field: str = ""  # a form field to correct (send its new value in `form`), not a file


class CitizenCaseOut(Schema):
    uuid: UUID
    number: str
    check_code: str
    title: str
    status: str
    status_label: str
    department: str
    received_at: datetime.datetime
    committed_due: datetime.date | None
    # True when the date above lies in a year whose holiday schedule is only provisional (it may move).
    committed_due_provisional: bool = False
    decision: str
    current_steps: list[CitizenStepOut]


class CitizenCaseDetailOut(CitizenCaseOut):
    steps: list[CitizenStepOut]
    supplement: list[SupplementItemOut]
    events: list[dict[str, Any]]


def _step(s: Any) -> dict[str, Any]:
    return {
        "stage": s.stage_name,
        "name": s.name,
        "department": s.department.name,
        "status": s.status,
        "due_on": s.due_on,
        "due_provisional": workdays.is_provisional(s.due_on),  # national: only the State Council's year is provisional
    }


def _case(c: Any) -> dict[str, Any]:
    return {
        "uuid": c.uuid,
        "number": c.number,
        "check_code": c.check_code,
        "title": c.title,
        "status": c.status,
        "status_label": str(c.get_status_display()),
        "department": c.department.name,
        "received_at": c.received_at,
        "committed_due": c.committed_due,
        "committed_due_provisional": workdays.is_provisional(
            c.committed_due
        ),  # national: only the State Council's year is provisional
        "decision": c.decision or "",
        "current_steps": [_step(s) for s in selectors.current_steps(c)],
    }


@router.get("/cases", response={200: page_of(CitizenCaseOut), ERROR_CODES: ErrorOut}, auth=AUTH)
def cases(request: HttpRequest, params: Query[PageParams]) -> Any:
    return paginate(selectors.my_cases(actor(request)), params, _case)


@router.get("/cases/{uuid}", response={200: CitizenCaseDetailOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def case_detail(request: HttpRequest, uuid: UUID) -> Any:
    from onewindow.cases.services import EVENT_LABELS

    case = selectors.my_case(actor(request), uuid)
    pause = selectors.open_supplement(case)
    return {
        **_case(case),
        "steps": [_step(s) for s in case.steps.select_related("department").order_by("stage_order", "id")],
        "supplement": [
            {
                "name": str(i.get("name", "")),
                "reason": str(i.get("reason", "")),
                "requirement": i.get("requirement"),
                "field": str(i.get("field", "")),
            }
            for i in (pause.items if pause else [])
        ],
        "events": [
            {"kind": e.kind, "label": str(EVENT_LABELS.get(e.kind, e.kind)), "at": e.at.isoformat()} for e in case.events.all()
        ],
    }


class CitizenSupplementIn(Schema):
    """Requirement id -> a library item's uuid (upload new files to /materials/library first);
    `named`: for notice items that name no requirement, the item's name -> a library item;
    `form`: field name -> corrected value, for the notice's form items."""

    materials: dict[int, UUID] = {}
    named: dict[str, UUID] = {}
    form: dict[str, Any] = {}  # corrected values of the form fields the notice lists


@router.post("/cases/{uuid}/supplement", response={200: CitizenCaseOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def supplement(request: HttpRequest, uuid: UUID, data: CitizenSupplementIn) -> Any:
    user = actor(request)
    case = selectors.my_case(user, uuid)
    material_services.supplement_answer(
        case=case,
        actor=user,
        reuse={k: str(v) for k, v in data.materials.items()},
        named_reuse={k: str(v) for k, v in data.named.items()},
        form=data.form,
    )
    case.refresh_from_db()
    return _case(case)


class NotificationOut(Schema):
    subject: str
    body: str
    kind: str
    channel: str
    created_at: datetime.datetime


@router.get("/notifications", response={200: page_of(NotificationOut), ERROR_CODES: ErrorOut}, auth=AUTH)
def notifications(request: HttpRequest, params: Query[PageParams]) -> Any:
    return paginate(
        selectors.notifications_for(actor(request)),
        params,
        lambda n: {"subject": n.subject, "body": n.body, "kind": n.kind, "channel": n.channel, "created_at": n.created_at},
    )
