"""The 低保 process API (/api/v1/welfare/process/...): file (resident, agent, township window),
accept, the check (visit, appraisal, cross-check), review (propose, refuse), objections (online,
at the point), confirmation, extension, reads scoped like the pages; public notices and the
certificate check without login. Money is integer fen.

The article numbers of the 2021 审核确认办法 cited here are unverified (see docs/welfare.md).
"""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from django.http import FileResponse, HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from onewindow.accounts.models import County, OrgUnit, User
from onewindow.accounts.visitor import api_county
from onewindow.cases.services import MaterialInput, applicant_find_or_create
from onewindow.core import ratelimit
from onewindow.core.apikit import AUTH, ERROR_CODES, ErrorOut, PageParams, actor, page_of, paginate
from onewindow.core.clientip import client_ip
from onewindow.core.errors import NotFound
from onewindow.core.identity import validate_resident_id
from onewindow.core.uploads import content_type_of, private_storage

from ..models import Application, PublicNotice
from . import application as apply_svc
from . import check, clock, conf, confirm, documents, notice, review, selectors

router = Router(tags=["welfare-process"])


class IncomeIn(Schema):
    kind: str
    monthly_fen: int
    note: str = ""


class AssetIn(Schema):
    kind: str
    value_fen: int
    note: str = ""


class MemberIn(Schema):
    name: str
    id_number: str
    relationship: str
    labour: str = "full"
    disabled: bool = False
    seriously_ill: bool = False
    student: bool = False
    incomes: list[IncomeIn] = []
    assets: list[AssetIn] = []


class ApplicationIn(Schema):
    channel: str  # online | mobile | counter | agent
    resident_id: str = ""  # counter and agent: the applicant's ID number
    resident_name: str = ""  # counter: a new applicant's name
    address: str
    area_kind: str
    phone: str = ""
    hardship: str = ""
    bank_account: str = ""
    members: list[MemberIn]
    paper_materials: bool = False  # counter and agent: the listed paper materials were seen / collected


class ApplicationOut(Schema):
    uuid: UUID
    household: str
    case_number: str
    stage: str
    channel: str
    township: str
    village: str
    committed_due: datetime.date | None
    proposed_amount_fen: int
    proposed_people: int
    certificate_number: str


def _out(app: Application) -> ApplicationOut:
    return ApplicationOut(
        uuid=app.uuid,
        household=app.household.number,
        case_number=app.case.number,
        stage=app.stage,
        channel=app.channel,
        township=app.household.township.name,
        village=app.household.village.name,
        committed_due=app.case.committed_due,
        proposed_amount_fen=app.proposed_amount_fen,
        proposed_people=app.proposed_people,
        certificate_number=app.certificate_number,
    )


def _applicant(user: User, data: ApplicationIn) -> User:
    if data.channel in (Application.Channel.ONLINE, Application.Channel.MOBILE):
        return user
    number = validate_resident_id(data.resident_id)
    if data.channel == Application.Channel.COUNTER:
        return applicant_find_or_create(id_number=number, display_name=data.resident_name, phone=data.phone, actor=user)
    found = User.objects.filter(id_number=number).first()
    if found is None:
        raise NotFound()
    return found


