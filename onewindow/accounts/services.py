"""Writes for organisations, users and roles."""

from __future__ import annotations

import datetime
import hashlib
import re
import secrets
from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.core.audit import audit
from onewindow.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from onewindow.core.identity import validate_resident_id, validate_uscc

from . import guard
from .models import ApiToken, County, Enterprise, EnterpriseHandler, OrgUnit, Role, RoleAssignment, User


def org_unit_create(
    *,
    code: str,
    name: str,
    kind: str,
    parent: OrgUnit | None = None,
    short_name: str = "",
    sort_order: int = 0,
    actor: Any = None,
    county: County | None = None,
) -> OrgUnit:
    """A unit of the tree. A unit is in its parent's county; a root names its county (or is in
    the deployment's default county, ONEWINDOW_REGION_CODE)."""
    if parent is not None:
        if county is not None and county.pk != parent.county_id:
            raise ValidationFailed(_("下级机构必须与上级机构属于同一区县。"), code="other_county")
        county_pk = parent.county_id
    else:
        county_pk = (county or County.default()).pk
    with transaction.atomic():
        # The path segment is the code (unique in the county), not a sibling count, so two
        # concurrent creations under one parent cannot collide on the path; a root's path starts
        # with its county's code, so two counties' units of one code have different paths.
        path = (parent.path if parent else f"{county_pk}/") + f"{code}/"
        try:
            with transaction.atomic():
                unit = OrgUnit.objects.create(
                    code=code,
                    name=name,
                    kind=kind,
                    parent=parent,
                    path=path,
                    short_name=short_name,
                    sort_order=sort_order,
                    county_id=county_pk,
                )
        except IntegrityError:
            raise Conflict(_("机构编码已存在：%(code)s") % {"code": code}) from None
        audit(actor=actor, action="org_unit.create", target=unit, data={"code": code, "name": name})
        return unit


def role_grant(*, user: User, role: str, org_unit: OrgUnit | None = None, actor: Any = None) -> RoleAssignment:
    from .duties import check_grant, enter_group

    if role not in Role.values:
        raise ValidationFailed(_("未知角色。"))
    with transaction.atomic():
        # 三员分立: one administrator duty per account; lock the account's row so two parallel
        # grants of different duties cannot both pass the check.
        User.objects.select_for_update().filter(pk=user.pk).first()
        check_grant(user=user, role=role, actor=actor)
        if org_unit is not None:
            # Staff are bound to one county (docs/tenancy.md): their reads are scoped by it.
            other = user.role_assignments.filter(org_unit__isnull=False).exclude(org_unit__county_id=org_unit.county_id)
            if other.exists():
                raise Conflict(_("该用户已在其他区县任职，不能在本区县授予角色。"), code="other_county")
        assignment, created = RoleAssignment.objects.get_or_create(user=user, role=role, org_unit=org_unit)
        enter_group(user, role)
        if created:
            audit(
                actor=actor,
                action="role.grant",
                target=user,
                data={"role": role, "org_unit": org_unit.code if org_unit else None},
            )
        return assignment


def citizen_register(
    *,
    username: str,
    password: str,
    display_name: str,
    id_number: str,
    phone: str,
    actor: Any = None,
    verify: bool = True,
    withhold_taken_id: bool = False,
) -> User:
    """Create a citizen account after the real-name checks of core.identity.

    A number another account already holds is refused - or, for self-service registration
    (`withhold_taken_id`), the account is created without it and unverified, with the same answer
    as any registration, so the form tells nobody whether a number is registered. The real owner
    reclaims the number at a window (`accounts/identity.py`)."""
    number = validate_resident_id(id_number)
    with transaction.atomic():
        taken = User.objects.filter(id_number=number).exists()
        if taken and not withhold_taken_id:
            raise Conflict(_("该证件号码已注册。"), code="id_taken")
        if User.objects.filter(username__iexact=username).exists():
            raise Conflict(_("该用户名已被使用。"), code="user_taken")
        fields: dict[str, Any] = {"id_number": number, "verified_at": timezone.now() if verify else None}
        fields["id_type"] = User.IdType.of_number(number)
        if taken:
            fields = {"id_number": None, "verified_at": None, "id_type": ""}
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    username=username, password=password, display_name=display_name, phone=phone, **fields
                )
        except IntegrityError:
            if not withhold_taken_id or User.objects.filter(username__iexact=username).exists():
                raise Conflict(_("用户名或证件号码已被使用。"), code="user_taken") from None
            # The number was registered a moment ago by a parallel request: withhold it too.
            taken = True
            with transaction.atomic():
                user = User.objects.create_user(
                    username=username, password=password, display_name=display_name, phone=phone, id_number=None
                )
        RoleAssignment.objects.create(user=user, role=Role.CITIZEN)
        audit(actor=actor or user, action="user.register", target=user, data={"kind": "citizen", "id_withheld": taken})
        return user


