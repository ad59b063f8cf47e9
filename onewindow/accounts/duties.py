"""三员分立: the system, security and audit administrators are three people (等保 2.0 level 3,
安全管理中心).

- system administrator (`Role.ADMIN`; a Django superuser counts as one): users, roles, units, the
  catalog and every other setting;
- security administrator (`Role.SECURITY_ADMIN`): the sign-in policy's records - lockouts, second
  factor resets (accounts/security_views.py), devices, tokens, rate limits;
- audit administrator (`Role.AUDIT_ADMIN`): reads the audit log, nothing else.

An account holds at most one duty. `role_grant` refuses a second one, the admin's role inline
refuses it, and should an account end up with two anyway (a database edit, a superuser flag set
on an auditor), `duty_of` answers None and the account is refused all three: it fails closed.
A system check reports such accounts.

Django admin permissions follow the duties: every registered model belongs to one duty
(`model_duty`), `install_admin_guard()` wraps each ModelAdmin's permission methods so that only
that duty's holder passes, and `sync_groups()` keeps one Django group per duty with the model
permissions of its models (granting a duty role puts the person in that group and lets them into
/admin/). The duty roles of the security and audit administrators are granted only by the
security administrator or from the command line (`manage.py duty_grant`), never by the system
administrator who manages the accounts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import Conflict, PermissionDenied

from .models import Role

SYSTEM, SECURITY, AUDIT = "system", "security", "audit"
DUTY_ROLE = {SYSTEM: Role.ADMIN, SECURITY: Role.SECURITY_ADMIN, AUDIT: Role.AUDIT_ADMIN}
ROLE_DUTY = {role.value: duty for duty, role in DUTY_ROLE.items()}
GROUP_NAME = {SYSTEM: "三员-系统管理员", SECURITY: "三员-安全管理员", AUDIT: "三员-审计管理员"}

AUDIT_MODELS = frozenset({"core.auditentry", "core.auditseal", "core.auditchainhead"})
SECURITY_MODELS = frozenset(
    {
        "accounts.loginfailure",
        "accounts.passwordhistory",
        "accounts.phonecode",
        "accounts.apitoken",
        "core.ratelimithit",
        "otp_totp.totpdevice",
    }
)


def model_duty(label_lower: str) -> str:
    if label_lower in AUDIT_MODELS:
        return AUDIT
    if label_lower in SECURITY_MODELS:
        return SECURITY
    return SYSTEM


def duties(user: Any) -> set[str]:
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    held = {ROLE_DUTY[r] for r in user.role_assignments.filter(role__in=list(ROLE_DUTY)).values_list("role", flat=True)}
    if user.is_superuser:
        held.add(SYSTEM)
    return held


def duty_of(user: Any) -> str | None:
    """The one duty the account holds; None for none - and for two or more (refused everywhere)."""
    cached = getattr(user, "_ow_duty", False)  # False: not asked yet in this request
    if cached is None or isinstance(cached, str):
        return cached
    held = duties(user)
    duty = next(iter(held)) if len(held) == 1 else None
    if user is not None:
        user._ow_duty = duty
    return duty


def has_duty(user: Any, duty: str) -> bool:
    return duty_of(user) == duty


def require_duty(user: Any, duty: str) -> None:
    if not has_duty(user, duty):
        raise PermissionDenied(_("这项操作只能由%(duty)s办理。") % {"duty": DUTY_ROLE[duty].label})


def check_grant(*, user: Any, role: str, actor: Any) -> None:
    """Raise unless granting `role` to `user` keeps every account to one duty, and a security or
    audit duty is granted by the security administrator (or the command line, actor None)."""
    duty = ROLE_DUTY.get(role)
    if duty is None:
        return
    held = duties(user) if user.pk else ({SYSTEM} if user.is_superuser else set())
    if held - {duty}:
        raise Conflict(
            _("三员分立：同一账号不能同时担任%(a)s和%(b)s。")
            % {"a": DUTY_ROLE[sorted(held - {duty})[0]].label, "b": DUTY_ROLE[duty].label},
            code="duties_conflict",
        )
    if duty in (SECURITY, AUDIT) and actor is not None and not has_duty(actor, SECURITY):
        raise PermissionDenied(_("安全管理员和审计管理员只能由安全管理员授予。"))


def conflicting_accounts() -> list[Any]:
    """Active accounts holding two duties or more (the system check lists them)."""
    from django.db.models import Q

    from .models import User

    candidates = (
        User.objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(role_assignments__role__in=list(ROLE_DUTY)))
        .distinct()
    )
    return [u for u in candidates.prefetch_related("role_assignments") if len(duties(u)) > 1]


# --- Django admin ------------------------------------------------------------------------------


def _guarded(method: Callable[..., bool], duty: str) -> Callable[..., bool]:
    def check(request: Any, *args: Any, **kwargs: Any) -> bool:
        return has_duty(request.user, duty) and method(request, *args, **kwargs)

    return check


def install_admin_guard(site: Any = None) -> None:
    """Wrap the permission methods of every registered ModelAdmin: only the model's duty passes."""
    from django.contrib import admin

    site = site or admin.site
    for model, model_admin in site._registry.items():
        if getattr(model_admin, "_ow_duty_guarded", False):
            continue
        duty = model_duty(model._meta.label_lower)
        for name in (
            "has_module_permission",
            "has_view_permission",
            "has_add_permission",
            "has_change_permission",
            "has_delete_permission",
        ):
            setattr(model_admin, name, _guarded(getattr(model_admin, name), duty))
        model_admin._ow_duty_guarded = True
        model_admin.ow_duty = duty


def sync_groups() -> dict[str, Any]:
    """One group per duty holding the model permissions of that duty's registered models."""
    from django.contrib import admin
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    wanted: dict[str, list[int]] = {SYSTEM: [], SECURITY: [], AUDIT: []}
    for model in admin.site._registry:
        ct = ContentType.objects.get_for_model(model, for_concrete_model=False)
        perms = Permission.objects.filter(content_type=ct)
        if model_duty(model._meta.label_lower) == AUDIT:
            perms = perms.filter(codename__startswith="view_")  # the audit log is read, never edited
        wanted[model_duty(model._meta.label_lower)].extend(perms.values_list("pk", flat=True))
    groups = {}
    with transaction.atomic():
        for duty, pks in wanted.items():
            group, _created = Group.objects.get_or_create(name=GROUP_NAME[duty])
            group.permissions.set(pks)
            groups[duty] = group
    return groups


def enter_group(user: Any, role: str) -> None:
    """After a duty role is granted: the group of its duty, and the admin's door (is_staff)."""
    from django.contrib.auth.models import Group

    duty = ROLE_DUTY.get(role)
    if duty is None:
        return
    group = Group.objects.filter(name=GROUP_NAME[duty]).first() or sync_groups()[duty]
    user.groups.add(group)
    if not user.is_staff:
        type(user).objects.filter(pk=user.pk).update(is_staff=True)
        user.is_staff = True
