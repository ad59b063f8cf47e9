"""Applicants at the front desk, submission and intake: submit, accept, refuse."""

from __future__ import annotations

import datetime
import secrets
import uuid as uuid_lib
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import Enterprise, OrgUnit, Role, RoleAssignment, User, case_prefix
from onewindow.accounts.tenancy import staff_county
from onewindow.catalog.models import Bundle, MaterialRequirement, MatterVersion
from onewindow.catalog.versions import bundle_versions
from onewindow.core import workdays
from onewindow.core.audit import audit
from onewindow.core.errors import PermissionDenied, ValidationFailed
from onewindow.core.identity import validate_resident_id
from onewindow.core.uploads import collect_stored, content_type_of, private_storage, store_private
from onewindow.hall.models import ServiceArea

from .. import routing, selectors
from ..errors import PreReviewOpen, WrongStatus
from ..models import (
    Case,
    CaseNumberCounter,
    CaseVisit,
    Channel,
    SubmittedMaterial,
)
from ..selectors import merged_form_schema, merged_requirements, missing_requirements
from ._common import (
    CHECK_ALPHABET,
    CHECK_CODE_LENGTH,
    IN_PERSON_CHANNELS,
    INTAKE_DAYS,
    JOINT_STATUTORY_DAYS,
    PREREVIEW_CHANNELS,
    MaterialInput,
    _clean,
    _clean_form,
    _event,
    _lock,
    _notify_applicant,
    _require,
    _validated_form,
)
from .clock import _recompute_dues, clock_start
from .steps import _advance, _materialize_steps, _route_for


def _next_number(day: datetime.date, county: str) -> str:
    """The county's counter row of the day, incremented under its row lock: no max()+1, no gaps
    from races; numbers are consecutive per county and day, and a county's intake waits only for
    its own county's (the row is keyed by county and day: one row for the whole deployment made
    every county's intake of a day queue on one lock).

    One statement (an upsert that returns the new value; PostgreSQL and SQLite >= 3.35 both have
    `ON CONFLICT ... DO UPDATE ... RETURNING`) instead of get_or_create + update + read, which
    cost seven with their savepoints: the county's first case of a day inserts 1, every later one
    increments under the row's lock until its transaction ends."""
    q = connection.ops.quote_name
    table, county_col, day_col, last_col = (
        q(CaseNumberCounter._meta.db_table),
        q(CaseNumberCounter._meta.get_field("county").column),
        q("day"),
        q("last"),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({county_col}, {day_col}, {last_col}) VALUES (%s, %s, 1) "  # noqa: S608 (names quoted by the backend, the values parameters)
            f"ON CONFLICT ({county_col}, {day_col}) DO UPDATE SET {last_col} = {table}.{last_col} + 1 RETURNING {last_col}",
            [county, connection.ops.adapt_datefield_value(day)],
        )
        (last,) = cursor.fetchone()
    # The county's letters first (docs/tenancy.md): the number says whose case it is.
    return f"{case_prefix(county)}{day:%Y%m%d}{last:05d}"


def _check_code() -> str:
    """8 characters of a 32-letter alphabet (40 bits); cases filed before kept their 6 (30 bits),
    which still work. Guessing is throttled besides (cases/progress.py)."""
    return "".join(secrets.choice(CHECK_ALPHABET) for _ in range(CHECK_CODE_LENGTH))


# The one resolution of a bundle's versions (the pages use it too); the old name kept.
_versions_of = bundle_versions


def _intake_unit(*, actor: User, department: OrgUnit, service_area: ServiceArea | None) -> OrgUnit:
    """The clerk's own unit at the counter; otherwise the hall that accepts the matter."""
    clerk_unit = (
        RoleAssignment.objects.filter(user=actor, role__in=selectors.INTAKE_ROLES, org_unit__isnull=False)
        .select_related("org_unit")
        .first()
    )
    if clerk_unit is not None:
        assert clerk_unit.org_unit is not None  # filtered on org_unit__isnull=False
        return clerk_unit.org_unit
    if service_area is not None:
        return service_area.point.org_unit
    return selectors.hall_unit_for(department)