def enterprise_register(
    *,
    uscc: str,
    name: str,
    legal_representative: str,
    user: User,
    is_sole_trader: bool = False,
    actor: Any = None,
    verify: bool = True,
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
                    verified_at=timezone.now() if verify else None,
                )
        except IntegrityError:
            raise Conflict(_("该统一社会信用代码已注册。"), code="uscc_taken") from None
        EnterpriseHandler.objects.create(enterprise=ent, user=user, kind=EnterpriseHandler.Kind.LEGAL_REPRESENTATIVE)
        RoleAssignment.objects.get_or_create(user=user, role=Role.ENTERPRISE, org_unit=None)
        audit(actor=actor or user, action="enterprise.register", target=ent, data={"name": name})
        return ent


# --- Sign-up, sign-in, lockout, care mode and API tokens (portal / phone) -------------------------

# The lockout itself lives in accounts.guard (one guard for every sign-in path).
LockedOut = guard.LockedOut
API_TOKEN_DAYS = 30
_USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@+-]{4,30}$")
_PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


def _check_account_fields(*, username: str, password: str, phone: str, display_name: str) -> None:
    fields: dict[str, list[Any]] = {}
    if not _USERNAME_RE.match(username or ""):
        fields["username"] = [_("用户名为4-30位字母、数字或 _.@+- 符号。")]
    elif User.objects.filter(username__iexact=username).exists():
        fields["username"] = [_("该用户名已被使用。")]
    if not _PHONE_RE.match(phone or ""):
        fields["phone"] = [_("请填写11位手机号码。")]
    try:
        validate_password(password or "", User(username=username, display_name=display_name))
    except DjangoValidationError as exc:
        fields["password"] = list(exc.messages)
    if fields:
        raise ValidationFailed(_("请检查填写的内容。"), fields=fields)


def registration_throttle(ip: str | None) -> None:
    """Self-service registrations per client address per hour (ONEWINDOW_REGISTER_PER_HOUR)."""
    from django.conf import settings

    from onewindow.core import ratelimit

    if ip:
        limit = int(getattr(settings, "ONEWINDOW_REGISTER_PER_HOUR", 10))
        ratelimit.hit(
            f"register:ip:{ip}", limit=limit, per=datetime.timedelta(hours=1), message=str(_("注册太频繁，请稍后再试。"))
        )


