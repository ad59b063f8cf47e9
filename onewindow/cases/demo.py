"""Demo step for cases: routes (the real-estate transfer bundle serial v1 and parallel v2, F6; a few
common matters with public notices) and cases in every state, including a complete joint
real-estate case. Everything goes through the services, so the audit trail and timeline are real.

Looks matters up by department code and name and skips what the catalog demo does not have.
Idempotent: routes by (target, number), cases by a demo key in form_data.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from onewindow.accounts.models import User
from onewindow.catalog.demo.formlib import example_values
from onewindow.catalog.models import Bundle, Matter, MatterVersion
from onewindow.catalog.versions import bundle_versions
from onewindow.core.demo import DemoContext

from . import routes, selectors
from . import services as svc
from .models import Case, CaseStep, RouteVersion
from .sweeps import sweep_warnings

ESTATE_BUNDLE = "YJS-BDCZY"

# (department, matter name, [(stage name, [(step name, days, kind)])])
MATTER_ROUTES: list[tuple[str, str, list[tuple[str, list[tuple[str, int, str]]]]]] = [
    (
        "BDC",
        "不动产转移登记",
        [("受理审核", [("审核", 3, "review")]), ("登簿", [("登簿", 3, "review")]), ("缮证", [("缮证发证", 2, "review")])],
    ),
    (
        "ZJJ",
        "公共租赁住房保障申请",
        [("初审", [("资格初审", 4, "review")]), ("公示", [("公示", 5, "public_notice")]), ("审批", [("审批", 3, "review")])],
    ),
    (
        "MZJ",
        "特困人员救助供养",
        [("审核", [("审核", 5, "review")]), ("公示", [("公示", 7, "public_notice")]), ("审批", [("审批", 3, "review")])],
    ),
    (
        "YBJ",
        "门诊慢特病待遇认定",
        [("初审", [("初审", 5, "review")]), ("复核", [("专家复核", 7, "review")]), ("认定", [("认定", 3, "review")])],
    ),
]


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _matter(dept: str, name: str) -> Matter | None:
    return (
        Matter.objects.filter(department__code=dept, search_name=name, current_version__isnull=False)
        .select_related("current_version")
        .first()
    )


def demo_keys() -> set[str]:
    """The demo keys of the cases already built. A case's form is encrypted, so the database cannot
    be asked for `form_data__demo_key`: the forms are read (and decrypted) once per build."""
    return {str(f["demo_key"]) for f in Case.objects.values_list("form_data", flat=True) if f and f.get("demo_key")}


def _scan_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(0, 10, "Scanned material (demo)")
    return bytes(pdf.output())


def build_routes(ctx: DemoContext, admin: User) -> int:
    made = 0
    bundle = Bundle.objects.filter(code=ESTATE_BUNDLE).first()
    if bundle is not None and not RouteVersion.objects.filter(bundle=bundle).exists():
        depts = {i.matter.department.code: i.matter.department for i in bundle.items.select_related("matter__department")}
        zjj, sw, bdc = depts.get("ZJJ"), depts.get("SW"), depts.get("BDC")
        if zjj and sw and bdc:
            steps = [
                {"department": zjj, "name": "住建网签备案审核", "limit_days": 2},
                {"department": sw, "name": "税务核税", "limit_days": 2},
                {"department": bdc, "name": "不动产登记审核登簿", "limit_days": 5},
            ]
            v1 = routes.route_draft_create(
                actor=admin,
                name="二手房转移登记（各自受理、串联审批）",
                bundle=bundle,
                stages=[{"name": s["name"], "steps": [s]} for s in steps],
                note="2021-04-28 以前：住建、税务、登记依次办理。",
            )
            routes.route_publish(route=v1, actor=admin)
            v2 = routes.route_draft_create(
                actor=admin,
                name="二手房转移登记（联合受理、并联审批）",
                bundle=bundle,
                stages=[{"name": "并联审批", "steps": steps}],
                note="2021-04-28 起：一次取号、一个窗口，三部门同时审查（F6）。",
            )
            routes.route_publish(route=v2, actor=admin)
            made += 2
    for dept, name, stages in MATTER_ROUTES:
        matter = _matter(dept, name)
        if matter is None or RouteVersion.objects.filter(matter=matter).exists():
            continue
        unit = matter.department
        assert matter.current_version is not None  # _matter() finds published matters only
        committed = matter.current_version.committed_days
        spec: list[dict[str, Any]] = [
            {"name": sname, "steps": [{"department": unit, "name": n, "limit_days": d, "kind": k} for n, d, k in steps]}
            for sname, steps in stages
        ]
        total = sum(max(st["limit_days"] for st in s["steps"]) for s in spec)
        if total > committed:  # the catalog's limit is the boundary: shrink the last stage to fit
            over = total - committed
            last = spec[-1]["steps"][0]
            last["limit_days"] = max(1, last["limit_days"] - over)
        route = routes.route_draft_create(actor=admin, name=f"{name}审批流程", matter=matter, stages=spec)
        try:
            routes.route_publish(route=route, actor=admin)
        except Exception:
            ctx.say(f"  cases: route for {name} left as draft (committed {committed} days)")
        made += 1
    return made


def _form(version: MatterVersion | None, versions: list[MatterVersion] | None = None, key: str = "") -> dict[str, Any]:
    candidates: list[MatterVersion | None] = list(versions) if versions else [version]
    schema = [f for v in candidates if v for f in (v.form_schema or [])]
    # Values that pass the schema's validation whatever its types (catalog.formschema).
    data: dict[str, Any] = {**example_values(schema), "demo_key": key}
    return data


def _materials(reqs: list[Any], *, online: bool, scan: bytes) -> list[svc.MaterialInput]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    out = []
    for r in reqs:
        if r.need != "required":
            continue
        if online:
            out.append(
                svc.MaterialInput(requirement=r, file=SimpleUploadedFile("scan.pdf", scan, content_type="application/pdf"))
            )
        else:
            out.append(svc.MaterialInput(requirement=r, paper=True))
    return out


def _backdate(case: Case, days_ago: int) -> None:
    """Move a demo case's clock into the past so the supervisor's list has late cases to show."""
    from onewindow.core import workdays

    today = timezone.localdate()
    start = today
    case.refresh_from_db()
    county = case.department.county_id  # the case's county's calendar
    for _ in range(days_ago):
        start -= datetime.timedelta(days=1)
        while not workdays.is_workday(start, county):
            start -= datetime.timedelta(days=1)
    moment = timezone.make_aware(datetime.datetime.combine(start, datetime.time(9, 30)))
    case.received_at = case.accepted_at = moment
    case.received_on = start
    case.intake_due = workdays.add_workdays(start, svc.INTAKE_DAYS, county)
    svc._recompute_dues(case)
    case.save()
    for step in case.steps.filter(status=CaseStep.Status.OPEN):
        step.opened_on = start
        step.due_on = workdays.add_workdays(start, step.limit_days, county)
        step.save(update_fields=["opened_on", "due_on"])


def _staff_who(roles: tuple[str, ...], may: Any) -> User | None:
    """The first staff member holding one of `roles` for whom `may(user)` holds: township-level
    matters run at the applicant's township (cases.routing), so a demo step on such a case is done
    by that township's officer, not by the district hall's clerk or a district approver."""
    return next((u for u in User.objects.filter(role_assignments__role__in=roles).distinct() if may(u)), None)


def _intake_staff(case: Case) -> User | None:
    return _staff_who(selectors.INTAKE_ROLES, lambda u: selectors.can_intake(u, case))


def _step_approver(step: CaseStep) -> User | None:
    return _staff_who(selectors.APPROVER_ROLES, lambda u: selectors.can_act_on_step(u, step))


def _decider(case: Case) -> User | None:
    return _staff_who(selectors.APPROVER_ROLES, lambda u: selectors.can_decide(u, case))


def build_cases(ctx: DemoContext) -> int:
    people = {
        u: _user(u)
        for u in [
            "citizen",
            "citizen2",
            "enterprise",
            "clerk",
            "approver_zjj",
            "approver_sw",
            "approver_bdc",
            "approver_mzj",
            "approver_ybj",
            "leader",
            "agent",
            "township",
        ]
    }
    clerk = people["clerk"]
    if clerk is None or people["citizen"] is None:
        ctx.say("  cases: personas missing, no demo cases")
        return 0
    scan = _scan_pdf()
    rng = ctx.rng("cases")
    made = 0
    bundle = Bundle.objects.filter(code=ESTATE_BUNDLE).first()

    built = demo_keys()

    def exists(key: str) -> bool:
        return key in built

    def submit_bundle(key: str, applicant: User, *, online: bool = False) -> Case:
        assert bundle is not None  # called only when the bundle exists
        versions = bundle_versions(bundle)
        reqs = svc.merged_requirements(versions)
        return svc.case_submit(
            applicant=applicant,
            bundle=bundle,
            channel="online" if online else "counter",
            form_data=_form(None, versions, key),
            materials=_materials(reqs, online=online, scan=scan),
            actor=applicant if online else clerk,
        )

    def submit_matter(key: str, dept: str, name: str, applicant: User, channel: str = "counter", **kw: Any) -> Case | None:
        matter = _matter(dept, name)
        if matter is None:
            return None
        version = matter.current_version
        assert version is not None  # _matter() finds published matters only
        online = channel in ("online", "mobile")
        actor = kw.pop("actor", None) or (applicant if online else clerk)
        return svc.case_submit(
            applicant=applicant,
            matter_version=version,
            channel=channel,
            form_data=_form(version, key=key),
            materials=_materials(list(version.materials.all()), online=online or channel == "agent", scan=scan),
            actor=actor,
            **kw,
        )

    case: Case | None  # Case from submit_bundle; Case | None from submit_matter below
    found = {"ZJJ": people["approver_zjj"], "SW": people["approver_sw"], "BDC": people["approver_bdc"]}
    approvers = {code: user for code, user in found.items() if user is not None}
    if bundle is not None and len(approvers) == len(found):
        # 1. The complete joint real-estate case: one window, three departments at once, one conclusion.
        if not exists("estate-complete"):
            case = submit_bundle("estate-complete", people["citizen2"] or people["citizen"])
            case = svc.case_accept(case=case, actor=clerk)
            for step in case.steps.select_related("department"):
                svc.step_approve(step=step, actor=approvers[step.department.code], comment="审核通过")
            lead = approvers[case.department.code]
            svc.case_decide(case=case, actor=lead, approved=True)
            svc.case_conclude(case=case, actor=lead)
            svc.case_deliver(case=case, actor=clerk, method="window")
            svc.case_hand_over(case=case, actor=clerk)
            made += 1
        # 2. A joint case half-way: 住建 done, 税务 and 登记 working in parallel.
        if not exists("estate-parallel"):
            case = submit_bundle("estate-parallel", people["citizen"])
            case = svc.case_accept(case=case, actor=clerk)
            zjj_step = case.steps.get(department__code="ZJJ")
            svc.step_approve(step=zjj_step, actor=approvers["ZJJ"], comment="网签备案信息核对一致")
            svc.step_claim(step=case.steps.get(department__code="SW"), actor=approvers["SW"])
            made += 1
        # 2b. A joint case every department has approved: waiting for the lead department's decision.
        if not exists("estate-reviewed"):
            case = submit_bundle("estate-reviewed", people["citizen2"] or people["citizen"])
            case = svc.case_accept(case=case, actor=clerk)
            for step in case.steps.select_related("department"):
                svc.step_approve(step=step, actor=approvers[step.department.code], comment="审核通过")
            made += 1
        # 3. A joint case submitted online, waiting for the front desk.
        if not exists("estate-online"):
            submit_bundle("estate-online", people["citizen"], online=True)
            made += 1

    citizen = people["citizen"]
    assert citizen is not None
    # 4. Online single-matter case waiting for intake.
    if not exists("online-waiting") and submit_matter("online-waiting", "ZJJ", "公共租赁住房保障申请", citizen, "online"):
        made += 1
    # 5. A supplement notice listing every faulty item (clock paused).
    if not exists("supplement") and (
        case := submit_matter("supplement", "MZJ", "临时救助", people["citizen2"] or citizen, "mobile")
    ):
        svc.case_request_supplement(
            case=case,
            # 临时救助 is a township-level matter: the applicant's township takes it in, not the hall.
            actor=_intake_staff(case) or clerk,
            items=[
                {"name": "家庭收入证明", "reason": "缺少近 6 个月的收入情况"},
                {"name": "申请人居民身份证", "reason": "复印件不清晰，请重新上传"},
            ],
        )
        made += 1
    # 6. Refused with written reasons.
    if not exists("refused") and (case := submit_matter("refused", "BDC", "不动产登记资料查询", citizen)):
        svc.case_refuse(
            case=case,
            actor=_intake_staff(case) or clerk,
            reasons="申请查询的不动产不属于本登记机构管辖范围，请向房屋所在地不动产登记机构申请。",
        )
        made += 1
    # 7. Public notice running (公示) after the first-instance review.
    zjj = people["approver_zjj"]
    if (
        zjj
        and not exists("public-notice")
        and (case := submit_matter("public-notice", "ZJJ", "公共租赁住房保障申请", citizen, "online"))
    ):
        case = svc.case_accept(case=case, actor=_intake_staff(case) or clerk)
        first = case.steps.get(stage_order=1)
        svc.step_approve(step=first, actor=_step_approver(first) or zjj, comment="符合保障条件，进入公示")
        made += 1
    # 8. Paused for expert review (not counted toward the clock).
    ybj = people["approver_ybj"]
    if ybj and not exists("paused") and (case := submit_matter("paused", "YBJ", "门诊慢特病待遇认定", citizen, "appointment")):
        case = svc.case_accept(case=case, actor=_intake_staff(case) or clerk)
        svc.case_pause(case=case, actor=_decider(case) or ybj, kind="expert", reason="组织医疗专家鉴定")
        made += 1
    # 9. Late (red) and near the limit (yellow): backdated, then the sweep raises the warnings.
    mzj = people["approver_mzj"]
    if mzj and not exists("late-red") and (case := submit_matter("late-red", "MZJ", "特困人员救助供养", citizen, "counter")):
        case = svc.case_accept(case=case, actor=_intake_staff(case) or clerk)
        _backdate(case, case.committed_days + 3)
        made += 1
    if (
        ybj
        and not exists("late-yellow")
        and (case := submit_matter("late-yellow", "YBJ", "零星医疗费用报销", people["citizen2"] or citizen, "online"))
    ):
        case = svc.case_accept(case=case, actor=_intake_staff(case) or clerk)
        _backdate(case, max(0, case.committed_days - 1))
        made += 1
    # 10. Returned to an earlier step with the fields to fix.
    bdc = people["approver_bdc"]
    if bdc and not exists("returned") and (case := submit_matter("returned", "BDC", "不动产转移登记", citizen, "counter")):
        case = svc.case_accept(case=case, actor=_intake_staff(case) or clerk)
        first = case.steps.get(stage_order=1)
        svc.step_approve(step=first, actor=_step_approver(first) or bdc, comment="初审通过")
        second = case.steps.get(stage_order=2)
        svc.step_return(
            step=second,
            actor=_step_approver(second) or bdc,
            to_step=first,
            fields_to_fix=["房屋坐落", "建筑面积"],
            reason="坐落与权籍调查成果不一致",
        )
        made += 1
    # 11. Off-hours (weekend) submission: counts from the next working day.
    if not exists("off-hours"):
        sat = timezone.localdate()
        while sat.weekday() != 5:
            sat -= datetime.timedelta(days=1)
        when = timezone.make_aware(datetime.datetime.combine(sat, datetime.time(10, rng.randint(0, 59))))
        if submit_matter("off-hours", "BDC", "不动产转移登记", people["citizen2"] or citizen, "off_hours", received_at=when):
            made += 1
    # 12. An enterprise's online application.
    ent_user = people["enterprise"]
    if ent_user and not exists("enterprise"):
        ent = ent_user.enterprise_roles.select_related("enterprise").first()
        if ent and submit_matter("enterprise", "SCJG", "营业执照补领", ent_user, "online", enterprise=ent.enterprise):
            made += 1
    return made


def build(ctx: DemoContext) -> None:
    admin = _user("admin")
    if admin is None:
        ctx.say("  cases: no admin persona, skipped")
        return
    with transaction.atomic():
        n_routes = build_routes(ctx, admin)
    n_cases = build_cases(ctx)
    from .demo_history import build_history

    n_history = build_history(ctx)
    # The history is written without a timeline, which is how refreshes find changes: recount.
    from .rollups import rebuild

    rebuild()
    raised = sweep_warnings()
    ctx.say(
        f"  cases: {n_routes} routes added ({RouteVersion.objects.count()} in all), {n_cases} demo cases added "
        f"({Case.objects.count()} in all, {n_history} finished cases of the last half year added), {raised} warnings raised"
    )
