"""网上预审 API (/api/v1/cases/prereview/...): the department's queue, the check sheet, and the
three outcomes. The applicant answers a fix request with the portal's supplement endpoint
(`POST /api/v1/portal/cases/{uuid}/supplement`, `form` for the fields)."""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Schema

from onewindow.core.apikit import AUTH, ERROR_CODES, ErrorOut, PageParams, actor, page_of, paginate

from . import prereview as pr

router = Router(tags=["cases"])
ERRORS: dict[int, type[ErrorOut]] = dict.fromkeys(ERROR_CODES, ErrorOut)


class PrereviewItemOut(Schema):
    uuid: UUID
    number: str
    title: str
    channel: str
    applicant: str
    received_at: datetime.datetime
    intake_due: datetime.date


class PrereviewFieldOut(Schema):
    name: str
    label: str
    type: str
    value: Any
    display: str


class PrereviewRequirementOut(Schema):
    id: int
    name: str
    required: bool
    provided: str  # why no upload is needed ("" when a file is expected)
    submitted: list[UUID]


class SheetOut(Schema):
    uuid: UUID
    number: str
    title: str
    prereview: str
    prereview_label: str
    intake_due: datetime.date
    fields: list[PrereviewFieldOut]
    requirements: list[PrereviewRequirementOut]


class PassIn(Schema):
    note: str = ""


class FixIn(Schema):
    fields: dict[str, str] = {}  # form field name -> what to correct
    materials: dict[int, str] = {}  # requirement id -> what to supply again
    other: list[tuple[str, str]] = []  # (material name, what) for materials the list does not name


class FailIn(Schema):
    reasons: str


class OutcomeOut(Schema):
    uuid: UUID
    number: str
    status: str
    prereview: str


def _outcome(case: Any) -> dict[str, Any]:
    return {"uuid": case.uuid, "number": case.number, "status": case.status, "prereview": case.prereview}


@router.get("/queue", auth=AUTH, response={200: page_of(PrereviewItemOut), **ERRORS})
def queue(request: HttpRequest, params: Query[PageParams]) -> Any:
    return paginate(
        pr.prereview_queue(actor(request)),
        params,
        lambda c: {
            "uuid": c.uuid,
            "number": c.number,
            "title": c.title,
            "channel": c.channel,
            "applicant": c.applicant.display_name,
            "received_at": c.received_at,
            "intake_due": c.intake_due,
        },
    )


@router.get("/{case_uuid}", auth=AUTH, response={200: SheetOut, **ERRORS})
def sheet(request: HttpRequest, case_uuid: UUID) -> Any:
    case = pr.prereview_case_for(actor(request), case_uuid)
    s = pr.checklist(case)
    return {
        "uuid": case.uuid,
        "number": case.number,
        "title": case.title,
        "prereview": case.prereview,
        "prereview_label": str(case.get_prereview_display()),
        "intake_due": case.intake_due,
        "fields": [
            {"name": f.name, "label": f.label, "type": f.type, "value": f.value, "display": f.display_value} for f in s.fields
        ],
        "requirements": [
            {
                "id": req.pk,
                "name": req.name,
                "required": req.need == "required",
                "provided": provided,
                "submitted": [m.uuid for m in subs],
            }
            for req, provided, subs in s.requirements
        ],
    }


@router.post("/{case_uuid}/pass", auth=AUTH, response={200: OutcomeOut, **ERRORS})
def pass_(request: HttpRequest, case_uuid: UUID, data: PassIn) -> Any:
    user = actor(request)
    return _outcome(pr.prereview_pass(case=pr.prereview_case_for(user, case_uuid), actor=user, note=data.note))


@router.post("/{case_uuid}/fix", auth=AUTH, response={200: OutcomeOut, **ERRORS})
def fix(request: HttpRequest, case_uuid: UUID, data: FixIn) -> Any:
    user = actor(request)
    case = pr.prereview_case_for(user, case_uuid)
    return _outcome(
        pr.prereview_request_fix(case=case, actor=user, fields=data.fields, materials=data.materials, other=data.other)
    )


@router.post("/{case_uuid}/fail", auth=AUTH, response={200: OutcomeOut, **ERRORS})
def fail(request: HttpRequest, case_uuid: UUID, data: FailIn) -> Any:
    user = actor(request)
    return _outcome(pr.prereview_fail(case=pr.prereview_case_for(user, case_uuid), actor=user, reasons=data.reasons))
