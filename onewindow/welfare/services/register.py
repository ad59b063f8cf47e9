"""Dynamic management of the register (动态管理): changes of amount, suspension, stops and exits,
reported changes of circumstance and periodic reviews.

Rules and where they come from:
- 社会救助暂行办法 art. 13: the household reports changes of its people, income and assets; the
  township and the district check them periodically; the district decides to increase, decrease
  or stop the allowance, and a stop is explained in writing (a reason is required for every change).
- 2021 最低生活保障审核确认办法, 第五章 管理和监督 (定期核查): households whose circumstances change
  little are reviewed yearly, those with unstable income and members able to work half-yearly;
  the district's own C class (frequently changing) quarterly. The months are the setting
  `WELFARE_REVIEW_MONTHS`.
- A change takes effect from a month (the month after the decision unless set); it may not reach
  back into a month whose roll the township has already approved: that money is decided.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.core.audit import audit
from onewindow.core.errors import Conflict, ValidationFailed

from .. import scope
from ..allowance import NoStandard, county_of, standard_for
from ..models import CircumstanceReport, Enrolment, Household, HouseholdReview, Member, PaymentRoll, RegisterChange
from ..months import add_months, add_months_to_day, month_start

DEFAULT_REVIEW_MONTHS = {
    Household.ReviewClass.STABLE: 12,
    Household.ReviewClass.MEDIUM: 6,
    Household.ReviewClass.CHANGING: 3,
}
MAX_AMOUNT_FEN = 10_000_000


class NotInPayment(Conflict):
    code = "welfare_not_in_payment"

    def __init__(self) -> None:
        super().__init__(_("该家庭当前不在保，不能办理此项变更。"))


class MonthDecided(Conflict):
    code = "welfare_month_decided"

    def __init__(self, month: datetime.date) -> None:
        super().__init__(_("%(month)s 的发放名册已经审批，变更最早从下一个月起生效。") % {"month": f"{month:%Y-%m}"})


class NoChange(ValidationFailed):
    code = "welfare_no_change"

    def __init__(self) -> None:
        super().__init__(_("新的保障金和人数与现在相同，没有变更。"))


def review_months(review_class: str) -> int:
    months = {**DEFAULT_REVIEW_MONTHS, **getattr(settings, "WELFARE_REVIEW_MONTHS", {})}
    return int(months[review_class])


def next_review(after: datetime.date, review_class: str) -> datetime.date:
    return add_months_to_day(after, review_months(review_class))


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请填写原因。"), fields={"reason": [_("请填写原因。")]})
    return reason[:300]


def _locked(household: Household) -> tuple[Household, Enrolment | None]:
    h = Household.objects.select_for_update().get(pk=household.pk)
    enrolment = Enrolment.objects.select_for_update().filter(household=h, ended_on__isnull=True).first()
    return h, enrolment


def _effective(household: Household, enrolment: Enrolment, month: datetime.date | None) -> datetime.date:
    """The month a change takes effect: given, or the month after today's decision. Not before
    the enrolment started and not into a month whose roll the township approved."""
    today = timezone.localdate()
    month = month_start(month) if month else add_months(month_start(today), 1)
    if month < enrolment.starts_month:
        raise ValidationFailed(_("生效月份不能早于开始发放的月份。"), fields={"effective_month": [_("生效月份不正确。")]})
    decided = (
        PaymentRoll.objects.filter(township_id=household.township_id, month__gte=month, kind=PaymentRoll.Kind.REGULAR)
        .exclude(status__in=[PaymentRoll.Status.GENERATED, PaymentRoll.Status.STALE, PaymentRoll.Status.CHECKED])
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )
    if decided:
        raise MonthDecided(decided)
    # A roll generated but not approved no longer matches the register: it must be generated again.
    PaymentRoll.objects.filter(
        township_id=household.township_id,
        month__gte=month,
        kind=PaymentRoll.Kind.REGULAR,
        status__in=[PaymentRoll.Status.GENERATED, PaymentRoll.Status.CHECKED],
    ).update(status=PaymentRoll.Status.STALE)
    return month


def _record(
    *,
    household: Household,
    enrolment: Enrolment,
    kind: str,
    new_amount_fen: int,
    new_people: int,
    reason: str,
    effective_month: datetime.date,
    actor: Any,
    report: CircumstanceReport | None = None,
    old_amount_fen: int | None = None,
    standard_fen: int | None = None,
) -> RegisterChange:
    change = RegisterChange.objects.create(
        standard_fen=standard_fen if standard_fen is not None else _standard_fen(household, kind, effective_month),
        household=household,
        enrolment=enrolment,
        kind=kind,
        old_amount_fen=household.monthly_amount_fen if old_amount_fen is None else old_amount_fen,
        new_amount_fen=new_amount_fen,
        old_people=_people(household, enrolment),
        new_people=new_people,
        reason=reason,
        effective_month=effective_month,
        decided_on=timezone.localdate(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        report=report,
    )
    if report is not None and report.status == CircumstanceReport.Status.OPEN:
        report.status = CircumstanceReport.Status.HANDLED
        report.outcome = f"{change.get_kind_display()}：{reason}"[:300]
        report.handled_at = timezone.now()
        report.save(update_fields=["status", "outcome", "handled_at", "updated_at"])
    audit(
        actor=actor,
        action=f"welfare.register_{kind}",
        target=household,
        data={
            "change": str(change.uuid),
            "old_fen": change.old_amount_fen,
            "new_fen": new_amount_fen,
            "people": new_people,
            "effective_month": f"{effective_month:%Y-%m}",
            "reason": reason,
        },
    )
    return change


def _standard_fen(household: Household, kind: str, month: datetime.date) -> int | None:
    """The standard an enrolment, increase or decrease was decided against: the one in force in
    its first month (what a later change of the standard moves the amount from)."""
    if kind not in (RegisterChange.Kind.ENROL, RegisterChange.Kind.INCREASE, RegisterChange.Kind.DECREASE):
        return None
    try:
        return int(standard_for(county=county_of(household), area_kind=household.area_kind, on=month).monthly_fen)
    except NoStandard:
        return None


def _people(household: Household, enrolment: Enrolment) -> int:
    last = RegisterChange.objects.filter(enrolment=enrolment).order_by("-effective_month", "-id").first()
    return last.new_people if last and last.new_people else enrolment.people


def record_enrolment(*, enrolment: Enrolment, actor: Any) -> RegisterChange:
    """The register's first line for an enrolment (纳入保障), written by the confirmation."""
    with transaction.atomic():
        household = Household.objects.select_for_update().get(pk=enrolment.household_id)
        existing = RegisterChange.objects.filter(enrolment=enrolment, kind=RegisterChange.Kind.ENROL).first()
        if existing:
            return existing
        return _record(
            household=household,
            enrolment=enrolment,
            kind=RegisterChange.Kind.ENROL,
            new_amount_fen=enrolment.monthly_amount_fen,
            new_people=enrolment.people,
            reason=str(_("审核确认，纳入最低生活保障")),
            effective_month=enrolment.starts_month,
            actor=actor,
            old_amount_fen=0,
        )


