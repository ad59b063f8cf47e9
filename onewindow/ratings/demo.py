"""Demo 好差评: ratings for the demo's served tickets, concluded cases (and acceptances), attended
bookings, some filings, the 低保 decisions and the agent points' services (and the agents' 回访
that fed a case's rating); bad ones in every follow-up state (open on time, open with a yellow or
red card, verified, replied, confirmed, disputed, unanswered, withdrawn after an upheld appeal,
with a pending appeal); a rating pad for every window of the district hall.

Fast: the rows are built from a few values() queries and written with bulk_create (the adapters
are for one subject at a time). Deterministic (its own random stream) and idempotent (services
already rated are skipped; pads and follow-ups are keyed by their window and rating).
"""

from __future__ import annotations

import datetime
import hashlib
import random
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from onewindow.accounts.models import Role, RoleAssignment, User
from onewindow.core import workdays
from onewindow.core.demo import DemoContext

from . import conf
from .indicators import INDICATORS, tags_for
from .models import Appeal, FollowUp, Kind, Level, Mode, Rating, RatingChannel, RatingPad

# Share of each kind of service that gets rated, and the level distribution (5..1).
SHARE = {Kind.TICKET: 0.45, Kind.CASE: 0.7, Kind.ACCEPTANCE: 0.25, Kind.BOOKING: 0.5, Kind.FILING: 0.03}
LEVEL_WEIGHTS = [(5, 66), (4, 20), (3, 8), (2, 4), (1, 2)]
COMMENTS = {
    5: ["一次就办好了，点赞", "工作人员很耐心", "比以前快多了", ""],
    4: ["挺好的", "流程清楚", ""],
    3: ["排队有点久", "指南可以再写清楚一些"],
    2: ["材料要求前后说得不一样，多跑了一趟", "等了一个多小时", "窗口说要去别的部门开证明"],
    1: ["工作人员态度很差", "推来推去，没人负责", "网上提交了还要来现场"],
}
REPLIES = [
    "已与申请人电话沟通致歉，窗口一次性告知单已重新核对并更新。",
    "已对窗口人员进行服务规范培训，并在服务区增设引导岗。",
    "已压缩审查环节，办结时限由承诺 10 个工作日缩短为 5 个工作日。",
    "已将该事项办事指南中的材料说明修改一致，并同步到网上办事大厅。",
]
# Follow-up states for the bad real-name ratings, in turn.
STATES = ["open", "open_late", "verified", "replied", "confirmed", "confirmed", "disputed", "no_response", "withdrawn", "appeal"]


def _rng(ctx: DemoContext, kind: str, uuid: Any) -> random.Random:
    """One stream per service, so a second run (which skips what is rated) draws the same."""
    return random.Random(f"{ctx.seed}:ratings:{kind}:{uuid}")


def _pick_level(rng: Any) -> int:
    total = sum(w for _l, w in LEVEL_WEIGHTS)
    x = rng.random() * total
    for level, weight in LEVEL_WEIGHTS:
        x -= weight
        if x < 0:
            return level
    return 5


def _content(rng: Any, mode: str, level: int) -> tuple[dict[str, int], list[str], str]:
    keys = [k for k, _label in INDICATORS[mode] if k != "overall"]
    indicators = {k: max(1, min(5, level + rng.choice([-1, 0, 0, 0, 1]))) for k in keys if rng.random() < 0.5}
    indicators["overall"] = level
    offered = [c for c, _t in tags_for(mode, level)]
    tags = rng.sample(offered, k=rng.randint(1, 2)) if level <= 2 or rng.random() < 0.6 else []
    comment = rng.choice(COMMENTS[level])
    return indicators, tags, comment


def _staff_units() -> dict[int, int]:
    """Clerk (or township officer) -> the unit they work for."""
    out: dict[int, int] = {}
    for user_id, unit_id in RoleAssignment.objects.filter(
        role__in=[Role.CLERK, Role.TOWNSHIP_OFFICER], org_unit__isnull=False
    ).values_list("user_id", "org_unit_id"):
        out.setdefault(user_id, unit_id)
    return out


