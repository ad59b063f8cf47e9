"""Bookings of the signed-in person (book, mine, cancel, reschedule) and by the SMS's signed link
(no account needed)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Status

from onewindow.core.apikit import AUTH, PageParams, actor, page_of, paginate

from .. import selectors, services
from .base import _booking, _ok, _reload, router
from .schemas import ApptBookIn, ApptBookingOut, ApptSlotIn

# Operation ids name the module these operations were first written in (config/api.py).
OPERATION_IDS_MODULE = "onewindow.appointments.api"


# ---------------------------------------------------------------------------------------------
# Bookings (signed in)


@router.post("/bookings", auth=AUTH, response=_ok(201, ApptBookingOut), summary="Book a slot")
def book(request: HttpRequest, data: ApptBookIn) -> Any:
    m = selectors.matter_by_uuid(data.matter)
    slot = selectors.slot_by_ref(data.slot)
    b = services.booking_create(
        actor=actor(request),
        matter=m,
        slot=slot,
        channel=data.channel,
        id_number=data.id_number,
        person_name=data.person_name,
        phone=data.phone,
    )
    # The new booking as the service wrote it, not read back: its matter (with the booking rule),
    # area and point, agent and village are the objects the service was given, and every other
    # field is set in Python (no database default or trigger fills one). The read-back was two
    # statements (the booking with six joined tables, then the matter's booking rule) and a
    # third of the request's CPU in a profile of this endpoint.
    return Status(201, _booking(b))


@router.get("/bookings", auth=AUTH, response=_ok(200, page_of(ApptBookingOut)), summary="My bookings (own, or made as agent)")
def mine(request: HttpRequest, params: Query[PageParams]) -> Any:
    return paginate(selectors.my_bookings(actor(request)), params, _booking)


@router.get("/bookings/{code}", auth=AUTH, response=_ok(200, ApptBookingOut), summary="One booking")
def booking(request: HttpRequest, code: str) -> Any:
    return _booking(selectors.visible_booking(actor(request), code))


@router.post("/bookings/{code}/cancel", auth=AUTH, response=_ok(200, ApptBookingOut), summary="Cancel (up to the cutoff)")
def cancel(request: HttpRequest, code: str) -> Any:
    b = selectors.visible_booking(actor(request), code)
    return _booking(_reload(services.booking_cancel(actor=actor(request), booking=b)))


@router.post("/bookings/{code}/reschedule", auth=AUTH, response=_ok(200, ApptBookingOut), summary="Move to another slot")
def reschedule(request: HttpRequest, code: str, data: ApptSlotIn) -> Any:
    b = selectors.visible_booking(actor(request), code)
    slot = selectors.slot_by_ref(data.slot)
    return _booking(_reload(services.booking_reschedule(actor=actor(request), booking=b, slot=slot)))


# ---------------------------------------------------------------------------------------------
# Signed links (from the SMS; no account needed)


@router.get("/links/{token}", response=_ok(200, ApptBookingOut), summary="The booking a signed link manages")
def link(request: HttpRequest, token: str) -> Any:
    return _booking(_reload(services.booking_from_token(token)))


@router.post("/links/{token}/cancel", response=_ok(200, ApptBookingOut), summary="Cancel by signed link")
def link_cancel(request: HttpRequest, token: str) -> Any:
    b = services.booking_from_token(token)
    return _booking(_reload(services.booking_cancel(actor=None, booking=b, via_link=True)))


@router.post("/links/{token}/reschedule", response=_ok(200, ApptBookingOut), summary="Reschedule by signed link")
def link_reschedule(request: HttpRequest, token: str, data: ApptSlotIn) -> Any:
    b = services.booking_from_token(token)
    slot = selectors.slot_by_ref(data.slot)
    return _booking(_reload(services.booking_reschedule(actor=None, booking=b, slot=slot, via_link=True)))
