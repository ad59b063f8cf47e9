"""Admin for route versions (流程再造) and a read-only view of cases.

Drafts are edited here (stages inline; each stage's department steps on the stage page); a
published route is read-only. Actions: publish, copy as a new draft, compare two versions, export
BPMN. Cases change only through the services (workbench / API), never by editing rows."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import ApplicationError

from . import routes
from .models import Case, CaseEvent, CaseStep, RouteStage, RouteStep, RouteVersion, Warning


def _editable(obj: Any) -> bool:
    route = obj if isinstance(obj, RouteVersion) else getattr(obj, "route", None)
    return route is None or route.status == RouteVersion.Status.DRAFT


class RouteStageInline(admin.TabularInline[RouteStage, RouteVersion]):
    model = RouteStage
    extra = 0
    fields = ["order", "name"]
    show_change_link = True

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editable(obj) and super().has_change_permission(request, obj)

    has_add_permission = has_change_permission
    has_delete_permission = has_change_permission


class RouteStepInline(admin.TabularInline[RouteStep, RouteStage]):
    model = RouteStep
    extra = 1
    fields = ["sort_order", "department", "name", "kind", "limit_days"]
    autocomplete_fields: ClassVar[list[str]] = []

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return (obj is None or _editable(obj)) and super().has_change_permission(request, obj)

    has_add_permission = has_change_permission
    has_delete_permission = has_change_permission


@admin.register(RouteStage)
class RouteStageAdmin(admin.ModelAdmin[RouteStage]):
    list_display = ["route", "order", "name"]
    inlines = [RouteStepInline]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return False  # reached from its route version

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return (obj is None or _editable(obj)) and super().has_change_permission(request, obj)


@admin.register(RouteVersion)
class RouteVersionAdmin(admin.ModelAdmin[RouteVersion]):
    list_display = ["name", "number", "matter", "bundle", "status", "published_at", "critical_days"]
    list_filter = ["status"]
    search_fields = ["name", "matter__code", "bundle__code", "bundle__name"]
    inlines = [RouteStageInline]
    actions = ["publish", "copy_as_draft", "compare_two", "export_bpmn"]
    readonly_fields = ["status", "published_at", "number"]
    raw_id_fields = ["matter", "bundle"]

    @admin.display(description=_("关键路径（工作日）"))
    def critical_days(self, obj: RouteVersion) -> int:
        return routes.summarize(obj).critical_days

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return (obj is None or _editable(obj)) and super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: RouteVersion, form: Any, change: bool) -> None:
        if not change:
            # Numbered under the parent's lock by the service, then the admin fills in the stages.
            draft = routes.route_draft_create(
                actor=request.user,  # type: ignore[arg-type]  # admin pages: a signed-in staff user (hooks take HttpRequest)
                name=obj.name,
                matter=obj.matter,
                bundle=obj.bundle,
                note=obj.note,
                stages=[],
                allow_empty=True,
            )
            obj.pk, obj.number, obj.uuid = draft.pk, draft.number, draft.uuid
            obj._state.adding = False
            return
        super().save_model(request, obj, form, change)

    @admin.action(description=_("发布所选草稿"))
    def publish(self, request: HttpRequest, queryset: QuerySet[RouteVersion]) -> None:
        for route in queryset:
            try:
                routes.route_publish(route=route, actor=request.user)  # type: ignore[arg-type]  # as above
            except ApplicationError as exc:
                self.message_user(request, f"{route}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, _("已发布：%(r)s") % {"r": route}, messages.SUCCESS)

    @admin.action(description=_("复制为新草稿"))
    def copy_as_draft(self, request: HttpRequest, queryset: QuerySet[RouteVersion]) -> None:
        for route in queryset:
            try:
                draft = routes.route_copy_as_draft(route=route, actor=request.user)  # type: ignore[arg-type]  # as above
            except ApplicationError as exc:
                self.message_user(request, f"{route}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, _("已创建草稿：%(r)s") % {"r": draft}, messages.SUCCESS)

    @admin.action(description=_("对比所选的两个版本"))
    def compare_two(self, request: HttpRequest, queryset: QuerySet[RouteVersion]) -> HttpResponse | None:
        items = list(queryset.order_by("number")[:3])
        if len(items) != 2:
            self.message_user(request, _("请正好选择两个版本。"), messages.WARNING)
            return None
        url = reverse("workbench:route_compare") + f"?a={items[0].uuid}&b={items[1].uuid}"
        return HttpResponseRedirect(url)

    @admin.action(description=_("导出 BPMN 2.0"))
    def export_bpmn(self, request: HttpRequest, queryset: QuerySet[RouteVersion]) -> HttpResponse | None:
        route = queryset.first()
        if route is None:
            return None
        return HttpResponseRedirect(reverse("workbench:route_bpmn", args=[route.uuid]))


class CaseStepInline(admin.TabularInline[CaseStep, Case]):
    model = CaseStep
    extra = 0
    fields = ("stage_order", "name", "department", "status", "due_on", "claimed_by", "acted_by", "comment")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CaseEventInline(admin.TabularInline[CaseEvent, Case]):
    model = CaseEvent
    extra = 0
    fields = ("at", "kind", "department", "actor", "note")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin[Case]):
    list_display = ["number", "title", "channel", "status", "received_at", "committed_due", "warning_level"]
    list_filter = ["status", "channel", "is_joint", "warning_level"]
    search_fields = ["number"]
    inlines = [CaseStepInline, CaseEventInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Case._meta.fields if f.name not in ("id",)]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Warning)
class WarningAdmin(admin.ModelAdmin[Warning]):
    list_display = ["created_at", "case", "step", "level", "reason", "resolved_at"]
    list_filter = ["level"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