def _store_materials(case: Case, materials: list[MaterialInput], allowed: dict[int, MaterialRequirement]) -> None:
    """Check and store every material, then write their rows in one statement."""
    storage = private_storage()
    rows: list[SubmittedMaterial] = []
    for m in materials:
        req = m.requirement
        if req is not None and req.pk not in allowed:
            raise ValidationFailed(_("提交的材料不属于该事项：%(name)s") % {"name": req.name}, code="material_not_required")
        name = (_clean(m.name) or (req.name if req else ""))[:200]
        if not name:
            raise ValidationFailed(_("请说明材料名称。"), code="material_unnamed")
        storage_name, size = "", 0
        if m.file is not None:
            storage_name = store_private(m.file, folder=f"cases/{case.uuid}", accepts=req.accepts if req else "pdf,image")
            size = storage.size(storage_name)
        elif m.storage_name:
            if ".." in m.storage_name or not storage.exists(m.storage_name):
                raise ValidationFailed(_("引用的材料文件不存在。"), code="material_missing")
            storage_name, size = m.storage_name, storage.size(m.storage_name)
        elif not m.paper:
            raise ValidationFailed(_("材料“%(name)s”没有文件。") % {"name": name}, code="material_empty")
        rows.append(
            SubmittedMaterial(
                case=case,
                requirement=req,
                name=name,
                storage_name=storage_name,
                content_type=content_type_of(storage_name) if storage_name else "",
                size=size,
                paper=m.paper,
            )
        )
    SubmittedMaterial.objects.bulk_create(rows)


def applicant_find_or_create(*, id_number: str, display_name: str, phone: str = "", actor: User) -> User:
    """The front desk finds a person by ID number, or registers them (no password: they can claim
    the account online later by real-name sign-up)."""
    _require(selectors.has_intake_role(actor))
    number = validate_resident_id(_clean(id_number))
    display_name, phone = _clean(display_name), _clean(phone)
    if len(display_name) > 64 or len(phone) > 20:
        raise ValidationFailed(_("姓名或手机号过长。"), fields={"display_name": [_("过长。")]})
    with transaction.atomic():
        user = User.objects.filter(id_number=number).first()
        if user is not None:
            return user
        if not display_name.strip():
            raise ValidationFailed(_("新申请人请填写姓名。"), fields={"display_name": [_("必填项。")]})
        user = User(
            username=f"p{uuid_lib.uuid4().hex[:12]}",
            display_name=display_name,
            id_number=number,
            id_type=User.IdType.of_number(number),
            phone=phone,
        )
        user.set_unusable_password()
        user.save()
        RoleAssignment.objects.create(user=user, role=Role.CITIZEN)
        audit(actor=actor, action="applicant.create_at_counter", target=user)
        return user


