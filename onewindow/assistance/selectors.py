"""Reads of the agent service, scoped by who asks: the agent's workbench, the resident's
mandates, the township's view of its points, reconciliation, and the follow-ups ratings read."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from onewindow.accounts.tenancy import scoped
from onewindow.cases.models import Case

from . import access
from .models import (
    AgentApplication,
    AgentPoint,
    CollectionKind,
    FollowUp,
    HandoverBatch,
    LedgerEntry,
    Mandate,
    MaterialForwarding,
    TillDay,
)

ENDED = [Case.Status.REFUSED, Case.Status.CONCLUDED, Case.Status.DELIVERED]
OPEN_CASE = [
    Case.Status.SUBMITTED,
    Case.Status.SUPPLEMENT,
    Case.Status.IN_REVIEW,
    Case.Status.PAUSED,
    Case.Status.REVIEWED,
    Case.Status.DECIDED,
]


# --- the resident ---------------------------------------------------------------------------------


def my_mandates(user: Any) -> QuerySet[Mandate]:
    if not getattr(user, "is_authenticated", False):
        return Mandate.objects.none()
    return Mandate.objects.filter(resident=user).select_related("point").prefetch_related("matters__current_version")


def mandate_for_resident(user: Any, uuid: Any) -> Mandate:
    from onewindow.core.errors import NotFound

    m = my_mandates(user).filter(uuid=uuid).first()
    if m is None:
        raise NotFound()
    return m


# --- the agent ------------------------------------------------------------------------------------


def point_mandates(point: AgentPoint) -> QuerySet[Mandate]:
    return Mandate.objects.filter(point=point).select_related("resident").prefetch_related("matters__current_version")


def mandate_for_agent(user: Any, uuid: Any) -> Mandate:
    from onewindow.core.errors import NotFound

    m = Mandate.objects.filter(uuid=uuid, point__in=access.agent_points(user)).select_related("point", "resident").first()
    if m is None:
        raise NotFound()
    return m


def point_applications(point: AgentPoint) -> QuerySet[AgentApplication]:
    return AgentApplication.objects.filter(point=point).select_related(
        "resident", "case", "booking", "matter__current_version", "agent"
    )


def application_for(user: Any, uuid: Any) -> AgentApplication:
    """An application of one of `user`'s points (agents), or of a point they oversee."""
    from onewindow.core.errors import NotFound

    points = access.agent_points(user) | access.overseen_points(user)
    app = point_applications_qs().filter(uuid=uuid, point__in=points.values("pk")).first()
    if app is None:
        raise NotFound()
    return app


def point_applications_qs() -> QuerySet[AgentApplication]:
    return AgentApplication.objects.select_related(
        "point__village", "resident", "case", "booking", "matter__current_version", "agent"
    )


@dataclass
class ResidentRow:
    mandate: Mandate
    cases: list[AgentApplication] = field(default_factory=list)
    bookings: list[AgentApplication] = field(default_factory=list)

    @property
    def expires_soon(self) -> bool:
        return (self.mandate.valid_until - timezone.localdate()).days <= 30


def my_residents(point: AgentPoint) -> list[ResidentRow]:
    """Residents with an active (or awaiting) mandate, with their open cases and upcoming bookings."""
    mandates = (
        point_mandates(point)
        .exclude(status=Mandate.Status.REVOKED)
        .filter(valid_until__gte=timezone.localdate())
        .order_by("valid_until")
    )
    rows: dict[int, ResidentRow] = {}
    for m in mandates:
        rows.setdefault(m.resident_id, ResidentRow(mandate=m))
    apps = (
        point_applications(point)
        .filter(resident_id__in=list(rows))
        .filter(Q(kind="case", case__status__in=OPEN_CASE) | Q(kind="booking", booking__status="booked"))
    )
    for a in apps:
        row = rows[a.resident_id]
        (row.cases if a.kind == "case" else row.bookings).append(a)
    return list(rows.values())


@dataclass
class Waiting:
    supplements: list[AgentApplication]
    to_forward: list[MaterialForwarding]  # not sent yet: the agents' to do
    to_deliver: list[AgentApplication]
    follow_ups: list[AgentApplication]
    countersign: list[Mandate]
    # Sent, not yet signed for: the receiving unit's to do (assistance.owners); shown here so the
    # agent sees where the materials are, and not counted as the agent's work.
    in_transit: list[MaterialForwarding] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.supplements) + len(self.to_forward) + len(self.to_deliver) + len(self.follow_ups) + len(self.countersign)


