"""Demo activity for the halls: three weeks of tickets and their event logs (the figures on the
manager page and the dashboard are computed from these events), and a live morning today.

The hall STRUCTURE (points, areas, windows) is built by the catalog demo step; this step only adds
activity and skips, with a message, when the structure is absent. Deterministic (ctx.rng) and
idempotent (days that already have tickets are left alone).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from typing import Any

from django.db import transaction

from onewindow.accounts.models import County, OrgUnit, Role, RoleAssignment, User
from onewindow.core.demo import DEMO_PASSWORD, DemoContext
from onewindow.core.demo.people import person_name
from onewindow.core.tenancy import for_county

from . import services
from .models import AreaDayCounter, ServiceArea, ServicePoint, Ticket, TicketEvent, Window, WindowArea, WindowSession
from .services import SHANGHAI

HISTORY_WORKDAYS = 15
# Mean tickets per working day and mean service minutes, by area theme.
VOLUME = {
    "comprehensive": (95, 9.0),
    "medical_insurance": (48, 6.0),
    "social_insurance": (62, 8.0),
    "business": (34, 15.0),
    "real_estate": (52, 17.0),
    "investment": (7, 28.0),
    "township": (14, 7.0),
}


def _workdays_before(today: dt.date, n: int) -> list[dt.date]:
    """The national calendar's last `n` working days (read off the table: the days before a
    calendar year was loaded count by the week). The history is 青原区's, which has no override of
    its own in the demo (catalog/demo_counties.py gives 吉安县 one)."""
    from onewindow.core.models import WorkCalendarDay

    known = dict(
        WorkCalendarDay.objects.filter(date__lt=today, date__gte=today - dt.timedelta(days=60)).values_list("date", "is_workday")
    )
    days: list[dt.date] = []
    d = today - dt.timedelta(days=1)
    while len(days) < n:
        if known.get(d, d.weekday() < 5):
            days.append(d)
        d -= dt.timedelta(days=1)
    return sorted(days)


def _at(day: dt.date, minutes: float) -> dt.datetime:
    """Minutes after midnight (Asia/Shanghai) -> aware datetime."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=SHANGHAI) + dt.timedelta(minutes=minutes)


def _arrival_minutes(rng: Any, n: int) -> list[float]:
    """Arrivals over the opening hours (8:30-12:00, 14:30-17:30), busier mid-morning."""
    out = []
    for _ in range(n):
        if rng.random() < 0.62:
            m = rng.triangular(8.5 * 60, 11.9 * 60, 9.6 * 60)
        else:
            m = rng.triangular(14.5 * 60, 17.4 * 60, 15.3 * 60)
        out.append(m)
    return sorted(out)


def _clerks(ctx: DemoContext, point: ServicePoint, count: int, role: str) -> list[User]:
    """Window staff for a point (created once; the persona `clerk` is one of the district's)."""
    rng = ctx.rng(f"hall-clerks-{point.code}")
    unit = OrgUnit.objects.filter(code="XZSP").first() if role == Role.CLERK else point.org_unit
    users: list[User] = []
    for i in range(1, count + 1):
        username = f"win_{point.code.lower().replace('-', '_')}_{i:02d}"
        user = User.objects.filter(username=username).first()
        name = person_name(rng)
        if user is None:
            user = User.objects.create_user(username=username, password=DEMO_PASSWORD, display_name=name)
            RoleAssignment.objects.get_or_create(user=user, role=role, org_unit=unit or point.org_unit)
        users.append(user)
    return users


