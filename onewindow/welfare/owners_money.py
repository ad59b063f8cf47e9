"""Who holds the register's and the money's waiting work (contract: `core/ownership.py`).

| thing | waits for | owner |
| --- | --- | --- |
| a roll generated, to generate again (stale), checked | check / generate again / township approval | the township |
| a roll approved by the township | the district's approval | the district 民政局 |
| a roll approved by the district | freezing (bank file) | the district 民政局 |
| a frozen roll with payments pending | the bank's return recorded | the district 民政局 |
| a failed payment not re-issued | re-issue | the township |
| a reported change of circumstance, open | checking it, a change or closing it | the township |
| a household in payment whose review is due within 30 days | the periodic review | the township |

Held when the unit has someone with the role that acts: a township officer at the township, an
approver at the 民政局.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.accounts.models import OrgUnit, Role, RoleAssignment
from onewindow.core.ownership import Owner, Waiting

from . import scope
from .models import CircumstanceReport, Household, Payment, PaymentRoll

REVIEW_NOTICE_DAYS = 30
S = PaymentRoll.Status


# Within one sweep the same few units are asked about again and again; `all_waiting` clears it.
_HELD: dict[tuple[int, str], bool] = {}


def _held(unit: OrgUnit, role: str) -> bool:
    key = (unit.pk, role)
    if key not in _HELD:
        _HELD[key] = RoleAssignment.objects.filter(role=role, org_unit__path__in=_paths(unit.path)).exists()
    return _HELD[key]


def _paths(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["".join(p + "/" for p in parts[: i + 1]) for i in range(len(parts))]


def _township_owner(t: OrgUnit) -> Owner:
    return Owner.of_unit(t, held=_held(t, Role.TOWNSHIP_OFFICER), why_not_held=_("乡镇（街道）没有乡镇工作人员"))


def _district_owner(township: OrgUnit) -> Owner | None:
    """The 民政局 of the township's county."""
    mzj = scope.department_of(township.county_id)
    if mzj is None:
        return None
    return Owner.of_unit(mzj, held=_held(mzj, Role.APPROVER), why_not_held=_("区民政局没有审批人员"))


def _roll(roll: PaymentRoll) -> list[Waiting]:
    url = reverse("welfare:roll", args=[roll.uuid])
    subject = f"{roll.township.name} {roll.month:%Y-%m} {_('低保发放名册')}"
    if roll.status in (S.GENERATED, S.STALE, S.CHECKED):
        labels: dict[str, str] = {
            S.GENERATED: _("核对发放名册"),
            S.STALE: _("重新生成发放名册"),
            S.CHECKED: _("乡镇审批发放名册"),
        }
        label = labels[roll.status]
        return [
            Waiting(
                f"welfare-roll:{roll.uuid}:{roll.status}",
                "roll",
                label,
                subject,
                _township_owner(roll.township),
                since=roll.generated_at,
                url=url,
                obj=roll,
            )
        ]
    if roll.status == S.TOWNSHIP_APPROVED:
        return [
            Waiting(
                f"welfare-roll:{roll.uuid}:district",
                "approve",
                _("区民政局审批发放名册"),
                subject,
                _district_owner(roll.township),
                since=roll.township_approved_at,
                url=url,
                obj=roll,
            )
        ]
    if roll.status == S.DISTRICT_APPROVED:
        return [
            Waiting(
                f"welfare-roll:{roll.uuid}:freeze",
                "freeze",
                _("冻结发放名册"),
                subject,
                _district_owner(roll.township),
                since=roll.district_approved_at,
                url=url,
                obj=roll,
            )
        ]
    items = []
    if Payment.objects.filter(roll=roll, status=Payment.Status.PENDING).exists():
        items.append(
            Waiting(
                f"welfare-roll:{roll.uuid}:bank",
                "record",
                _("登记银行发放结果"),
                subject,
                _district_owner(roll.township),
                since=roll.frozen_at,
                url=url,
                obj=roll,
            )
        )
    return items


def _failed(p: Payment) -> Waiting:
    return Waiting(
        f"welfare-payment:{p.uuid}:reissue",
        "reissue",
        _("重发失败的低保金"),
        f"{p.household.number} {p.month:%Y-%m}",
        _township_owner(p.roll.township),
        since=p.updated_at,
        url=reverse("welfare:roll", args=[p.roll.uuid]),
        obj=p,
    )


def _report(r: CircumstanceReport) -> Waiting:
    return Waiting(
        f"welfare-report:{r.uuid}",
        "report",
        _("处理家庭情况变化报告"),
        r.household.number,
        _township_owner(r.household.township),
        since=r.reported_on,
        url=reverse("welfare:household", args=[r.household.uuid]),
        obj=r,
    )


def _review(h: Household) -> Waiting:
    return Waiting(
        f"welfare-review:{h.uuid}:{h.next_review_on}",
        "review",
        _("低保定期复核"),
        h.number,
        _township_owner(h.township),
        due=h.next_review_on,
        url=reverse("welfare:household", args=[h.uuid]),
        obj=h,
    )


def _review_due(on: datetime.date | None = None) -> datetime.date:
    return (on or timezone.localdate()) + datetime.timedelta(days=REVIEW_NOTICE_DAYS)


def waiting_for(obj: Any) -> list[Waiting] | None:
    _HELD.clear()
    if isinstance(obj, PaymentRoll):
        return _roll(obj)
    if isinstance(obj, Payment):
        reissued = Payment.objects.filter(reissue_of=obj).exists()
        return [_failed(obj)] if obj.status == Payment.Status.FAILED and not reissued else []
    if isinstance(obj, CircumstanceReport):
        return [_report(obj)] if obj.status == CircumstanceReport.Status.OPEN else []
    if isinstance(obj, Household):
        due = obj.status == Household.Status.IN_PAYMENT and obj.next_review_on and obj.next_review_on <= _review_due()
        return [_review(obj)] if due else []
    return None


def all_waiting() -> Iterator[Waiting]:
    _HELD.clear()
    for roll in PaymentRoll.objects.exclude(status=S.FROZEN).select_related("township"):
        yield from _roll(roll)
    pending = Payment.objects.filter(roll=OuterRef("pk"), status=Payment.Status.PENDING)
    for roll in PaymentRoll.objects.filter(Exists(pending), status=S.FROZEN).select_related("township"):
        yield from _roll(roll)
    reissued = Payment.objects.filter(reissue_of=OuterRef("pk"))
    failed = Payment.objects.filter(status=Payment.Status.FAILED).exclude(Exists(reissued))
    for p in failed.select_related("household", "roll__township"):
        yield _failed(p)
    for r in CircumstanceReport.objects.filter(status=CircumstanceReport.Status.OPEN).select_related("household__township"):
        yield _report(r)
    due = Household.objects.filter(status=Household.Status.IN_PAYMENT, next_review_on__lte=_review_due())
    for h in due.select_related("township"):
        yield _review(h)


def unit_items(user: Any) -> Iterable[Waiting]:
    """The user's own welfare work (for their lists): what their township or the 民政局 holds."""
    townships = set(scope.officer_townships(user).values_list("pk", flat=True))
    district = scope.department_of(scope.district_county(user))
    for w in all_waiting():
        unit = w.owner.unit if w.owner else None
        if unit is None:
            continue
        if unit.pk in townships or (district is not None and unit.pk == district.pk):
            yield w