def _people_by_id() -> dict[str, tuple[int, str]]:
    return {
        (n or ""): (pk, name or username)
        for pk, n, name, username in User.objects.exclude(id_number__isnull=True)
        .exclude(id_number="")
        .values_list("pk", "id_number", "display_name", "username")
    }


def _rated() -> set[tuple[str, Any]]:
    return set(Rating.objects.values_list("kind", "subject_uuid"))


def _row(rng: Any, **kw: Any) -> Rating:
    level = _pick_level(rng)
    indicators, tags, comment = _content(rng, kw["mode"], level)
    return Rating(level=level, indicators=indicators, tags=tags, comment=comment, **kw)


def _tickets(ctx: DemoContext, rated: set[tuple[str, Any]], people: dict[str, tuple[int, str]]) -> list[Rating]:
    from onewindow.hall.models import Ticket

    units = _staff_units()
    rows = (
        Ticket.objects.filter(status=Ticket.Status.FINISHED, finished_at__isnull=False, window__isnull=False)
        .order_by("id")
        .values_list(
            "uuid", "number", "area_id", "area__name", "window_id", "clerk_id", "point__org_unit_id", "finished_at", "id_number"
        )
    )
    out = []
    for uuid, number, area_id, area_name, window_id, clerk_id, point_unit, finished_at, id_number in rows.iterator():
        rng = _rng(ctx, Kind.TICKET, uuid)
        if (Kind.TICKET, uuid) in rated or rng.random() >= SHARE[Kind.TICKET]:
            continue
        person = people.get(id_number or "")
        out.append(
            _row(
                rng,
                kind=Kind.TICKET,
                subject_uuid=uuid,
                subject_label=f"{area_name} {number}",
                mode=Mode.WINDOW,
                unit_id=units.get(clerk_id, point_unit),
                staff_id=clerk_id,
                window_id=window_id,
                area_id=area_id,
                served_at=finished_at,
                rater_id=person[0] if person else None,
                rater_name=person[1] if person else "",
                real_name=person is not None,
                channel=RatingChannel.PAD,
            )
        )
    return out


def _cases(ctx: DemoContext, rated: set[tuple[str, Any]]) -> list[Rating]:
    from onewindow.cases.models import Case, CaseEvent

    cases = list(
        Case.objects.filter(accepted_at__isnull=False)
        .order_by("id")
        .values(
            "id",
            "uuid",
            "number",
            "title",
            "channel",
            "status",
            "department_id",
            "intake_unit_id",
            "applicant_id",
            "applicant__display_name",
            "applicant__username",
            "applicant__phone",
            "matter_version__matter_id",
            "matter_version__matter__service_area_id",
            "accepted_at",
            "concluded_at",
            "welfare_application__id",
        )
    )
    actors: dict[tuple[int, str], int] = {}
    for case_id, kind, actor_id in (
        CaseEvent.objects.filter(case_id__in=[c["id"] for c in cases], kind__in=["accepted", "decided"], actor__isnull=False)
        .order_by("at", "id")
        .values_list("case_id", "kind", "actor_id")
    ):
        actors[(case_id, kind)] = actor_id
    out = []
    for c in cases:
        mode = Mode.ONLINE if c["channel"] in ("online", "mobile") else Mode.WINDOW
        common = {
            "subject_uuid": c["uuid"],
            "subject_label": f"{c['title']}（{c['number']}）"[:200],
            "mode": mode,
            "matter_id": c["matter_version__matter_id"],
            "area_id": c["matter_version__matter__service_area_id"],
            "rater_id": c["applicant_id"],
            "rater_name": c["applicant__display_name"] or c["applicant__username"],
            "rater_phone": c["applicant__phone"],
            "real_name": True,
        }
        # A 低保 case is rated as a decision (welfare_decision), never a second time as a case.
        concluded = (
            c["status"] in (Case.Status.CONCLUDED, Case.Status.DELIVERED)
            and c["concluded_at"]
            and c["welfare_application__id"] is None
        )
        rng = _rng(ctx, Kind.CASE, c["uuid"])
        if concluded and (Kind.CASE, c["uuid"]) not in rated and rng.random() < SHARE[Kind.CASE]:
            channel = rng.choice([RatingChannel.LINK, RatingChannel.LINK, RatingChannel.WEB, RatingChannel.PHONE])
            out.append(
                _row(
                    rng,
                    kind=Kind.CASE,
                    unit_id=c["department_id"],
                    staff_id=actors.get((c["id"], "decided")),
                    served_at=c["concluded_at"],
                    channel=channel,
                    **common,
                )
            )
        rng = _rng(ctx, Kind.ACCEPTANCE, c["uuid"])
        if (Kind.ACCEPTANCE, c["uuid"]) not in rated and rng.random() < SHARE[Kind.ACCEPTANCE]:
            out.append(
                _row(
                    rng,
                    kind=Kind.ACCEPTANCE,
                    unit_id=c["intake_unit_id"],
                    staff_id=actors.get((c["id"], "accepted")),
                    served_at=c["accepted_at"],
                    channel=RatingChannel.WEB,
                    **common,
                )
            )
    return out