def case_submit(
    *,
    applicant: User,
    matter_version: MatterVersion | None = None,
    bundle: Bundle | None = None,
    channel: str,
    form_data: dict[str, Any],
    materials: list[MaterialInput],
    agent: User | None = None,
    enterprise: Enterprise | None = None,
    actor: User,
    received_at: datetime.datetime | None = None,
    ticket_uuid: uuid_lib.UUID | None = None,
) -> Case:
    """File an application from any channel. The intake clock (5 working days) starts from the
    working day after it is received (a weekend or holiday counts as the next working day)."""
    if (matter_version is None) == (bundle is None):
        raise ValidationFailed(_("请选择一个事项或一件事。"), code="matter_or_bundle")
    if channel not in Channel.values:
        raise ValidationFailed(_("未知的申请渠道。"), fields={"channel": [_("未知的申请渠道。")]})
    # Who may file: the applicant, the agent on their behalf, or front-desk staff.
    if actor.pk != applicant.pk:
        if agent is not None and actor.pk == agent.pk:
            _require(actor.has_role(Role.AGENT))
        else:
            _require(selectors.has_intake_role(actor))
    if channel == Channel.AGENT and agent is None:
        raise ValidationFailed(_("代办申请须注明代办员。"), code="agent_required")
    if enterprise is not None and not enterprise.handlers.filter(user=applicant).exists():
        raise PermissionDenied(_("申请人不是该企业的法定代表人或经办人。"))

    if matter_version is not None:
        if matter_version.status == MatterVersion.Status.RETIRED:
            # Withdrawn (停止实施: by its county, or on the date its province entry was retired):
            # cases received before go on; no new application.
            raise ValidationFailed(_("该事项已停止实施，不能申请。"), code="matter_retired")
        if matter_version.status != MatterVersion.Status.PUBLISHED:
            raise ValidationFailed(_("该事项版本未发布，不能申请。"), code="matter_not_published")
        versions = [matter_version]
        matter = matter_version.matter
        title = matter_version.name
        department = matter.department
        service_area = matter.service_area
        statutory = matter_version.statutory_days
        committed = matter_version.committed_days
        schema = matter_version.form_schema
    else:
        assert bundle is not None
        if not bundle.is_active:
            raise ValidationFailed(_("该“一件事”已停用。"), code="bundle_inactive")
        versions = bundle_versions(bundle)
        title = bundle.name
        # The lead department (牵头部门) decides and concludes; by default the first matter's.
        department = bundle.lead_department or versions[0].matter.department
        service_area = bundle.service_area or versions[0].matter.service_area
        statutory = JOINT_STATUTORY_DAYS
        committed = min(JOINT_STATUTORY_DAYS, max(v.committed_days for v in versions))
        schema = merged_form_schema(versions)
    # Staff file only in their own county (docs/tenancy.md); the applicant applies in any county.
    actor_county = staff_county(actor) if actor.pk != applicant.pk else None
    if actor_county is not None and department.county_id != actor_county:
        raise PermissionDenied(_("不能受理其他区县的事项。"))
    # 帮你办: an agent applies only for matters the catalog marks agent-eligible (the mandate itself
    # is checked by the assistance app before it calls this).
    if channel == Channel.AGENT and not all(v.agent_eligible for v in versions):
        raise ValidationFailed(_("该事项不可代办，须由本人申请。"), code="not_agent_eligible")
    form_data = _validated_form(schema, _clean_form(form_data or {}))
    # 网上预审 (cases.prereview): an online application of a matter that asks for it waits for
    # the department's check before the front desk may accept it.
    prereview = Case.PreReview.PENDING if channel in PREREVIEW_CHANNELS and any(v.online_prereview for v in versions) else ""
    allowed = {r.pk: r for r in (merged_requirements(versions) if bundle else list(matter_version.materials.all()))}  # type: ignore[union-attr]  # a version when no bundle

    received_at = received_at or timezone.now()
    received_day = timezone.localdate(received_at)
    # Day 1 of the intake period is the first working day after the day of receipt, whether that
    # day was a working day or not (民法典 art. 201 with 行政许可法 art. 82): `add_workdays` is that rule.
    start = received_day
    counter = routing.counter_unit(actor)
    route = routing.route_submission(
        applicant=applicant,
        # The lead department's matter first: routing takes the deciding unit from it.
        matters=sorted((v.matter for v in versions), key=lambda m: m.department_id != department.pk),
        intake_unit=counter or _intake_unit(actor=actor, department=department, service_area=service_area),
        at_counter=counter is not None,
        agent=agent,
        on=received_day,
        is_bundle=bundle is not None,
    )
    with collect_stored(), transaction.atomic():
        case = Case.objects.create(
            number=_next_number(received_day, route.department.county_id),
            check_code=_check_code(),
            channel=channel,
            applicant=applicant,
            agent=agent,
            enterprise=enterprise,
            matter_version=matter_version,
            bundle=bundle,
            is_joint=bundle is not None,
            title=title,
            department=route.department,
            intake_unit=route.intake_unit,
            ticket_uuid=ticket_uuid,
            form_data=form_data or {},
            prereview=prereview,
            received_at=received_at,
            received_on=start,
            intake_due=workdays.add_workdays(start, INTAKE_DAYS, route.department.county_id),
            committed_days=committed,
            statutory_days=statutory,
        )
        # The case is new: its links are inserted as they are, without `set()`'s read of what
        # is already there.
        if bundle is not None:
            links = Case.bundle_versions.through
            links.objects.bulk_create([links(case=case, matterversion=v) for v in dict.fromkeys(versions)])
        if route.delegations:
            held = Case.delegations.through
            held.objects.bulk_create([held(case=case, delegation=d) for d in dict.fromkeys(route.delegations)])
        _store_materials(case, materials, allowed)
        if channel in IN_PERSON_CHANNELS and actor.pk not in (applicant.pk, getattr(agent, "pk", None)):
            # A new case has no trip yet: no lookup nor savepoint (_record_visit's) needed.
            CaseVisit.objects.create(case=case, kind=CaseVisit.Kind.SUBMIT, day=received_day, ticket_uuid=ticket_uuid)
        _event(case, "submitted", actor=actor, note=channel)
        audit(actor=actor, action="case.submit", target=case, data={"number": case.number, "channel": channel})
        _notify_applicant(case, "submitted")
    return case


