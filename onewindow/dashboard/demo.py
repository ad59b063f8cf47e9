"""Demo: the readers above the counties, and a little activity in the two extra counties so the
roll-up (/dashboard/counties/) shows three counties side by side (docs/tenancy.md).

- `province` (江西省, 360000) and `city` (吉安市, 360800): readers of the roll-up, with no role at any
  unit (models.RegionReader); demo password as the other personas.
- In 吉州区 and 吉安县, when the counties step built them (the default; not with DEMO_COUNTIES=0):
  a dozen applications per county through the case services (filed by the county's clerk, most approved and concluded by its
  approver, one refused, a few still open) and this morning's tickets at its hall, a few called
  and served. 青原区's data is not touched, so its seed figures stay as they are.

Deterministic and idempotent (cases carry a demo key; tickets are made once per business day)."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.db import transaction

from onewindow.accounts.models import County, OrgUnit, User
from onewindow.appointments.demo import build_plans
from onewindow.cases import services as cs
from onewindow.cases.demo import _form, _materials, demo_keys
from onewindow.cases.sweeps import sweep_warnings
from onewindow.catalog.models import Matter
from onewindow.core.demo import DEMO_PASSWORD, DemoContext
from onewindow.hall import services as hall
from onewindow.hall.models import ServiceArea, Ticket, Window, WindowSession
from onewindow.hall.selectors import can_work_at
from onewindow.ratings import demo as ratings_demo
from onewindow.ratings.demo.followups import build_pads

from .models import RegionReader
from .services import region_reader_grant

READERS = [("province", "江西省政务服务管理办公室", "360000"), ("city", "吉安市行政审批局", "360800")]
COUNTIES = [("360802", "jz"), ("360821", "ja")]
CASES_PER_COUNTY = 12
TICKETS_PER_COUNTY = 8


def build(ctx: DemoContext) -> None:
    _readers()
    # The extra counties' halls come after the appointments and 好差评 steps (catalog/demo_counties):
    # their booking plans and window pads are set up here, on the first load, with the same
    # idempotent builders. Left to those steps, they appeared only on the second load (`bin/run`
    # loads the demo at every start) and the tables changed between two starts.
    plans = build_plans(ctx)
    pads = build_pads()
    if plans or pads:
        ctx.say(f"  counties' halls: booking plans for {plans} areas, {pads} rating pads")
    for code, prefix in COUNTIES:
        if not County.objects.filter(pk=code).exists():
            continue  # the counties step is off (DEMO_COUNTIES=0)
        made = _cases(ctx, code, prefix)
        tickets = _tickets(code, prefix)
        ctx.say(f"  county {code}: {made} demo cases, {tickets} tickets today")
    # What the earlier steps do for 青原区's cases, for these (idempotent, so a second load adds
    # nothing): the supervision's warnings, and 好差评's ratings of the services just delivered.
    sweep_warnings()
    ratings_demo.build(ctx)


def _readers() -> None:
    password = make_password(DEMO_PASSWORD)
    for username, display, region in READERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create(username=username, password=password, display_name=display)
        if not RegionReader.objects.filter(user=user, region_code=region).exists():
            region_reader_grant(user=user, region_code=region, actor=None)


def _cases(ctx: DemoContext, code: str, prefix: str) -> int:
    clerk = User.objects.filter(username=f"clerk_{prefix}").first()
    approver = User.objects.filter(username=f"approver_{prefix}").first()
    applicants = list(User.objects.filter(username__in=["citizen", "citizen2"]).order_by("username"))
    if clerk is None or approver is None or not applicants:
        return 0
    # The matters of the county's 住建局, whose approver decides them.
    dept = OrgUnit.objects.filter(county_id=code, code=f"{prefix.upper()}ZJJ").first()
    versions = [
        m.current_version
        for m in Matter.objects.filter(department=dept).select_related("current_version").order_by("code")
        if m.current_version is not None
    ]
    if not versions:
        return 0
    rng = ctx.rng(f"dashboard.counties.{code}")
    built = demo_keys()
    made = 0
    for i in range(CASES_PER_COUNTY):
        key = f"county-{code}-{i}"
        if key in built:
            continue
        version = versions[i % len(versions)]
        with transaction.atomic():
            case = cs.case_submit(
                applicant=applicants[i % len(applicants)],
                matter_version=version,
                channel="counter" if i % 3 else "online",
                form_data=_form(version, key=key),
                materials=_materials(list(version.materials.all()), online=False, scan=b""),
                actor=clerk,
            )
            if i == 0:
                cs.case_refuse(case=case, actor=clerk, reasons="申请材料不属于本机关职责范围")
            elif i < CASES_PER_COUNTY - 3:
                case = cs.case_accept(case=case, actor=clerk)
                for step in case.steps.all():
                    cs.step_approve(step=step, actor=approver, comment="经审核，符合条件")
                case = cs.case_decide(case=case, actor=approver, approved=rng.random() > 0.1, reason="不符合条件")
                cs.case_conclude(case=case, actor=clerk)
            elif i < CASES_PER_COUNTY - 1:
                cs.case_accept(case=case, actor=clerk)
        made += 1
    return made


def _tickets(code: str, prefix: str) -> int:
    area = ServiceArea.objects.filter(point__org_unit__county_id=code).order_by("code").first()
    clerk = User.objects.filter(username=f"clerk_{prefix}").first()
    if area is None or clerk is None or Ticket.objects.filter(area=area, business_date=hall.business_date()).exists():
        return 0
    for _ in range(TICKETS_PER_COUNTY):
        hall.ticket_issue(area=area, source="kiosk")
    window = Window.objects.filter(point=area.point).order_by("number").first()
    if window is None or not can_work_at(clerk, area.point):
        return TICKETS_PER_COUNTY
    if not WindowSession.objects.filter(ended_at__isnull=True, user=clerk).exists():
        hall.window_sign_in(window=window, actor=clerk)
    for _ in range(TICKETS_PER_COUNTY // 2):
        if hall.call_next(window=window, actor=clerk) is None:
            break
    return TICKETS_PER_COUNTY
