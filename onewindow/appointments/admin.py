"""Admin: read-only views of plans, slots and bookings (changes go through the services, so that a
plan change reconciles slots and lists the bookings it displaces), and the per-matter slot length."""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import admin
from django.db import models

from .county_policy import county_policy_set
from .models import Booking, CountyPolicy, DateException, MatterBookingRule, SessionRule, Slot
from .policy import COUNTY_KEYS

_M = TypeVar("_M", bound=models.Model)


class ReadOnly(admin.ModelAdmin[_M]):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(SessionRule)
class SessionRuleAdmin(ReadOnly[SessionRule]):
    list_display = ["area", "kind", "weekdays", "start", "end", "slot_minutes", "capacity", "is_active"]
    list_filter = ["kind", "is_active", "area__point"]


@admin.register(DateException)
class DateExceptionAdmin(ReadOnly[DateException]):
    list_display = ["area", "date", "kind", "session_kind", "start", "end", "capacity", "note"]
    list_filter = ["kind"]
    date_hierarchy = "date"


@admin.register(Slot)
class SlotAdmin(ReadOnly[Slot]):
    list_display = ["area", "date", "kind", "starts_at", "ends_at", "capacity", "booked", "is_open"]
    list_filter = ["kind", "is_open", "area__point"]
    date_hierarchy = "date"


@admin.register(Booking)
class BookingAdmin(ReadOnly[Booking]):
    list_display = ["code", "starts_at", "area", "matter", "person_name", "channel", "status", "is_off_hours", "displaced_at"]
    list_filter = ["status", "channel", "session_kind", "is_off_hours"]
    search_fields = ["code", "person_name"]
    date_hierarchy = "starts_at"
    exclude = ["id_number"]  # never shown in full


@admin.register(MatterBookingRule)
class MatterBookingRuleAdmin(admin.ModelAdmin[MatterBookingRule]):
    list_display = ["matter", "slot_units"]
    search_fields = ["matter__code", "matter__search_name"]
    raw_id_fields = ["matter"]


@admin.register(CountyPolicy)
class CountyPolicyAdmin(admin.ModelAdmin[CountyPolicy]):
    """A county's booking rules (the county's system administrator sees their county's row only:
    accounts/admin_scope.py). Writes go through appointments.county_policy (validated, audited)."""

    list_display = ["county", *COUNTY_KEYS]
    fields = ["county", *COUNTY_KEYS]

    def get_readonly_fields(self, request: Any, obj: Any = None) -> Any:
        return ["county"] if obj is not None else []

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # clear a field to go back to the deployment's value

    def save_model(self, request: Any, obj: CountyPolicy, form: Any, change: bool) -> None:
        county_policy_set(county=obj.county, actor=request.user, **{k: getattr(obj, k) for k in COUNTY_KEYS})