def _bookings(ctx: DemoContext, rated: set[tuple[str, Any]]) -> list[Rating]:
    from onewindow.appointments.models import Booking
    from onewindow.hall.models import Ticket

    units = _staff_units()
    rows = list(
        Booking.objects.filter(status=Booking.Status.CHECKED_IN, checked_in_at__isnull=False)
        .order_by("id")
        .values_list(
            "uuid",
            "code",
            "matter_id",
            "matter__search_name",
            "area_id",
            "matter__department_id",
            "user_id",
            "person_name",
            "checked_in_at",
            "ticket_uuid",
            "phone",
        )
    )
    tickets: dict[Any, tuple[Any, Any, Any]] = {
        t[0]: t[1:]
        for t in Ticket.objects.filter(uuid__in=[r[9] for r in rows if r[9]]).values_list(
            "uuid", "clerk_id", "window_id", "finished_at"
        )
    }
    out = []
    for uuid, code, matter_id, matter_name, area_id, dept_id, user_id, name, checked_in_at, ticket_uuid, phone in rows:
        rng = _rng(ctx, Kind.BOOKING, uuid)
        if (Kind.BOOKING, uuid) in rated or rng.random() >= SHARE[Kind.BOOKING]:
            continue
        clerk_id, window_id, finished_at = tickets.get(ticket_uuid, (None, None, None))
        out.append(
            _row(
                rng,
                kind=Kind.BOOKING,
                subject_uuid=uuid,
                subject_label=f"{matter_name}（{code}）"[:200],
                mode=Mode.WINDOW,
                unit_id=units.get(clerk_id, dept_id),
                staff_id=clerk_id,
                window_id=window_id,
                area_id=area_id,
                matter_id=matter_id,
                served_at=finished_at or checked_in_at,
                rater_id=user_id,
                rater_name=name,
                rater_phone=phone,
                real_name=bool(name and phone),
                channel=RatingChannel.WEB if user_id else RatingChannel.PAD,
            )
        )
    return out


def _filings(ctx: DemoContext, rated: set[tuple[str, Any]]) -> list[Rating]:
    from onewindow.filings.models import Filing

    rows = Filing.objects.order_by("id").values_list(
        "uuid",
        "title",
        "number",
        "department_id",
        "applicant_id",
        "signer_name",
        "signed_at",
        "matter_version__matter_id",
        "matter_version__matter__service_area_id",
    )
    out = []
    for uuid, title, number, dept, applicant, signer, signed_at, matter_id, area_id in rows.iterator():
        rng = _rng(ctx, Kind.FILING, uuid)
        if (Kind.FILING, uuid) in rated or rng.random() >= SHARE[Kind.FILING]:
            continue
        out.append(
            _row(
                rng,
                kind=Kind.FILING,
                subject_uuid=uuid,
                subject_label=f"{title}（{number or '-'}）"[:200],
                mode=Mode.ONLINE,
                unit_id=dept,
                served_at=signed_at,
                rater_id=applicant,
                rater_name=signer,
                real_name=True,
                matter_id=matter_id,
                area_id=area_id,
                channel=RatingChannel.WEB,
            )
        )
    return out


