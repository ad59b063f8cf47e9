"""Every write of appointments: booking, cancel, reschedule, check-in, plan editing, sweeps. Split by
theme (links, booking, checkin, plans, sweeps; shared helpers in _common); import from here.

Capacity is the database's job: a booking takes a place with
`UPDATE slot SET booked = booked + 1 WHERE id = %s AND booked < capacity AND is_open` and checks the
row count; the CHECK constraint booked <= capacity backs it. The per-person limits are a partial
unique constraint (one active booking per ID number and matter) and a weekly counter row advanced
by a conditional UPDATE (count < limit).
"""

# Errors the module raised were importable from it before the split; they still are.
from ..errors import (
    AlreadyBooked,
    BadLink,
    ChangeNotAllowed,
    CheckInRefused,
    NotOffHoursBookable,
    OutsideBookingWindow,
    SlotClosed,
    SlotFull,
    WeeklyLimitReached,
)
from ._common import CODE_ALPHABET, DESK_CHANNELS, LINK_SALT, SELF_CHANNELS, _new_code, _place_text, _tell, _when_text, week_start
from .booking import (
    Person,
    _check_change,
    _check_slot_for,
    _count_in_week,
    _is_desk,
    _may_change,
    _release_places,
    _run_of_slots,
    _take_places,
    _uncount_in_week,
    _who,
    booking_cancel,
    booking_create,
    booking_reschedule,
    notification_retry,
)
from .checkin import CheckInResult, booking_check_in
from .links import booking_from_token, manage_token, manage_url
from .plans import (
    PlanChange,
    _after_plan_change,
    _check_manager,
    _overlaps,
    _parse_weekdays,
    _validate_times,
    county_calendar_changed,
    exception_add,
    exception_remove,
    rule_deactivate,
    rule_save,
)
from .sweeps import mark_no_shows, materialise_window, send_reminders

__all__ = [
    "CODE_ALPHABET",
    "DESK_CHANNELS",
    "LINK_SALT",
    "SELF_CHANNELS",
    "AlreadyBooked",
    "BadLink",
    "ChangeNotAllowed",
    "CheckInRefused",
    "CheckInResult",
    "NotOffHoursBookable",
    "OutsideBookingWindow",
    "Person",
    "PlanChange",
    "SlotClosed",
    "SlotFull",
    "WeeklyLimitReached",
    "_after_plan_change",
    "_check_change",
    "_check_manager",
    "_check_slot_for",
    "_count_in_week",
    "_is_desk",
    "_may_change",
    "_new_code",
    "_overlaps",
    "_parse_weekdays",
    "_place_text",
    "_release_places",
    "_run_of_slots",
    "_take_places",
    "_tell",
    "_uncount_in_week",
    "_validate_times",
    "_when_text",
    "_who",
    "booking_cancel",
    "booking_check_in",
    "booking_create",
    "booking_from_token",
    "booking_reschedule",
    "county_calendar_changed",
    "exception_add",
    "exception_remove",
    "manage_token",
    "manage_url",
    "mark_no_shows",
    "materialise_window",
    "notification_retry",
    "rule_deactivate",
    "rule_save",
    "send_reminders",
    "week_start",
]
