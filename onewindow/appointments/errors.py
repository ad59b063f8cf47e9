"""Domain errors of appointments. Messages are translated lazily (zh-hans source, English catalog)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import ApplicationError, Conflict, ValidationFailed


class SlotFull(Conflict):
    code = "slot_full"

    def __init__(self) -> None:
        super().__init__(_("该时段已约满，请选择其他时段。"))


class SlotClosed(Conflict):
    code = "slot_closed"

    def __init__(self) -> None:
        super().__init__(_("该时段已停止预约。"))


class AlreadyBooked(Conflict):
    code = "already_booked"

    def __init__(self) -> None:
        super().__init__(_("您已有该事项的有效预约，请先办理或取消后再预约。"))


class WeeklyLimitReached(Conflict):
    code = "weekly_limit"

    def __init__(self, limit: int) -> None:
        super().__init__(_("同一证件每周最多预约 %(n)s 次（含爽约）。") % {"n": limit})


class OutsideBookingWindow(ValidationFailed):
    code = "outside_booking_window"


class NotOffHoursBookable(ValidationFailed):
    code = "not_off_hours_bookable"

    def __init__(self) -> None:
        super().__init__(_("该事项不提供延时错时预约，请选择工作时间的时段。"))


class ChangeNotAllowed(Conflict):
    code = "change_not_allowed"


class CheckInRefused(Conflict):
    code = "check_in_refused"


class BadLink(ApplicationError):
    status = 403
    code = "bad_link"

    def __init__(self) -> None:
        super().__init__(_("链接无效或已过期。"))
