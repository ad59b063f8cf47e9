"""网上预审 pages for the department: its queue of online applications waiting to be checked,
and the check page (pass, ask for every fix in one notice, or not pass). Thin: the rules are in
cases.prereview."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.cases import prereview as pr
from onewindow.cases import selectors
from onewindow.core.authed import AuthedRequest
from onewindow.core.errors import ApplicationError, PermissionDenied

from .views import staff_required


@staff_required
def queue(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not (selectors.approver_units(user).exists() or selectors.is_admin(user)):
        raise PermissionDenied()
    cases = list(pr.prereview_queue(user)[:300])
    return render(request, "workbench/prereview_queue.html", {"cases": cases, "today": timezone.localdate()})


def _clean(value: Any) -> str:
    return str(value or "").strip()  # NULs: taken out of every request by core.middleware


@staff_required
def check(request: AuthedRequest, case_uuid: Any) -> HttpResponse:
    user = request.user
    case = pr.prereview_case_for(user, case_uuid)
    error = None
    if request.method == "POST" and case.prereview == case.PreReview.PENDING:
        p = request.POST
        action = p.get("action", "")
        try:
            if action == "pass":
                pr.prereview_pass(case=case, actor=user, note=_clean(p.get("note")))
                messages.success(request, _("预审通过，已转前台受理。"))
            elif action == "fix":
                sheet = pr.checklist(case)
                fields = {
                    f.name: _clean(p.get(f"reason_field_{f.name}")) for f in sheet.fields if p.get(f"fix_field_{f.name}") == "on"
                }
                materials = {
                    req.pk: _clean(p.get(f"reason_req_{req.pk}"))
                    for req, provided, _subs in sheet.requirements
                    if not provided and p.get(f"fix_req_{req.pk}") == "on"
                }
                other = [(_clean(p.get("other_name")), _clean(p.get("other_reason")))] if _clean(p.get("other_name")) else []
                pr.prereview_request_fix(case=case, actor=user, fields=fields, materials=materials, other=other)
                messages.success(request, _("已一次性告知申请人需修改的全部内容。"))
            elif action == "fail":
                pr.prereview_fail(case=case, actor=user, reasons=_clean(p.get("reasons")))
                messages.success(request, _("已记录预审不通过，由前台出具不予受理通知书。"))
            else:
                raise PermissionDenied()
        except ApplicationError as exc:
            if exc.status in (403, 404):
                raise
            error = exc
        else:
            return redirect("workbench:prereview_queue")
    sheet = pr.checklist(case)
    return render(
        request,
        "workbench/prereview_check.html",
        {"case": case, "sheet": sheet, "error": error, "post": request.POST if error else {}},
        status=error.status if error else 200,
    )