def account_register_citizen(
    *,
    username: str,
    password: str,
    display_name: str,
    id_number: str,
    phone: str,
    privacy_consent: Any = False,
    channel: str = "web",
    ip: str | None = None,
    throttled: bool = False,
) -> User:
    """Self-service registration: field rules, the consent to the privacy notice, the real-name
    backend, then `citizen_register` and the consent's record in one transaction. Throttled per
    address; verified only when the backend confirms who holds the number; a number already
    registered is withheld from the new account with the same answer (see above)."""
    from . import consent
    from .realname import backend

    if not throttled:
        registration_throttle(ip)
    username, display_name, phone = (username or "").strip(), (display_name or "").strip(), (phone or "").strip()
    # Report every problem at once: the field rules and the real-name check together.
    problems: dict[str, list[Any]] = {}
    number = ""
    realname = backend()
    try:
        _check_account_fields(username=username, password=password, phone=phone, display_name=display_name)
    except ValidationFailed as exc:
        problems.update(exc.fields)
    try:
        consent.require(privacy_consent)
    except ValidationFailed as exc:
        problems.update(exc.fields)
    try:
        number = realname.verify_person(name=display_name, id_number=id_number)
    except ValidationFailed as exc:
        if not problems:
            raise
        problems.update(exc.fields or {"id_number": [exc.message]})
    if problems:
        raise ValidationFailed(_("请检查填写的内容。"), fields=problems)
    try:
        with transaction.atomic():
            user = citizen_register(
                username=username,
                password=password,
                display_name=display_name,
                id_number=number,
                phone=phone,
                verify=bool(getattr(realname, "confirms_identity", False)),
                withhold_taken_id=True,
            )
            consent.record(user=user, channel=channel)
            return user
    except Conflict as exc:
        raise Conflict(exc.message, code=exc.code, fields={"username": [exc.message]}) from None


def account_register_enterprise(
    *,
    username: str,
    password: str,
    display_name: str,
    id_number: str,
    phone: str,
    uscc: str,
    enterprise_name: str,
    is_sole_trader: bool = False,
    privacy_consent: Any = False,
    channel: str = "web",
    ip: str | None = None,
) -> Enterprise:
    """The legal representative registers the enterprise and their own account in one step.
    (Enterprise codes are public records - 国家企业信用信息公示系统 - so saying one is registered
    tells nothing private; identity numbers are handled as in `account_register_citizen`.)"""
    from . import consent
    from .realname import backend

    registration_throttle(ip)
    consent.require(privacy_consent)
    realname = backend()
    code = realname.verify_enterprise(uscc=uscc, name=enterprise_name, legal_representative=display_name)
    with transaction.atomic():
        if Enterprise.objects.filter(uscc=code).exists():
            raise Conflict(_("该统一社会信用代码已注册。"), code="uscc_taken", fields={"uscc": [_("该统一社会信用代码已注册。")]})
        user = account_register_citizen(
            username=username,
            password=password,
            display_name=display_name,
            id_number=id_number,
            phone=phone,
            privacy_consent=privacy_consent,
            channel=channel,
            throttled=True,
        )
        return enterprise_register(
            uscc=code,
            name=enterprise_name.strip(),
            legal_representative=user.display_name,
            user=user,
            is_sole_trader=is_sole_trader,
            actor=user,
            verify=bool(getattr(realname, "confirms_identity", False)) and user.verified_at is not None,
        )


def _require_legal_representative(*, enterprise: Enterprise, actor: User) -> None:
    if not EnterpriseHandler.objects.filter(
        enterprise=enterprise, user=actor, kind=EnterpriseHandler.Kind.LEGAL_REPRESENTATIVE
    ).exists():
        raise PermissionDenied(_("只有法定代表人可以管理经办人。"))


def enterprise_handler_add(*, enterprise: Enterprise, actor: User, username: str, id_number: str) -> EnterpriseHandler:
    """The legal representative authorises a registered person as a handler (经办人). The person is
    named by username AND identity number, so a typo cannot authorise a stranger."""
    _require_legal_representative(enterprise=enterprise, actor=actor)
    with transaction.atomic():
        person = User.objects.filter(username=(username or "").strip(), id_number=(id_number or "").strip().upper()).first()
        if person is None:
            raise ValidationFailed(
                _("未找到该用户，请核对用户名和身份证号码。"),
                fields={"username": [_("未找到该用户，请核对用户名和身份证号码。")]},
            )
        try:
            with transaction.atomic():
                handler = EnterpriseHandler.objects.create(
                    enterprise=enterprise, user=person, kind=EnterpriseHandler.Kind.HANDLER
                )
        except IntegrityError:
            raise Conflict(_("该用户已是本企业经办人。"), code="handler_exists") from None
        RoleAssignment.objects.get_or_create(user=person, role=Role.ENTERPRISE, org_unit=None)
        audit(actor=actor, action="enterprise.handler_add", target=enterprise, data={"user": person.username})
        return handler


