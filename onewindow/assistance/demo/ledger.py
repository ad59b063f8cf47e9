"""Contributions collected for residents: one closed, balanced till per point and collection day,
monthly hand-over batches, a few same-day reversals."""

from __future__ import annotations

import datetime

from django.utils import timezone

from onewindow.accounts.models import OrgUnit, Role, RoleAssignment, User
from onewindow.core import workdays
from onewindow.core.demo import DemoContext

from ..models import CollectionKind, HandoverBatch, LedgerEntry, Mandate, PaymentMethod, TillDay
from ..services.ledger import CHECK_ALPHABET, DEPARTMENT_OF
from ._common import MEDICAL_FEE_FEN, MONTHS, PENSION_TIERS_FEN, TZ, Held, _at, keep_timestamps
from .people import points_in_order


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
            county = h.point.village.county_id  # the point's county's working days
            day = workdays.next_workday(day, county) if not workdays.is_workday(day, county) else day
            if day >= today:
                continue
            amount = MEDICAL_FEE_FEN if kind_ == CollectionKind.MEDICAL_INSURANCE else rng.choice(PENSION_TIERS_FEN)
            paid_by: str = PaymentMethod.CASH if rng.random() < 0.55 else PaymentMethod.TRANSFER
            plan.setdefault((h.point.pk, day), []).append((h, kind_, paid_by, amount))
    tills: list[TillDay] = []
    entries: list[LedgerEntry] = []
    points = {p.pk: p for p in points_in_order()}
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