def waiting_for(point: AgentPoint) -> Waiting:
    """What waits for the point's agents: supplements to collect, materials to forward, results to
    deliver, follow-ups due, mandates to countersign."""
    apps = point_applications(point).filter(kind="case")
    forwardings = (
        MaterialForwarding.objects.filter(application__point=point, received_at__isnull=True)
        .select_related("application__case", "application__resident", "to_unit")
        .order_by("due_on")
    )
    return Waiting(
        supplements=list(apps.filter(case__status=Case.Status.SUPPLEMENT)),
        to_forward=list(forwardings.filter(sent_at__isnull=True)),
        in_transit=list(forwardings.filter(sent_at__isnull=False)),
        to_deliver=list(apps.filter(deliver_at_point=True, case__status=Case.Status.CONCLUDED)),
        follow_ups=list(
            apps.filter(case__status__in=ENDED, follow_up__isnull=True).exclude(
                Q(deliver_at_point=True) & Q(case__status=Case.Status.CONCLUDED)
            )[:50]
        ),
        countersign=list(point_mandates(point).filter(status=Mandate.Status.AWAITING_COUNTERSIGN)),
    )


def till_today(point: AgentPoint) -> TillDay | None:
    return TillDay.objects.filter(point=point, day=timezone.localdate()).first()


def till_entries(till: TillDay) -> QuerySet[LedgerEntry]:
    return (
        till.entries.select_related("resident", "reverses")
        .annotate(is_reversed=Exists(LedgerEntry.objects.filter(reverses=OuterRef("pk"))))
        .order_by("id")
    )


def entry_for(user: Any, uuid: Any) -> LedgerEntry:
    from onewindow.core.errors import NotFound

    points = access.agent_points(user) | access.overseen_points(user)
    e = (
        LedgerEntry.objects.select_related("till__point__village", "resident", "reverses")
        .filter(uuid=uuid, till__point__in=points)
        .first()
    )
    if e is None:
        raise NotFound()
    return e


def entry_public(number: str, check_code: str) -> LedgerEntry | None:
    import hmac

    number, check_code = (number or "").strip(), (check_code or "").strip().upper()  # NUL: StripNulMiddleware
    if not number or not check_code:
        return None
    e = LedgerEntry.objects.select_related("till__point").filter(number=number).first()
    if e is None or not hmac.compare_digest(e.check_code, check_code):
        return None
    return e


def batches_for(user: Any) -> QuerySet[HandoverBatch]:
    """Batches of the user's points, and batches addressed to the departments they work in."""
    from onewindow.cases import selectors as case_selectors

    if case_selectors.is_admin(user):  # their county's (the platform's: every county's)
        mine: QuerySet[HandoverBatch] = scoped(HandoverBatch.objects.all(), user)
        return mine.select_related("point", "department")
    units = case_selectors._units(user, (*case_selectors.INTAKE_ROLES, "approver"))
    return HandoverBatch.objects.filter(Q(point__in=access.agent_points(user)) | Q(department__in=units)).select_related(
        "point", "department"
    )


# --- reconciliation -------------------------------------------------------------------------------


@dataclass
class TillCheck:
    till: TillDay
    replay: dict[str, int]

    @property
    def balanced(self) -> bool:
        return (self.replay["cash_fen"], self.replay["transfer_fen"], self.replay["entry_count"]) == (
            self.till.cash_fen,
            self.till.transfer_fen,
            self.till.entry_count,
        )


def reconciliation(points: QuerySet[AgentPoint], *, start: datetime.date, end: datetime.date) -> dict[str, Any]:
    """Per day and point: stored totals against the entries replayed, and per batch: the signed
    total against its entries. Anything that does not match is listed."""
    tills = (
        TillDay.objects.filter(point__in=points, day__gte=start, day__lte=end)
        .select_related("point")
        .order_by("day", "point__village__path")
    )
    replayed = {
        (r["till_id"], r["method"]): (r["s"], r["n"])
        for r in LedgerEntry.objects.filter(till__in=tills)
        .values("till_id", "method")
        .annotate(s=Sum("amount_fen"), n=Count("id"))
    }
    checks = []
    for t in tills:
        cash = replayed.get((t.pk, "cash"), (0, 0))
        transfer = replayed.get((t.pk, "transfer"), (0, 0))
        checks.append(
            TillCheck(t, {"cash_fen": cash[0] or 0, "transfer_fen": transfer[0] or 0, "entry_count": cash[1] + transfer[1]})
        )
    batches = (
        HandoverBatch.objects.filter(point__in=points, created_at__date__gte=start, created_at__date__lte=end)
        .annotate(entries_fen=Sum("entries__amount_fen"), entries_n=Count("entries"))
        .select_related("point", "department")
    )
    by_kind = LedgerEntry.objects.filter(till__in=tills).values("collection_kind").annotate(s=Sum("amount_fen"), n=Count("id"))
    return {
        "tills": checks,
        "batches": list(batches),
        "unbalanced": [c for c in checks if not c.balanced],
        "bad_batches": [b for b in batches if (b.entries_fen or 0) != b.total_fen or b.entries_n != b.entry_count],
        "by_kind": [
            (str(CollectionKind(r["collection_kind"]).label), r["s"] or 0, r["n"]) for r in by_kind.order_by("collection_kind")
        ],
        "total_fen": sum(c.till.total_fen for c in checks),
        "open_days": [c.till for c in checks if c.till.status == TillDay.Status.OPEN and c.till.day < timezone.localdate()],
        "unbatched_fen": LedgerEntry.objects.filter(till__in=tills, till__status="closed", batch__isnull=True).aggregate(
            s=Sum("amount_fen")
        )["s"]
        or 0,
    }


