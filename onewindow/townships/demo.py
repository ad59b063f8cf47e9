"""Demo: delegated matters that really run in the townships (F14).

- the two historic delegation decisions as published batches (the 2019 低保 delegation and the
  May 2021 batch of 25 matters), linked to the delegations the catalog step created;
- a township officer for each of the 9 townships (值夏镇 already has the `township` persona) and two
  registered residents per township;
- per township, a handful of cases of its delegated matters filed at the township window and
  handled there through the ordinary services: most delivered, one concluded late, one in review and
  one overdue, so the supervision page and the dashboard have figures to compute;
- per township, three cases of the catalog's township-level matters (no delegation: cases.routing
  sends them to the applicant's township), filed and handled at the township window.

Deterministic (a random stream of its own) and idempotent (every case carries a demo key).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import F, Q

from onewindow.accounts.demo import TOWNSHIPS, resident_id
from onewindow.accounts.models import OrgUnit, Role, RoleAssignment, User
from onewindow.cases import services as cs
from onewindow.cases.demo import _backdate, _form, _materials, demo_keys
from onewindow.cases.models import Case
from onewindow.cases.sweeps import sweep_warnings
from onewindow.catalog.models import Delegation, MatterVersion
from onewindow.core.demo import DEMO_PASSWORD, DemoContext

from .models import DelegationBatch

BATCHES = [
    (
        datetime.date(2019, 7, 1),
        "2019年最低生活保障审批权限下放",
        "青原区最低生活保障审批权限下放乡镇（街道）实施方案（2019年）",
    ),
    (
        datetime.date(2021, 5, 20),
        "2021年5月向乡镇（街道）下放行政审批事项",
        "青原区人民政府关于向乡镇（街道）下放部分行政审批事项的决定（2021年5月）",
    ),
]
CASES_PER_TOWNSHIP = 6  # 4 delivered (one of them late), 1 in review, 1 overdue
OFFICER_NAMES = ["陈立新", "黄海燕", "刘志明", "曾庆华", "罗文军", "肖红梅", "郭建平", "彭丽华", "周国庆"]
RESIDENT_SURNAMES = "王李张刘陈杨黄赵吴周徐孙胡朱高林何郭马罗"


def build_batches() -> int:
    made = 0
    for effective_on, title, basis in BATCHES:
        delegations = list(Delegation.objects.filter(effective_on=effective_on).select_related("matter"))
        if not delegations or DelegationBatch.objects.filter(title=title).exists():
            continue
        batch = DelegationBatch.objects.create(
            title=title,
            legal_basis=basis,
            effective_on=effective_on,
            status=DelegationBatch.Status.PUBLISHED,
            published_at=datetime.datetime.combine(effective_on, datetime.time(9), tzinfo=datetime.UTC),
        )
        batch.matters.set({d.matter for d in delegations})
        batch.townships.set({d.township_id for d in delegations})
        batch.delegations.set(delegations)
        made += 1
    return made


def build_people(townships: list[OrgUnit]) -> dict[str, tuple[User, list[User]]]:
    """Township code -> (officer, residents)."""
    password = make_password(DEMO_PASSWORD)
    out: dict[str, tuple[User, list[User]]] = {}
    for i, t in enumerate(townships):
        username = "township" if t.code == "ZXZ" else f"township_{t.code.lower()}"
        officer = User.objects.filter(username=username).first()
        if officer is None:
            officer = User.objects.create(
                username=username, password=password, display_name=OFFICER_NAMES[i % len(OFFICER_NAMES)], phone=f"1397961{i:04d}"
            )
            RoleAssignment.objects.create(user=officer, role=Role.TOWNSHIP_OFFICER, org_unit=t)
        village = OrgUnit.objects.filter(parent=t).order_by("sort_order", "code").first()
        residents = []
        for j in range(2):
            uname = f"resident_{t.code.lower()}_{j + 1}"
            person = User.objects.filter(username=uname).first()
            if person is None:
                person = User.objects.create(
                    username=uname,
                    password=password,
                    display_name=RESIDENT_SURNAMES[(2 * i + j) % len(RESIDENT_SURNAMES)] + ("桂英" if j else "建国"),
                    id_number=resident_id(f"19{60 + 2 * i + j}0{1 + j}15", 300 + 2 * i + j),
                    id_type=User.IdType.RESIDENT,
                    home_unit=village,
                    phone=f"1397962{2 * i + j:04d}",
                )
                RoleAssignment.objects.create(user=person, role=Role.CITIZEN)
            residents.append(person)
        out[t.code] = (officer, residents)
    return out


def _run(case: Case, officer: User, *, late: bool = False) -> Case:
    case = cs.case_accept(case=case, actor=officer)
    if late:
        _backdate(case, case.committed_days + 3)
    for step in case.steps.all():
        cs.step_approve(step=step, actor=officer, comment="经审核，符合条件")
    case = cs.case_decide(case=case, actor=officer, approved=True)
    case = cs.case_conclude(case=case, actor=officer)
    case = cs.case_deliver(case=case, actor=officer, method="window")
    # A result delivered at the window waits (待领取) until the resident collects it.
    return cs.case_hand_over(case=case, actor=officer)


def build_cases(ctx: DemoContext, people: dict[str, tuple[User, list[User]]], townships: list[OrgUnit]) -> int:
    rng = ctx.rng("townships.cases")
    delegated = (
        Delegation.objects.filter(effective_on=BATCHES[1][0], revoked_on__isnull=True)
        .select_related("matter__current_version")
        .order_by("matter__code")
    )
    by_township: dict[int, list[Any]] = {}
    for d in delegated:
        if d.matter.current_version is not None:
            by_township.setdefault(d.township_id, []).append(d.matter.current_version)
    made = 0
    total = len(townships) * CASES_PER_TOWNSHIP
    done = 0
    built = demo_keys()
    for t in townships:
        versions = by_township.get(t.pk, [])
        officer, residents = people[t.code]
        picks = rng.sample(versions, min(CASES_PER_TOWNSHIP, len(versions)))
        for i, version in enumerate(picks):
            done += 1
            key = f"township-{t.code}-{i}"
            if key in built:
                continue
            with transaction.atomic():
                case = cs.case_submit(
                    applicant=residents[i % len(residents)],
                    matter_version=version,
                    channel="counter",
                    form_data=_form(version, key=key),
                    materials=_materials(list(version.materials.all()), online=False, scan=b""),
                    actor=officer,
                )
                if i < 4:
                    _run(case, officer, late=(i == 3 and t.sort_order % 3 == 0))
                elif i == 4:
                    cs.case_accept(case=case, actor=officer)
                else:
                    case = cs.case_accept(case=case, actor=officer)
                    _backdate(case, case.committed_days + 2)
            made += 1
            ctx.progress("township cases", done, total)
    return made


OWN_CASES_PER_TOWNSHIP = 3  # of its own township-level matters: 2 delivered, 1 in review


def build_own_cases(ctx: DemoContext, people: dict[str, tuple[User, list[User]]], townships: list[OrgUnit]) -> int:
    """Cases of the catalog's township-level matters (no delegation needed), filed at each township's
    window through case_submit: cases.routing makes the township decide them and do their steps."""
    rng = ctx.rng("townships.own-cases")
    versions = list(
        MatterVersion.objects.filter(
            status=MatterVersion.Status.PUBLISHED,
            handling_level=MatterVersion.Level.TOWNSHIP,
            matter__current_version=F("pk"),
        ).order_by("matter__code")
    )
    made = 0
    built = demo_keys()
    for t in townships:
        officer, residents = people[t.code]
        for i, version in enumerate(rng.sample(versions, min(OWN_CASES_PER_TOWNSHIP, len(versions)))):
            key = f"township-own-{t.code}-{i}"
            if key in built:
                continue
            with transaction.atomic():
                case = cs.case_submit(
                    applicant=residents[i % len(residents)],
                    matter_version=version,
                    channel="counter",
                    form_data=_form(version, key=key),
                    materials=_materials(list(version.materials.all()), online=False, scan=b""),
                    actor=officer,
                )
                if i < 2:
                    _run(case, officer)
                else:
                    cs.case_accept(case=case, actor=officer)
            made += 1
    return made


def build(ctx: DemoContext) -> None:
    townships = list(OrgUnit.objects.filter(code__in=[t[0] for t in TOWNSHIPS]).order_by("sort_order"))
    if not townships:
        ctx.say("  townships: no organisation, skipped")
        return
    with transaction.atomic():
        batches = build_batches()
        people = build_people(townships)
    made = build_cases(ctx, people, townships) + build_own_cases(ctx, people, townships)
    sweep_warnings()  # the overdue ones get their red cards like every other case
    decided = Case.objects.filter(department__in=townships).filter(~Q(decided_at=None)).count()
    ctx.say(f"  townships: {batches} batches recorded, {made} township cases added ({decided} decided at townships)")
