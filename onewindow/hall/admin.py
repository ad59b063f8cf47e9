"""Administration of the halls' structure (points, areas, windows). Tickets and their events are
read-only here: they change only through the hall's services."""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from .models import ServiceArea, ServicePoint, Ticket, TicketEvent, Window, WindowArea, WindowSession

_M = TypeVar("_M", bound=models.Model)


class WindowAreaInline(admin.TabularInline[WindowArea, Window]):
    model = WindowArea
    extra = 1


@admin.register(ServicePoint)
class ServicePointAdmin(admin.ModelAdmin[ServicePoint]):
    list_display = ("code", "name", "org_unit", "service_level_minutes", "max_recalls")
    search_fields = ("code", "name")


@admin.register(ServiceArea)
class ServiceAreaAdmin(admin.ModelAdmin[ServiceArea]):
    list_display = ("code", "name", "point", "ticket_prefix", "daily_cap", "warn_level", "require_id_number")
    list_filter = ("point", "theme")
    search_fields = ("code", "name")


@admin.register(Window)
class WindowAdmin(admin.ModelAdmin[Window]):
    list_display = ("point", "number", "name", "is_active")
    list_filter = ("point", "is_active")
    inlines = [WindowAreaInline]


class ReadOnlyAdmin(admin.ModelAdmin[_M]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin[Ticket]):
    list_display = ("business_date", "number", "area", "status", "source", "priority", "window")
    list_filter = ("business_date", "point", "status", "source")
    search_fields = ("number",)
    exclude = ("id_number",)


@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnlyAdmin[TicketEvent]):
    list_display = ("at", "kind", "ticket", "window", "actor")
    list_filter = ("business_date", "kind", "point")


@admin.register(WindowSession)
class WindowSessionAdmin(ReadOnlyAdmin[WindowSession]):
    list_display = ("window", "user", "started_at", "ended_at")
    list_filter = ("window__point",)
