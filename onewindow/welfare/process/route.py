"""The route of the 低保 matter on the cases engine: four stages, each one step of the matter's
department (民政局), which the delegation (赋权, cases.routing) hands to the township.

| stage | step | rule |
| --- | --- | --- |
| 1 | 家庭经济状况调查 (home visit, appraisal, cross-check) | art. 17-20; started within 3 working days |
| 2 | 乡镇审核 (proposal with the amount, or refusal) | art. 21 |
| 3 | 公示 (7 calendar days by default, a setting) | art. 21, 26 |
| 4 | 审核确认 (10 working days after the notice) | art. 22, 23 |

The check gets what the 25-day promise leaves after the others, the notice counted as the most
working days such a run holds in the work calendar (cases.routes.step_working_days), so the
published route's critical path fits the promise.

The article numbers of the 2021 审核确认办法 cited here are unverified (see docs/welfare.md).
"""

from __future__ import annotations

from typing import Any

from onewindow.accounts.models import User
from onewindow.cases import routes
from onewindow.cases.models import Case, CaseStep, LimitUnit, RouteVersion, StepKind
from onewindow.catalog.models import Matter
from onewindow.core import workdays

from . import conf
from .errors import RouteShape

CHECK, REVIEW, NOTICE, CONFIRM = 1, 2, 3, 4
REVIEW_DAYS = 2


def stages_for(matter: Matter) -> list[dict[str, Any]]:
    length = conf.notice_length()
    dept = matter.department
    # The notice's worst cost on the matter's county's calendar (a county's 调休 can make a week of six).
    notice_wd = workdays.most_workdays_in(length.days, dept.county_id) if length.unit == LimitUnit.CALENDAR else length.days
    check_days = max(3, conf.COMMITTED_DAYS - REVIEW_DAYS - notice_wd - conf.CONFIRM_DAYS)
    return [
        {"name": "家庭经济状况调查", "steps": [{"department": dept, "name": "入户调查与信息核对", "limit_days": check_days}]},
        {"name": "乡镇审核", "steps": [{"department": dept, "name": "乡镇审核", "limit_days": REVIEW_DAYS}]},
        {
            "name": "公示",
            "steps": [
                {
                    "department": dept,
                    "name": "村（社区）公示",
                    "kind": StepKind.PUBLIC_NOTICE,
                    "limit_days": length.days,
                    "limit_unit": length.unit,
                }
            ],
        },
        {"name": "审核确认", "steps": [{"department": dept, "name": "审核确认", "limit_days": conf.CONFIRM_DAYS}]},
    ]


def publish_route(*, matter: Matter, actor: User) -> RouteVersion:
    """Draft and publish the route (an administrator; the demo and tests use it). Publishing
    checks the critical path, notice included, against the matter's committed 25 days."""
    route = routes.route_draft_create(actor=actor, name="最低生活保障审核确认流程", matter=matter, stages=stages_for(matter))
    return routes.route_publish(route=route, actor=actor)


def check_shape(case: Case) -> None:
    """The process needs the four stages in order (an administrator could re-engineer the route)."""
    kinds = dict(case.steps.values_list("stage_order", "kind").order_by("stage_order"))
    if sorted(kinds) != [CHECK, REVIEW, NOTICE, CONFIRM] or kinds[NOTICE] != StepKind.PUBLIC_NOTICE:
        raise RouteShape()


def open_step(case: Case, stage: int) -> CaseStep | None:
    return case.steps.filter(stage_order=stage, status=CaseStep.Status.OPEN).first()
