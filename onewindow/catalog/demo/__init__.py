"""The demo catalog of 青原区 and the district hall it is accepted in.

Builds, deterministically and idempotently:
- the district administrative service centre with its comprehensive area (4 windows, 22
  departments) and five themed areas (10 departments, 1-4 windows each), and one 便民服务区 with
  2 windows per township (F4);
- 921 published matters of 32 departments (F3) with their materials; flags chosen so that 905 are on
  the one-window platform, 94% can be done online, 215 are on the mobile channel (all 22 of the
  medical insurance bureau), 272 can be booked off-hours (F8, F9, F12);
- 74 township-level matters and 25 matters delegated to every township in May 2021 (F14);
- the real-estate transfer bundle (F6) and the business start-up bundle; life events.

The figures are not stored anywhere: onewindow.catalog.stats computes them from these rows.

The hall is built by `hall.py`, the matters are specified by `specs.py` (their names in
`names.py`, their forms in `formlib.py`); the rows are written here.
"""

from __future__ import annotations

from django.db import transaction

from onewindow.accounts.demo import TOWNSHIPS
from onewindow.accounts.models import OrgUnit
from onewindow.core.demo import DemoContext
from onewindow.hall.models import ServiceArea

from ..models import Bundle, Delegation, LifeEvent, Matter, MatterVersion
from ..services import MatterInput, bundle_create, delegation_create, matter_bulk_create
from .hall import HALL_CODE, build_hall
from .names import LIFE_EVENTS
from .specs import DELEGATION_DATE, DIBAO_DELEGATION_DATE, Spec, _materials, matter_specs


def build_life_events() -> dict[str, LifeEvent]:
    events = {}
    for i, (code, name, audience, _words) in enumerate(LIFE_EVENTS):
        events[code], _ = LifeEvent.objects.get_or_create(
            code=code, defaults={"name": name, "audience": audience, "sort_order": i}
        )
    return events


def _events_for(name: str, events: dict[str, LifeEvent]) -> list[LifeEvent]:
    return [events[code] for code, _n, _a, words in LIFE_EVENTS if any(w in name for w in words)]


def build_matters(ctx: DemoContext, areas: dict[str, ServiceArea], events: dict[str, LifeEvent]) -> list[tuple[Spec, Matter]]:
    specs = matter_specs(ctx.seed)
    rng = ctx.rng("catalog.materials")
    departments = {u.code: u for u in OrgUnit.objects.filter(kind=OrgUnit.Kind.DEPARTMENT)}
    existing = {(m.department.code, m.search_name): m for m in Matter.objects.select_related("department")}
    missing: list[tuple[Spec, MatterInput]] = []
    for s in specs:
        materials = _materials(s, rng)  # drawn for every spec so the stream never shifts
        if (s.dept, s.name) not in existing:
            at_hall = s.on_one_window and s.level == MatterVersion.Level.DISTRICT
            missing.append(
                (
                    s,
                    MatterInput(
                        department=departments[s.dept],
                        fields=dict(s.extra),
                        materials=materials,
                        service_area=areas.get(s.dept) if at_hall else None,
                        life_events=_events_for(s.name, events),
                    ),
                )
            )
    # In department batches, so the progress bar moves and each batch stays small.
    for start in range(0, len(missing), 100):
        batch = missing[start : start + 100]
        for (s, _item), m in zip(batch, matter_bulk_create(items=[i for _s, i in batch], actor=None), strict=True):
            existing[(s.dept, s.name)] = m
        ctx.progress("matters", start + len(batch), len(missing))
    return [(s, existing[(s.dept, s.name)]) for s in specs]


def build_delegations(ctx: DemoContext, built: list[tuple[Spec, Matter]]) -> None:
    townships = list(OrgUnit.objects.filter(code__in=[t[0] for t in TOWNSHIPS]).order_by("sort_order"))
    for s, matter in built:
        if s.delegated:
            date, doc = DELEGATION_DATE, "青原区人民政府关于向乡镇（街道）下放部分行政审批事项的决定（2021年5月）"
        elif s.name == "最低生活保障（低保）审批":
            date, doc = DIBAO_DELEGATION_DATE, "青原区最低生活保障审批权限下放乡镇（街道）实施方案（2019年）"
        else:
            continue
        if not Delegation.objects.filter(matter=matter, effective_on=date).exists():
            delegation_create(matter=matter, townships=townships, effective_on=date, document=doc, actor=None)


def build_bundles(areas: dict[str, ServiceArea]) -> None:
    def matter(dept: str, name: str) -> Matter:
        return Matter.objects.get(department__code=dept, search_name=name)

    bundles = [
        (
            "YJS-BDCZY",
            "不动产转移登记一件事",
            "住建网签备案、税务纳税申报、不动产转移登记联合受理、并联审批：一次取号、一个窗口、一次办结，材料合并去重。",
            [("ZJJ", "商品房买卖合同网签备案"), ("SW", "存量房交易纳税申报"), ("BDC", "不动产转移登记")],
            areas.get("BDC"),
            "BDC",  # 不动产登记中心 leads: it decides and concludes
        ),
        (
            "YJS-QYKB",
            "企业开办一件事",
            "企业设立登记、印章刻制、涉税事项、医保和社保参保登记一表申请、一窗受理、并联办理。",
            [
                ("SCJG", "企业设立登记"),
                ("GA", "印章刻制备案"),
                ("SW", "新办纳税人涉税事项办理"),
                ("YBJ", "用人单位医疗保险参保登记"),
                ("RSJ", "用人单位社会保险登记"),
            ],
            areas.get("SCJG"),
            "SCJG",
        ),
    ]
    for code, name, description, members, area, lead in bundles:
        lead_unit = OrgUnit.objects.get(code=lead)
        if not Bundle.objects.filter(code=code).exists():
            bundle_create(
                code=code,
                name=name,
                description=description,
                matters=[matter(d, n) for d, n in members],
                service_area=area,
                lead_department=lead_unit,
                actor=None,
            )
        else:  # a demo built before bundles named their lead
            Bundle.objects.filter(code=code, lead_department__isnull=True).update(lead_department=lead_unit)


def build(ctx: DemoContext) -> None:
    with transaction.atomic():
        areas = build_hall(ctx)
        events = build_life_events()
        built = build_matters(ctx, areas, events)
        build_delegations(ctx, built)
        build_bundles(areas)
    ctx.say(
        f"  catalog: {Matter.objects.count()} matters, {Bundle.objects.count()} bundles, "
        f"{Delegation.objects.values('matter').distinct().count()} delegated matters, "
        f"{ServiceArea.objects.filter(point__code=HALL_CODE).count()} hall areas"
    )
