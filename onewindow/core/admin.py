from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry, Notification, WorkCalendarDay

AdminIndex = Callable[[HttpRequest, dict[str, Any] | None], TemplateResponse]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    list_display = ["at", "actor", "action", "target_type", "target_id"]
    list_filter = ["action", "target_type"]
    search_fields = ["target_id", "action"]

    # The audit log is append-only: nobody edits or deletes history, not even an administrator.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    list_display = ["created_at", "channel", "masked_recipient", "kind", "status", "attempts", "last_error"]
    list_filter = ["status", "channel", "kind"]
    # The recipient is encrypted: found by the whole number (its lookup hash), not by a part of it.
    search_fields = ["subject"]

    @admin.display(description=_("接收方"))
    def masked_recipient(self, obj: Notification) -> str:
        from .notify import mask_recipient

        return mask_recipient(obj.recipient)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Notification], search_term: str
    ) -> tuple[QuerySet[Notification], bool]:
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term.strip():
            found = found | queryset.filter(recipient=search_term.strip())
        return found, may_have_duplicates


class CalendarImportForm(forms.Form):
    year = forms.IntegerField(label=_("年份"), min_value=2000, max_value=2100)
    source = forms.CharField(label=_("来源"), max_length=32, initial="国务院办公厅通知")
    schedule = forms.CharField(
        label=_("节假日安排"),
        widget=forms.Textarea(attrs={"rows": 16, "cols": 60}),
        help_text=_(
            "每行一条：日期,rest|work,名称。例如 2027-01-01,rest,元旦 或 2027-02-07,work,春节调休。其余日期按周一至周五上班。"
        ),
    )


@admin.register(WorkCalendarDay)
class WorkCalendarDayAdmin(admin.ModelAdmin[WorkCalendarDay]):
    list_display = ["date", "is_workday", "holiday_name", "source"]
    list_filter = ["is_workday", "source"]
    date_hierarchy = "date"
    change_list_template = "admin/core/workcalendarday/change_list.html"

    def get_urls(self) -> list[URLPattern]:
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="core_workcalendarday_import"),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        from .calendar_seed import next_year_warning

        warning = next_year_warning(timezone.localdate())
        if warning:
            messages.warning(request, warning)
        return super().changelist_view(request, extra_context)

    def import_view(self, request: HttpRequest) -> HttpResponse:
        from .calendar_seed import import_year, parse_schedule
        from .errors import ApplicationError

        if not self.has_add_permission(request):
            raise PermissionDenied
        form = CalendarImportForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                rows = parse_schedule(form.cleaned_data["schedule"])
                n = import_year(
                    year=form.cleaned_data["year"], exceptions=rows, source=form.cleaned_data["source"], actor=request.user
                )
            except ApplicationError as exc:
                for msgs in exc.fields.values():
                    for m in msgs:
                        form.add_error("schedule", str(m))
                form.add_error(None, str(exc.message))
            else:
                messages.success(
                    request, _("已导入 %(year)s 年工作日历（%(n)s 天）。") % {"year": form.cleaned_data["year"], "n": n}
                )
                return redirect("admin:core_workcalendarday_changelist")
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "opts": self.model._meta,
            "title": _("导入年度节假日安排"),
        }
        return TemplateResponse(request, "admin/core/workcalendarday/import.html", context)


def _index_with_calendar_warning(site_index: AdminIndex) -> AdminIndex:
    """The admin index carries the November warning too: the administrators' landing page."""

    def index(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> TemplateResponse:
        from .calendar_seed import next_year_warning

        warning = next_year_warning(timezone.localdate())
        if warning and request.method == "GET":
            messages.warning(request, warning)
        return site_index(request, extra_context)

    return index


# The stubs declare `index` a method: an instance attribute (the bound one wrapped) is not one.
admin.site.index = _index_with_calendar_warning(admin.site.index)  # type: ignore[method-assign,assignment]
