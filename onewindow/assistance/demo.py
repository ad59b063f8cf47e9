"""Demo of the agent service (帮你办, F15).

1. One agent service point in every village and community: 121 in all.
2. An agent account for each point (a village cadre; the persona `agent` serves 值夏社区), and a
   receiving clerk at 人社局 for the social insurance batches.
3. Residents of each village with a mandate to their point (a few revoked), the persona citizen
   among them.
4. Agent cases over the last six months, through the township when the matter is delegated there
   (cases.routing decides), with the paper materials forwarded, results delivered at the point and
   follow-ups; and contributions collected for residents (medical insurance for next year, social
   insurance), one closed and balanced till per point and collection day, handed over in monthly
   batches, with a few same-day reversals.

Everything is bulk-inserted in one transaction (a few seconds), deterministic (one random stream)
and built once: the step is skipped when the demo mandates exist. The historical cases carry their
dates and timeline (filed, accepted, concluded, delivered) but no approval steps: they were
approved before this system (see docs/agents.md). F15's figures come from this data (stats.py).
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import io
import random
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from onewindow.accounts.demo import resident_id
from onewindow.accounts.models import OrgUnit, Role, RoleAssignment, User
from onewindow.cases import routing
from onewindow.cases import selectors as case_selectors
from onewindow.cases.models import Case, CaseEvent, CaseNumberCounter, Channel
from onewindow.catalog.models import Delegation, Matter
from onewindow.core import workdays
from onewindow.core.demo import DEMO_PASSWORD, DemoContext
from onewindow.core.demo.people import person_name
from onewindow.core.uploads import private_storage

from .models import (
    AgentApplication,
    AgentPoint,
    CollectionKind,
    FollowUp,
    HandoverBatch,
    LedgerEntry,
    Mandate,
    MaterialForwarding,
    PaymentMethod,
    ResultDelivery,
    TillDay,
)
from .services.ledger import CHECK_ALPHABET, DEPARTMENT_OF
from .services.mandates import mandate_text

OPENED_ON = datetime.date(2019, 3, 1)
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
MONTHS = 6
SIGNATURE_FILE = "assistance/demo/signature.png"
# The matters village agents handle most (the seed names them, F15), with their weight.
FAVOURITES = [
    ("城乡居民基本医疗保险参保缴费", 6),
    ("社会保险费代缴", 5),
    ("残疾人证办理", 4),
    ("城乡居民养老保险费缴纳", 3),
    ("城乡居民医疗保险费缴纳", 3),
]
MEDICAL_FEE_FEN = 40_000  # 2027 individual contribution of the residents' medical insurance: 400 yuan
OTHER_MATTERS = 20
DELEGATED_MATTERS = 6
PENSION_TIERS_FEN = [20_000, 30_000, 50_000, 100_000, 200_000]  # residents' pension contribution tiers


@contextlib.contextmanager
def keep_timestamps(*models: Any) -> Iterator[None]:
    """Let bulk_create keep the past times set on the objects: `auto_now_add` would stamp them
    with now (demo data only; the running system never back-dates)."""
    fields = [f for m in models for f in m._meta.concrete_fields if getattr(f, "auto_now_add", False)]
    for f in fields:
        f.auto_now_add = False
    try:
        yield
    finally:
        for f in fields:
            f.auto_now_add = True


def build(ctx: DemoContext) -> None:
    build_points(ctx)
    from onewindow.core.models import WorkCalendarDay

    if not WorkCalendarDay.objects.exists():  # a partial demo (e.g. the catalog's figure tests)
        ctx.say("  agent service: no work calendar, points only")
        return
    if Mandate.objects.filter(number__contains="D").exists():
        ctx.say("  agent service: already built")
        return
    with transaction.atomic():
        agents = build_agents(ctx)
        residents = build_residents(ctx)
        mandates = build_mandates(ctx, residents, agents)
        build_cases(ctx, mandates, agents)
        build_collections(ctx, mandates, agents)
    ctx.say(
        f"  agent service: {len(agents)} agents, {Mandate.objects.count()} mandates, "
        f"{AgentApplication.objects.count()} agent cases, {LedgerEntry.objects.count()} collections"
    )


@transaction.atomic
def build_points(ctx: DemoContext) -> None:
    villages = OrgUnit.objects.filter(kind__in=[OrgUnit.Kind.VILLAGE, OrgUnit.Kind.COMMUNITY]).select_related("parent")
    have = set(AgentPoint.objects.values_list("village_id", flat=True))
    rng = ctx.rng("assistance.points")
    new = []
    for v in villages.order_by("path"):
        phone = f"1397960{rng.randint(0, 9999):04d}"  # drawn for every village so the stream never shifts
        if v.pk in have:
            continue
        committee = "居民委员会" if v.kind == OrgUnit.Kind.COMMUNITY else "村民委员会"
        new.append(
            AgentPoint(
                village=v,
                name=f"{v.name}代办点",
                address=f"{v.parent.name if v.parent else ''}{v.name}{committee}便民服务室",
                phone=phone,
                opened_on=OPENED_ON,
            )
        )
    AgentPoint.objects.bulk_create(new)
    ctx.say(f"  agent points: {AgentPoint.objects.count()}")


def _points() -> list[AgentPoint]:
    return list(AgentPoint.objects.select_related("village", "village__parent").order_by("village__path"))


def build_agents(ctx: DemoContext) -> dict[int, User]:
    """One agent per point: the persona where it already serves, a village cadre elsewhere. One
    password hash for all (the documented demo password), computed once."""
    rng = ctx.rng("assistance.agents")
    password = make_password(DEMO_PASSWORD)
    existing = {
        a.org_unit_id or 0: a.user
        for a in RoleAssignment.objects.filter(role=Role.AGENT, org_unit__isnull=False).select_related("user")
    }
    new_users: list[User] = []
    for p in _points():
        name = person_name(rng)
        if p.village_id in existing:
            continue
        new_users.append(
            User(
                username=f"agent_{p.village.code.lower().replace('-', '_')}",
                password=password,
                display_name=name,
                phone=f"1387960{p.pk % 10000:04d}",
                home_unit=p.village,
            )
        )
    User.objects.bulk_create(new_users, ignore_conflicts=True)
    users = {u.username: u for u in User.objects.filter(username__in=[u.username for u in new_users])}
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(user=users[u.username], role=Role.AGENT, org_unit_id=u.home_unit_id) for u in new_users],
        ignore_conflicts=True,
    )
    rsj = OrgUnit.objects.filter(code="RSJ").first()
    if rsj is not None and not User.objects.filter(username="clerk_rsj").exists():
        clerk = User.objects.create(username="clerk_rsj", password=password, display_name="黄建平", phone="13979601234")
        RoleAssignment.objects.create(user=clerk, role=Role.APPROVER, org_unit=rsj)
    return {
        a.org_unit_id or 0: a.user
        for a in RoleAssignment.objects.filter(role=Role.AGENT, org_unit__isnull=False).select_related("user")
    }


def build_residents(ctx: DemoContext) -> dict[int, list[User]]:
    """Residents registered in each village (5 to 10 per point), older people mostly; the
    persona citizen (刘秀英, 值夏社区) is one of them."""
    rng = ctx.rng("assistance.residents")
    taken = set(User.objects.exclude(id_number=None).values_list("id_number", flat=True))
    unusable = make_password(None)
    new: list[User] = []
    seq = 0
    for p in _points():
        for _i in range(rng.randint(5, 10)):
            while True:
                seq += 1
                birth = datetime.date(1938, 1, 1) + datetime.timedelta(days=rng.randint(0, 365 * 35))
                number = resident_id(f"{birth:%Y%m%d}", 500 + seq % 499)
                if number not in taken:
                    break
            taken.add(number)
            new.append(
                User(
                    username=f"r{seq:05d}",
                    password=unusable,
                    display_name=person_name(rng),
                    id_type=User.IdType.RESIDENT,
                    id_number=number,
                    phone=f"1357960{seq:04d}",
                    home_unit=p.village,
                )
            )
    User.objects.bulk_create(new)
    made = list(User.objects.filter(username__in=[u.username for u in new]))
    RoleAssignment.objects.bulk_create([RoleAssignment(user=u, role=Role.CITIZEN) for u in made])
    out: dict[int, list[User]] = {}
    for u in made:
        out.setdefault(u.home_unit_id, []).append(u)  # type: ignore[arg-type]
    citizen = User.objects.filter(username="citizen").exclude(home_unit=None).first()
    if citizen is not None:
        out.setdefault(citizen.home_unit_id, []).insert(0, citizen)  # type: ignore[arg-type]
    return out


def _signature() -> tuple[str, str]:
    """One demo signature image, stored privately once, shared by the demo's signed records."""
    storage = private_storage()
    if not storage.exists(SIGNATURE_FILE):
        from django.core.files.base import ContentFile
        from PIL import Image, ImageDraw

        img = Image.new("RGBA", (300, 120), (255, 255, 255, 0))
        ImageDraw.Draw(img).line([(20, 80), (80, 30), (140, 90), (200, 40), (280, 70)], fill=(20, 20, 20, 255), width=4)
        buf = io.BytesIO()
        img.save(buf, format="PNG")
        storage.save(SIGNATURE_FILE, ContentFile(buf.getvalue()))
    with storage.open(SIGNATURE_FILE, "rb") as f:
        return SIGNATURE_FILE, hashlib.sha256(f.read()).hexdigest()


