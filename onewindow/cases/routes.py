"""Process re-engineering (流程再造): drafting and publishing route versions, comparing two versions
(steps, materials, serial depth, working days on the critical path) and exporting BPMN 2.0 XML
with one lane per department."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import quoteattr

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import OrgUnit, User
from onewindow.accounts.tenancy import in_remit
from onewindow.catalog.models import Bundle, Matter
from onewindow.catalog.versions import bundle_versions
from onewindow.core import workdays
from onewindow.core.audit import audit
from onewindow.core.errors import ApplicationError, PermissionDenied, ValidationFailed

from . import selectors
from .errors import WrongStatus
from .models import LimitUnit, RouteCounter, RouteStage, RouteStep, RouteVersion, StepKind
from .services import JOINT_STATUTORY_DAYS, merged_requirements


@dataclass
class RouteSummary:
    route: RouteVersion
    stages: list[dict[str, Any]] = field(default_factory=list)
    step_count: int = 0
    serial_depth: int = 0
    critical_days: int = 0
    departments: list[str] = field(default_factory=list)
    materials: list[str] = field(default_factory=list)


def _materials_of(route: RouteVersion) -> list[str]:
    if route.matter is not None:
        version = route.matter.current_version
        return [m.name for m in version.materials.all()] if version else []
    assert route.bundle is not None  # a route belongs to a matter or a bundle
    try:
        versions = bundle_versions(route.bundle)
    except ApplicationError:
        return []  # the bundle cannot be applied for now (a matter not published): no list to show
    return [m.name for m in merged_requirements(versions)]


def step_working_days(step: RouteStep) -> int:
    """A step's share of the working-day clock at worst. Public notices are on the critical path
    like any step: one counted in calendar days costs the most working days such a run holds in the
    work calendar; the next stage counts from the notice's last day (cases.services.step_due), so
    the notice costs nothing more. Counted on the step's department's county's calendar (a
    county's 调休 working day can make a week of six); `summarize` fetches the departments."""
    if step.limit_unit == LimitUnit.CALENDAR:
        return workdays.most_workdays_in(step.limit_days, step.department.county_id)
    return step.limit_days


def summarize(route: RouteVersion) -> RouteSummary:
    s = RouteSummary(route=route)
    depts: list[str] = []
    for stage in route.stages.prefetch_related("steps__department").order_by("order"):
        steps = list(stage.steps.all())
        days = max((step_working_days(st) for st in steps), default=0)
        s.stages.append({"stage": stage, "steps": steps, "days": days, "parallel": len(steps) > 1})
        s.step_count += len(steps)
        s.critical_days += days
        for st in steps:
            if st.department.name not in depts:
                depts.append(st.department.name)
    s.serial_depth = len(s.stages)
    s.departments = depts
    s.materials = _materials_of(route)
    return s


def compare(a: RouteVersion, b: RouteVersion) -> dict[str, Any]:
    sa, sb = summarize(a), summarize(b)
    return {
        "a": sa,
        "b": sb,
        "saving_days": sa.critical_days - sb.critical_days,
        "depth_change": sa.serial_depth - sb.serial_depth,
        "rows": max(sa.serial_depth, sb.serial_depth),
        "pairs": [
            (sa.stages[i] if i < len(sa.stages) else None, sb.stages[i] if i < len(sb.stages) else None)
            for i in range(max(sa.serial_depth, sb.serial_depth))
        ],
    }


def _require_admin(actor: User, *, matter: Matter | None = None, bundle: Bundle | None = None) -> None:
    """An administrator whose county owns the matter or bundle (docs/tenancy.md)."""
    if not selectors.is_admin(actor):
        raise PermissionDenied()
    unit = _owning_unit(matter, bundle)
    if unit is not None and not in_remit(actor, unit):
        raise PermissionDenied()


def _owning_unit(matter: Matter | None, bundle: Bundle | None) -> OrgUnit | None:
    if matter is not None:
        return matter.department
    if bundle is not None:
        item = bundle.items.select_related("matter__department").order_by("sort_order").first()
        return bundle.lead_department or (item.matter.department if item else None)
    return None