def _from_subject(rng: Any, subject: Any, channel: str, level: int | None = None) -> Rating:
    row = _row(
        rng,
        kind=subject.kind,
        subject_uuid=subject.uuid,
        subject_label=subject.label,
        mode=subject.mode,
        unit=subject.unit,
        staff=subject.staff,
        window=subject.window,
        area=subject.area,
        matter=subject.matter,
        served_at=subject.served_at,
        rater=subject.person,
        rater_name=subject.person_name[:64],
        rater_phone=subject.person_phone[:20],
        real_name=subject.identified,
        channel=channel,
    )
    if level is not None and level != row.level:
        row.level = level
        row.indicators, row.tags, row.comment = _content(rng, subject.mode, level)
    return row


def _forced_bad(ctx: DemoContext, kind: str, uuids: list[Any], most: int) -> set[Any]:
    """Some services of a small kind get a bad rating, so its bad ones reach every follow-up
    state (the level mix alone would give one or two)."""
    rng = random.Random(f"{ctx.seed}:ratings:bad:{kind}")
    return set(rng.sample(uuids, k=min(most, len(STATES))))


def _welfare(ctx: DemoContext, rated: set[tuple[str, Any]]) -> list[Rating]:
    """The households rate the township's 低保 decision (the welfare app's adapter), by the link
    or on the phone; refused households are less pleased."""
    from onewindow.welfare.models import Application

    from .subjects import adapter

    a = adapter(Kind.WELFARE_DECISION)
    assert a is not None
    uuids = list(Application.objects.filter(stage__in=["approved", "refused"]).order_by("id").values_list("uuid", flat=True))
    # The demo has a dozen or so decisions: most of the bad ones are the refused households'.
    bad = _forced_bad(ctx, Kind.WELFARE_DECISION, uuids, len(uuids))
    out = []
    for uuid in uuids:
        rng = _rng(ctx, Kind.WELFARE_DECISION, uuid)
        subject = a.resolve(uuid)
        if subject is None or (Kind.WELFARE_DECISION, uuid) in rated or (uuid not in bad and rng.random() >= 0.8):
            continue
        level = rng.choice([2, 1]) if uuid in bad else None
        out.append(_from_subject(rng, subject, rng.choice([RatingChannel.LINK, RatingChannel.PHONE]), level))
    return out


