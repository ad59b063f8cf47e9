"""Django admin for catalog staff (Chinese by default).

Published versions are read-only here as everywhere: an edit starts a new draft ("新建草稿"
action), which is then published ("发布" action). All writes go through catalog.services, so they
are validated and audited like any other.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from onewindow.core.audit import audit
from onewindow.core.errors import ApplicationError

from . import services
from .errors import CommittedExceedsStatutory
from .importexport import export_catalog
from .models import (
    Bundle,
    BundleItem,
    Delegation,
    LifeEvent,
    MaterialRequirement,
    Matter,
    MatterVersion,
    SearchSynonym,
    StandardMatter,
)
from .search import matter_filter

_M = TypeVar("_M", bound=Model)


class MaterialInline(admin.TabularInline[MaterialRequirement, MatterVersion]):
    model = MaterialRequirement
    extra = 0
    fields = ["sort_order", "name", "form", "quantity", "need", "condition_text", "shared_key", "template"]

    def _editable(self, obj: MatterVersion | None) -> bool:
        return obj is None or obj.status == MatterVersion.Status.DRAFT

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_delete_permission(request, obj)


class MatterVersionForm(forms.ModelForm[MatterVersion]):
    class Meta:
        model = MatterVersion
        fields = [*services.VERSION_FIELDS, "change_note"]

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        if data is None:  # never for a ModelForm (it returns cleaned_data); narrows the Optional
            return data
        statutory, committed = data.get("statutory_days"), data.get("committed_days")
        if statutory is not None and committed is not None and committed > statutory:
            self.add_error("committed_days", CommittedExceedsStatutory().message)
        return data


@admin.register(MatterVersion)
class MatterVersionAdmin(admin.ModelAdmin[MatterVersion]):
    form = MatterVersionForm
    list_display = ["name", "matter", "number", "status", "kind", "statutory_days", "committed_days", "published_at"]
    list_filter = ["status", "kind", "matter_type", "handling_level", "on_one_window", "on_mobile", "off_hours_bookable"]
    search_fields = ["name", "matter__code"]
    list_select_related = ["matter"]
    inlines = [MaterialInline]
    actions = ["publish_drafts"]
    readonly_fields = ["matter", "number", "status", "published_at"]
    fieldsets = [
        (None, {"fields": ["matter", "number", "status", "published_at", "name", "matter_type", "kind"]}),
        (
            _("时限与收费"),
            {"fields": ["statutory_days", "committed_days", "max_visits", "fee_required", "fee_description", "fee_basis"]},
        ),
        (_("条件与依据"), {"fields": ["conditions", "legal_basis", "commitment_text", "form_schema"]}),
        (
            _("层级与渠道"),
            {
                "fields": [
                    "handling_level",
                    "on_one_window",
                    "online_depth",
                    "on_mobile",
                    "off_hours_bookable",
                    "agent_eligible",
                    "audience",
                ]
            },
        ),
        (_("办理信息"), {"fields": ["consult_phone", "complaint_phone", "handling_place", "handling_hours", "change_note"]}),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Versions are created by "新建草稿" on a matter, never from scratch.
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.matter.standard_id is not None:
            # The province's entry sets these (services/standards.py); its revisions arrive as drafts.
            fields += list(StandardMatter.BASIC_FIELDS)
        return fields

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.status != MatterVersion.Status.DRAFT:
            return False  # published and retired versions are shown read-only
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: MatterVersion, form: Any, change: bool) -> None:
        changes = {k: form.cleaned_data[k] for k in form.changed_data if k in services.VERSION_FIELDS or k == "change_note"}
        try:
            services.matter_draft_update(version=obj, actor=request.user, **changes)
        except ApplicationError as exc:
            # The admin has already validated the form; a domain rule (committed <= statutory) may
            # still refuse. Show it rather than a 500.
            self.message_user(request, str(exc.message), level=messages.ERROR)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        # Materials of a draft edited inline: saved in the admin's transaction, with an audit row.
        super().save_formset(request, form, formset, change)
        if formset.has_changed():
            audit(
                actor=request.user,
                action="matter.draft_materials",
                target=form.instance.matter,
                data={"number": form.instance.number},
            )

    @admin.action(description=_("发布所选草稿"))
    def publish_drafts(self, request: HttpRequest, queryset: QuerySet[MatterVersion]) -> None:
        done = 0
        for version in queryset.filter(status=MatterVersion.Status.DRAFT):
            try:
                services.matter_publish(version=version, actor=request.user)
                done += 1
            except ApplicationError as exc:
                self.message_user(request, f"{version}: {exc.message}", level=messages.ERROR)
        self.message_user(request, _("已发布 %(n)d 个草稿。") % {"n": done})


class VersionInline(admin.TabularInline[MatterVersion, Matter]):
    model = MatterVersion
    extra = 0
    # A tuple: one value that fits the declared types of both `fields` and `readonly_fields`.
    fields = ("number", "name", "status", "published_at", "link")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("查看"))
    def link(self, obj: MatterVersion) -> str:
        return format_html('<a href="/catalog/m/{}/">{}</a>', obj.matter.code, _("办事指南"))


@admin.register(Matter)
class MatterAdmin(admin.ModelAdmin[Matter]):
    list_display = ["code", "search_name", "department", "service_area", "status"]
    list_filter = ["department", "service_area", "current_version__on_one_window", "current_version__handling_level"]
    search_fields = ["code", "search_name", "search_initials", "search_pinyin"]
    list_select_related = ["department", "service_area", "current_version"]
    readonly_fields = ["code", "department", "standard", "current_version", "search_name", "search_pinyin", "search_initials"]
    fields = [
        "code",
        "department",
        "standard",
        "current_version",
        "service_area",
        "life_events",
        "search_name",
        "search_initials",
    ]
    filter_horizontal = ["life_events"]
    inlines = [VersionInline]
    actions = ["create_drafts", "retire", "export_xlsx"]

    def get_search_results(self, request: HttpRequest, queryset: Any, search_term: str) -> tuple[Any, bool]:
        """The admin finds matters with the catalog's one matching rule (name, pinyin, initials,
        code fragments, synonyms), drafts and retired matters included."""
        if not search_term.strip():
            return queryset, False
        return queryset.filter(matter_filter(search_term[:100], using=queryset.db)), False

    def has_add_permission(self, request: HttpRequest) -> bool:
        # New matters come through the catalog import (codes are numbered by the service).
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("状态"))
    def status(self, obj: Matter) -> str:
        return obj.current_version.get_status_display() if obj.current_version else str(_("未发布"))

    def save_model(self, request: HttpRequest, obj: Matter, form: Any, change: bool) -> None:
        # Placement (area, life events) is saved with the M2M data in save_related.
        pass

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        services.matter_placement_update(
            matter=form.instance,
            service_area=form.cleaned_data.get("service_area"),
            life_events=form.cleaned_data.get("life_events", []),
            actor=request.user,
        )

    @admin.action(description=_("为所选事项新建草稿版本"))
    def create_drafts(self, request: HttpRequest, queryset: QuerySet[Matter]) -> None:
        done = 0
        for matter in queryset:
            try:
                services.matter_draft_create(matter=matter, actor=request.user)
                done += 1
            except ApplicationError as exc:
                self.message_user(request, f"{matter.code}: {exc.message}", level=messages.WARNING)
        self.message_user(request, _("已新建 %(n)d 个草稿，请在“事项版本”中编辑后发布。") % {"n": done})

    @admin.action(description=_("停用所选事项"))
    def retire(self, request: HttpRequest, queryset: QuerySet[Matter]) -> None:
        for matter in queryset:
            try:
                services.matter_retire(matter=matter, actor=request.user, reason="admin")
            except ApplicationError as exc:
                self.message_user(request, f"{matter.code}: {exc.message}", level=messages.WARNING)

    @admin.action(description=_("导出所选事项（.xlsx）"))
    def export_xlsx(self, request: HttpRequest, queryset: QuerySet[Matter]) -> HttpResponse:
        response = HttpResponse(
            export_catalog(queryset.filter(current_version__isnull=False)),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="catalog-{timezone.localdate():%Y%m%d}.xlsx"'
        return response

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        extra_context = extra_context or {}
        extra_context["title"] = _("政务服务事项（导入导出见 /catalog/manage/）")
        return super().changelist_view(request, extra_context)


class BundleItemInline(admin.TabularInline[BundleItem, Bundle]):
    model = BundleItem
    extra = 0
    fields = ("sort_order", "matter")
    readonly_fields = fields


class ViewOnlyAdmin(admin.ModelAdmin[_M]):
    """Bundles and delegations are created by catalog.services (validated, audited); the admin
    shows them."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Bundle)
