"""The appointments API's schemas (what goes in and out)."""

from __future__ import annotations

import datetime
from uuid import UUID

from ninja import Schema

# ---------------------------------------------------------------------------------------------
# Schemas


class ApptMatterOut(Schema):
    uuid: UUID
    code: str
    name: str
    off_hours_bookable: bool
    slot_units: int = 1


class ApptPlaceOut(Schema):
    uuid: UUID
    code: str
    name: str
    point: str
    address: str
    phone: str


class ApptSlotOut(Schema):
    ref: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    kind: str
    off_hours: bool
    capacity: int
    free: int


class ApptDayOut(Schema):
    date: datetime.date
    holiday: str
    uncovered: bool
    message: str = ""
    free: int
    slots: list[ApptSlotOut]


class ApptOverviewDayOut(Schema):
    date: datetime.date
    free: int
    off_hours_free: int


class ApptOverviewAreaOut(Schema):
    area: UUID
    code: str
    name: str
    point: str
    days: list[ApptOverviewDayOut]
    uncovered: list[datetime.date]


class ApptMaterialOut(Schema):
    name: str
    form: str
    quantity: int
    condition: str


class ApptBookingOut(Schema):
    uuid: UUID
    code: str
    status: str
    matter: ApptMatterOut
    place: ApptPlaceOut
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    session_kind: str
    is_off_hours: bool
    person_name: str
    id_number: str  # masked
    channel: str
    agent: str = ""
    agent_unit: str = ""
    reschedule_count: int
    displaced: bool
    ticket_number: str
    checked_in_late: bool
    materials: list[ApptMaterialOut]
    qr_svg: str


class ApptBookIn(Schema):
    matter: UUID
    slot: str
    channel: str = "phone"
    id_number: str = ""
    person_name: str = ""
    phone: str = ""


class ApptSlotIn(Schema):
    slot: str


class ApptCheckInIn(Schema):
    code: str


class ApptCheckInOut(Schema):
    booking: ApptBookingOut
    ticket_number: str
    late: bool


class ApptRuleIn(Schema):
    kind: str
    weekdays: str = "01234"
    start: datetime.time
    end: datetime.time
    slot_minutes: int = 30
    capacity: int = 4


class ApptRuleOut(Schema):
    uuid: UUID
    kind: str
    off_hours: bool
    weekdays: str
    start: datetime.time
    end: datetime.time
    slot_minutes: int
    capacity: int
    is_active: bool


class ApptExceptionIn(Schema):
    date: datetime.date
    kind: str
    session_kind: str = ""
    start: datetime.time | None = None
    end: datetime.time | None = None
    slot_minutes: int = 30
    capacity: int = 4
    note: str = ""


class ApptExceptionOut(Schema):
    uuid: UUID
    date: datetime.date
    kind: str
    session_kind: str
    start: datetime.time | None
    end: datetime.time | None
    slot_minutes: int
    capacity: int
    note: str


class ApptDisplacedOut(Schema):
    code: str
    starts_at: datetime.datetime
    person_name: str
    phone: str


class ApptPlanOut(Schema):
    rules: list[ApptRuleOut]
    exceptions: list[ApptExceptionOut]
    displaced: list[ApptDisplacedOut]


class ApptPlanChangeOut(Schema):
    created: int
    updated: int
    closed: int
    displaced: list[ApptDisplacedOut]