@router.post("/applications", response={201: ApplicationOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def application_create(request: HttpRequest, data: ApplicationIn) -> Any:
    """File a 低保 application (household as the unit). Nothing is stored on any error."""
    user = actor(request)
    applicant = _applicant(user, data)
    matter = conf.dibao_matter()
    materials = []
    if data.paper_materials and data.channel in (Application.Channel.COUNTER, Application.Channel.AGENT):
        assert matter.current_version is not None
        materials = [MaterialInput(requirement=r, paper=True) for r in matter.current_version.materials.all()]
    household = apply_svc.HouseholdInput(
        address=data.address,
        area_kind=data.area_kind,
        phone=data.phone,
        hardship=data.hardship,
        bank_account=data.bank_account,
        members=[
            apply_svc.MemberInput(
                name=m.name,
                id_number=m.id_number,
                relationship=m.relationship,
                labour=m.labour,
                disabled=m.disabled,
                seriously_ill=m.seriously_ill,
                student=m.student,
                incomes=[apply_svc.IncomeInput(i.kind, i.monthly_fen, i.note) for i in m.incomes],
                assets=[apply_svc.AssetInput(a.kind, a.value_fen, a.note) for a in m.assets],
            )
            for m in data.members
        ],
    )
    app = apply_svc.application_file(
        actor=user, applicant=applicant, channel=data.channel, household=household, materials=materials
    )
    return Status(201, _out(app))


@router.get("/applications", response={200: page_of(ApplicationOut), ERROR_CODES: ErrorOut}, auth=AUTH)
def application_list(request: HttpRequest, params: Query[PageParams], stage: str = "") -> Any:
    return paginate(selectors.applications_for(actor(request), stage=stage[:14]), params, _out)


class ApplicationMemberOut(Schema):
    name: str
    relationship: str
    labour: str
    disabled: bool
    seriously_ill: bool
    student: bool
    monthly_income_fen: int
    assets_fen: int


class FileOut(Schema):
    application: ApplicationOut
    address: str
    members: list[ApplicationMemberOut]
    visits: int
    visit_records: list[dict[str, Any]]  # uuid, visited_on, visitors, photos (how many; fetch each by index)
    cross_checks_passed: list[bool]
    notices: list[dict[str, Any]]


@router.get("/applications/{uuid}", response={200: FileOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def application_get(request: HttpRequest, uuid: UUID) -> Any:
    """The household file (the read is audited)."""
    app = selectors.application_for(actor(request), uuid)
    return FileOut(
        application=_out(app),
        address=app.household.address,
        members=[
            ApplicationMemberOut(
                name=m.name,
                relationship=m.relationship,
                labour=m.labour,
                disabled=m.disabled,
                seriously_ill=m.seriously_ill,
                student=m.student,
                monthly_income_fen=sum(i.monthly_fen for i in m.incomes.all()),
                assets_fen=sum(a.value_fen for a in m.assets.all()),
            )
            for m in selectors.members_of(app.household)
        ],
        visits=app.visits.count(),
        visit_records=[
            {"uuid": str(v.uuid), "visited_on": str(v.visited_on), "visitors": v.visitors, "photos": len(v.photos)}
            for v in app.visits.order_by("visited_on", "id")
        ],
        cross_checks_passed=[c.passed for c in app.cross_checks.all()],
        notices=[
            {"round": n.round, "starts_on": str(n.starts_on), "ends_on": str(n.ends_on), "outcome": n.outcome}
            for n in app.notices.all()
        ],
    )


def _mine(request: HttpRequest, uuid: UUID) -> Application:
    return selectors.application_for(actor(request), uuid)


@router.post("/applications/{uuid}/accept", response={200: ApplicationOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def application_accept(request: HttpRequest, uuid: UUID) -> Any:
    return _out(apply_svc.application_accept(application=_mine(request, uuid), actor=actor(request)))


class VisitIn(Schema):
    visited_on: datetime.date
    visitors: str
    findings: str


@router.post("/applications/{uuid}/visits", response={201: dict[str, Any], ERROR_CODES: ErrorOut}, auth=AUTH)
def visit_create(
    request: HttpRequest,
    uuid: UUID,
    data: Form[VisitIn],
    photos: File[list[UploadedFile]] = None,  # type: ignore[assignment]  # optional: a visit without photos
) -> Any:
    """A home visit (art. 17), multipart: `visited_on`, `visitors`, `findings` and up to 9 `photos`
    (JPEG or PNG, checked by content and size as on the page, stored privately). On any error
    nothing is stored: no visit row and no file."""
    v = check.visit_record(application=_mine(request, uuid), actor=actor(request), photos=list(photos or []), **data.dict())
    return Status(201, {"uuid": str(v.uuid), "visited_on": str(v.visited_on), "photos": len(v.photos)})


FILE_RESPONSE = {
    "responses": {200: {"description": "the file", "content": {"application/octet-stream": {"schema": {"type": "string"}}}}}
}


@router.get(
    "/applications/{uuid}/visits/{visit}/photos/{index}",
    response={200: bytes, ERROR_CODES: ErrorOut},
    auth=AUTH,
    openapi_extra=FILE_RESPONSE,
)
def visit_photo(request: HttpRequest, uuid: UUID, visit: UUID, index: int) -> Any:
    """A home visit's photo (private, not cached), to those who may read the household file."""
    v = _mine(request, uuid).visits.filter(uuid=visit).first()
    if v is None or not 0 <= index < len(v.photos):
        raise NotFound()
    resp = FileResponse(private_storage().open(v.photos[index]), content_type=content_type_of(v.photos[index]))
    resp["Cache-Control"] = "private, no-store"
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


@router.get(
    "/applications/{uuid}/documents/{kind}",
    response={200: bytes, ERROR_CODES: ErrorOut},
    auth=AUTH,
    openapi_extra={"responses": {200: {"description": "PDF", "content": {"application/pdf": {"schema": {"type": "string"}}}}}},
)
def application_document(request: HttpRequest, uuid: UUID, kind: str) -> Any:
    """`certificate` (低保证, once confirmed) or `refusal` (the written notice with the reasons)."""
    app = _mine(request, uuid)
    if kind == "certificate":
        data = documents.pdf(documents.certificate(app))
    elif kind == "refusal":
        data = documents.pdf(documents.refusal_notice(app))
    else:
        raise NotFound()
    resp = HttpResponse(data, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="{app.case.number}-{kind}.pdf"'
    resp["Cache-Control"] = "private, no-store"
    return resp


class AppraisalIn(Schema):
    held_on: datetime.date
    participants: int
    in_favour: int
    summary: str


@router.post("/applications/{uuid}/appraisals", response={201: dict[str, Any], ERROR_CODES: ErrorOut}, auth=AUTH)
def appraisal_create(request: HttpRequest, uuid: UUID, data: AppraisalIn) -> Any:
    a = check.appraisal_record(application=_mine(request, uuid), actor=actor(request), **data.dict())
    return Status(201, {"uuid": str(a.uuid)})


@router.post("/applications/{uuid}/cross-checks", response={201: dict[str, Any], ERROR_CODES: ErrorOut}, auth=AUTH)
def cross_check_create(request: HttpRequest, uuid: UUID) -> Any:
    c = check.cross_check_run(application=_mine(request, uuid), actor=actor(request))
    return Status(201, {"uuid": str(c.uuid), "passed": c.passed, "findings": c.findings})


class WelfareCommentIn(Schema):
    comment: str = ""


@router.post("/applications/{uuid}/propose", response={200: ApplicationOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def propose(request: HttpRequest, uuid: UUID, data: WelfareCommentIn) -> Any:
    return _out(review.propose_approval(application=_mine(request, uuid), actor=actor(request), comment=data.comment))


class WelfareReasonsIn(Schema):
    reasons: str


@router.post("/applications/{uuid}/refuse", response={200: ApplicationOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def refuse(request: HttpRequest, uuid: UUID, data: WelfareReasonsIn) -> Any:
    return _out(review.refuse(application=_mine(request, uuid), actor=actor(request), reasons=data.reasons))


@router.post("/applications/{uuid}/confirm", response={200: ApplicationOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def confirm_(request: HttpRequest, uuid: UUID, data: WelfareCommentIn) -> Any:
    app = _mine(request, uuid)
    confirm.confirm(application=app, actor=actor(request), comment=data.comment)
    return _out(Application.objects.select_related("case", "household__township", "household__village").get(pk=app.pk))


class WelfareExtendIn(Schema):
    days: int
    reason: str


@router.post("/applications/{uuid}/extend", response={200: ApplicationOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def extend(request: HttpRequest, uuid: UUID, data: WelfareExtendIn) -> Any:
    app = _mine(request, uuid)
    clock.extend(application=app, actor=actor(request), days=data.days, reason=data.reason)
    return _out(Application.objects.select_related("case", "household__township", "household__village").get(pk=app.pk))


class NoticeOut(Schema):
    uuid: UUID
    village: str
    head: str  # masked
    people: int
    monthly_amount_fen: int
    starts_on: datetime.date
    ends_on: datetime.date


def _notice(n: PublicNotice) -> NoticeOut:
    return NoticeOut(
        uuid=n.uuid,
        village=n.village.name,
        head=n.head_masked,
        people=n.people,
        monthly_amount_fen=n.monthly_amount_fen,
        starts_on=n.starts_on,
        ends_on=n.ends_on,
    )


@router.get("/notices/{village_code}", response={200: page_of(NoticeOut), ERROR_CODES: ErrorOut}, auth=None)
def notices(request: HttpRequest, params: Query[PageParams], village_code: str, county: str = "") -> Any:
    """The village's running notices: the masked head, household size and amount only. A village
    code is unique in its county: `county` names it (without it, the deployment's first county)."""
    where = api_county(county) or County.default()
    village = OrgUnit.objects.filter(county=where, code=village_code[:40]).first()
    if village is None or not village.is_village_level:
        raise NotFound()
    return paginate(notice.running(village=village), params, _notice)


class ObjectionIn(Schema):
    text: str
    contact: str = ""
    at_point: bool = False


@router.post("/notices/{uuid}/objections", response={201: dict[str, Any], ERROR_CODES: ErrorOut}, auth=None)
def objection_create(request: HttpRequest, uuid: UUID, data: ObjectionIn) -> Any:
    """Anyone objects while the notice runs; `at_point` is for staff taking one down (signed in)."""
    user = getattr(request, "user", None)
    ratelimit.hit(
        "welfare-objection:" + ratelimit.private_key(client_ip(request) or ""),
        limit=10,
        per=datetime.timedelta(hours=1),
    )
    o = notice.objection_lodge(
        notice=notice.notice_by_uuid(uuid), text=data.text, contact=data.contact, actor=user, at_point=data.at_point
    )
    return Status(201, {"received": True, "channel": o.channel})


@router.get("/certificates/check", response={200: dict[str, Any], ERROR_CODES: ErrorOut}, auth=None)
def certificate_check(request: HttpRequest, n: str, c: str) -> Any:
    result = documents.certificate_check(n, c)
    if result is None:
        raise NotFound()
    return {k: (str(v) if isinstance(v, datetime.date) else v) for k, v in result.items()}
