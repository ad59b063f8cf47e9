"""Sign-in and password reset by SMS code (短信验证码), the way people in China expect to sign in.

A code goes to a phone only if an active account has verified that number; the answer is the same
either way, so the form does not tell strangers which numbers are registered. Sending is rate
limited per number and per client address (core.ratelimit); checking a code goes through the one
login guard (accounts.guard) like a password. The code is texted straight through the configured
SMS backend after commit - not through the outbox, whose rows and /me/ messages would keep it in
clear - and only hashes of the phone and of the code are stored.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import logging
import re
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from onewindow.core import ratelimit
from onewindow.core.audit import audit
from onewindow.core.errors import ValidationFailed
from onewindow.core.models import Notification

from . import guard
from .models import PhoneCode, User

logger = logging.getLogger("onewindow.accounts.phone")

CODE_LIFETIME = datetime.timedelta(minutes=5)
CODE_MAX_TRIES = 5
SEND_GAP = datetime.timedelta(seconds=60)  # one text per number per minute
SEND_PER_HOUR_PER_PHONE = 5
SEND_PER_HOUR_PER_IP = 20
_PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


def normalise_phone(phone: str) -> str:
    number = re.sub(r"[\s-]", "", phone or "")
    if number.startswith("+86"):
        number = number[3:]
    if not _PHONE_RE.match(number):
        raise ValidationFailed(_("请填写11位手机号码。"), code="bad_phone", fields={"phone": [_("请填写11位手机号码。")]})
    return number


def phone_key(phone: str) -> str:
    return ratelimit.private_key("phone", phone)


def _code_hash(key: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{key}|{code}".encode(), hashlib.sha256).hexdigest()


def account_for_phone(phone: str) -> User | None:
    return User.objects.filter(phone=phone, phone_verified_at__isnull=False, is_active=True).first()


def guard_subject(phone: str) -> str:
    """The lockout counts a code for a known phone against its account (so guessing codes and
    guessing the password share one lock), and an unknown phone under a hash of it."""
    user = account_for_phone(phone)
    return user.username if user is not None else "phone:" + phone_key(phone)[:16]


def _text(purpose: str, code: str) -> str:
    minutes = int(CODE_LIFETIME.total_seconds() // 60)
    if purpose == PhoneCode.Purpose.VERIFY:
        return str(_("【%(site)s】您正在验证手机号，验证码 %(code)s，%(m)s分钟内有效。如非本人操作，请忽略。")) % {
            "site": settings.ONEWINDOW_SITE_NAME,
            "code": code,
            "m": minutes,
        }
    if purpose == PhoneCode.Purpose.RESET:
        return str(_("【%(site)s】您正在找回密码，验证码 %(code)s，%(m)s分钟内有效。如非本人操作，请忽略。")) % {
            "site": settings.ONEWINDOW_SITE_NAME,
            "code": code,
            "m": minutes,
        }
    return str(_("【%(site)s】您的登录验证码 %(code)s，%(m)s分钟内有效。请勿告诉他人。")) % {
        "site": settings.ONEWINDOW_SITE_NAME,
        "code": code,
        "m": minutes,
    }


def _send_now(*, phone: str, body: str, user: User) -> None:
    # An unsaved Notification: the backends' interface, without an outbox row keeping the code.
    message = Notification(channel=Notification.Channel.SMS, recipient=phone, body=body, user=user, kind="phone_code")
    try:
        import_string(settings.ONEWINDOW_SMS_BACKEND)().send(message)
    except Exception:  # the person can ask again after a minute; never log the number or the code
        logger.exception("phone code not sent (user %s)", user.pk)


def _limit_sending(key: str, ip: str | None) -> None:
    too_soon = _("验证码已发送，请1分钟后再获取。")
    if ip:
        ratelimit.hit(f"sms:ip:{ip}", limit=SEND_PER_HOUR_PER_IP, per=datetime.timedelta(hours=1))
    ratelimit.hit(f"sms:gap:{key}", limit=1, per=SEND_GAP, message=str(too_soon))
    ratelimit.hit(f"sms:hour:{key}", limit=SEND_PER_HOUR_PER_PHONE, per=datetime.timedelta(hours=1))


def phone_code_send(*, phone: str, purpose: str, ip: str | None) -> None:
    """Text a code to `phone` if it is an account's verified number. Rate limited whether or not
    it is, so the limits say nothing about registration either."""
    if purpose not in (PhoneCode.Purpose.LOGIN, PhoneCode.Purpose.RESET):
        raise ValidationFailed(_("未知的用途。"))
    number = normalise_phone(phone)
    key = phone_key(number)
    _limit_sending(key, ip)
    user = account_for_phone(number)
    if user is None:
        return
    _issue(user=user, number=number, key=key, purpose=purpose, ip=ip)


def _issue(*, user: User, number: str, key: str, purpose: str, ip: str | None) -> None:
    code = f"{secrets.randbelow(10**6):06d}"
    now = timezone.now()
    with transaction.atomic():
        # A new code replaces the earlier ones of the same purpose.
        PhoneCode.objects.filter(phone_key=key, purpose=purpose, used_at__isnull=True).update(used_at=now)
        PhoneCode.objects.create(
            phone_key=key,
            purpose=purpose,
            code_hash=_code_hash(key, code),
            user=user,
            created_at=now,
            expires_at=now + CODE_LIFETIME,
        )
        audit(actor=None, action="user.phone_code", target=user, data={"purpose": purpose, "ip": ip})
        body = _text(purpose, code)
        transaction.on_commit(lambda: _send_now(phone=number, body=body, user=user))


def phone_code_use(*, phone: str, purpose: str, code: str) -> User | None:
    """The account whose latest live code for `purpose` is `code`, using the code up; None for a
    wrong, expired or used code (a wrong one costs the code one of its tries)."""
    try:
        number = normalise_phone(phone)
    except ValidationFailed:
        return None
    key = phone_key(number)
    now = timezone.now()
    row = (
        PhoneCode.objects.filter(
            phone_key=key, purpose=purpose, used_at__isnull=True, expires_at__gt=now, attempts__lt=CODE_MAX_TRIES
        )
        .order_by("-created_at")
        .first()
    )
    if row is None:
        return None
    if not hmac.compare_digest(row.code_hash, _code_hash(key, (code or "").strip())):
        PhoneCode.objects.filter(pk=row.pk, attempts__lt=CODE_MAX_TRIES).update(attempts=F("attempts") + 1)
        return None
    if not PhoneCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now):
        return None  # a parallel request used it first
    if row.user_id is None:
        return None
    return User.objects.filter(pk=row.user_id, is_active=True).first()


def login_by_code(*, request: Any, phone: str, code: str) -> User:
    """Sign in with an SMS code through the guard (the SMS backend of `authenticate`)."""
    number = normalise_phone(phone)
    user = authenticate(request, phone=number, sms_code=code)
    if user is None:
        if getattr(request, "login_locked", False):
            raise guard.LockedOut(guard.locked_message(getattr(request, "login_wait", None)))
        raise ValidationFailed(_("验证码不正确或已过期。"), code="bad_code", fields={"sms_code": [_("验证码不正确或已过期。")]})
    return user


def password_reset_by_code(*, request: Any, phone: str, code: str, password: str) -> User:
    """找回密码: a code texted to the account's verified phone lets its holder set a new password.
    Checked through the same guard as a sign-in; the password rules are checked before the code is
    spent, so a weak password does not cost the person their code."""
    number = normalise_phone(phone)
    subject = guard_subject(number)
    guard.refuse_if_locked(request=request, subject=subject)
    user = account_for_phone(number)
    try:
        validate_password(password or "", user)
    except DjangoValidationError as exc:
        raise ValidationFailed(_("请检查填写的内容。"), fields={"password": list(exc.messages)}) from None
    owner = phone_code_use(phone=number, purpose=PhoneCode.Purpose.RESET, code=code)
    if owner is None:
        guard.failed(request=request, subject=subject)
        raise ValidationFailed(_("验证码不正确或已过期。"), code="bad_code", fields={"sms_code": [_("验证码不正确或已过期。")]})
    with transaction.atomic():
        owner.set_password(password)
        owner.save(update_fields=["password"])
        audit(actor=owner, action="user.password_reset", target=owner, data={"how": "sms", "ip": guard.client_ip(request)})
    guard.succeeded(request=request, user=owner, subject=subject, how="password_reset")
    return owner


# --- verifying the phone of a signed-in account (registration, /me/) ------------------------------


class PhoneTaken(ValidationFailed):
    status = 409
    code = "phone_taken"


def _taken(number: str, user: User) -> bool:
    return User.objects.filter(phone=number, phone_verified_at__isnull=False).exclude(pk=user.pk).exists()


def _taken_error() -> PhoneTaken:
    msg = _("这个手机号已由另一个账号验证。如是您本人的号码，请用该账号登录，或到政务服务中心办理。")
    return PhoneTaken(msg, fields={"phone": [msg]})


def phone_verify_send(*, user: User, ip: str | None, phone: str | None = None) -> str:
    """Text a code to the signed-in person's phone (after registration, or from /me/ for an
    account whose number was never verified). A new `phone` replaces an unverified number first.
    Same limits as every code (per number and per address); returns the number texted."""
    if user.phone_verified_at is not None and not phone:
        raise ValidationFailed(_("您的手机号已经验证过了。"), code="already_verified")
    number = normalise_phone(phone if phone else user.phone)
    if user.phone_verified_at is not None and number == user.phone:
        raise ValidationFailed(_("您的手机号已经验证过了。"), code="already_verified")
    if _taken(number, user):
        raise _taken_error()
    key = phone_key(number)
    _limit_sending(key, ip)
    with transaction.atomic():
        if number != user.phone:
            # Changing the number un-verifies it until the new one answers its code.
            User.objects.filter(pk=user.pk).update(phone=number, phone_verified_at=None)
            audit(actor=user, action="user.phone_change", target=user, data={"ip": ip})
            user.phone, user.phone_verified_at = number, None
        _issue(user=user, number=number, key=key, purpose=PhoneCode.Purpose.VERIFY, ip=ip)
    return number


def phone_verify_confirm(*, request: Any, user: User, code: str) -> User:
    """The code texted to the person's own number marks it verified; from then on SMS sign-in and
    找回密码 work for the account. A code sent to another account is no use here; wrong codes
    cost the code its tries and count in the login guard like a wrong password."""
    from django.db import IntegrityError

    number = normalise_phone(user.phone)
    guard.refuse_if_locked(request=request, subject=user.username)
    owner = phone_code_use(phone=number, purpose=PhoneCode.Purpose.VERIFY, code=code)
    if owner is None or owner.pk != user.pk:
        guard.failed(request=request, subject=user.username)
        raise ValidationFailed(_("验证码不正确或已过期。"), code="bad_code", fields={"sms_code": [_("验证码不正确或已过期。")]})
    now = timezone.now()
    try:
        with transaction.atomic():
            # Conditional: the number must still be the one the code was sent to.
            if not User.objects.filter(pk=user.pk, phone=number, phone_verified_at__isnull=True).update(phone_verified_at=now):
                raise ValidationFailed(_("验证码不正确或已过期。"), code="bad_code")
            audit(actor=user, action="user.phone_verify", target=user, data={"ip": guard.client_ip(request)})
    except IntegrityError:
        # Another account verified the same number a moment earlier (one verified phone per number).
        raise _taken_error() from None
    user.phone_verified_at = now
    return user