class BundleAdmin(ViewOnlyAdmin[Bundle]):
    list_display = ["code", "name", "lead_department", "service_area", "is_active"]
    search_fields = ["code", "name"]
    inlines = [BundleItemInline]


@admin.register(Delegation)
class DelegationAdmin(ViewOnlyAdmin[Delegation]):
    list_display = ["matter", "township", "effective_on", "revoked_on", "document"]
    list_filter = ["township", "effective_on"]
    search_fields = ["matter__code", "matter__search_name"]
    date_hierarchy = "effective_on"


@admin.register(LifeEvent)
class LifeEventAdmin(admin.ModelAdmin[LifeEvent]):
    list_display = ["code", "name", "audience", "sort_order"]
    list_editable = ["sort_order"]


@admin.register(SearchSynonym)
class SearchSynonymAdmin(admin.ModelAdmin[SearchSynonym]):
    """The common names people search with (社保卡, 户口) and the catalog's words for them; the
    catalog search uses the list as soon as it is saved."""

    list_display = ["term", "words", "updated_at"]
    search_fields = ["term", "words"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        from django.db import transaction

        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit(actor=request.user, action="catalog.synonym_save", target=obj, data={"term": obj.term, "words": obj.words})

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        from django.db import transaction

        with transaction.atomic():
            audit(actor=request.user, action="catalog.synonym_delete", target=obj, data={"term": obj.term})
            super().delete_model(request, obj)


class StandardMatterForm(forms.ModelForm[StandardMatter]):
    """The revision the editor saw travels with the form, so a revision saved by someone else in
    the meantime is refused instead of overwritten."""

    seen_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = StandardMatter
        fields = ["basic_code", *StandardMatter.BASIC_FIELDS, "revision_note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_revision"].initial = self.instance.revision
            self.initial["revision_note"] = ""  # each revision says what it changes
            self.fields["revision_note"].help_text = _("必填：各县（区）据此审核收到的草稿。")

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        if data is None or not self.instance.pk:
            return data
        stored = StandardMatter.objects.get(pk=self.instance.pk)
        seen = data.get("seen_revision")
        if seen is not None and seen != stored.revision:
            raise forms.ValidationError(_("该事项已被他人修订为第 %(n)d 版，请刷新后重试。") % {"n": stored.revision})
        if not str(data.get("revision_note") or "").strip():
            self.add_error("revision_note", _("请填写修订说明，各县（区）据此审核草稿。"))
        if all(data.get(k) == getattr(stored, k) for k in StandardMatter.BASIC_FIELDS):
            raise forms.ValidationError(_("基本要素没有变化。"))
        return data


class StandardRetireForm(forms.Form):
    effective_on = forms.DateField(label=_("取消生效日期"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("取消原因"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    seen_revision = forms.IntegerField(widget=forms.HiddenInput)


@admin.register(StandardMatter)
class StandardMatterAdmin(admin.ModelAdmin[StandardMatter]):
    """The province's standard catalog. Its operators (administrators with no unit) add and revise
    entries; a county's administrator reads them (to implement one, the catalog import's 基本编码
    column). Every write goes through catalog.services.standards."""

    form = StandardMatterForm
    list_display = ["basic_code", "name", "matter_type", "statutory_days", "revision", "implementations", "retire_link"]
    list_filter = ["matter_type"]
    search_fields = ["basic_code", "name"]
    readonly_fields = ["revision"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["basic_code", *StandardMatter.BASIC_FIELDS, "revision", "revision_note", "seen_revision", "retire_link"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["basic_code", "revision", "retire_link"] if obj is not None else ["revision", "retire_link"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).annotate(n_matters=Count("matters"))

    @admin.display(description=_("实施的县（区）事项"))
    def implementations(self, obj: Any) -> int:
        return int(getattr(obj, "n_matters", 0))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return services.is_province_operator(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return services.is_province_operator(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # counties' matters point at it; an entry is revised or retired, not deleted

    def get_urls(self) -> list[Any]:
        from django.urls import path

        return [
            path("<int:pk>/retire/", self.admin_site.admin_view(self.retire_view), name="catalog_standardmatter_retire"),
            *super().get_urls(),
        ]

    @admin.display(description=_("取消"))
    def retire_link(self, obj: StandardMatter) -> str:
        from django.urls import reverse

        if obj.pk is None:
            return "—"
        if obj.retired_on is not None:
            return str(_("已于 %(d)s 取消") % {"d": obj.retired_on.isoformat()})
        return format_html('<a href="{}">{}</a>', reverse("admin:catalog_standardmatter_retire", args=[obj.pk]), _("取消…"))

    def retire_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """取消: the entry's retirement with its date and reason (services.standard_retire), the
        revision the operator saw carried as for a revision."""
        from django.core.exceptions import PermissionDenied as Forbidden
        from django.shortcuts import get_object_or_404, redirect
        from django.template.response import TemplateResponse

        if not self.has_change_permission(request):
            raise Forbidden
        entry = get_object_or_404(StandardMatter, pk=pk)
        form = StandardRetireForm(request.POST or None, initial={"seen_revision": entry.revision})
        if request.method == "POST" and form.is_valid():
            try:
                _entry, told = services.standard_retire(
                    standard=entry,
                    actor=request.user,
                    expected_revision=form.cleaned_data["seen_revision"],
                    reason=form.cleaned_data["reason"],
                    effective_on=form.cleaned_data["effective_on"],
                )
            except ApplicationError as exc:
                form.add_error(None, str(exc.message))
                for field, errors in (exc.fields or {}).items():
                    if field in form.fields:
                        for error in errors:
                            form.add_error(field, str(error))
            else:
                self.message_user(request, _("已取消；已通知 %(n)d 个县（区）事项停止实施。") % {"n": told})
                return redirect("admin:catalog_standardmatter_change", entry.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("取消省级基本目录事项"),
            "entry": entry,
            "form": form,
            "implementations": entry.matters.count(),
        }
        return TemplateResponse(request, "admin/catalog/standardmatter/retire.html", context, status=422 if form.errors else 200)

    def save_model(self, request: HttpRequest, obj: StandardMatter, form: Any, change: bool) -> None:
        basic = {k: form.cleaned_data[k] for k in StandardMatter.BASIC_FIELDS}
        try:
            if not change:
                created = services.standard_create(actor=request.user, basic_code=form.cleaned_data["basic_code"], **basic)
                obj.pk = created.pk
                return
            stored = StandardMatter.objects.get(pk=obj.pk)
            seen = form.cleaned_data.get("seen_revision") or stored.revision
            _revised, drafts = services.standard_revise(
                standard=stored,
                actor=request.user,
                expected_revision=seen,
                note=form.cleaned_data.get("revision_note") or "",
                **{k: v for k, v in basic.items() if v != getattr(stored, k)},
            )
            self.message_user(request, _("已修订；%(n)d 个县（区）事项生成了待发布的草稿。") % {"n": drafts})
        except ApplicationError as exc:
            self.message_user(request, str(exc.message), level=messages.ERROR)