@dataclass
class Held:
    mandate: Mandate
    point: AgentPoint
    matters: list[Matter] = field(default_factory=list)


def _eligible() -> tuple[list[Matter], list[int], list[Matter]]:
    """The matters the demo files (with their weight), and among them the delegated ones."""
    matters = list(
        Matter.objects.filter(current_version__agent_eligible=True, current_version__status="published")
        .select_related("current_version", "department", "service_area__point__org_unit")
        .prefetch_related("current_version__materials")
        .order_by("code")
    )
    # The seed's named matters, then a fixed handful of the other agent-eligible ones (subsidies,
    # certifications): what a village point files in practice.
    weight = dict(FAVOURITES)
    named = [m for m in matters if m.current_version and m.current_version.name in weight]
    # 低保 goes through the welfare app's own process (household, survey, notice), never bulk rows.
    others = [m for m in matters if m not in named and "低保" not in m.search_name]
    # The matters delegated to the townships (F14) go in too: their agent cases are taken in and
    # decided by the township, the others by the district.
    delegated_pks = set(Delegation.objects.filter(matter__in=others).values_list("matter_id", flat=True))
    delegated = [m for m in others if m.pk in delegated_pks][:DELEGATED_MATTERS]
    others = [m for m in others if m.pk not in delegated_pks]
    others = others[:: max(1, len(matters) // OTHER_MATTERS)][:OTHER_MATTERS]
    chosen = named + delegated + others
    return chosen, [weight.get(m.current_version.name if m.current_version else "", 1) for m in chosen], delegated


def build_mandates(ctx: DemoContext, residents: dict[int, list[User]], agents: dict[int, User]) -> list[Held]:
    rng = ctx.rng("assistance.mandates")
    today = timezone.localdate()
    sig_file, sig_sha = _signature()
    matters, _weights, _delegated = _eligible()
    favourites = [m for m in matters if m.current_version and m.current_version.name in dict(FAVOURITES)]
    rows: list[Mandate] = []
    scopes: list[list[Matter]] = []
    held_points: list[AgentPoint] = []
    i = 0
    for p in _points():
        agent = agents.get(p.village_id)
        if agent is None:
            continue
        for r in residents.get(p.village_id, []):
            i += 1
            start = today - datetime.timedelta(days=rng.randint(20, 30 * MONTHS + 20))
            until = start + datetime.timedelta(days=rng.choice([365, 730, 1095]) - 1)
            all_eligible = rng.random() < 0.6 or not favourites
            scope = [] if all_eligible else rng.sample(favourites, k=min(len(favourites), rng.randint(1, 3)))
            text = mandate_text(
                point=p, resident=r, matters=scope, all_eligible=all_eligible, valid_from=start, valid_until=until
            )
            signed = datetime.datetime.combine(start, datetime.time(9, rng.randint(0, 59)), tzinfo=TZ)
            revoked = rng.random() < 0.03
            rows.append(
                Mandate(
                    number=f"WT{start:%Y%m%d}D{i:06d}",
                    point=p,
                    resident=r,
                    all_eligible=all_eligible,
                    valid_from=start,
                    valid_until=until,
                    method=rng.choice([Mandate.Method.ON_SCREEN] * 4 + [Mandate.Method.PAPER]),
                    status=Mandate.Status.REVOKED if revoked else Mandate.Status.ACTIVE,
                    text=text,
                    text_sha256=hashlib.sha256(text.encode()).hexdigest(),
                    signature_file=sig_file,
                    signature_sha256=sig_sha,
                    recorded_by=agent,
                    id_checked=True,
                    signed_at=signed,
                    revoked_at=signed + datetime.timedelta(days=rng.randint(5, 15)) if revoked else None,
                    revoked_by=r if revoked else None,
                    revoke_reason="本人已能自行办理" if revoked else "",
                    created_at=signed,
                )
            )
            scopes.append(scope)
            held_points.append(p)
    with keep_timestamps(Mandate):
        Mandate.objects.bulk_create(rows)
    saved = list(
        Mandate.objects.filter(number__in=[m.number for m in rows])
        .select_related("resident__home_unit__parent")
        .order_by("number")
    )
    by_number = {m.number: m for m in saved}
    through = Mandate.matters.through
    through.objects.bulk_create(
        [through(mandate_id=by_number[m.number].pk, matter_id=x.pk) for m, scope in zip(rows, scopes, strict=True) for x in scope]
    )
    return [Held(by_number[m.number], p, s) for m, p, s in zip(rows, held_points, scopes, strict=True)]


def _at(day: datetime.date, rng: random.Random, start_hour: int = 9) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(rng.randint(start_hour, 16), rng.randint(0, 59)), tzinfo=TZ)


def _numbers(days: list[datetime.date]) -> dict[datetime.date, list[int]]:
    """Case numbers for each day, taken from the day's counter row in one update (no max()+1)."""
    wanted: dict[datetime.date, int] = {}
    for d in days:
        wanted[d] = wanted.get(d, 0) + 1
    out: dict[datetime.date, list[int]] = {}
    CaseNumberCounter.objects.bulk_create([CaseNumberCounter(day=d) for d in wanted], ignore_conflicts=True)
    for d, n in wanted.items():
        CaseNumberCounter.objects.filter(day=d).update(last=F("last") + n)
        last = CaseNumberCounter.objects.filter(day=d).values_list("last", flat=True).get()
        out[d] = list(range(last - n + 1, last + 1))
    return out


def build_cases(ctx: DemoContext, held: list[Held], agents: dict[int, User]) -> None:
    rng = ctx.rng("assistance.cases")
    today = timezone.localdate()
    matters, weights, delegated = _eligible()
    if not matters:
        return
    favourites = {name for name, _w in FAVOURITES}
    weight_of = {m.pk: w for m, w in zip(matters, weights, strict=True)}
    sig_file, sig_sha = _signature()
    active = [h for h in held if h.mandate.status == Mandate.Status.ACTIVE]
    plan: list[tuple[Held, Matter, datetime.date]] = []
    used: set[tuple[int, int]] = set()
    # 足不出镇 (F14): every point files at least one delegated matter (taken in and decided by its
    # township) for a resident whose mandate covers every eligible matter.
    township_case_at: set[int] = set()
    for h in active:
        for n in range(rng.choice([0, 1, 1, 1, 2])):
            pool = h.matters or matters
            matter = rng.choices(pool, weights=[weight_of[m.pk] for m in pool])[0]
            if n == 0 and delegated and not h.matters and h.point.pk not in township_case_at:
                matter = delegated[len(township_case_at) % len(delegated)]
                township_case_at.add(h.point.pk)
            if (h.mandate.resident_id, matter.pk) in used:
                continue
            day = max(h.mandate.valid_from, today - datetime.timedelta(days=rng.randint(0, 30 * MONTHS)))
            if day > today or day > h.mandate.valid_until:
                continue
            used.add((h.mandate.resident_id, matter.pk))
            plan.append((h, matter, day))
    plan.sort(key=lambda x: (x[2], x[1].code))
    numbers = _numbers([d for _h, _m, d in plan])
    routes: dict[tuple[int, int], routing.Routing] = {}
    halls: dict[int, OrgUnit] = {}
    cases: list[Case] = []
    for h, matter, day in plan:
        version = matter.current_version
        assert version is not None
        agent = agents[h.point.village_id]
        key = (matter.pk, h.point.village.parent_id or 0)  # the routing depends on the township only
        if key not in routes:
            if matter.pk not in halls:  # where the matter is taken in without delegation (its hall)
                halls[matter.pk] = (
                    matter.service_area.point.org_unit if matter.service_area else case_selectors.hall_unit_for(matter.department)
                )
            hall = halls[matter.pk]
            routes[key] = routing.route_submission(
                applicant=h.mandate.resident, matters=[matter], intake_unit=hall, at_counter=False, agent=agent, on=today
            )
        route = routes[key]
        received = _at(day, rng)
        # The day received, as case_submit stores it: day 1 is the first working day after it
        # (core/workdays.add_workdays is the one rule), whether or not `day` is a working day.
        start = day
        age = workdays.workdays_between(start, today) if start <= today else 0
        case = Case(
            number=f"QY{day:%Y%m%d}{numbers[day].pop(0):05d}",
            check_code="".join(rng.choice(CHECK_ALPHABET) for _ in range(6)),
            channel=Channel.AGENT,
            applicant=h.mandate.resident,
            agent=agent,
            matter_version=version,
            title=version.name,
            department=route.department,
            intake_unit=route.intake_unit,
            form_data={"demo_key": "assistance"},
            received_at=received,
            received_on=start,
            intake_due=workdays.add_workdays(start, 5),
            committed_days=version.committed_days,
            statutory_days=version.statutory_days,
            status=Case.Status.SUBMITTED,
        )
        limit = max(1, min(version.committed_days, 8))
        # Older than two working days: ended (the intake queue holds only the last days' filings).
        if age > 2:
            if rng.random() < 0.03:
                case.status = Case.Status.REFUSED
                case.refusal_reasons = "申请人不符合申请条件。"
                case.concluded_at = _at(workdays.add_workdays(start, 1), rng)
            else:
                accepted = workdays.add_workdays(start, 1)
                concluded = workdays.add_workdays(accepted, rng.randint(1, limit))
                if concluded >= today:
                    concluded = accepted
                case.accepted_at = _at(accepted, rng)
                case.committed_due = workdays.add_workdays(accepted, version.committed_days)
                case.statutory_due = workdays.add_workdays(accepted, version.statutory_days)
                case.decision = Case.Decision.APPROVED
                case.decided_at = _at(concluded, rng)
                case.concluded_at = case.decided_at + datetime.timedelta(minutes=30)
                case.status = Case.Status.CONCLUDED
        cases.append(case)
    Case.objects.bulk_create(cases)
    saved = {c.number: c for c in Case.objects.filter(number__in=[c.number for c in cases])}
    cases = [saved[c.number] for c in cases]
    apps: list[AgentApplication] = []
    for (h, matter, _day), case in zip(plan, cases, strict=True):
        apps.append(
            AgentApplication(
                kind=AgentApplication.Kind.CASE,
                point=h.point,
                agent=agents[h.point.village_id],
                resident=h.mandate.resident,
                mandate=h.mandate,
                matter=matter,
                case=case,
                deliver_at_point=rng.random() < 0.7,
                closed_at=case.concluded_at,
                created_at=case.received_at,
            )
        )
    with keep_timestamps(AgentApplication):
        AgentApplication.objects.bulk_create(apps)
    by_case = {a.case_id: a for a in AgentApplication.objects.filter(case__in=cases)}
    # Collection at the point is the case's delivery method from filing (cases.owners: the result
    # waits for the point's agents, not the front desk).
    for case in cases:
        if by_case[case.pk].deliver_at_point:
            case.delivery_method = Case.Delivery.AGENT_POINT
    Case.objects.filter(pk__in=[c.pk for c in cases if c.delivery_method]).update(delivery_method=Case.Delivery.AGENT_POINT)

    forwardings, deliveries, follow_ups, events, delivered_cases = [], [], [], [], []
    for (h, matter, _day), case in zip(plan, cases, strict=True):
        app = by_case[case.pk]
        agent = agents[h.point.village_id]
        events.append(CaseEvent(case=case, kind="submitted", actor=agent, note=Channel.AGENT))
        if rng.random() < 0.6 or (matter.current_version and matter.current_version.name in favourites and rng.random() < 0.5):
            collected = case.received_at
            due = workdays.add_workdays(case.received_on, 3)
            f = MaterialForwarding(
                application=app,
                to_unit=case.intake_unit,
                items=[r.name for r in matter.current_version.materials.all()][:3] if matter.current_version else [],
                collected_at=collected,
                due_on=due,
            )
            arrive = workdays.add_workdays(case.received_on, rng.choice([0, 1, 1, 2, 2, 3, 3, 4]))
            if arrive < today or case.status != Case.Status.SUBMITTED:
                f.sent_at = _at(min(arrive, today), rng, 8)
                f.sent_by = agent
                f.carrier = agent.display_name if agent else ""
                f.received_at = f.sent_at + datetime.timedelta(hours=2)
                f.received_by = None  # filled below with the unit's clerk or officer
            forwardings.append(f)
        if case.status == Case.Status.CONCLUDED:
            events.append(CaseEvent(case=case, kind="accepted"))
            events.append(CaseEvent(case=case, kind="concluded"))
            assert case.concluded_at is not None
            done = timezone.localdate(case.concluded_at)
            if app.deliver_at_point and (today - done).days > 3:
                when = _at(min(today, done + datetime.timedelta(days=rng.randint(1, 3))), rng)
                deliveries.append(
                    ResultDelivery(
                        application=app,
                        delivered_at=when,
                        delivered_by=agent,
                        receiver_name=h.mandate.resident.display_name,
                        signature_file=sig_file,
                        signature_sha256=sig_sha,
                    )
                )
                case.status = Case.Status.DELIVERED
                case.delivery_method = Case.Delivery.AGENT_POINT
                case.delivered_at = when
                delivered_cases.append(case)
                events.append(CaseEvent(case=case, kind="delivered", note=Case.Delivery.AGENT_POINT))
            ended = case.delivered_at or case.concluded_at
            if (today - timezone.localdate(ended)).days > 5 and rng.random() < 0.85 and agent is not None:
                follow_ups.append(
                    FollowUp(
                        application=app,
                        at=ended + datetime.timedelta(days=rng.randint(2, 5)),
                        by=agent,
                        method=rng.choice([FollowUp.Method.PHONE, FollowUp.Method.PHONE, FollowUp.Method.VISIT]),
                        satisfaction=rng.choices([5, 4, 3, 2], weights=[70, 24, 5, 1])[0],
                        comment=rng.choice(["", "", "很方便，不用跑镇上", "代办员服务热情", "办得快"]),
                    )
                )
        elif case.status == Case.Status.REFUSED:
            events.append(CaseEvent(case=case, kind="refused"))
    _receivers(forwardings)
    MaterialForwarding.objects.bulk_create(forwardings)
    ResultDelivery.objects.bulk_create(deliveries)
    FollowUp.objects.bulk_create(follow_ups)
    for e in events:  # the timeline carries the case's own dates
        e.at = {
            "submitted": e.case.received_at,
            "accepted": e.case.accepted_at,
            "concluded": e.case.concluded_at,
            "refused": e.case.concluded_at,
            "delivered": e.case.delivered_at,
        }[e.kind] or e.case.received_at
    with keep_timestamps(CaseEvent):
        CaseEvent.objects.bulk_create(events)
    Case.objects.bulk_update(delivered_cases, ["status", "delivery_method", "delivered_at"])


def _receivers(forwardings: list[MaterialForwarding]) -> None:
    """Who signed for each arrival: an intake officer of the receiving unit (or its hall)."""
    staff: dict[int, User | None] = {}
    for f in forwardings:
        if f.sent_at is None:
            continue
        if f.to_unit_id not in staff:
            a = (
                RoleAssignment.objects.filter(role__in=[Role.TOWNSHIP_OFFICER, Role.CLERK], org_unit=f.to_unit_id)
                .select_related("user")
                .first()
                or RoleAssignment.objects.filter(role=Role.CLERK).select_related("user").first()
            )
            staff[f.to_unit_id] = a.user if a else None
        who = staff[f.to_unit_id]
        if who is None:  # nobody to sign: the materials are still on their way
            f.sent_at = f.sent_by = f.received_at = None
            f.carrier = ""
        else:
            f.received_by = who


def build_collections(ctx: DemoContext, held: list[Held], agents: dict[int, User]) -> None:
    """The yearly drive for next year's medical insurance (September to now) and social
    insurance contributions through the half year; tills closed and balanced, batches monthly."""
    rng = ctx.rng("assistance.collections")
    today = timezone.localdate()
    # The medical insurance drive for next year opens on 1 September.
    drive_year = today.year if today.month >= 9 else today.year - 1
    drive_start = max(today - datetime.timedelta(days=30 * MONTHS), datetime.date(drive_year, 9, 1))
    period = str(drive_year + 1)
    plan: dict[tuple[int, datetime.date], list[tuple[Held, str, str, int]]] = {}
    for h in held:
        m = h.mandate
        if m.status != Mandate.Status.ACTIVE:
            continue
        kinds: list[str] = []
        covers = {x.department.code for x in h.matters}
        if (m.all_eligible or DEPARTMENT_OF[CollectionKind.MEDICAL_INSURANCE] in covers) and rng.random() < 0.8:
            kinds.append(CollectionKind.MEDICAL_INSURANCE)
        if (m.all_eligible or DEPARTMENT_OF[CollectionKind.SOCIAL_INSURANCE] in covers) and rng.random() < 0.35:
            kinds.append(CollectionKind.SOCIAL_INSURANCE)
        for kind_ in kinds:
            lo = max(
                m.valid_from,
                drive_start if kind_ == CollectionKind.MEDICAL_INSURANCE else today - datetime.timedelta(days=30 * MONTHS),
            )
            if lo > today - datetime.timedelta(days=1):
                continue
            day = lo + datetime.timedelta(days=rng.randint(0, (today - datetime.timedelta(days=1) - lo).days))
            day = workdays.next_workday(day) if not workdays.is_workday(day) else day
            if day >= today:
                continue
            amount = MEDICAL_FEE_FEN if kind_ == CollectionKind.MEDICAL_INSURANCE else rng.choice(PENSION_TIERS_FEN)
            paid_by: str = PaymentMethod.CASH if rng.random() < 0.55 else PaymentMethod.TRANSFER
            plan.setdefault((h.point.pk, day), []).append((h, kind_, paid_by, amount))
    tills: list[TillDay] = []
    entries: list[LedgerEntry] = []
    points = {p.pk: p for p in _points()}
    for (point_pk, day), items in sorted(plan.items(), key=lambda x: (x[0][1], x[0][0])):
        point = points[point_pk]
        agent = agents[point.village_id]
        till = TillDay(point=point, day=day, status=TillDay.Status.CLOSED, closed_by=agent)
        first = len(entries)
        seq = 0
        for h, kind, method, amount in items:
            at = _at(day, rng)
            seq += 1
            entry = LedgerEntry(
                till=till,
                number=f"DS{point.village.code}{day:%Y%m%d}{seq:04d}",
                check_code="".join(rng.choice(CHECK_ALPHABET) for _ in range(6)),
                kind=LedgerEntry.Kind.COLLECTION,
                collection_kind=kind,
                method=method,
                amount_fen=amount,
                resident=h.mandate.resident,
                mandate=h.mandate,
                period=period,
                payment_ref=f"LOCAL-{method.upper()}-{rng.getrandbits(48):012x}",
                created_by=agent,
                created_at=at,
            )
            entries.append(entry)
            if rng.random() < 0.02:  # a typing error corrected the same day
                seq += 1
                entries.append(
                    LedgerEntry(
                        till=till,
                        number=f"DS{point.village.code}{day:%Y%m%d}{seq:04d}",
                        check_code="".join(rng.choice(CHECK_ALPHABET) for _ in range(6)),
                        kind=LedgerEntry.Kind.REVERSAL,
                        collection_kind=kind,
                        method=method,
                        amount_fen=-amount,
                        resident=h.mandate.resident,
                        mandate=h.mandate,
                        period=period,
                        payment_ref=f"LOCAL-REFUND-{rng.getrandbits(48):012x}",
                        reverses=entry,
                        reason="重复收款，当日冲正",
                        created_by=agent,
                        created_at=at + datetime.timedelta(minutes=10),
                    )
                )

        mine = entries[first:]
        till.cash_fen = sum(e.amount_fen for e in mine if e.method == PaymentMethod.CASH)
        till.transfer_fen = sum(e.amount_fen for e in mine if e.method == PaymentMethod.TRANSFER)
        till.entry_count = len(mine)
        till.last_seq = seq
        till.counted_cash_fen = till.cash_fen
        till.closed_at = datetime.datetime.combine(day, datetime.time(17, 30), tzinfo=TZ)
        tills.append(till)
    TillDay.objects.bulk_create(tills)  # primary keys come back (PostgreSQL, SQLite >= 3.35)
    # Originals first, so that each reversal's `reverses` has its primary key.
    _batches(tills, entries, today)  # before the entries go in: each entry names its batch
    with keep_timestamps(LedgerEntry):
        LedgerEntry.objects.bulk_create([e for e in entries if e.kind == LedgerEntry.Kind.COLLECTION])
        LedgerEntry.objects.bulk_create([e for e in entries if e.kind == LedgerEntry.Kind.REVERSAL])


def _batches(tills: list[TillDay], entries: list[LedgerEntry], today: datetime.date) -> None:
    """Monthly hand-over per point and kind of every closed day before this month, signed by the
    receiving department; this month's stay to be handed over."""
    receivers: dict[str, User | None] = {}
    for kind, code in DEPARTMENT_OF.items():
        a = (
            RoleAssignment.objects.filter(org_unit__code=code, role__in=[Role.APPROVER, Role.CLERK])
            .select_related("user")
            .first()
        )
        receivers[kind] = a.user if a else None
    departments: dict[str, OrgUnit | None] = {
        kind: OrgUnit.objects.filter(code=code).first() for kind, code in DEPARTMENT_OF.items()
    }
    groups: dict[tuple[int, str, str], list[LedgerEntry]] = {}
    month_start = today.replace(day=1)
    for e in entries:
        if e.till.day >= month_start:
            continue
        groups.setdefault((e.till.point_id, e.collection_kind, f"{e.till.day:%Y%m}"), []).append(e)
    batches: list[HandoverBatch] = []
    members: list[list[LedgerEntry]] = []
    batch_kind: str
    for (_point_pk, batch_kind, month), rows in sorted(groups.items()):
        dept, receiver = departments.get(batch_kind), receivers.get(batch_kind)
        if dept is None or receiver is None:
            continue
        point = rows[0].till.point
        last_day = max(e.till.day for e in rows)
        handed = datetime.datetime.combine(
            (last_day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) + datetime.timedelta(days=2),
            datetime.time(10),
            tzinfo=TZ,
        )
        batches.append(
            HandoverBatch(
                number=f"YJ{point.village.code}{month}{batch_kind.upper()[:3]}",
                point=point,
                kind=batch_kind,
                department=dept,
                status=HandoverBatch.Status.HANDED_OVER,
                total_fen=sum(e.amount_fen for e in rows),
                entry_count=len(rows),
                prepared_by=rows[0].created_by,
                handed_over_at=handed,
                received_by=receiver,
            )
        )
        members.append(rows)
    HandoverBatch.objects.bulk_create(batches)
    for b, rows in zip(batches, members, strict=True):
        for e in rows:
            e.batch = b