def _simulate_day(
    ctx: DemoContext, rng: Any, area: ServiceArea, windows: list[Window], clerks: dict[int, User], day: dt.date
) -> tuple[list[Ticket], list[list[dict[str, Any]]]]:
    mean_n, mean_service = VOLUME.get(area.theme, (20, 10.0))
    # Mondays are busier, Fridays a little quieter.
    weekday_factor = {0: 1.25, 1: 1.05, 2: 1.0, 3: 0.95, 4: 0.85}.get(day.weekday(), 0.5)
    n = max(1, int(rng.gauss(mean_n * weekday_factor, mean_n * 0.12)))
    arrivals = _arrival_minutes(rng, n)
    free_at = {w.pk: 8.5 * 60 for w in windows}
    tickets: list[Ticket] = []
    events: list[list[dict[str, Any]]] = []
    close = 17.75 * 60
    for seq, arrive in enumerate(arrivals, start=1):
        r = rng.random()
        source, priority = (
            ("appointment", "appointment")
            if r < 0.09
            else ("phone", "normal")
            if r < 0.24
            else ("clerk", "normal")
            if r < 0.28
            else ("kiosk", "green" if rng.random() < 0.06 else "normal")
        )
        t = Ticket(
            uuid=_uuid(ctx, area.code, day, seq),
            area=area,
            issue_area=area,
            point_id=area.point_id,
            business_date=day,
            seq=seq,
            number=services.format_number(area.ticket_prefix, seq),
            source=source,
            priority=priority,
            priority_rank=services.PRIORITY_RANK[priority],
            issued_at=_at(day, arrive),
            queue_at=_at(day, arrive),
        )
        # Priority tickets jump ahead: they get the earliest free window at once.
        window_id = min(free_at, key=lambda k: free_at[k])
        start = max(arrive, free_at[window_id])
        if priority != "normal":
            start = max(arrive, min(free_at.values()))
        evs: list[dict[str, Any]] = [{"kind": "issued", "at": arrive, "window": None, "actor": None}]
        clerk = clerks.get(window_id)
        lunch_gap = 12 * 60 <= start < 14.5 * 60
        if lunch_gap:
            start = 14.5 * 60 + rng.random() * 10
        if start > close:
            t.status, t.finished_at = Ticket.Status.ABANDONED, _at(day, close + 5)
            evs.append({"kind": "abandoned", "at": close + 5, "window": None, "actor": None})
        elif rng.random() < 0.045:
            # Called three times, never came.
            for k, kind in enumerate(["called", "recalled", "recalled"]):
                evs.append({"kind": kind, "at": start + k * 1.0, "window": window_id, "actor": clerk})
            evs.append({"kind": "no_show", "at": start + 3.0, "window": window_id, "actor": clerk})
            t.status, t.window_id, t.clerk = Ticket.Status.NO_SHOW, window_id, clerk
            t.called_at, t.finished_at, t.call_count = _at(day, start), _at(day, start + 3), 3
            free_at[window_id] = start + 3.2
        else:
            service = max(1.5, rng.lognormvariate(math.log(mean_service), 0.45))
            began = start + 0.5 + rng.random()
            end = began + service
            evs.append({"kind": "called", "at": start, "window": window_id, "actor": clerk})
            evs.append({"kind": "started", "at": began, "window": window_id, "actor": clerk})
            evs.append({"kind": "finished", "at": end, "window": window_id, "actor": clerk})
            t.status, t.window_id, t.clerk = Ticket.Status.FINISHED, window_id, clerk
            t.called_at, t.started_at, t.finished_at, t.call_count = _at(day, start), _at(day, began), _at(day, end), 1
            free_at[window_id] = end + 0.3
        t.created_at = t.updated_at = t.issued_at
        tickets.append(t)
        events.append(evs)
    return tickets, events


def _uuid(ctx: DemoContext, code: str, day: dt.date, seq: int) -> Any:
    import uuid

    digest = hashlib.sha256(f"{ctx.seed}:{code}:{day}:{seq}".encode()).hexdigest()
    return uuid.UUID(digest[:32])


