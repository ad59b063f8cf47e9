from typing import Any, TypeVar

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import AgentApplication, AgentPoint, HandoverBatch, LedgerEntry, Mandate, MaterialForwarding, TillDay

_M = TypeVar("_M", bound=models.Model)


@admin.register(AgentPoint)
class AgentPointAdmin(admin.ModelAdmin[AgentPoint]):
    list_display = ["name", "village", "township", "phone", "opened_on"]
    list_filter = ["village__parent"]
    search_fields = ["name", "village__name", "village__code"]
    list_select_related = ["village", "village__parent"]
    autocomplete_fields = ["village"]

    @admin.display(description=_("乡镇（街道）"))
    def township(self, obj: AgentPoint) -> str:
        return obj.village.parent.name if obj.village.parent else ""


class ReadOnlyAdmin(admin.ModelAdmin[_M]):
    """Records written by the services only (signed texts, money): the admin reads, never edits."""

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Mandate)
class MandateAdmin(ReadOnlyAdmin[Mandate]):
    list_display = ["number", "point", "resident", "status", "valid_from", "valid_until", "method"]
    list_filter = ["status", "method"]
    search_fields = ["number", "resident__display_name", "point__name"]
    list_select_related = ["point", "resident"]


@admin.register(AgentApplication)
class AgentApplicationAdmin(ReadOnlyAdmin[AgentApplication]):
    list_display = ["kind", "point", "resident", "agent", "case", "created_at", "closed_at"]
    list_filter = ["kind"]
    list_select_related = ["point", "resident", "agent", "case"]


@admin.register(MaterialForwarding)
class MaterialForwardingAdmin(ReadOnlyAdmin[MaterialForwarding]):
    list_display = ["application", "to_unit", "due_on", "sent_at", "received_at", "warning"]
    list_filter = ["warning"]


@admin.register(TillDay)
class TillDayAdmin(ReadOnlyAdmin[TillDay]):
    list_display = ["point", "day", "status", "cash_fen", "transfer_fen", "entry_count"]
    list_filter = ["status"]
    date_hierarchy = "day"


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin[LedgerEntry]):
    list_display = ["number", "kind", "collection_kind", "method", "amount_fen", "resident", "created_at", "batch"]
    list_filter = ["kind", "collection_kind", "method"]
    search_fields = ["number", "payment_ref"]
    list_select_related = ["resident", "batch"]


@admin.register(HandoverBatch)
class HandoverBatchAdmin(ReadOnlyAdmin[HandoverBatch]):
    list_display = ["number", "point", "kind", "department", "status", "total_fen", "entry_count", "handed_over_at"]
    list_filter = ["status", "kind"]
