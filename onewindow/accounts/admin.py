"""Admin for organisations and users. Identity numbers are never shown in full: the change form
shows the masked number and does not carry the field at all."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.models import BaseInlineFormSet, ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import ApplicationError

from . import calendar, duties
from .models import CalendarOverride, Enterprise, EnterpriseHandler, OrgUnit, Role, RoleAssignment, User
from .tenancy import staff_county


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin[OrgUnit]):
    list_display = ["name", "code", "kind", "parent", "path"]
    list_filter = ["kind"]
    search_fields = ["name", "code", "short_name"]
    readonly_fields = ["code", "kind", "parent", "path"]
    fields = ["code", "name", "short_name", "kind", "parent", "path", "sort_order"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Units are created through accounts.services.org_unit_create (path, audit).
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RoleFormSet(BaseInlineFormSet[RoleAssignment, User, ModelForm[RoleAssignment]]):
    """三员分立 in the admin: the system administrator who edits accounts cannot hand out the
    security or audit administrator's role (granted by the security administrator or from the
    command line), and no account may end with two administrator duties."""

    def clean(self) -> None:
        super().clean()
        roles: set[str] = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("DELETE"):
                continue
            role = str(data.get("role") or "")
            roles.add(role)
            if role in (Role.SECURITY_ADMIN, Role.AUDIT_ADMIN) and (form.instance.pk is None or "role" in form.changed_data):
                raise ValidationError(_("安全管理员和审计管理员只能由安全管理员授予。"))
        held = {duties.ROLE_DUTY[r] for r in roles if r in duties.ROLE_DUTY}
        if self.instance.is_superuser:
            held.add(duties.SYSTEM)
        if len(held) > 1:
            raise ValidationError(_("三员分立：同一账号只能担任系统管理员、安全管理员、审计管理员中的一个。"))


class RoleInline(admin.TabularInline[RoleAssignment, User]):
    model = RoleAssignment
    formset = RoleFormSet
    extra = 0
    autocomplete_fields = ["org_unit"]


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    list_display = ["username", "display_name", "masked_id", "phone", "roles", "is_active"]
    list_filter = ["is_active", "is_staff", "role_assignments__role"]
    # Not searchable by identity number: the admin echoes the query into every link of the page.
    # The phone is encrypted: a search finds it by the whole number only (its lookup hash).
    search_fields = ["username", "display_name"]
    readonly_fields = ["masked_id", "verified_at", "last_login", "date_joined"]
    inlines = [RoleInline]

    def get_search_results(self, request: Any, queryset: Any, search_term: str) -> Any:
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term.isdigit() and 7 <= len(term) <= 20:
            found = found | queryset.filter(phone=term)
        return found, may_have_duplicates

    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("实名信息"), {"fields": ("display_name", "id_type", "masked_id", "verified_at", "phone", "email", "care_mode")}),
        (_("权限"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("时间"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "display_name", "password1", "password2")}),)

    @admin.display(description=_("证件号码"))
    def masked_id(self, obj: User) -> str:
        return obj.masked_id_number or "—"

    @admin.display(description=_("角色"))
    def roles(self, obj: User) -> str:
        return "、".join(str(a.get_role_display()) for a in obj.role_assignments.all())

    def get_queryset(self, request: HttpRequest) -> Any:
        qs = super().get_queryset(request).prefetch_related("role_assignments")
        county = staff_county(request.user)
        if county is None:
            return qs
        # People are province-wide, staff are a county's: a county's administrator manages the
        # people of the platform and its own staff, never another county's staff nor the
        # platform's own operators (a password reset there would be a way out of the county).
        elsewhere = RoleAssignment.objects.filter(
            Q(org_unit__isnull=False) & ~Q(org_unit__county_id=county)
            | Q(org_unit__isnull=True) & ~Q(role__in=[Role.CITIZEN, Role.ENTERPRISE])
        )
        return qs.filter(is_superuser=False).exclude(pk__in=elsewhere.values("user_id"))


class HandlerInline(admin.TabularInline[EnterpriseHandler, Enterprise]):
    model = EnterpriseHandler
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin[Enterprise]):
    list_display = ["name", "masked", "legal_representative", "is_sole_trader", "verified_at"]
    search_fields = ["name"]
    fields = ["name", "masked", "legal_representative", "is_sole_trader", "verified_at"]
    readonly_fields = ["masked", "verified_at"]
    inlines = [HandlerInline]

    @admin.display(description=_("统一社会信用代码"))
    def masked(self, obj: Enterprise) -> str:
        return obj.masked_uscc

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Enterprises are registered through accounts.services.enterprise_register (checksum, audit).
        return False


class CalendarOverrideForm(forms.ModelForm[CalendarOverride]):
    """The service's checks before saving, so a refusal shows on the form (a day the calendar does
    not cover, an override that changes nothing); a second override of the same day is caught by
    the form's unique check and, in a race, by the constraint in the service."""

    class Meta:
        model = CalendarOverride
        fields = ["county", "date", "is_workday", "name", "reason"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day = data.get("date") or self.instance.date
        if day is not None and not self.errors:
            try:
                calendar.check_day(day, bool(data.get("is_workday")))
            except ApplicationError as exc:
                raise ValidationError(str(exc.message)) from None
        return data


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin[CalendarOverride]):
    """A county's calendar overrides (accounts/calendar.py). A county's administrator lists, adds,
    changes and removes their county's only (accounts/admin_scope.py scopes the list and the
    county choice); every write goes through the audited service, which recomputes the county's
    open due dates."""

    form = CalendarOverrideForm
    list_display = ["date", "county", "is_workday", "name", "created_by"]
    list_filter = ["county", "is_workday"]
    search_fields = ["name", "reason"]
    date_hierarchy = "date"
    ordering = ["-date"]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        # A county's administrator enters for their own county: chosen for them (the only choice).
        initial = dict(super().get_changeform_initial_data(request))
        county = staff_county(request.user)
        if county is not None:
            initial.setdefault("county", county)
        return initial

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # The county and the day name the override: another day is another override.
        return ["county", "date", "created_by"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: CalendarOverride, form: Any, change: bool) -> None:
        # A refusal here is a race the form could not see (a duplicate entered meanwhile): the
        # ApplicationError page (core.middleware) says so and the admin's transaction rolls back.
        if change:
            calendar.calendar_override_change(
                override=obj, is_workday=obj.is_workday, name=obj.name, reason=obj.reason, actor=request.user
            )
        else:
            saved = calendar.calendar_override_add(
                county=obj.county, date=obj.date, is_workday=obj.is_workday, name=obj.name, reason=obj.reason, actor=request.user
            )
            obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: CalendarOverride) -> None:
        calendar.calendar_override_remove(override=obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset.select_related("county"):
            calendar.calendar_override_remove(override=obj, actor=request.user)
