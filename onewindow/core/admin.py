from django.contrib import admin

from .models import AuditEntry, Notification, WorkCalendarDay


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "target_type", "target_id"]
    list_filter = ["action", "target_type"]
    search_fields = ["target_id", "action"]

    # The audit log is append-only: nobody edits or deletes history, not even an administrator.
    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "channel", "recipient", "kind", "status", "attempts", "last_error"]
    list_filter = ["status", "channel", "kind"]
    search_fields = ["recipient", "subject"]


@admin.register(WorkCalendarDay)
class WorkCalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "is_workday", "holiday_name", "source"]
    list_filter = ["is_workday", "source"]
    date_hierarchy = "date"