def _next_route_number(*, matter: Matter | None, bundle: Bundle | None) -> int:
    """Hand out the parent's next version number from its counter row (inside the caller's
    transaction). The parent row lock serialises the first creation of the counter; the increment
    is one conditional UPDATE, and the unique constraints on RouteVersion back both."""
    if matter is not None:
        Matter.objects.select_for_update().get(pk=matter.pk)
    else:
        assert bundle is not None  # a route is a matter's or a bundle's
        Bundle.objects.select_for_update().get(pk=bundle.pk)
    counter, _created = RouteCounter.objects.get_or_create(matter=matter, bundle=bundle)
    RouteCounter.objects.filter(pk=counter.pk).update(last_number=F("last_number") + 1)
    counter.refresh_from_db(fields=["last_number"])
    return counter.last_number


def route_draft_create(
    *,
    actor: User,
    name: str,
    stages: list[dict[str, Any]],
    matter: Matter | None = None,
    bundle: Bundle | None = None,
    note: str = "",
    allow_empty: bool = False,
) -> RouteVersion:
    """A new draft route. `stages`: [{"name": ..., "steps": [{"department": OrgUnit, "name": ...,
    "limit_days": int, "kind": "review"|"public_notice", "limit_unit": "workdays"|"calendar"}]}]
    in order."""
    _require_admin(actor, matter=matter, bundle=bundle)
    if (matter is None) == (bundle is None):
        raise ValidationFailed(_("流程须属于一个事项或一件事。"), code="route_target")
    owner = _owning_unit(matter, bundle)
    if (not stages and not allow_empty) or any(not st.get("steps") for st in stages):
        raise ValidationFailed(_("每个阶段至少要有一个环节。"), code="route_empty_stage")
    with transaction.atomic():
        number = _next_route_number(matter=matter, bundle=bundle)
        route = RouteVersion.objects.create(matter=matter, bundle=bundle, number=number, name=name, note=note)
        for order, st in enumerate(stages, start=1):
            stage = RouteStage.objects.create(route=route, order=order, name=st.get("name") or f"{order}")
            for i, step in enumerate(st["steps"]):
                dept = step["department"]
                if not isinstance(dept, OrgUnit):
                    # A code names a unit of the route's own county (codes are unique per county).
                    units = OrgUnit.objects.filter(code=dept)
                    dept = (units.filter(county_id=owner.county_id) if owner is not None else units).first()
                    if dept is None:
                        raise ValidationFailed(_("未知的部门编码。"), code="route_unknown_department")
                if owner is not None and dept.county_id != owner.county_id:
                    raise ValidationFailed(_("流程环节的部门必须属于本区县。"), code="route_other_county")
                kind = step.get("kind", StepKind.REVIEW)
                unit = step.get("limit_unit", LimitUnit.WORKDAYS)
                if kind not in StepKind.values or unit not in LimitUnit.values or int(step.get("limit_days", 0)) < 1:
                    raise ValidationFailed(_("环节类型或时限不正确。"), code="route_bad_step")
                if unit == LimitUnit.CALENDAR and kind != StepKind.PUBLIC_NOTICE:
                    raise ValidationFailed(_("只有公示环节可以按自然日计算时限。"), code="route_bad_step")
                RouteStep.objects.create(
                    stage=stage,
                    department=dept,
                    name=step["name"],
                    kind=kind,
                    limit_days=int(step["limit_days"]),
                    limit_unit=unit,
                    sort_order=i,
                )
        audit(actor=actor, action="route.draft", target=route, data={"number": number})
    return route


def route_copy_as_draft(*, route: RouteVersion, actor: User) -> RouteVersion:
    """Start re-engineering from an existing version: the same stages and steps, as a new draft."""
    stages = [
        {
            "name": stage.name,
            "steps": [
                {
                    "department": st.department,
                    "name": st.name,
                    "kind": st.kind,
                    "limit_days": st.limit_days,
                    "limit_unit": st.limit_unit,
                }
                for st in stage.steps.select_related("department")
            ],
        }
        for stage in route.stages.order_by("order")
    ]
    name = str(_("%(name)s（草稿）") % {"name": route.name})
    return route_draft_create(
        actor=actor, name=name, stages=stages, matter=route.matter, bundle=route.bundle, note=route.note, allow_empty=True
    )


def route_limit(route: RouteVersion) -> int:
    """The critical path may not exceed the committed limit (joint handling: 45 working days)."""
    if route.matter is not None:
        version = route.matter.current_version
        return version.committed_days if version else 0
    return JOINT_STATUTORY_DAYS


