"""Admin for organisations and users. Identity numbers are never shown in full: the change form
shows the masked number and does not carry the field at all."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.models import BaseInlineFormSet, ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import duties
from .models import Enterprise, EnterpriseHandler, OrgUnit, Role, RoleAssignment, User
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
