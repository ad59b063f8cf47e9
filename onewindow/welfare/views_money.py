"""Pages of the register and the money (staff: township officers and the district 民政局), and the
public 低保 figures page. Thin: reads through `selectors_money`, writes through `services`."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.accounts.tenancy import scoped
from onewindow.core.authed import AuthedRequest
from onewindow.core.errors import ApplicationError, NotFound, PermissionDenied, ValidationFailed
from onewindow.core.parsing import parse_day

from . import bankfile, bankreturn, scope, stats
from . import selectors_money as sel
from .models import CircumstanceReport, Enrolment, Household, HouseholdReview, PaymentRoll, RegisterChange, Standard
from .models.standard import AreaKind
from .months import add_months, month_start, parse_month
from .services import register as reg
from .services import rolls
from .services.standards import standard_enter


def _keep(exc: ApplicationError) -> ApplicationError:
    """Form errors are shown on the page; refusals go to the middleware (403 / 404 pages)."""
    if exc.status in (403, 404):
        raise exc
    return exc


def _month(value: str, field: str = "effective_month") -> datetime.date | None:
    if not (value or "").strip():
        return None
    try:
        return parse_month(value)
    except ValueError:
        raise ValidationFailed(_("月份格式不正确。"), fields={field: [_("月份格式不正确。")]}) from None


def _yuan(value: str, field: str) -> int:
    """Yuan as typed on a page (e.g. "356.50") to integer fen; negative or malformed is an error."""
    text = (value or "").strip()
    try:
        if not text or text.startswith("-"):
            raise ValueError(text)
        whole, _dot, frac = text.partition(".")
        if len(frac) > 2 or not (whole or "0").isdigit() or (frac and not frac.isdigit()):
            raise ValueError(text)
        return int(whole or "0") * 100 + int((frac + "00")[:2])
    except ValueError:
        raise ValidationFailed(_("金额须为不小于零的数字，最多两位小数。"), fields={field: [_("金额不正确。")]}) from None


def _ctx(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    user = request.user
    return {"is_district": scope.is_district(user), "my_townships": list(scope.townships_for(user)), **extra}


@login_required
def register(request: AuthedRequest) -> HttpResponse:
    user = request.user
    who = scope.reader(user)  # asked once for the check, the township filter, the search and the page
    if not who.reads:
        raise PermissionDenied()
    q = request.GET.get("q", "")
    mine = list(scope.townships_read(who))
    code = request.GET.get("township", "")
    township = next((t for t in mine if t.code == code), None)
    rows = sel.register_search(user, q=q, township=township, limit=100, reader=who)
    ctx = {"is_district": who.district, "my_townships": mine, "rows": rows, "q": q, "township": township}
    return render(request, "welfare/money/register.html", ctx)


@login_required
def household(request: AuthedRequest, uuid: str) -> HttpResponse:
    user = request.user
    h = sel.household_file(user, uuid)
    error = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        p = request.POST
        try:
            report = None
            if p.get("report"):
                report = h.reports.filter(uuid=p["report"], status=CircumstanceReport.Status.OPEN).first()
                if report is None:
                    raise NotFound()
            if action == "amount":
                people = p.get("new_people", "").strip()
                reg.change_amount(
                    household=h,
                    actor=user,
                    new_amount_fen=_yuan(p.get("new_amount", ""), "new_amount"),
                    new_people=int(people) if people.isdigit() else None,
                    reason=p.get("reason", ""),
                    effective_month=_month(p.get("effective_month", "")),
                    report=report,
                )
                messages.success(request, _("已登记保障金变更。"))
            elif action == "suspend":
                reg.suspend(
                    household=h, actor=user, reason=p.get("reason", ""), effective_month=_month(p.get("effective_month", ""))
                )
                messages.success(request, _("已暂停发放。"))
            elif action == "resume":
                reg.resume(
                    household=h, actor=user, reason=p.get("reason", ""), effective_month=_month(p.get("effective_month", ""))
                )
                messages.success(request, _("已恢复发放。"))
            elif action == "exit":
                reg.exit_household(
                    household=h,
                    actor=user,
                    end_reason=p.get("end_reason", ""),
                    reason=p.get("reason", ""),
                    effective_month=_month(p.get("effective_month", "")),
                    report=report,
                )
                messages.success(request, _("已办理停发（退出）。"))
            elif action == "report":
                reg.report_create(household=h, actor=user, source=p.get("source", ""), description=p.get("description", ""))
                messages.success(request, _("已登记家庭情况变化。"))
            elif action == "close_report":
                if report is None:
                    raise NotFound()
                reg.report_close(report=report, actor=user, outcome=p.get("outcome", ""))
                messages.success(request, _("报告已处理。"))
            elif action == "review":
                reg.review_record(
                    household=h,
                    actor=user,
                    findings=p.get("findings", ""),
                    outcome=p.get("outcome", ""),
                    review_class=p.get("review_class") or None,
                )
                messages.success(request, _("已记录定期复核。"))
            else:
                raise ValidationFailed(_("未知的操作。"))
        except ApplicationError as exc:
            error = _keep(exc)
        else:
            return redirect("welfare:household", uuid=h.uuid)
    can_act = scope.officer_townships(user).filter(pk=h.township_id).exists()
    return render(
        request,
        "welfare/money/household.html",
        _ctx(
            request,
            h=h,
            members=list(h.members.all()),
            enrolments=list(h.enrolments.order_by("-confirmed_on")),
            history=sel.household_history(h),
            reports=list(h.reports.order_by("-reported_on")),
            reviews=list(h.reviews.order_by("-reviewed_on")[:10]),
            payments=list(h.payments.select_related("roll").order_by("-month", "-attempt")[:24]),
            can_act=can_act,
            error=error,
            post=request.POST,
            end_reasons=Enrolment.EndReason.choices,
            sources=CircumstanceReport.Source.choices,
            outcomes=HouseholdReview.Outcome.choices,
            classes=Household.ReviewClass.choices,
            next_month=add_months(month_start(timezone.localdate()), 1),
        ),
        status=error.status if error else 200,
    )


@login_required
def changes(request: AuthedRequest) -> HttpResponse:
    user = request.user
    kind = request.GET.get("kind", "")
    if kind not in RegisterChange.Kind.values:
        kind = ""
    rows = sel.changes_for(user, kind=kind)
    return render(
        request, "welfare/money/changes.html", _ctx(request, rows=rows, kind=kind, kinds=RegisterChange.Kind.choices, exits=False)
    )


@login_required
def exits(request: AuthedRequest) -> HttpResponse:
    rows = sel.exits_for(request.user)
    return render(request, "welfare/money/changes.html", _ctx(request, rows=rows, kind="", kinds=[], exits=True))


@login_required
def reviews(request: AuthedRequest) -> HttpResponse:
    user = request.user
    due = list(sel.reviews_due(user)[:300])
    return render(
        request,
        "welfare/money/reviews.html",
        _ctx(request, due=due, reports=list(sel.open_reports(user)[:300]), today=timezone.localdate()),
    )


@login_required
def roll_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    scope.require_reader(user)
    error = None
    if request.method == "POST":
        try:
            township = scope.township_by_code(user, request.POST.get("township", ""))
            if township is None:
                raise ValidationFailed(_("请选择乡镇（街道）。"), fields={"township": [_("请选择乡镇（街道）。")]})
            chosen = _month(request.POST.get("month", ""), "month") or month_start(timezone.localdate())
            kind = request.POST.get("kind", "") or PaymentRoll.Kind.REGULAR
            roll = rolls.roll_generate(township=township, month=chosen, actor=user, kind=kind)
        except ApplicationError as exc:
            error = _keep(exc)
        else:
            messages.success(request, _("已生成发放名册：%(n)d 户。") % {"n": roll.households})
            return redirect("welfare:roll", uuid=roll.uuid)
    month: datetime.date | None = None
    try:
        month = _month(request.GET.get("month", ""), "month")
    except ApplicationError:
        month = None
    return render(
        request,
        "welfare/money/rolls.html",
        _ctx(
            request,
            rolls=list(sel.rolls_for(user, month=month)[:120]),
            generate_townships=list(scope.officer_townships(user)),
            this_month=month_start(timezone.localdate()),
            error=error,
        ),
        status=error.status if error else 200,
    )


@login_required
def roll(request: AuthedRequest, uuid: str) -> HttpResponse:
    user = request.user
    r = sel.roll_for(user, uuid)
    error = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "generate":
                rolls.roll_generate(township=r.township, month=r.month, actor=user, kind=r.kind)
                messages.success(request, _("已重新生成发放名册。"))
            elif action == "check":
                rolls.roll_check(roll=r, actor=user)
                messages.success(request, _("已核对。"))
            elif action == "approve_township":
                rolls.roll_approve_township(roll=r, actor=user)
                messages.success(request, _("乡镇已审批，等待区民政局审批。"))
            elif action == "approve_district":
                rolls.roll_approve_district(roll=r, actor=user)
                messages.success(request, _("区民政局已审批。"))
            elif action == "return":
                rolls.roll_return(roll=r, actor=user, reason=request.POST.get("reason", ""))
                messages.success(request, _("已退回乡镇重新生成。"))
            elif action == "freeze":
                rolls.roll_freeze(roll=r, actor=user)
                messages.success(request, _("名册已冻结，可以下载银行发放文件。"))
            elif action == "results":
                failed = {}
                for line in request.POST.get("failed", "").splitlines():
                    number, _sep, reason = line.strip().partition(" ")
                    if not number:
                        continue
                    pay = r.payments.filter(household__number=number, status="pending").first()
                    if pay is None:
                        raise ValidationFailed(
                            _("家庭编号 %(n)s 在本名册中没有待发放记录。") % {"n": number}, fields={"failed": [number]}
                        )
                    failed[pay.uuid] = reason.strip()
                day = parse_day(request.POST.get("paid_on", ""), "paid_on", message=_("到账日期不正确。"))
                out = rolls.payments_record(roll=r, actor=user, paid_on=day, failed=failed)
                messages.success(request, _("已登记：%(p)d 笔到账，%(f)d 笔失败。") % {"p": out["paid"], "f": out["failed"]})
            elif action == "return_file":
                upload = request.FILES.get("file")
                if upload is None:
                    raise ValidationFailed(_("请选择银行回盘文件。"), fields={"file": [_("请选择银行回盘文件。")]})
                record = bankreturn.return_import(
                    roll=r,
                    actor=user,
                    data=upload.read(bankreturn.MAX_BYTES + 1),
                    filename=upload.name or "",
                    paid_on=parse_day(request.POST.get("paid_on", ""), "paid_on", message=_("到账日期不正确。")),
                )
                messages.success(
                    request, _("回盘文件已导入：%(p)d 笔到账，%(f)d 笔失败。") % {"p": record.paid, "f": record.failed}
                )
            elif action == "reissue":
                pay = sel.payment_for(user, request.POST.get("payment", ""))
                rolls.payment_reissue(payment=pay, actor=user, bank_account=request.POST.get("bank_account", ""))
                messages.success(request, _("已重发，重发记录将列入银行发放文件。"))
            else:
                raise ValidationFailed(_("未知的操作。"))
        except ApplicationError as exc:
            error = _keep(exc)
        else:
            return redirect("welfare:roll", uuid=r.uuid)
    r = sel.roll_for(user, uuid)
    township_officer = scope.officer_townships(user).filter(pk=r.township_id).exists()
    return render(
        request,
        "welfare/money/roll.html",
        _ctx(
            request,
            roll=r,
            items=sel.roll_items(r, limit=300),
            diff=sel.roll_diff(r),
            pending=sel.payments_of(r, status="pending", limit=300),
            failed=sel.payments_of(r, status="failed", limit=300),
            returns=list(r.bank_returns.select_related("imported_by").order_by("-created_at")),
            township_officer=township_officer,
            S=PaymentRoll.Status,
            today=timezone.localdate(),
            error=error,
            post=request.POST,
        ),
        status=error.status if error else 200,
    )


@login_required
def bank_file(request: AuthedRequest, uuid: str, fmt: str) -> HttpResponse:
    user = request.user
    r = sel.roll_for(user, uuid)
    return bankfile.response(r, fmt=fmt, actor=user)


@login_required
def standards(request: AuthedRequest) -> HttpResponse:
    user = request.user
    scope.require_reader(user)
    error = None
    if request.method == "POST":
        try:
            year = request.POST.get("year", "")
            _saved, done = standard_enter(
                actor=user,
                year=int(year) if year.isdigit() else 0,
                area_kind=request.POST.get("area_kind", ""),
                monthly_fen=_yuan(request.POST.get("monthly", ""), "monthly_fen"),
                effective_from=parse_day(request.POST.get("effective_from", ""), "effective_from"),
                basis=request.POST.get("basis", ""),
            )
        except ApplicationError as exc:
            error = _keep(exc)
        else:
            messages.success(
                request,
                _("低保标准已保存：%(n)d 户在保家庭的保障金已按新标准重新计算，%(s)d 份未冻结的发放名册需重新生成。")
                % {"n": done.households, "s": done.stale_rolls},
            )
            if done.skipped_to_zero:
                messages.warning(
                    request,
                    _("另有 %(z)d 户按新标准保障金为零或以下，未作调整，请乡镇复核。") % {"z": done.skipped_to_zero},
                )
            return redirect("welfare:standards")
    return render(
        request,
        "welfare/money/standards.html",
        _ctx(
            request,
            rows=list(scoped(Standard.objects.all(), request.user).order_by("-year", "area_kind")),
            kinds=AreaKind.choices,
            error=error,
            post=request.POST,
        ),
        status=error.status if error else 200,
    )


def figures(request: HttpRequest) -> HttpResponse:
    """Public: the 低保 figures of a year (default: last year) and every year, no personal data."""
    span = stats.years_with_data()
    today = timezone.localdate()
    years = list(range(span[0], span[1] + 1)) if span else []
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = today.year - 1
    if years and year not in years:
        year = years[-1] if year > years[-1] else years[0]
    f = stats.figures(date_from=datetime.date(year, 1, 1), date_to=min(datetime.date(year, 12, 31), today)) if span else None
    return render(
        request,
        "welfare/money/figures.html",
        {"f": f, "year": year, "years": years, "yearly": stats.yearly(*span) if span else []},
    )
