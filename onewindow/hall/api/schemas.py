"""The hall API's schemas (what goes in and out)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from ninja import Schema


class TicketIn(Schema):
    area: UUID
    priority: str = "normal"
    id_number: str = ""
    phone: str = ""


class IssuedTicketOut(Schema):
    uuid: UUID
    number: str
    business_date: str
    status: str
    ahead: int | None = None
    estimated_wait_minutes: int | None = None


class TicketStatusOut(Schema):
    uuid: UUID
    number: str
    area: str
    point: str
    business_date: str
    status: str
    status_label: str
    ahead: int
    estimated_wait_minutes: int
    window: int | None


class AreaOut(Schema):
    uuid: UUID
    code: str
    name: str
    theme: str
    prefix: str
    waiting: int
    require_id_number: bool


class PointOut(Schema):
    uuid: UUID
    code: str
    name: str


class CallOut(Schema):
    id: int
    number: str
    window: int
    at: datetime
    recall: bool
    text: str


class CurrentOut(Schema):
    uuid: UUID
    number: str
    status: str
    area: str
    call_count: int
    intake_url: str


class QueueItemOut(Schema):
    uuid: UUID
    number: str
    area: str
    priority: str
    issued_at: datetime


class WindowOut(Schema):
    uuid: UUID
    number: int
    signed_in: str | None
    current: CurrentOut | None
    queue: list[QueueItemOut]
    held: list[QueueItemOut]


class CallSpecificIn(Schema):
    ticket: UUID


class TransferIn(Schema):
    area: UUID | None = None
    window: UUID | None = None
    position: str = "last"
    note: str = ""


class AreaLiveOut(Schema):
    uuid: UUID
    name: str
    waiting: int
    longest_wait_minutes: int
    issued_today: int
    open_windows: int
    warn: bool


class OverviewOut(Schema):
    areas: list[AreaLiveOut]
    windows_open: int
    windows_total: int
    figures: dict[str, Any]


class AreaSettingsIn(Schema):
    daily_cap: int | None = None
    warn_level: int | None = None
    service_level_minutes: int | None = None
    require_id_number: bool | None = None
    per_person_daily_limit: int | None = None
    default_service_minutes: int | None = None


class AreaSettingsOut(Schema):
    uuid: UUID
    daily_cap: int
    warn_level: int
    service_level_minutes: int | None
    require_id_number: bool
    per_person_daily_limit: int
    default_service_minutes: int
