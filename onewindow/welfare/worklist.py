"""What 低保 work waits for one person, for the workbench home (`workbench/work.py`): one group per
kind of work with its count, the page that lists it, and its items oldest and most urgent first.

| who | groups |
| --- | --- |
| township officer (their townships) | applications per stage (受理, 调查, 审核, 公示, 审核确认, a refusal notice not sent); rolls to check, generate again or approve; failed payments to re-issue; reported changes; reviews due within 30 days |
| district 民政局 approver | rolls to approve, to freeze, and frozen rolls waiting for the bank's return |

The items are the same `Waiting` records the nobody's-work check uses (`process/owners.py`,
`owners_money.py`), so the two never disagree; the querysets here are scoped to the person's
townships first, so a province-size register is not walked for one home page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from onewindow.core.ownership import Waiting

from . import owners_money, scope
from .models import Application, CircumstanceReport, Household, Payment, PaymentRoll
from .process import owners as process_owners

SHOWN = 30
S = PaymentRoll.Status


@dataclass
class Group:
    key: str
    label: str
    count: int
    url: str
    items: list[Waiting] = field(default_factory=list)


def _group(key: str, label: str, url: str, qs: QuerySet[Any], make: Callable[[Any], list[Waiting]]) -> Group | None:
    count = qs.count()
    if not count:
        return None
    items = [w for obj in qs[:SHOWN] for w in make(obj)]
    return Group(key=key, label=label, count=count, url=url, items=items)


def _applications(townships: QuerySet[Any]) -> list[Group | None]:
    base = Application.objects.filter(household__township__in=townships).select_related(
        "household", "household__township", "case"
    )
    officers = process_owners._Officers()
    work = reverse("welfare:work")
    groups = []
    for stage in (
        Application.Stage.ACCEPTANCE,
        Application.Stage.CHECK,
        Application.Stage.REVIEW,
        Application.Stage.NOTICE,
        Application.Stage.CONFIRMATION,
    ):
        qs = base.filter(stage=stage).order_by("case__committed_due", "created_at")
        groups.append(
            _group(
                f"welfare_{stage}",
                str(process_owners.ACTIONS[stage]),
                f"{work}?stage={stage}",
                qs,
                lambda a: process_owners.application_waiting(a, officers=officers),
            )
        )
    unsent = base.filter(stage=Application.Stage.REFUSED, refusal_notified_at__isnull=True).order_by("refusal_notice_due")
    groups.append(
        _group(
            "welfare_refusal_notice",
            str(process_owners.ACTIONS["refusal_notice"]),
            f"{work}?stage=refused",
            unsent,
            lambda a: process_owners.application_waiting(a, officers=officers),
        )
    )
    return groups


def _township_money(townships: QuerySet[Any]) -> list[Group | None]:
    rolls = PaymentRoll.objects.filter(township__in=townships).select_related("township")
    reissued = Payment.objects.filter(reissue_of=OuterRef("pk"))
    failed = (
        Payment.objects.filter(roll__township__in=townships, status=Payment.Status.FAILED)
        .exclude(Exists(reissued))
        .select_related("household", "roll__township")
        .order_by("updated_at")
    )
    reports = (
        CircumstanceReport.objects.filter(household__township__in=townships, status=CircumstanceReport.Status.OPEN)
        .select_related("household__township")
        .order_by("reported_on")
    )
    reviews = (
        Household.objects.filter(
            township__in=townships,
            status=Household.Status.IN_PAYMENT,
            next_review_on__lte=owners_money._review_due(),
        )
        .select_related("township")
        .order_by("next_review_on")
    )
    rolls_url, reviews_url = reverse("welfare:rolls"), reverse("welfare:reviews")
    return [
        _group(
            "welfare_roll_township",
            str(_("发放名册待乡镇核对、审批")),
            rolls_url,
            rolls.filter(status__in=(S.GENERATED, S.STALE, S.CHECKED)).order_by("month", "generated_at"),
            owners_money._roll,
        ),
        _group("welfare_reissue", str(_("重发失败的低保金")), rolls_url, failed, lambda p: [owners_money._failed(p)]),
        _group("welfare_report", str(_("处理家庭情况变化报告")), reviews_url, reports, lambda r: [owners_money._report(r)]),
        _group("welfare_review", str(_("低保定期复核")), reviews_url, reviews, lambda h: [owners_money._review(h)]),
    ]


def _district_money(county: str) -> list[Group | None]:
    rolls = PaymentRoll.objects.filter(township__county_id=county).select_related("township")
    pending = Payment.objects.filter(roll=OuterRef("pk"), status=Payment.Status.PENDING)
    url = reverse("welfare:rolls")
    return [
        _group(
            "welfare_roll_district",
            str(_("区民政局审批发放名册")),
            url,
            rolls.filter(status=S.TOWNSHIP_APPROVED).order_by("month", "township_approved_at"),
            owners_money._roll,
        ),
        _group(
            "welfare_roll_freeze",
            str(_("冻结发放名册")),
            url,
            rolls.filter(status=S.DISTRICT_APPROVED).order_by("month", "district_approved_at"),
            owners_money._roll,
        ),
        _group(
            "welfare_roll_bank",
            str(_("登记银行发放结果")),
            url,
            rolls.filter(Exists(pending), status=S.FROZEN).order_by("month", "frozen_at"),
            owners_money._roll,
        ),
    ]


def groups_for(user: Any) -> list[Group]:
    """The person's 低保 work, by kind; empty for anyone outside civil affairs."""
    out: list[Group | None] = []
    owners_money._HELD.clear()
    townships = scope.officer_townships(user)
    if townships.exists():
        out += _applications(townships)
        out += _township_money(townships)
    county = scope.district_county(user)
    if county is not None:
        out += _district_money(county)
    return [g for g in out if g is not None]


def application_urls(case_ids: list[int]) -> dict[int, str]:
    """{case id: its 低保 application's page} for the cases that are 低保 applications."""
    if not case_ids:
        return {}
    rows = Application.objects.filter(case_id__in=case_ids).values_list("case_id", "uuid")
    return {case_id: reverse("welfare:application", args=[uuid]) for case_id, uuid in rows}


def readable_application_url(user: Any, case: Any) -> str:
    """The 低保 application page of `case`, when it is one and `user` may read it; else ""."""
    from .process import selectors as process_selectors

    uuid = process_selectors.applications_for(user).filter(case=case).values_list("uuid", flat=True).first()
    return reverse("welfare:application", args=[uuid]) if uuid else ""
