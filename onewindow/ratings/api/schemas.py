"""The ratings API's schemas (what goes in and out)."""

from __future__ import annotations

import datetime
from uuid import UUID

from ninja import Schema

# --- schemas -------------------------------------------------------------------------------------


class LevelOut(Schema):
    value: int
    label: str
    bad: bool
    tags: list[list[str]]


class OptionsOut(Schema):
    mode: str
    indicators: list[list[str]]
    levels: list[LevelOut]


class SubjectOut(Schema):
    kind: str
    uuid: UUID
    label: str
    mode: str
    unit: str
    staff: str
    window: int | None
    served_at: datetime.datetime


class RatingIn(Schema):
    level: int
    indicators: dict[str, int] = {}
    tags: list[str] = []
    comment: str = ""


class RateIn(RatingIn):
    kind: str
    subject: UUID


class PadRateIn(RatingIn):
    subject: UUID


class KioskRateIn(RatingIn):
    point: UUID
    number: str
    check_code: str
    kind: str = "case"


class FollowUpBrief(Schema):
    uuid: UUID
    status: str
    status_label: str
    verify_due: datetime.date
    reply_due: datetime.date
    # True when the due date lies in a year whose holiday schedule is only provisional (it may move).
    verify_due_provisional: bool = False
    reply_due_provisional: bool = False
    reply: str


class RatingOut(Schema):
    uuid: UUID
    kind: str
    subject: UUID
    label: str
    level: int
    level_label: str
    channel: str
    tags: list[str]
    indicators: dict[str, int]
    comment: str
    created_at: datetime.datetime
    corrects: UUID | None
    follow_up: FollowUpBrief | None


class FollowUpOut(FollowUpBrief):
    unit: str
    rating: RatingOut
    warning_level: str
    verify_note: str
    response_note: str
    appeal_status: str | None


class TextIn(Schema):
    text: str


class AnswerIn(Schema):
    confirmed: bool
    note: str = ""


class AppealIn(Schema):
    reason: str
    evidence: str


class DecisionIn(Schema):
    upheld: bool
    note: str


class AppealOut(Schema):
    uuid: UUID
    status: str
    unit: str
    reason: str
    evidence: str
    rating: RatingOut
    decision_note: str


class PadIn(Schema):
    window: UUID


class PadOut(Schema):
    window: UUID
    token: str


class PadCurrentOut(Schema):
    subject: SubjectOut | None
    clerk: str


class MonthQuery(Schema):
    month: str = ""


class ResultsQuery(MonthQuery):
    county: str = ""  # a county's 6-digit code; empty: every county's


class SummaryOut(Schema):
    count: int
    good: int
    bad: int
    average: float | None
    good_rate: float | None


class GroupOut(SummaryOut):
    name: str


class WindowRankOut(SummaryOut):
    rank: int
    window: int
    point: str


class CorrectionOut(Schema):
    date: datetime.date
    person: str
    service: str
    unit: str
    level: str
    reasons: str
    fixed: str
    status: str
    on_time: bool


class FollowUpFiguresOut(Schema):
    real_name_bad: int
    verified_on_time: int
    replied_on_time: int
    verified_on_time_rate: float | None
    replied_on_time_rate: float | None
    open: int
    red: int
    yellow: int


class ResultsOut(Schema):
    month: str
    total: SummaryOut
    by_unit: list[GroupOut]
    by_area: list[GroupOut]
    by_window: list[WindowRankOut]
    by_matter: list[GroupOut]
    follow_up: FollowUpFiguresOut
    corrections: list[CorrectionOut]


class StaffFiguresOut(Schema):
    month: str
    own_month: SummaryOut
    own_all: SummaryOut
    follow_up: FollowUpFiguresOut


class LinkOut(Schema):
    subject: SubjectOut
    options: OptionsOut