def build(ctx: DemoContext) -> None:
    # The district's halls (the demo's history is 青原区's: the other demo counties' halls stay
    # quiet, also when load_demo runs again after they exist; docs/tenancy.md, Demo).
    points = list(for_county(ServicePoint.objects.all(), County.default()).select_related("org_unit").order_by("code"))
    if not points or not WindowArea.objects.exists():
        ctx.say("  hall: no service points/windows yet (the catalog demo builds them) - skipped")
        return
    today = services.business_date()
    days = _workdays_before(today, HISTORY_WORKDAYS)
    token_rng = ctx.rng("hall-kiosk-tokens")
    staff: dict[int, dict[int, User]] = {}
    for point in points:
        if not point.kiosk_token:
            point.kiosk_token = "demo-" + "".join(token_rng.choice("0123456789abcdef") for _ in range(24))
            point.save(update_fields=["kiosk_token"])
        windows = list(Window.objects.filter(point=point, is_active=True).order_by("number"))
        district = point.org_unit.kind == OrgUnit.Kind.GOVERNMENT
        users = _clerks(ctx, point, len(windows), Role.CLERK if district else Role.TOWNSHIP_OFFICER)
        if district:
            persona = User.objects.filter(username="clerk").first()
            if persona is not None and windows:
                users[0] = persona  # the persona has worked window 1 these weeks
        staff[point.pk] = {w.pk: u for w, u in zip(windows, users, strict=False)}

    done_days = set(Ticket.objects.filter(business_date__in=days).values_list("point_id", "business_date").distinct())
    total = len(points) * len(days)
    step = 0
    for point in points:
        areas = list(ServiceArea.objects.filter(point=point))
        area_windows = {
            a.pk: [wa.window for wa in WindowArea.objects.filter(area=a, window__is_active=True).select_related("window")]
            for a in areas
        }
        for day in days:
            step += 1
            ctx.progress("hall tickets", step, total)
            if (point.pk, day) in done_days:
                continue
            rng = ctx.rng(f"hall-{point.code}-{day}")
            with transaction.atomic():
                sessions = [
                    WindowSession(window_id=w_id, user=u, started_at=_at(day, 8 * 60 + 20), ended_at=_at(day, 17 * 60 + 45))
                    for w_id, u in staff[point.pk].items()
                ]
                WindowSession.objects.bulk_create(sessions)
                for area in areas:
                    windows = area_windows[area.pk]
                    if not windows:
                        continue
                    tickets, events = _simulate_day(ctx, rng, area, windows, staff[point.pk], day)
                    Ticket.objects.bulk_create(tickets, batch_size=500)
                    rows = []
                    for t, evs in zip(tickets, events, strict=True):
                        for e in evs:
                            rows.append(
                                TicketEvent(
                                    ticket=t,
                                    kind=e["kind"],
                                    at=_at(day, e["at"]),
                                    actor=e["actor"],
                                    window_id=e["window"],
                                    area=area,
                                    point=point,
                                    business_date=day,
                                    note=t.source if e["kind"] == "issued" else "",
                                )
                            )
                    TicketEvent.objects.bulk_create(rows, batch_size=1000)
                    AreaDayCounter.objects.update_or_create(area=area, business_date=day, defaults={"n": len(tickets)})
    _live_today(ctx, points, staff, today)
    ctx.say(
        f"  hall: {Ticket.objects.count()} tickets, {TicketEvent.objects.count()} ticket events over "
        f"{len(days)} working days and today"
    )


def _live_today(ctx: DemoContext, points: list[ServicePoint], staff: dict[int, dict[int, User]], today: dt.date) -> None:
    """Today at the district hall: windows 3+ open, a line waiting, a few people already served -
    through the real services, so the board, the window page and the manager page have life."""
    point = next((p for p in points if p.org_unit.kind == OrgUnit.Kind.GOVERNMENT), None)
    if point is None or Ticket.objects.filter(point=point, business_date=today).exists():
        return
    rng = ctx.rng(f"hall-today-{today}")
    windows = list(Window.objects.filter(point=point, is_active=True).order_by("number"))
    open_windows = windows[2:]
    for w in open_windows:
        user = staff[point.pk].get(w.pk)
        if user is not None and not WindowSession.objects.filter(ended_at__isnull=True, user=user).exists():
            services.window_sign_in(window=w, actor=user)
    for area in ServiceArea.objects.filter(point=point).order_by("sort_order"):
        mean_n, _svc = VOLUME.get(area.theme, (20, 10.0))
        for _ in range(max(2, mean_n // 6)):
            priority = "green" if rng.random() < 0.08 else "normal"
            services.ticket_issue(area=area, source="kiosk", priority=priority)
    for w in open_windows:
        user = staff[point.pk].get(w.pk)
        if user is None:
            continue
        for _ in range(rng.randint(1, 3)):
            if services.call_next(window=w, actor=user) is None:
                break
        current = services.current_ticket(w)
        if current is not None and rng.random() < 0.6:
            services.start_serving(window=w, actor=user)
