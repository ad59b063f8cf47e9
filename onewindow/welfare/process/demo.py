"""Demo: current 低保 applications at 值夏镇 in every state of the 审核确认, made through the
services (household file, routing, clock, notice and all), for the `township` and `agent`
personas:

- filed by the `agent` persona for a resident of 值夏社区 under a mandate, waiting for acceptance;
- filed at the 值夏镇 window, in the economic check (for `township` to visit and propose);
- in the 公示 (the public village page shows it);
- after a notice without objection, waiting for the confirmation;
- confirmed (in payment, with its certificate); refused (with its written notice).

The clock is moved back for the older states the way cases.demo does (rows re-dated after the
services wrote them). Deterministic, idempotent: each demo household's applicant has a fixed
username (`dibao_demo_<key>`), skipped when it exists.
"""

from __future__ import annotations

import datetime
import io
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from onewindow.accounts.demo import resident_id
from onewindow.accounts.models import County, OrgUnit, Role, RoleAssignment, User
from onewindow.cases import services as case_services
from onewindow.cases.models import CaseStep, RouteVersion
from onewindow.core import workdays
from onewindow.core.demo import DEMO_PASSWORD, DemoContext

from ..models import Application, PublicNotice, Standard
from . import application as apply_svc
from . import check, conf, confirm, review, route

# key, name, born, serial, village code, channel, wanted stage, members beyond the head
CASES: list[tuple[str, str, str, int, str, str, str]] = [
    ("agent", "钟月娥", "19490305", 402, "ZXZ-V01", "agent", "acceptance"),
    ("check", "肖长根", "19580917", 411, "ZXZ-V01", "counter", "check"),
    ("notice", "曾冬梅", "19621122", 428, "ZXZ-V01", "counter", "notice"),
    ("confirm", "罗水生", "19550611", 435, "ZXZ-V01", "counter", "confirmation"),
    ("approved", "胡细妹", "19600218", 447, "ZXZ-V01", "counter", "approved"),
    ("refused", "邓建军", "19751009", 451, "ZXZ-V01", "counter", "refused"),
    # More decided households of 值夏社区, so the households' 好差评 of 低保
    # decisions (ratings.demo) has good and bad ones, and bad ones in every follow-up state.
    *[
        (f"{stage}_{i:02d}", name, born, 461 + 2 * i, village, "counter", stage)
        for i, (name, born, village, stage) in enumerate(
            [
                ("王桂香", "19520304", "ZXZ-V01", "approved"),
                ("李金生", "19480716", "ZXZ-V01", "refused"),
                ("刘冬英", "19570929", "ZXZ-V01", "approved"),
                ("陈福根", "19611203", "ZXZ-V01", "refused"),
                ("周秀兰", "19530418", "ZXZ-V01", "approved"),
                ("吴长发", "19660822", "ZXZ-V01", "refused"),
                ("郭水英", "19500127", "ZXZ-V01", "approved"),
                ("黄春生", "19640605", "ZXZ-V01", "refused"),
                ("罗细凤", "19581111", "ZXZ-V01", "approved"),
                ("谢木生", "19690314", "ZXZ-V01", "refused"),
                ("彭冬香", "19550707", "ZXZ-V01", "approved"),
                ("曾火根", "19621019", "ZXZ-V01", "refused"),
            ]
        )
    ],
]


def _png() -> SimpleUploadedFile:
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (300, 120), (255, 255, 255, 0))
    ImageDraw.Draw(img).line([(20, 80), (120, 30), (200, 90), (280, 40)], fill=(0, 0, 0, 255), width=4)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return SimpleUploadedFile("signature.png", buf.getvalue(), content_type="image/png")


def _resident(key: str, name: str, born: str, serial: int, village: OrgUnit) -> User:
    username = f"dibao_demo_{key}"
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user
    user = User.objects.create(
        username=username,
        display_name=name,
        id_number=resident_id(born, serial),
        id_type=User.IdType.RESIDENT,
        phone=f"1397960{serial:04d}",
        home_unit=village,
        password=make_password(DEMO_PASSWORD),
    )
    RoleAssignment.objects.create(user=user, role=Role.CITIZEN)
    return user


def _household(user: User, key: str, serial: int) -> apply_svc.HouseholdInput:
    """A head with little income (pension or farming) and one dependant, in fen."""
    key = key.split("_")[0]  # "refused_03" is a refused household like "refused"
    head_income = {"agent": 25000, "check": 40000, "notice": 30000, "confirm": 35000, "approved": 28000, "refused": 150000}[key]
    return apply_svc.HouseholdInput(
        address=f"值夏镇值夏社区{serial % 9 + 1}组{serial % 40 + 1}号",
        area_kind="rural",
        phone=user.phone,
        hardship="因病" if key != "refused" else "其他",
        bank_account=f"6217{serial:012d}",
        members=[
            apply_svc.MemberInput(
                name=user.display_name,
                id_number=user.id_number or "",
                relationship="head",
                labour="partial",
                seriously_ill=key != "refused",
                incomes=[apply_svc.IncomeInput("transfer" if key != "refused" else "wage", head_income)],
            ),
            apply_svc.MemberInput(
                name=user.display_name[0] + "小" + "华明芳军红丽"[serial % 6],
                id_number=resident_id(f"2011{serial % 12 + 1:02d}15", serial + 1),
                relationship="grandchild",
                student=True,
            ),
        ],
    )


def _ensure_route(matter: Any, admin: User) -> None:
    published = RouteVersion.objects.filter(matter=matter, status=RouteVersion.Status.PUBLISHED).first()
    if published is not None and [s.order for s in published.stages.all()] == [1, 2, 3, 4]:
        return
    route.publish_route(matter=matter, actor=admin)


