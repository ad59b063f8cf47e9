"""The agent's workbench and the township's view of its points."""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Schema

from onewindow.core.apikit import AUTH, ERROR_CODES, ErrorOut, PageParams, actor, page_of, paginate
from onewindow.core.errors import PermissionDenied

from .. import access, selectors
from .base import _point, router

# Operation ids name the module these operations were first written in (config/api.py).
OPERATION_IDS_MODULE = "onewindow.assistance.api"


# --- workbench and township -----------------------------------------------------------------------


class ResidentOut(Schema):
    mandate: UUID
    name: str
    id_masked: str
    valid_until: datetime.date
    status: str
    open_cases: list[str]
    bookings: list[str]


class WorkbenchOut(Schema):
    point: str
    residents: list[ResidentOut]
    supplements: int
    to_forward: int  # materials not yet sent
    in_transit: int  # sent, waiting for the accepting unit's signature (not the agent's work)
    to_deliver: int
    follow_ups_due: int
    countersign: int
    till_cash_fen: int
    till_transfer_fen: int
    till_status: str


@router.get("/workbench", response={200: WorkbenchOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def workbench(request: HttpRequest) -> Any:
    """My residents with their mandates and open cases, what waits for me, my till today."""
    point = _point(request)
    waiting = selectors.waiting_for(point)
    till = selectors.till_today(point)
    return {
        "point": point.name,
        "residents": [
            {
                "mandate": r.mandate.uuid,
                "name": r.mandate.resident.display_name,
                "id_masked": r.mandate.resident.masked_id_number,
                "valid_until": r.mandate.valid_until,
                "status": r.mandate.status,
                "open_cases": [a.case.number for a in r.cases if a.case],
                "bookings": [a.booking.code for a in r.bookings if a.booking],
            }
            for r in selectors.my_residents(point)
        ],
        "supplements": len(waiting.supplements),
        "to_forward": len(waiting.to_forward),
        "in_transit": len(waiting.in_transit),
        "to_deliver": len(waiting.to_deliver),
        "follow_ups_due": len(waiting.follow_ups),
        "countersign": len(waiting.countersign),
        "till_cash_fen": till.cash_fen if till else 0,
        "till_transfer_fen": till.transfer_fen if till else 0,
        "till_status": till.status if till else "",
    }


class PointRowOut(Schema):
    point: str
    village_code: str
    township: str
    applications: int
    open_cases: int
    late_forwarding: int
    follow_ups: int
    follow_ups_due: int
    fees_month_fen: int


@router.get("/township", response={200: page_of(PointRowOut), ERROR_CODES: ErrorOut}, auth=AUTH)
def township(request: HttpRequest, params: Query[PageParams]) -> Any:
    """Township officers (their points), supervisors and administrators (all): work per point."""
    user = actor(request)
    if not access.overseen_points(user).exists():
        raise PermissionDenied()
    return paginate(
        selectors.township_points(user),
        params,
        lambda r: {
            "point": r["point"].name,
            "village_code": r["point"].village.code,
            "township": r["point"].village.parent.name if r["point"].village.parent else "",
            "applications": r["apps"],
            "open_cases": r["open_cases"],
            "late_forwarding": r["late_forwarding"],
            "follow_ups": r["follow_ups"],
            "follow_ups_due": r["follow_ups_due"],
            "fees_month_fen": r["fees_month_fen"],
        },
    )
