"""Writes for organisations, users and roles."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.core.audit import audit
from onewindow.core.errors import Conflict, ValidationFailed
from onewindow.core.identity import is_residence_permit, validate_resident_id, validate_uscc

from .models import Enterprise, EnterpriseHandler, OrgUnit, Role, RoleAssignment, User


def org_unit_create(
    *,
    code: str,
    name: str,
    kind: str,
    parent: OrgUnit | None = None,
    short_name: str = "",
    sort_order: int = 0,
    actor: Any = None,
) -> OrgUnit:
    with transaction.atomic():
        # The path segment is the unique code, not a sibling count, so two concurrent creations
        # under one parent cannot collide on the path.
        path = (parent.path if parent else "") + f"{code}/"
        try:
            with transaction.atomic():
                unit = OrgUnit.objects.create(
                    code=code, name=name, kind=kind, parent=parent, path=path, short_name=short_name, sort_order=sort_order
                )
        except IntegrityError:
            raise Conflict(_("机构编码已存在：%(code)s") % {"code": code}) from None
        audit(actor=actor, action="org_unit.create", target=unit, data={"code": code, "name": name})
        return unit


def role_grant(*, user: User, role: str, org_unit: OrgUnit | None = None, actor: Any = None) -> RoleAssignment:
    if role not in Role.values:
        raise ValidationFailed(_("未知角色。"))
    with transaction.atomic():
        assignment, created = RoleAssignment.objects.get_or_create(user=user, role=role, org_unit=org_unit)
        if created:
            audit(
                actor=actor,
                action="role.grant",
                target=user,
                data={"role": role, "org_unit": org_unit.code if org_unit else None},
            )
        return assignment


def citizen_register(
    *, username: str, password: str, display_name: str, id_number: str, phone: str, actor: Any = None, verify: bool = True
) -> User:
    """Create a citizen account after the real-name checks of core.identity."""
    number = validate_resident_id(id_number)
    with transaction.atomic():
        if User.objects.filter(id_number=number).exists():
            raise Conflict(_("该证件号码已注册。"), code="id_taken")
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    username=username,
                    password=password,
                    display_name=display_name,
                    id_number=number,
                    id_type=User.IdType.PERMIT if is_residence_permit(number) else User.IdType.RESIDENT,
                    phone=phone,
                    verified_at=timezone.now() if verify else None,
                )
        except IntegrityError:
            raise Conflict(_("用户名或证件号码已被使用。"), code="user_taken") from None
        RoleAssignment.objects.create(user=user, role=Role.CITIZEN)
        audit(actor=actor or user, action="user.register", target=user, data={"kind": "citizen"})
        return user


def enterprise_register(
    *, uscc: str, name: str, legal_representative: str, user: User, is_sole_trader: bool = False, actor: Any = None
) -> Enterprise:
    code = validate_uscc(uscc)
    with transaction.atomic():
        try:
            with transaction.atomic():
                ent = Enterprise.objects.create(
                    uscc=code,
                    name=name,
                    legal_representative=legal_representative,
                    is_sole_trader=is_sole_trader,
                    verified_at=timezone.now(),
                )
        except IntegrityError:
            raise Conflict(_("该统一社会信用代码已注册。"), code="uscc_taken") from None
        EnterpriseHandler.objects.create(enterprise=ent, user=user, kind=EnterpriseHandler.Kind.LEGAL_REPRESENTATIVE)
        RoleAssignment.objects.get_or_create(user=user, role=Role.ENTERPRISE, org_unit=None)
        audit(actor=actor or user, action="enterprise.register", target=ent, data={"name": name})
        return ent