def change_amount(
    *,
    household: Household,
    actor: Any,
    new_amount_fen: int,
    reason: str,
    new_people: int | None = None,
    effective_month: datetime.date | None = None,
    report: CircumstanceReport | None = None,
) -> RegisterChange:
    """增发 or 减发: a new monthly amount (and member count) from a month on."""
    scope.require_township(actor, household.township)
    if not isinstance(new_amount_fen, int) or new_amount_fen < 0 or new_amount_fen > MAX_AMOUNT_FEN:
        raise ValidationFailed(_("保障金须为不小于零的金额。"), fields={"new_amount_fen": [_("金额不正确。")]})
    if new_amount_fen == 0:
        raise ValidationFailed(
            _("保障金为零即不再符合条件，请办理停发（退出）。"), fields={"new_amount_fen": [_("金额不正确。")]}
        )
    if new_people is not None and not 1 <= new_people <= 50:
        raise ValidationFailed(_("保障人数不正确。"), fields={"new_people": [_("保障人数不正确。")]})
    reason = _reason(reason)
    with transaction.atomic():
        h, enrolment = _locked(household)
        if h.status != Household.Status.IN_PAYMENT or enrolment is None:
            raise NotInPayment()
        people = new_people or _people(h, enrolment)
        if new_amount_fen == h.monthly_amount_fen and people == _people(h, enrolment):
            raise NoChange()
        month = _effective(h, enrolment, effective_month)
        kind = RegisterChange.Kind.INCREASE if new_amount_fen > h.monthly_amount_fen else RegisterChange.Kind.DECREASE
        change = _record(
            household=h,
            enrolment=enrolment,
            kind=kind,
            new_amount_fen=new_amount_fen,
            new_people=people,
            reason=reason,
            effective_month=month,
            actor=actor,
            report=report,
        )
        h.monthly_amount_fen = new_amount_fen
        h.save(update_fields=["monthly_amount_fen", "updated_at"])
    return change