def _agent_services(ctx: DemoContext, rated: set[tuple[str, Any]]) -> list[Rating]:
    """Residents rate what their village's agent point did for them (kind agent_service)."""
    from .subjects import adapter

    a = adapter(Kind.AGENT_SERVICE)
    assert a is not None
    qs = a._qs().order_by("id")  # type: ignore[attr-defined]
    apps = list(qs)
    share = 0.3
    chosen = [x for x in apps if _rng(ctx, Kind.AGENT_SERVICE, x.uuid).random() < share]
    bad = _forced_bad(ctx, Kind.AGENT_SERVICE, [x.uuid for x in chosen], len(chosen) // 3)
    out = []
    for x in chosen:
        if (Kind.AGENT_SERVICE, x.uuid) in rated:
            continue
        rng = _rng(ctx, Kind.AGENT_SERVICE, x.uuid)
        rng.random()  # the draw that chose it
        subject = a._subject(x)  # type: ignore[attr-defined]
        level = rng.choice([2, 1]) if x.uuid in bad else None
        out.append(_from_subject(rng, subject, rng.choice([RatingChannel.WEB, RatingChannel.PHONE]), level))
    return out


def _agent_follow_ups(rated: set[tuple[str, Any]]) -> list[Rating]:
    """The agent points' 回访 feed 好差评 (ratings.recorded): the satisfaction recorded within the
    rating period becomes the resident's rating of the case, unless the case is rated already."""
    from onewindow.assistance.models import FollowUp as AgentFollowUp

    from .subjects import resolve

    out = []
    days = datetime.timedelta(days=int(conf.get("rate_within_days")))
    for fu in AgentFollowUp.objects.select_related("application__case").order_by("id"):
        case = fu.application.case
        if case is None or (Kind.CASE, case.uuid) in rated:
            continue
        subject = resolve(Kind.CASE, case.uuid)
        if subject is None or subject.person is None or fu.at > subject.served_at + days:
            continue
        rng = random.Random(f"ratings:followup:{case.uuid}")
        row = _from_subject(rng, subject, RatingChannel.FOLLOW_UP, fu.satisfaction)
        row.indicators, row.tags = {"overall": fu.satisfaction}, []
        row.comment = fu.comment or (rng.choice(COMMENTS[fu.satisfaction][:2]) if fu.satisfaction <= 2 else "")
        row.real_name = True
        out.append(row)
        rated.add((Kind.CASE, case.uuid))
    return out


def _follow_ups(ctx: DemoContext, rng: Any, ratings: list[Rating]) -> tuple[int, int]:
    """Follow-up rows for the bad real-name ratings, cycling through every state."""
    manager = User.objects.filter(username="manager").first()
    responder_ids: dict[int, int] = {}
    for pk, unit_id in RoleAssignment.objects.filter(role__in=[Role.APPROVER, Role.CLERK, Role.TOWNSHIP_OFFICER]).values_list(
        "user_id", "org_unit_id"
    ):
        responder_ids.setdefault(unit_id, pk)
    # A village answers for its agent point through its township's officers (ratings.owners).
    from onewindow.accounts.models import OrgUnit

    for unit_id, parent_id in OrgUnit.objects.filter(parent_id__in=list(responder_ids)).values_list("id", "parent_id"):
        responder_ids.setdefault(unit_id, responder_ids[parent_id])
    today = timezone.localdate()
    verify_days, fix_days = int(conf.get("verify_workdays")), int(conf.get("fix_workdays"))
    fus: list[FollowUp] = []
    appeals: list[Appeal] = []
    bad = sorted((r for r in ratings if r.level <= 2 and r.real_name), key=lambda r: r.served_at)
    tz = timezone.get_current_timezone()

    def at(day: datetime.date, hour: int) -> datetime.datetime:
        return datetime.datetime(day.year, day.month, day.day, hour, rng.randint(0, 59), tzinfo=tz)

    for i, r in enumerate(bad):
        opened = timezone.localdate(r.served_at)
        try:
            verify_due = workdays.add_workdays(opened, verify_days)
            reply_due = workdays.add_workdays(opened, fix_days)
        except workdays.CalendarNotCovered:
            continue
        state = STATES[i % len(STATES)]
        handler = responder_ids.get(r.unit_id) or (manager.pk if manager is not None else None)
        if state in ("withdrawn", "appeal") and (handler is None or manager is None):
            state = "confirmed"  # an appeal needs someone to file it and a hall manager to decide
        if state in ("open", "open_late", "verified", "appeal") and r.unit_id not in responder_ids:
            # A demo department without staff accounts cannot hold open work (ratings.owners,
            # manage.py check_owners): the hall manager saw this one through to the end.
            state = "confirmed"
        fu = FollowUp(rating=r, unit_id=r.unit_id, opened_on=opened, verify_due=verify_due, reply_due=reply_due)
        late = state == "open_late" or (today > reply_due and state in ("open", "verified"))
        if state in ("open", "open_late"):
            fu.status = FollowUp.Status.OPEN
            fu.warning_level = "red" if today > verify_due else ("yellow" if today == verify_due else "")
        else:
            fu.verified_at, fu.verified_by_id = at(min(verify_due, today), 10), handler
            fu.verify_note = "已电话联系评价人，核实情况属实。"
            fu.status = FollowUp.Status.VERIFIED
            if state != "verified" and state != "appeal":
                reply_day = min(reply_due, today, opened + datetime.timedelta(days=rng.randint(3, 12)))
                fu.replied_at, fu.replied_by_id, fu.reply = at(max(reply_day, verify_due), 16), handler, rng.choice(REPLIES)
                fu.status = {
                    "replied": FollowUp.Status.REPLIED,
                    "confirmed": FollowUp.Status.CONFIRMED,
                    "disputed": FollowUp.Status.DISPUTED,
                    "no_response": FollowUp.Status.NO_RESPONSE,
                    "withdrawn": FollowUp.Status.WITHDRAWN,
                }[state]
                if state in ("confirmed", "disputed"):
                    fu.responded_at = fu.replied_at + datetime.timedelta(hours=20)
                    fu.response_note = "" if state == "confirmed" else "问题没有根本解决"
            if late:
                fu.warning_level = "red"
        fus.append(fu)
        if state in ("withdrawn", "appeal") and handler is not None and manager is not None:
            decided = state == "withdrawn"
            appeals.append(
                Appeal(
                    rating=r,
                    unit_id=r.unit_id,
                    filed_by_id=handler,
                    reason="评价人承认误操作，评价对象并非本窗口。",
                    evidence="窗口录音录像及评价人书面说明。",
                    status=Appeal.Status.UPHELD if decided else Appeal.Status.PENDING,
                    decided_by=manager if decided else None,
                    decided_at=fu.verified_at if decided else None,
                    decision_note="证据充分，申诉成立，该评价不计入统计。" if decided else "",
                )
            )
    FollowUp.objects.bulk_create(fus, batch_size=500)
    Appeal.objects.bulk_create(appeals, batch_size=500)
    return len(fus), len(appeals)


def _pads() -> int:
    """A pad for every window of every hall. Demo tokens are derived from the window (documented in
    docs/ratings.md); a real deployment issues random ones on /ratings/pads/."""
    from onewindow.hall.models import Window

    made = 0
    for w in Window.objects.select_related("point").exclude(rating_pad__isnull=False):
        token = f"demo-pad-{w.point.code}-{w.number}"
        RatingPad.objects.create(window=w, token_hash=hashlib.sha256(token.encode()).hexdigest(), prefix=token[:8])
        made += 1
    return made


def build(ctx: DemoContext) -> None:
    rng = ctx.rng("ratings")
    rated = _rated()
    people = _people_by_id()
    # The agents' follow-ups first: a case their 回访 rated is not rated again below.
    followed = _agent_follow_ups(rated)
    general = followed + _tickets(ctx, rated, people) + _cases(ctx, rated) + _bookings(ctx, rated) + _filings(ctx, rated)
    # 低保 decisions and agent services are few: their bad ones cycle through the states on their own.
    groups = [general, _welfare(ctx, rated), _agent_services(ctx, rated)]
    ratings = [r for g in groups for r in g]
    with transaction.atomic():
        Rating.objects.bulk_create(ratings, batch_size=500)
        # created_at is auto_now_add: set it once, in one statement, to a few minutes after the service.
        Rating.objects.filter(pk__in=[r.pk for r in ratings]).update(created_at=F("served_at") + datetime.timedelta(minutes=7))
        for r in ratings:
            r.created_at = r.served_at + datetime.timedelta(minutes=7)
        n_fu = n_appeals = 0
        for g in groups:
            f, a = _follow_ups(ctx, rng, g)
            n_fu, n_appeals = n_fu + f, n_appeals + a
        pads = _pads()
    bad = sum(1 for r in ratings if r.level in (Level.DISSATISFIED, Level.VERY_DISSATISFIED))
    ctx.say(
        f"  ratings: {len(ratings)} new ({bad} bad), {n_fu} follow-ups, {n_appeals} appeals, {pads} pads"
        f" ({sum(1 for r in ratings if r.kind == Kind.TICKET)} tickets, {sum(1 for r in ratings if r.kind == Kind.CASE)} cases,"
        f" {sum(1 for r in ratings if r.kind == Kind.BOOKING)} bookings, {len(followed)} from agents' follow-ups,"
        f" {sum(1 for r in ratings if r.kind == Kind.WELFARE_DECISION)} 低保 decisions,"
        f" {sum(1 for r in ratings if r.kind == Kind.AGENT_SERVICE)} agent services)"
    )