def enterprise_handler_remove(*, enterprise: Enterprise, actor: User, username: str) -> None:
    _require_legal_representative(enterprise=enterprise, actor=actor)
    with transaction.atomic():
        handler = EnterpriseHandler.objects.select_related("user").filter(enterprise=enterprise, user__username=username).first()
        if handler is None:
            raise NotFound()
        if handler.kind == EnterpriseHandler.Kind.LEGAL_REPRESENTATIVE:
            raise ValidationFailed(_("不能移除法定代表人。"))
        username = handler.user.username
        handler.delete()
        audit(actor=actor, action="enterprise.handler_remove", target=enterprise, data={"user": username})


def login_is_locked(*, username: str, ip: str | None, now: datetime.datetime | None = None) -> bool:
    return guard.is_locked(subject=username, ip=ip, now=now)


def login_attempt(*, request: Any, username: str, password: str) -> User:
    """Sign in by password through `authenticate()`, whose backend is the one login guard: refused
    while locked (even with the right password), a failure recorded, a success clearing the
    username's failures. Raises LockedOut or ValidationFailed("bad_credentials")."""
    user = authenticate(request, username=(username or "").strip(), password=password or "")
    if user is None:
        if getattr(request, "login_locked", False):
            raise LockedOut(guard.locked_message(getattr(request, "login_wait", None)))
        raise ValidationFailed(_("用户名或密码不正确。"), code="bad_credentials")
    return user


def login_failures_purge() -> int:
    """Sweep: drop failures older than the lockout window (they no longer count)."""
    return guard.purge()


def care_mode_set(*, user: User, enabled: bool) -> User:
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(care_mode=enabled)
        user.care_mode = enabled
        audit(actor=user, action="user.care_mode", target=user, data={"enabled": enabled})
    return user


def _token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_create(*, user: User, name: str = "", days: int = API_TOKEN_DAYS) -> tuple[ApiToken, str]:
    """Returns the token row and the secret (shown once; only its hash is stored)."""
    if not user.is_active:
        raise PermissionDenied()
    secret = "ow_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=(name or "")[:64],
            key_hash=_token_hash(secret),
            prefix=secret[3:11],
            expires_at=timezone.now() + datetime.timedelta(days=days),
        )
        audit(actor=user, action="api_token.create", target=token, data={"name": token.name})
    return token, secret


def api_token_revoke(*, token: ApiToken, actor: User) -> None:
    if token.user_id != actor.pk:
        raise NotFound()
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        audit(actor=actor, action="api_token.revoke", target=token)


def api_token_revoke_secret(*, secret: str, actor: User) -> None:
    """Sign out on the phone: revoke the token whose secret the request carried."""
    token = ApiToken.objects.filter(key_hash=_token_hash(secret or ""), user=actor).first()
    if token is None:
        raise NotFound()
    api_token_revoke(token=token, actor=actor)


def api_token_user(secret: str) -> User | None:
    """The active user behind a bearer secret, or None (unknown, revoked, expired)."""
    if not secret or not secret.startswith("ow_"):
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_token_hash(secret), revoked_at__isnull=True, expires_at__gt=now, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def password_change(*, user: User, old_password: str, new_password: str, ip: str | None = None) -> User:
    """The signed-in person changes their password (the staff policy applies through the
    validators: length, classes, no reuse; the history is recorded by the validator)."""
    if not user.check_password(old_password or ""):
        raise ValidationFailed(_("当前密码不正确。"), code="bad_password", fields={"old_password": [_("当前密码不正确。")]})
    try:
        validate_password(new_password or "", user)
    except DjangoValidationError as exc:
        raise ValidationFailed(_("请检查填写的内容。"), fields={"new_password": list(exc.messages)}) from None
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        audit(actor=user, action="user.password_change", target=user, data={"ip": ip})
    return user