def suspend(*, household: Household, actor: Any, reason: str, effective_month: datetime.date | None = None) -> RegisterChange:
    """暂停发放 (e.g. the household cannot be reached for a review): kept in the register, not paid."""
    scope.require_township(actor, household.township)
    reason = _reason(reason)
    with transaction.atomic():
        h, enrolment = _locked(household)
        if h.status != Household.Status.IN_PAYMENT or enrolment is None:
            raise NotInPayment()
        month = _effective(h, enrolment, effective_month)
        change = _record(
            household=h,
            enrolment=enrolment,
            kind=RegisterChange.Kind.SUSPEND,
            new_amount_fen=0,
            new_people=_people(h, enrolment),
            reason=reason,
            effective_month=month,
            actor=actor,
        )
        h.status = Household.Status.SUSPENDED
        h.save(update_fields=["status", "updated_at"])
    return change


def _resumed_amount(household: Household, enrolment: Enrolment, month: datetime.date) -> tuple[int, int | None]:
    """The amount a suspended household resumes at: its last decided amount, moved by the change of
    the standard since it was decided (a standard's recompute passes suspended households by; 补差
    is the difference to the standard in force, `allowance.py`), and that standard."""
    last = (
        RegisterChange.objects.filter(enrolment=enrolment, new_amount_fen__gt=0)
        .order_by("-effective_month", "-id")
        .values_list("new_amount_fen", "new_people", "standard_fen", "effective_month")
        .first()
    )
    if last is None:
        return household.monthly_amount_fen, None
    amount, people, decided_with, decided_month = last
    try:
        now_fen = int(standard_for(county=county_of(household), area_kind=household.area_kind, on=month).monthly_fen)
    except NoStandard:
        return amount, decided_with
    if decided_with is None:
        try:
            decided_with = int(
                standard_for(county=county_of(household), area_kind=household.area_kind, on=decided_month).monthly_fen
            )
        except NoStandard:
            return amount, None
    moved = amount + (now_fen - decided_with) * people
    # fallen to nothing: resumed as it was; stopping is the township's decision with reasons
    return (moved, now_fen) if moved > 0 else (amount, decided_with)


def resume(*, household: Household, actor: Any, reason: str, effective_month: datetime.date | None = None) -> RegisterChange:
    """恢复发放 at the amount the household had, recomputed to the standard in force then."""
    scope.require_township(actor, household.township)
    reason = _reason(reason)
    with transaction.atomic():
        h, enrolment = _locked(household)
        if h.status != Household.Status.SUSPENDED or enrolment is None:
            raise Conflict(_("该家庭不在暂停发放状态。"), code="welfare_not_suspended")
        month = _effective(h, enrolment, effective_month)
        amount, standard_fen = _resumed_amount(h, enrolment, month)
        change = _record(
            household=h,
            enrolment=enrolment,
            kind=RegisterChange.Kind.RESUME,
            new_amount_fen=amount,
            new_people=_people(h, enrolment),
            reason=reason,
            effective_month=month,
            actor=actor,
            old_amount_fen=0,
            standard_fen=standard_fen,
        )
        h.status = Household.Status.IN_PAYMENT
        h.monthly_amount_fen = amount
        h.save(update_fields=["status", "monthly_amount_fen", "updated_at"])
    return change


# 停发 is the authority's finding that the household no longer qualifies; 退出 is the household
# leaving (moved away, deceased, by its own wish). Both end the enrolment.
STOP_REASONS = {
    Enrolment.EndReason.INCOME_ROSE,
    Enrolment.EndReason.ASSETS,
    Enrolment.EndReason.REFUSED_REVIEW,
    Enrolment.EndReason.FALSE_INFO,
}


def exit_household(
    *,
    household: Household,
    actor: Any,
    end_reason: str,
    reason: str,
    effective_month: datetime.date | None = None,
    report: CircumstanceReport | None = None,
) -> RegisterChange:
    """退出 / 停发: the enrolment ends, the members are no longer in payment (so a member may be
    enrolled in another household), nothing is paid from `effective_month` on.

    社会救助暂行办法 art. 13: a stop is decided with written reasons (`reason`, required)."""
    scope.require_township(actor, household.township)
    if end_reason not in Enrolment.EndReason.values:
        raise ValidationFailed(_("请选择退出原因。"), fields={"end_reason": [_("请选择退出原因。")]})
    reason = _reason(reason)
    with transaction.atomic():
        h, enrolment = _locked(household)
        if h.status not in (Household.Status.IN_PAYMENT, Household.Status.SUSPENDED) or enrolment is None:
            raise NotInPayment()
        month = _effective(h, enrolment, effective_month)
        kind = RegisterChange.Kind.STOP if end_reason in STOP_REASONS else RegisterChange.Kind.EXIT
        change = _record(
            household=h,
            enrolment=enrolment,
            kind=kind,
            new_amount_fen=0,
            new_people=0,
            reason=reason,
            effective_month=month,
            actor=actor,
            report=report,
        )
        enrolment.ended_on = timezone.localdate()
        enrolment.end_reason = end_reason
        enrolment.save(update_fields=["ended_on", "end_reason", "updated_at"])
        Member.objects.filter(household=h, in_payment=True).update(in_payment=False)
        h.status = Household.Status.EXITED
        h.monthly_amount_fen = 0
        h.next_review_on = None
        h.save(update_fields=["status", "monthly_amount_fen", "next_review_on", "updated_at"])
    return change


