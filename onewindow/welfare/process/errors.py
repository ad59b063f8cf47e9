"""The 低保 process's refusals: each a clear, translated error; nothing is stored when raised.

The article numbers of the 2021 审核确认办法 cited here are unverified (see docs/welfare.md).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import Conflict, ValidationFailed


class MemberInPayment(ValidationFailed):
    """A person is paid in one household only (the Member constraint); checked on filing too."""

    code = "member_in_payment"

    def __init__(self, name: str = "") -> None:
        message = _("家庭成员%(name)s已在其他低保家庭中享受低保，不能重复申请。") % {"name": name}
        super().__init__(message, fields={"members": [message]})


class HouseholdInvalid(ValidationFailed):
    code = "household_invalid"


class AlreadyApplying(Conflict):
    code = "already_applying"

    def __init__(self) -> None:
        super().__init__(_("该家庭已有正在办理的低保申请，不能重复申请。"))


class AlreadyInPayment(Conflict):
    code = "already_in_payment"

    def __init__(self) -> None:
        super().__init__(_("该家庭已在保，如情况变化请申报家庭状况变化。"))


class WrongStage(Conflict):
    code = "wrong_stage"

    def __init__(self, stage_label: object) -> None:
        super().__init__(
            _("该低保申请当前环节（%(stage)s）不允许此操作，可能已被他人处理，请刷新后重试。") % {"stage": stage_label}
        )


class AlreadyConfirmed(Conflict):
    """A second confirmation of the same application (art. 23 confirms once)."""

    code = "already_confirmed"

    def __init__(self) -> None:
        super().__init__(_("该低保申请已经审核确认，不能重复确认。"))


class CheckIncomplete(ValidationFailed):
    code = "check_incomplete"


class RouteShape(ValidationFailed):
    code = "welfare_route_shape"

    def __init__(self) -> None:
        super().__init__(_("低保审核确认流程须为四个阶段：家庭经济状况调查、乡镇审核、公示、审核确认。请管理员按此配置流程。"))
