"""Who holds each waiting 低保 application (contract: onewindow.core.ownership).

The case of an application is held by the cases engine's own rules (cases/owners.py: its steps
are the township's); this names the 低保 state on top of it, so a township without a civil-affairs
officer shows up in the nobody's-work check with the state it is stuck in:

| stage | waits for | owner |
| --- | --- | --- |
| 待受理 acceptance | acceptance (art. 11) | the township (its officers) |
| 家庭经济状况调查 check | the home visit and cross-check (art. 17-19) | the township |
| 乡镇审核 review | the proposal or refusal (art. 21) | the township |
| 公示中 notice | the end of the notice; objections taken down at the point (art. 21) | the township |
| 待审核确认 confirmation | the confirmation within 10 working days (art. 22) | the township |
| refused without the written notice sent | the notice (art. 23) | the township |
| approved, refused and notified | nothing | |

The article numbers of the 2021 审核确认办法 cited here are unverified (see docs/welfare.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import Role, RoleAssignment
from onewindow.core.ownership import Owner, Waiting

from ..models import Application

ACTIONS = {
    Application.Stage.ACCEPTANCE: _("低保受理"),
    Application.Stage.CHECK: _("家庭经济状况调查"),
    Application.Stage.REVIEW: _("乡镇审核"),
    Application.Stage.NOTICE: _("低保公示"),
    Application.Stage.CONFIRMATION: _("低保审核确认"),
    "refusal_notice": _("不予确认书面告知"),
}


class _Officers:
    """The townships with a township officer (read once per check)."""

    def __init__(self) -> None:
        self.paths = [
            p
            for p in RoleAssignment.objects.filter(role=Role.TOWNSHIP_OFFICER, org_unit__isnull=False).values_list(
                "org_unit__path", flat=True
            )
            if p
        ]

    def owner(self, township: Any) -> Owner:
        held = any(township.path.startswith(p) for p in self.paths)
        return Owner.of_unit(township, held=held, why_not_held="" if held else str(_("该乡镇（街道）没有民政工作人员")))


def application_waiting(app: Application, *, officers: _Officers | None = None) -> list[Waiting]:
    officers = officers or _Officers()
    if app.stage == Application.Stage.REFUSED and app.refusal_notified_at is None:
        action: str = "refusal_notice"
        due = app.refusal_notice_due
    elif app.stage in (Application.Stage.APPROVED, Application.Stage.REFUSED):
        return []
    else:
        action = app.stage
        notice = app.notices.filter(outcome="running").first() if app.stage == Application.Stage.NOTICE else None
        due = notice.ends_on if notice is not None else app.case.committed_due
    return [
        Waiting(
            key=f"welfare:{app.uuid}:{action}",
            action=f"welfare_{action}",
            label=str(ACTIONS[action]),
            subject=f"{app.household.number} {app.case.number}",
            owner=officers.owner(app.household.township),
            since=app.updated_at,
            due=due,
            url=reverse("welfare:application", args=[app.uuid]),
            obj=app,
        )
    ]


def waiting_for(obj: Any) -> list[Waiting] | None:
    if isinstance(obj, Application):
        return application_waiting(obj)
    return None


def all_waiting() -> Iterator[Waiting]:
    officers = _Officers()
    open_apps = (
        Application.objects.exclude(stage=Application.Stage.APPROVED)
        .exclude(stage=Application.Stage.REFUSED, refusal_notified_at__isnull=False)
        .select_related("household__township", "case")
    )
    for app in open_apps.iterator(chunk_size=500):
        yield from application_waiting(app, officers=officers)