def report_create(
    *, household: Household, actor: Any, source: str, description: str, reported_on: datetime.date | None = None
) -> CircumstanceReport:
    """Register a reported change of circumstance; it waits for the township until handled."""
    scope.require_township(actor, household.township)
    if source not in CircumstanceReport.Source.values:
        raise ValidationFailed(_("请选择报告来源。"), fields={"source": [_("请选择报告来源。")]})
    description = (description or "").strip()
    if not description:
        raise ValidationFailed(_("请填写变化情况。"), fields={"description": [_("请填写变化情况。")]})
    reported_on = reported_on or timezone.localdate()
    if reported_on > timezone.localdate():
        raise ValidationFailed(_("报告日期不能晚于今天。"), fields={"reported_on": [_("日期不正确。")]})
    with transaction.atomic():
        h = Household.objects.select_for_update().get(pk=household.pk)
        if h.status not in (Household.Status.IN_PAYMENT, Household.Status.SUSPENDED):
            raise NotInPayment()
        report = CircumstanceReport.objects.create(
            household=h,
            source=source,
            reported_on=reported_on,
            description=description[:500],
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit(actor=actor, action="welfare.report_create", target=h, data={"report": str(report.uuid), "source": source})
    return report


def report_close(*, report: CircumstanceReport, actor: Any, outcome: str) -> CircumstanceReport:
    """Close a report that needs no change (checked: no effect on the allowance)."""
    scope.require_township(actor, report.household.township)
    outcome = _reason(outcome)
    with transaction.atomic():
        r = CircumstanceReport.objects.select_for_update().get(pk=report.pk)
        if r.status != CircumstanceReport.Status.OPEN:
            raise Conflict(_("该报告已处理。"), code="welfare_report_handled")
        r.status = CircumstanceReport.Status.HANDLED
        r.outcome = outcome
        r.handled_at = timezone.now()
        r.save(update_fields=["status", "outcome", "handled_at", "updated_at"])
        audit(actor=actor, action="welfare.report_close", target=r.household, data={"report": str(r.uuid), "outcome": outcome})
    return r


def review_record(
    *,
    household: Household,
    actor: Any,
    findings: str,
    outcome: str,
    review_class: str | None = None,
    reviewed_on: datetime.date | None = None,
) -> HouseholdReview:
    """Record a periodic review; the next one is due by the household's class. A review that finds
    a change is followed by `change_amount` or `exit_household` (the page offers them)."""
    scope.require_township(actor, household.township)
    if outcome not in HouseholdReview.Outcome.values:
        raise ValidationFailed(_("请选择复核结果。"), fields={"outcome": [_("请选择复核结果。")]})
    if review_class is not None and review_class not in Household.ReviewClass.values:
        raise ValidationFailed(_("复核类别不正确。"), fields={"review_class": [_("复核类别不正确。")]})
    findings = (findings or "").strip()
    if not findings:
        raise ValidationFailed(_("请填写核查情况。"), fields={"findings": [_("请填写核查情况。")]})
    today = timezone.localdate()
    reviewed_on = reviewed_on or today
    if reviewed_on > today:
        raise ValidationFailed(_("复核日期不能晚于今天。"), fields={"reviewed_on": [_("日期不正确。")]})
    with transaction.atomic():
        h = Household.objects.select_for_update().get(pk=household.pk)
        if h.status not in (Household.Status.IN_PAYMENT, Household.Status.SUSPENDED):
            raise NotInPayment()
        if review_class:
            h.review_class = review_class
        due = h.next_review_on
        h.next_review_on = next_review(reviewed_on, h.review_class)
        h.save(update_fields=["review_class", "next_review_on", "updated_at"])
        review = HouseholdReview.objects.create(
            household=h,
            reviewed_on=reviewed_on,
            due_on=due,
            findings=findings[:500],
            outcome=outcome,
            next_review_on=h.next_review_on,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit(
            actor=actor,
            action="welfare.review_record",
            target=h,
            data={"review": str(review.uuid), "outcome": outcome, "next": h.next_review_on.isoformat()},
        )
    return review


__all__ = [
    "change_amount",
    "exit_household",
    "record_enrolment",
    "report_close",
    "report_create",
    "resume",
    "review_record",
    "suspend",
]