def route_publish(*, route: RouteVersion, actor: User) -> RouteVersion:
    _require_admin(actor, matter=route.matter, bundle=route.bundle)
    with transaction.atomic():
        route = RouteVersion.objects.select_for_update().get(pk=route.pk)
        if route.status != RouteVersion.Status.DRAFT:
            raise WrongStatus(route.get_status_display())
        summary = summarize(route)
        if not summary.step_count or any(not s["steps"] for s in summary.stages):
            raise ValidationFailed(_("流程没有环节，不能发布。"), code="route_empty")
        limit = route_limit(route)
        if limit and summary.critical_days > limit:
            raise ValidationFailed(
                _("关键路径 %(days)s 个工作日，超过承诺时限 %(limit)s 个工作日，不能发布。")
                % {"days": summary.critical_days, "limit": limit},
                code="route_too_long",
            )
        siblings = RouteVersion.objects.filter(status=RouteVersion.Status.PUBLISHED)
        siblings = siblings.filter(matter=route.matter) if route.matter_id else siblings.filter(bundle=route.bundle)
        siblings.update(status=RouteVersion.Status.RETIRED)
        route.status = RouteVersion.Status.PUBLISHED
        route.published_at = timezone.now()
        route.save(update_fields=["status", "published_at", "updated_at"])
        audit(actor=actor, action="route.publish", target=route, data={"critical_days": summary.critical_days})
    return route


# --- BPMN 2.0 --------------------------------------------------------------------------------

TASK_W, TASK_H, LANE_H, COL_W, GW = 140, 70, 120, 220, 50