# --- the township ---------------------------------------------------------------------------------


def township_points(user: Any) -> list[dict[str, Any]]:
    """Work per point the user oversees: applications (all, open), late forwarding, follow-ups
    done and due, fees collected this month."""
    today = timezone.localdate()
    month_start = today.replace(day=1)
    points = (
        access.overseen_points(user)
        .select_related("village", "village__parent")
        .annotate(
            apps=Count("applications", distinct=True),
            open_cases=Count(
                "applications", filter=Q(applications__kind="case", applications__case__status__in=OPEN_CASE), distinct=True
            ),
            follow_ups=Count("applications__follow_up", distinct=True),
            ended=Count("applications", filter=Q(applications__kind="case", applications__case__status__in=ENDED), distinct=True),
        )
    )
    late = dict(
        MaterialForwarding.objects.filter(application__point__in=points)
        .filter(Q(received_at__isnull=True, due_on__lt=today) | Q(warning="red"))
        .values_list("application__point_id")
        .annotate(n=Count("id"))
    )
    fees = dict(
        LedgerEntry.objects.filter(till__point__in=points, till__day__gte=month_start)
        .values_list("till__point_id")
        .annotate(s=Sum("amount_fen"))
    )
    return [
        {
            "point": p,
            "apps": p.apps,
            "open_cases": p.open_cases,
            "late_forwarding": late.get(p.pk, 0),
            "follow_ups": p.follow_ups,
            "follow_ups_due": max(0, p.ended - p.follow_ups),
            "fees_month_fen": fees.get(p.pk, 0) or 0,
        }
        for p in points
    ]


def late_forwardings(user: Any) -> QuerySet[MaterialForwarding]:
    """Materials not yet signed for, for the units where `user` takes in (they sign on arrival)."""
    from onewindow.cases import selectors as case_selectors

    qs = MaterialForwarding.objects.filter(received_at__isnull=True).select_related(
        "application__case", "application__point", "to_unit"
    )
    if case_selectors.is_admin(user):  # their county's (the platform's: every county's)
        county_qs: QuerySet[MaterialForwarding] = scoped(qs, user)
        return county_qs.order_by("due_on")
    units = case_selectors.intake_units(user)
    return qs.filter(to_unit__in=units).order_by("due_on")


def to_sign_for(user: Any) -> QuerySet[MaterialForwarding]:
    """Of those, the ones the point has sent: the receiving unit's work (assistance.owners)."""
    return late_forwardings(user).filter(sent_at__isnull=False)


# --- for the catalog (hooks it asks, core/hooks.py; named in AssistanceConfig.provides) -----------


def all_points() -> QuerySet[AgentPoint]:
    """Every village agent point (the catalog's F15 figure counts them)."""
    return AgentPoint.objects.all()


def point_of_village(village: Any) -> AgentPoint | None:
    """The agent point of a village (the catalog's "where to go" names it)."""
    return AgentPoint.objects.filter(village=village).first()


# --- for the ratings app --------------------------------------------------------------------------


def follow_ups_for_ratings(*, since: datetime.datetime | None = None) -> Iterator[dict[str, Any]]:
    """Follow-ups with the resident's satisfaction (1-5), one per agent case, for 好差评. Plain
    dicts so the ratings app depends on no model of this one."""
    qs = FollowUp.objects.select_related("application__case", "application__matter", "application__point__village").order_by(
        "at", "id"
    )
    if since is not None:
        qs = qs.filter(at__gte=since)
    for f in qs.iterator():
        a = f.application
        yield {
            "case_uuid": a.case.uuid if a.case else None,
            "case_number": a.case.number if a.case else "",
            "matter": a.matter.code if a.matter else "",
            "point": a.point.village.code,
            "satisfaction": f.satisfaction,
            "method": f.method,
            "at": f.at,
            "comment": f.comment,
        }
