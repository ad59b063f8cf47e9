"""家庭经济状况调查: the household economic check (2021 rules, chapter 3).

- art. 17: the township starts the check within 3 working days of acceptance, by home visits
  (入户调查), neighbourhood visits and the cross-check; a home visit is recorded with the date,
  the visitors and what they found (photos: private uploads, core.uploads);
- art. 18: the cross-check of income and assets (crosscheck.py, a pluggable backend);
- art. 19: a democratic appraisal (民主评议) where the township finds it needed — optional;
- the check ends when the township closes it: at least one home visit on record.

The article numbers of the 2021 审核确认办法 cited here are unverified (see docs/welfare.md).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import User
from onewindow.cases import services as case_services
from onewindow.core.audit import audit
from onewindow.core.errors import ValidationFailed
from onewindow.core.parsing import clean_text
from onewindow.core.uploads import collect_stored, store_private

from ..models import Application, Appraisal, CrossCheck, HomeVisit
from . import access, crosscheck, route
from .errors import CheckIncomplete, WrongStage

MAX_PHOTOS = 9


def lock_application(application: Application, *stages: str) -> Application:
    """The application under its case's row lock (the engine's lock: every write to the case and
    the application serialises on it), in one of `stages`."""
    from onewindow.cases.models import Case

    Case.objects.select_for_update().filter(pk=application.case_id).first()
    app = Application.objects.select_related("case", "household", "household__township", "household__village").get(
        pk=application.pk
    )
    if stages and app.stage not in stages:
        raise WrongStage(app.get_stage_display())
    return app


def _text(value: Any, limit: int) -> str:
    return clean_text(value, limit)


def visit_record(
    *,
    application: Application,
    actor: User,
    visited_on: datetime.date,
    visitors: str,
    findings: str,
    photos: list[Any] | None = None,
) -> HomeVisit:
    """Record a home visit (art. 17). Photos are stored privately; a failure stores nothing."""
    access.require_handles(actor, application.household)
    visitors, findings = _text(visitors, 200), _text(findings, 5000)
    errors: dict[str, list[Any]] = {}
    if not visitors:
        errors["visitors"] = [_("必填项。")]
    if not findings:
        errors["findings"] = [_("必填项。")]
    today = timezone.localdate()
    if visited_on > today:
        errors["visited_on"] = [_("调查日期不能晚于今天。")]
    if len(photos or []) > MAX_PHOTOS:
        errors["photos"] = [_("照片最多 9 张。")]
    if errors:
        raise ValidationFailed(_("入户调查记录不完整。"), code="visit_invalid", fields=errors)
    with collect_stored(), transaction.atomic():
        app = lock_application(application, Application.Stage.CHECK)
        accepted = timezone.localdate(app.case.accepted_at) if app.case.accepted_at else today
        if visited_on < accepted:
            raise ValidationFailed(
                _("调查日期不能早于受理日期。"), code="visit_invalid", fields={"visited_on": [_("早于受理日期。")]}
            )
        names = [store_private(p, folder=f"welfare/{app.uuid}/visits", accepts="image") for p in photos or []]
        visit = HomeVisit.objects.create(
            application=app, visited_on=visited_on, visitors=visitors, findings=findings, photos=names, recorded_by=actor
        )
        audit(actor=actor, action="welfare.visit", target=visit, data={"application": str(app.uuid), "photos": len(names)})
    return visit


def appraisal_record(
    *, application: Application, actor: User, held_on: datetime.date, participants: int, in_favour: int, summary: str
) -> Appraisal:
    """Record a democratic appraisal (art. 19), when the township held one."""
    access.require_handles(actor, application.household)
    summary = _text(summary, 5000)
    if participants < 1 or in_favour < 0 or in_favour > participants:
        raise ValidationFailed(
            _("参加人数须大于零，同意人数不能超过参加人数。"), code="appraisal_invalid", fields={"in_favour": [_("人数不正确。")]}
        )
    if not summary:
        raise ValidationFailed(_("请填写评议意见。"), code="appraisal_invalid", fields={"summary": [_("必填项。")]})
    if held_on > timezone.localdate():
        raise ValidationFailed(_("评议日期不能晚于今天。"), code="appraisal_invalid", fields={"held_on": [_("晚于今天。")]})
    with transaction.atomic():
        app = lock_application(application, Application.Stage.CHECK)
        appraisal = Appraisal.objects.create(
            application=app,
            held_on=held_on,
            participants=participants,
            in_favour=in_favour,
            summary=summary,
            recorded_by=actor,
        )
        audit(actor=actor, action="welfare.appraisal", target=appraisal, data={"application": str(app.uuid)})
    return appraisal


def cross_check_run(*, application: Application, actor: User) -> CrossCheck:
    """Run the cross-check backend over the household (art. 18) and keep its result."""
    access.require_handles(actor, application.household)
    backend = crosscheck.backend()
    with transaction.atomic():
        app = lock_application(application, Application.Stage.CHECK)
        result = backend.check(app.household)
        row = CrossCheck.objects.create(
            application=app, backend=backend.name, passed=result.passed, findings=result.findings, requested_by=actor
        )
        audit(
            actor=actor,
            action="welfare.cross_check",
            target=row,
            data={"passed": result.passed, "findings": len(result.findings)},
        )
    return row


def check_complete_locked(app: Application, *, actor: User, comment: str = "") -> None:
    """Close the check step (inside the caller's transaction, application locked)."""
    if not app.visits.exists():
        raise CheckIncomplete(_("尚未记录入户调查，不能结束家庭经济状况调查。"), fields={"visits": [_("至少一次入户调查。")]})
    step = route.open_step(app.case, route.CHECK)
    if step is None:
        raise WrongStage(app.get_stage_display())
    case_services.step_approve(step=step, actor=actor, comment=comment or str(_("家庭经济状况调查完毕")))
    app.stage = Application.Stage.REVIEW
    app.save(update_fields=["stage", "updated_at"])
    audit(actor=actor, action="welfare.check_complete", target=app)


def check_complete(*, application: Application, actor: User, comment: str = "") -> Application:
    access.require_handles(actor, application.household)
    with transaction.atomic():
        app = lock_application(application, Application.Stage.CHECK)
        check_complete_locked(app, actor=actor, comment=_text(comment, 2000))
    return app