def to_bpmn(route: RouteVersion) -> str:
    """BPMN 2.0 XML: a collaboration with one pool, a lane per department, user tasks (public
    notices carry a timer documentation), parallel gateways around stages with several steps,
    and diagram interchange so any BPMN tool can draw it."""
    summary = summarize(route)
    pid = f"Process_{route.uuid.hex[:12]}"
    lanes: list[OrgUnit] = []
    for st in summary.stages:
        for step in st["steps"]:
            if step.department not in lanes:
                lanes.append(step.department)
    lane_of = {d.pk: i for i, d in enumerate(lanes)}
    nodes: list[tuple[str, str, str, int, int, int, int, int | None]] = []  # (id, tag, name, x, y, w, h, lane)
    flows: list[tuple[str, str]] = []
    x = 80
    start_lane = 0
    nodes.append(("StartEvent_1", "startEvent", str(_("受理")), x, start_lane * LANE_H + 40, 36, 36, start_lane))
    prev = ["StartEvent_1"]
    x += 100
    for si, st in enumerate(summary.stages, start=1):
        steps = st["steps"]
        ids = [f"Task_{si}_{j}" for j in range(len(steps))]
        if len(steps) > 1:
            split, join = f"Gateway_split_{si}", f"Gateway_join_{si}"
            nodes.append((split, "parallelGateway", "", x, start_lane * LANE_H + 35, GW, GW, None))
            for p in prev:
                flows.append((p, split))
            x += 90
            for tid, step in zip(ids, steps, strict=True):
                lane = lane_of[step.department_id]
                nodes.append((tid, "userTask", _task_name(step), x, lane * LANE_H + 25, TASK_W, TASK_H, lane))
                flows.append((split, tid))
                flows.append((tid, join))
            x += TASK_W + 60
            nodes.append((join, "parallelGateway", "", x, start_lane * LANE_H + 35, GW, GW, None))
            prev = [join]
            x += 90
        else:
            step = steps[0]
            lane = lane_of[step.department_id]
            nodes.append((ids[0], "userTask", _task_name(step), x, lane * LANE_H + 25, TASK_W, TASK_H, lane))
            for p in prev:
                flows.append((p, ids[0]))
            prev = [ids[0]]
            x += COL_W
    end_lane = lane_of.get(summary.stages[-1]["steps"][0].department_id, 0) if summary.stages else 0
    nodes.append(("EndEvent_1", "endEvent", str(_("办结")), x, end_lane * LANE_H + 40, 36, 36, end_lane))
    for p in prev:
        flows.append((p, "EndEvent_1"))
    width = x + 120
    flow_ids = [f"Flow_{i}" for i in range(1, len(flows) + 1)]
    incoming: dict[str, list[str]] = {}
    outgoing: dict[str, list[str]] = {}
    for fid, (a, b) in zip(flow_ids, flows, strict=True):
        outgoing.setdefault(a, []).append(fid)
        incoming.setdefault(b, []).append(fid)

    out: list[str] = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
        'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" id="Definitions_1" '
        'targetNamespace="https://onewindow.example/bpmn" exporter="OneWindow" exporterVersion="1.0">',
        '  <bpmn:collaboration id="Collaboration_1">',
        f'    <bpmn:participant id="Participant_1" name={quoteattr(str(route))} processRef="{pid}" />',
        "  </bpmn:collaboration>",
        f'  <bpmn:process id="{pid}" isExecutable="false">',
        '    <bpmn:laneSet id="LaneSet_1">',
    ]
    for i, dept in enumerate(lanes):
        out.append(f'      <bpmn:lane id="Lane_{i}" name={quoteattr(dept.name)}>')
        for nid, _tag, _name, *_rest, node_lane in nodes:
            if node_lane == i or (node_lane is None and i == 0):
                out.append(f"        <bpmn:flowNodeRef>{nid}</bpmn:flowNodeRef>")
        out.append("      </bpmn:lane>")
    out.append("    </bpmn:laneSet>")
    for nid, tag, name, *_geometry in nodes:
        out.append(f'    <bpmn:{tag} id="{nid}"{(" name=" + quoteattr(name)) if name else ""}>')
        for fid in incoming.get(nid, []):
            out.append(f"      <bpmn:incoming>{fid}</bpmn:incoming>")
        for fid in outgoing.get(nid, []):
            out.append(f"      <bpmn:outgoing>{fid}</bpmn:outgoing>")
        out.append(f"    </bpmn:{tag}>")
    for fid, (a, b) in zip(flow_ids, flows, strict=True):
        out.append(f'    <bpmn:sequenceFlow id="{fid}" sourceRef="{a}" targetRef="{b}" />')
    out.append("  </bpmn:process>")
    # Diagram interchange
    out.append('  <bpmndi:BPMNDiagram id="Diagram_1">')
    out.append('    <bpmndi:BPMNPlane id="Plane_1" bpmnElement="Collaboration_1">')
    out.append(
        f'      <bpmndi:BPMNShape id="Participant_1_di" bpmnElement="Participant_1" isHorizontal="true">'
        f'<dc:Bounds x="0" y="0" width="{width}" height="{max(1, len(lanes)) * LANE_H}" /></bpmndi:BPMNShape>'
    )
    for i in range(len(lanes)):
        out.append(
            f'      <bpmndi:BPMNShape id="Lane_{i}_di" bpmnElement="Lane_{i}" isHorizontal="true">'
            f'<dc:Bounds x="30" y="{i * LANE_H}" width="{width - 30}" height="{LANE_H}" /></bpmndi:BPMNShape>'
        )
    pos: dict[str, tuple[int, int, int, int]] = {}
    for nid, _tag, _name, nx, ny, w, h, _lane in nodes:
        pos[nid] = (nx, ny, w, h)
        out.append(
            f'      <bpmndi:BPMNShape id="{nid}_di" bpmnElement="{nid}"><dc:Bounds x="{nx}" y="{ny}" width="{w}" height="{h}" /></bpmndi:BPMNShape>'
        )
    for fid, (a, b) in zip(flow_ids, flows, strict=True):
        ax, ay, aw, ah = pos[a]
        bx, by, _bw, bh = pos[b]
        out.append(
            f'      <bpmndi:BPMNEdge id="{fid}_di" bpmnElement="{fid}">'
            f'<di:waypoint x="{ax + aw}" y="{ay + ah // 2}" /><di:waypoint x="{bx}" y="{by + bh // 2}" /></bpmndi:BPMNEdge>'
        )
    out.append("    </bpmndi:BPMNPlane>")
    out.append("  </bpmndi:BPMNDiagram>")
    out.append("</bpmn:definitions>")
    return "\n".join(out) + "\n"


def _task_name(step: RouteStep) -> str:
    if step.limit_unit == LimitUnit.CALENDAR:
        days = _("%(n)s天") % {"n": step.limit_days}
    else:
        days = _("%(n)s个工作日") % {"n": step.limit_days}
    return f"{step.name}（{days}）"
