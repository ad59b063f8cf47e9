"""Domain errors of the agent service; each has a stable `code` for the API and tests."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import Conflict, PermissionDenied, ValidationFailed


class NotAgentOfPoint(PermissionDenied):
    code = "not_agent_of_point"

    def __init__(self) -> None:
        super().__init__(_("您不是该代办点的代办员。"))


class NoMandate(PermissionDenied):
    code = "no_mandate"

    def __init__(self) -> None:
        super().__init__(_("该群众没有委托本代办点办理此事项的有效委托书，请先办理委托。"))


class NotAgentEligible(ValidationFailed):
    code = "not_agent_eligible"

    def __init__(self, name: str = "") -> None:
        super().__init__(_("“%(name)s”不是可代办事项，须由本人申请。") % {"name": name})


class OtherCounty(PermissionDenied):
    """A matter of another county: a point serves its own county's catalog (docs/tenancy.md)."""

    code = "other_county"

    def __init__(self, name: str = "") -> None:
        super().__init__(_("“%(name)s”是其他区县的事项，本代办点不能代办。") % {"name": name})


class OtherVillage(PermissionDenied):
    code = "other_village"

    def __init__(self) -> None:
        super().__init__(_("该群众户籍不在本村（社区），请到其户籍所在村（社区）代办点办理。"))


class AlreadyFiled(Conflict):
    code = "already_filed"

    def __init__(self) -> None:
        super().__init__(_("已为该群众代办此事项，办件尚未办结，不能重复申请。"))


class MandateNotPending(Conflict):
    code = "mandate_not_pending"

    def __init__(self) -> None:
        super().__init__(_("该委托书不在待确认（待签字）状态。"))


class TillClosed(ValidationFailed):
    code = "till_closed"

    def __init__(self) -> None:
        super().__init__(_("当日账已日结，不能再收款或冲正；日结后的更正由主管部门退费。"))


class TillUnbalanced(ValidationFailed):
    code = "till_unbalanced"


class BadAmount(ValidationFailed):
    code = "bad_amount"


class ReversalOfReversal(ValidationFailed):
    code = "reversal_of_reversal"

    def __init__(self) -> None:
        super().__init__(_("冲正记录不能再冲正；如需更正请重新收款。"))


class AlreadyReversed(Conflict):
    code = "already_reversed"

    def __init__(self) -> None:
        super().__init__(_("该笔收款已冲正。"))


class AlreadyHandedOver(Conflict):
    code = "already_handed_over"

    def __init__(self) -> None:
        super().__init__(_("该批次已移交，不能重复移交。"))


class NothingToHandOver(ValidationFailed):
    code = "nothing_to_hand_over"

    def __init__(self) -> None:
        super().__init__(_("没有已日结、未移交的收款。"))
