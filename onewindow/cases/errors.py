from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import Conflict


class WrongStatus(Conflict):
    code = "wrong_status"

    def __init__(self, status_label: object = None) -> None:
        if status_label is None:
            super().__init__(_("办件当前状态不允许此操作，可能已被他人处理，请刷新后重试。"))
        else:
            super().__init__(
                _("办件当前状态（%(status)s）不允许此操作，可能已被他人处理，请刷新后重试。") % {"status": status_label}
            )


class StepAlreadyHandled(Conflict):
    code = "step_already_handled"

    def __init__(self) -> None:
        super().__init__(_("该环节已被办理或不在办理中，请刷新后重试。"))


class PreReviewOpen(Conflict):
    """The department's 网上预审 of this online application is not finished."""

    code = "prereview_open"

    def __init__(self) -> None:
        super().__init__(_("该网上申请正在部门预审或等待申请人修改，预审通过后才能受理或告知补正。"))


class PreReviewNotOpen(Conflict):
    code = "prereview_not_open"

    def __init__(self) -> None:
        super().__init__(_("该办件不在待预审状态，可能已被他人处理，请刷新后重试。"))


class NoticeClosed(Conflict):
    """An objection to a public notice (公示) that is no longer running: it expired, or an earlier
    objection already ended it and sent the case back."""

    code = "notice_closed"

    def __init__(self) -> None:
        super().__init__(_("该公示已结束，不能再提出异议。如有问题，请向乡镇（街道）或民政部门反映。"))