def _ensure_standards() -> None:
    """The standard in force is the district's (the register's demo enters the history); the
    current year's is entered here only when it is missing, so an allowance can be computed."""
    year = timezone.localdate().year
    for kind, fen in (("rural", 62000), ("urban", 80000)):
        county = County.default()
        if not Standard.objects.filter(county=county, area_kind=kind, year__in=[year, year - 1]).exists():
            Standard.objects.create(
                county=county,
                year=year,
                area_kind=kind,
                monthly_fen=fen,
                effective_from=datetime.date(year, 1, 1),
                basis="演示数据",
            )


def _days_back(n: int, county: str) -> datetime.date:
    day = timezone.localdate()
    for _ in range(n):
        day -= datetime.timedelta(days=1)
        while not workdays.is_workday(day, county):
            day -= datetime.timedelta(days=1)
    return day


def _redate(app: Application, workdays_ago: int) -> None:
    """Move the case's acceptance (and its clock) back by `workdays_ago` working days of its county."""
    case = app.case
    case.refresh_from_db()
    county = case.department.county_id
    accepted = _days_back(workdays_ago, county)
    moment = timezone.make_aware(datetime.datetime.combine(accepted, datetime.time(9, 30)))
    case.received_at = case.accepted_at = moment
    case.received_on = accepted
    case.intake_due = workdays.add_workdays(accepted, case_services.INTAKE_DAYS, county)
    case_services._recompute_dues(case)
    case.save()


def _end_notice(app: Application) -> None:
    """The notice opened 8 days ago and ended yesterday; the sweep's own function closes it."""
    today = timezone.localdate()
    n = PublicNotice.objects.get(application=app, outcome=PublicNotice.Outcome.RUNNING)
    days = n.ends_on - n.starts_on
    n.starts_on, n.ends_on = today - days - datetime.timedelta(days=1), today - datetime.timedelta(days=1)
    n.save(update_fields=["starts_on", "ends_on"])
    assert n.step_id is not None  # a notice opened by the review has its step
    CaseStep.objects.filter(pk=n.step_id).update(opened_on=n.starts_on, due_on=n.ends_on)
    case_services.public_notice_close_due(today=today)


def build(ctx: DemoContext) -> None:
    township_user = User.objects.filter(username="township").first()
    agent = User.objects.filter(username="agent").first()
    admin = User.objects.filter(username="admin").first()
    if township_user is None or agent is None or admin is None:
        ctx.say("  welfare process: personas missing, skipped")
        return
    try:
        matter = conf.dibao_matter()
    except Exception:
        ctx.say("  welfare process: no 低保 matter in the catalog, skipped")
        return
    _ensure_route(matter, admin)
    _ensure_standards()
    made = 0
    for key, name, born, serial, village_code, channel, stage in CASES:
        village = OrgUnit.objects.filter(code=village_code).first()
        if village is None or User.objects.filter(username=f"dibao_demo_{key}").exists():
            continue
        with transaction.atomic():
            resident = _resident(key, name, born, serial, village)
            _make(resident, key, serial, channel, stage, township_user, agent, matter)
        made += 1
        ctx.progress("dibao applications", made, len(CASES))
    ctx.say(f"  welfare process: {made} 低保 applications added ({Application.objects.count()} in all)")


def _make(resident: User, key: str, serial: int, channel: str, stage: str, officer: User, agent: User, matter: Any) -> None:
    from onewindow.cases.services import MaterialInput

    assert matter.current_version is not None
    paper = [MaterialInput(requirement=r, paper=True) for r in matter.current_version.materials.all()]
    if channel == "agent":
        from onewindow.assistance import services as assistance
        from onewindow.assistance.access import point_of
        from onewindow.assistance.models import Mandate

        point = point_of(agent)
        if point is None:
            return
        today = timezone.localdate()
        assistance.mandate_record(
            actor=agent,
            point=point,
            resident=resident,
            all_eligible=True,
            matters=[],
            valid_from=today,
            valid_until=today + datetime.timedelta(days=365),
            method=Mandate.Method.ON_SCREEN,
            id_checked=True,
            signature=_png(),
        )
        apply_svc.application_file(
            actor=agent, applicant=resident, channel="agent", household=_household(resident, key, serial), materials=paper
        )
        return
    app = apply_svc.application_file(
        actor=officer, applicant=resident, channel="counter", household=_household(resident, key, serial), materials=paper
    )
    if stage == "check":
        _redate(app, 2)
        return
    check.visit_record(
        application=app,
        actor=officer,
        visited_on=timezone.localdate(),
        visitors="值夏镇民政所 陈立新、值夏社区 胡桂兰",
        findings="户主患慢性病，长期服药；孙子在校就读，无其他劳动力。住房为自建砖房，无车辆。",
    )
    check.cross_check_run(application=app, actor=officer)
    if stage == "refused":
        review.refuse(application=app, actor=officer, reasons="户主在外务工月收入1500元，家庭人均收入高于当地低保标准。")
        _redate(app, 6)
        return
    review.propose_approval(application=app, actor=officer, comment="家庭人均收入低于当地标准，拟同意。")
    if stage == "notice":
        _redate(app, 5)
        n = PublicNotice.objects.get(application=app)
        back = datetime.timedelta(days=2)
        assert n.step_id is not None  # a notice opened by the review has its step
        PublicNotice.objects.filter(pk=n.pk).update(starts_on=n.starts_on - back, ends_on=n.ends_on - back)
        CaseStep.objects.filter(pk=n.step_id).update(opened_on=n.starts_on - back, due_on=n.ends_on - back)
        return
    _redate(app, 14)
    _end_notice(app)
    if stage == "approved":
        confirm.confirm(application=Application.objects.get(pk=app.pk), actor=officer, comment="公示无异议，同意纳入。")