def case_intake(
    *,
    actor: User,
    id_number: str,
    display_name: str,
    phone: str = "",
    matter_version: MatterVersion | None = None,
    bundle: Bundle | None = None,
    channel: str,
    form_data: dict[str, Any],
    materials: list[MaterialInput],
    ticket_uuid: uuid_lib.UUID | None = None,
) -> Case:
    """The front desk's intake, in one transaction: find the applicant by ID number or register
    them, then file the case. Anything refused (the person's data, the matter, the form, a file)
    leaves nothing behind: no new person, no case, no stored file."""
    with collect_stored(), transaction.atomic():
        applicant = applicant_find_or_create(id_number=id_number, display_name=display_name, phone=phone, actor=actor)
        return case_submit(
            applicant=applicant,
            matter_version=matter_version,
            bundle=bundle,
            channel=channel,
            form_data=form_data,
            materials=materials,
            actor=actor,
            ticket_uuid=ticket_uuid,
        )


def case_accept(*, case: Case, actor: User) -> Case:
    """受理: the decision clock starts; the route is copied into steps and its first stage opens."""
    _require(selectors.can_intake(actor, case))
    with transaction.atomic():
        case = _lock(case)
        if case.status != Case.Status.SUBMITTED:
            raise WrongStatus(case.get_status_display())
        _require_prereview_done(case)
        missing = missing_requirements(case)
        if missing:
            raise ValidationFailed(
                _("必需材料不齐全，不能受理：%(names)s。请出具补正材料通知书。") % {"names": "、".join(r.name for r in missing)},
                code="materials_incomplete",
            )
        now = timezone.now()
        case.accepted_at = now
        case.status = Case.Status.IN_REVIEW
        case.route = _route_for(case)
        _recompute_dues(case)
        # The steps are written with their first stage open and the case's current stage set
        # before the case row is saved, so the case is written once.
        first_stage = _materialize_steps(case)
        case.save()
        case.materials.filter(status=SubmittedMaterial.Status.SUBMITTED).update(status=SubmittedMaterial.Status.ACCEPTED)
        _event(case, "accepted", actor=actor)
        if first_stage is not None:
            _event(case, "stage_opened", actor=actor, note=first_stage)
        else:
            _advance(case, actor=actor)
        counts_from = clock_start(case)
        audit(
            actor=actor,
            action="case.accept",
            target=case,
            data={
                "committed_due": str(case.committed_due),
                # 行政许可法 art. 32: accepted after the intake limit, so accepted from receipt
                "deemed_accepted_from": str(counts_from) if counts_from != timezone.localdate(now) else "",
            },
        )
        _notify_applicant(case, "accepted")
    return case


def case_refuse(*, case: Case, actor: User, reasons: str) -> Case:
    """不予受理, with the written reasons the refusal notice prints."""
    reasons = _clean(reasons)
    _require(selectors.can_intake(actor, case))
    if not (reasons or "").strip():
        raise ValidationFailed(_("不予受理必须写明理由。"), fields={"reasons": [_("必填项。")]})
    with transaction.atomic():
        case = _lock(case)
        if case.status != Case.Status.SUBMITTED:
            raise WrongStatus(case.get_status_display())
        case.status = Case.Status.REFUSED
        case.refusal_reasons = reasons.strip()
        case.concluded_at = timezone.now()
        case.save()
        _event(case, "refused", actor=actor, note=case.refusal_reasons)
        audit(actor=actor, action="case.refuse", target=case, data={"reasons": case.refusal_reasons})
        _notify_applicant(case, "refused")
    return case


def _require_prereview_done(case: Case) -> None:
    if case.prereview in (Case.PreReview.PENDING, Case.PreReview.FIX_REQUESTED):
        raise PreReviewOpen()
    if case.prereview == Case.PreReview.NOT_PASSED:
        raise ValidationFailed(_("网上预审未通过，不能受理；请依预审意见出具不予受理通知书。"), code="prereview_not_passed")
