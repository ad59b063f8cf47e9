"""Second factor for staff and administrators (等保 2.0 level 3: two kinds of authentication for
administrators and users of sensitive data).

TOTP through django-otp (`TOTPDevice`: RFC 6238, replay refused by the last used time step,
wrong codes throttled) is the second factor; a code texted to the account's verified phone is the
fallback - but not after a sign-in that was itself an SMS code, since then the phone would count
twice. An account with no authenticator yet binds one on the enrolment page (QR code drawn here,
no outside service) after passing the SMS code when it has a verified phone.

Enforcement is one rule for every sign-in path: `user_logged_in` (sent by the sign-in page, the
admin's login page, 找回密码 and every other `login()`) clears the session's second-factor mark,
and `accounts.signin.StaffSignInMiddleware` lets a staff session reach nothing but the second-factor
pages until the mark is set again; the API answers 401 `second_factor_required`. Bearer tokens for
staff are issued only with a TOTP code in the same request (`token_second_factor`). Wrong codes
count in the one login guard (accounts.guard) like wrong passwords. `ONEWINDOW_STAFF_OTP_REQUIRED`
(environment `STAFF_OTP_REQUIRED`, on by default) turns all of it on.

Recovery: a lost phone is the security administrator's business (`second_factor_reset`, audited,
the person told by SMS); nobody else can remove a device.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.core.audit import audit
from onewindow.core.errors import ApplicationError, PermissionDenied, ValidationFailed
from onewindow.core.qr import qr_svg

from . import guard, passwords, phone
from .models import PhoneCode, User

VERIFIED_KEY = "_ow_mfa"  # the user's pk once the second factor passed in this session
FIRST_FACTOR_KEY = "_ow_first"  # "password" | "sms" | ...: how the first factor was passed
SMS_PASSED_KEY = "_ow_mfa_sms"  # pk: the SMS code passed (enrolment of an authenticator may follow)


class SecondFactorRequired(ApplicationError):
    status = 401
    code = "second_factor_required"
    default_message = _("工作人员需要完成二次验证（身份验证器动态码）。")


def bad_code() -> ValidationFailed:
    msg = _("动态验证码不正确或已过期。")
    return ValidationFailed(msg, code="bad_otp", fields={"otp": [msg]})


def enabled() -> bool:
    return bool(getattr(settings, "ONEWINDOW_STAFF_OTP_REQUIRED", True))


def required_for(user: Any) -> bool:
    return enabled() and passwords.is_policy_subject(user)


def device_of(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def is_verified(request: Any) -> bool:
    return bool(request.user.is_authenticated and request.session.get(VERIFIED_KEY) == request.user.pk)


def first_factor(request: Any) -> str:
    return str(request.session.get(FIRST_FACTOR_KEY) or "password")


# First factors that were themselves a code texted to the phone (SMS sign-in, 找回密码 by SMS).
PHONE_FIRST_FACTORS = frozenset({"sms", "password_reset"})


def sms_allowed(request: Any, user: User) -> bool:
    return user.phone_verified_at is not None and first_factor(request) not in PHONE_FIRST_FACTORS


@receiver(user_logged_in)
def _new_sign_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    # Every sign-in starts without a second factor, whatever the session held before.
    if request is None or not hasattr(request, "session"):
        return
    request.session.pop(VERIFIED_KEY, None)
    request.session.pop(SMS_PASSED_KEY, None)
    request.session[FIRST_FACTOR_KEY] = getattr(request, "first_factor", "password")


def _passed(*, request: Any, user: User, how: str) -> None:
    request.session[VERIFIED_KEY] = user.pk
    with transaction.atomic():
        audit(actor=user, action="user.second_factor", target=user, data={"how": how, "ip": guard.client_ip(request)})


def _check_totp(*, request: Any, user: User, device: TOTPDevice, code: str) -> None:
    guard.refuse_if_locked(request=request, subject=user.username)
    if not (code or "").strip().isdigit() or not device.verify_token(code.strip()):
        guard.failed(request=request, subject=user.username)
        raise bad_code()


def totp_verify(*, request: Any, user: User, code: str) -> None:
    device = device_of(user)
    if device is None:
        raise ValidationFailed(_("您还没有绑定身份验证器。"), code="no_device")
    _check_totp(request=request, user=user, device=device, code=code)
    _passed(request=request, user=user, how="totp")


def sms_send(*, request: Any, user: User) -> None:
    """Text a second-factor code to the account's verified phone (rate limited like every code)."""
    if not sms_allowed(request, user):
        raise ValidationFailed(_("短信验证码不能作为本次登录的第二个因素，请使用身份验证器。"), code="sms_not_allowed")
    number = user.phone
    key = phone.phone_key(number)
    ip = guard.client_ip(request)
    phone._limit_sending(key, ip)
    phone._issue(user=user, number=number, key=key, purpose=PhoneCode.Purpose.SECOND, ip=ip)


def sms_verify(*, request: Any, user: User, code: str) -> None:
    if not sms_allowed(request, user):
        raise ValidationFailed(_("短信验证码不能作为本次登录的第二个因素，请使用身份验证器。"), code="sms_not_allowed")
    guard.refuse_if_locked(request=request, subject=user.username)
    owner = phone.phone_code_use(phone=user.phone, purpose=PhoneCode.Purpose.SECOND, code=code)
    if owner is None or owner.pk != user.pk:
        guard.failed(request=request, subject=user.username)
        raise bad_code()
    request.session[SMS_PASSED_KEY] = user.pk
    _passed(request=request, user=user, how="sms")


def may_enrol(request: HttpRequest, user: User) -> bool:
    """Binding a first authenticator: after the SMS code when the phone is verified (and the phone
    was not the first factor); an account with no verified phone binds on first use."""
    if device_of(user) is not None:
        return False
    if sms_allowed(request, user):
        return request.session.get(SMS_PASSED_KEY) == user.pk
    return True


def enrol_device(*, user: User) -> TOTPDevice:
    """The account's unconfirmed authenticator (created once, so reloading keeps the same QR)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=str(_("身份验证器")), confirmed=False)
    return device


def enrol_qr(device: TOTPDevice) -> str:
    return qr_svg(device.config_url, scale=4)


def enrol_secret(device: TOTPDevice) -> str:
    from base64 import b32encode

    return b32encode(device.bin_key).decode()


def enrol_confirm(*, request: Any, user: User, code: str) -> TOTPDevice:
    if not may_enrol(request, user):
        raise PermissionDenied(_("请先完成短信验证。"))
    device = enrol_device(user=user)
    _check_totp(request=request, user=user, device=device, code=code)
    with transaction.atomic():
        # Conditional: a parallel confirmation of another device cannot leave two.
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            raise ValidationFailed(_("您已经绑定了身份验证器。"), code="already_enrolled")
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
        audit(actor=user, action="user.otp_enrol", target=user, data={"ip": guard.client_ip(request)})
    request.session.pop(SMS_PASSED_KEY, None)
    _passed(request=request, user=user, how="enrol")
    return device


def token_second_factor(*, request: Any, user: User, otp: str) -> None:
    """The API's bearer tokens: a staff account sends its TOTP code with the sign-in."""
    if not required_for(user):
        return
    device = device_of(user)
    if device is None:
        raise SecondFactorRequired(_("请先在网页登录并绑定身份验证器，再在手机端登录。"))
    if not (otp or "").strip():
        raise SecondFactorRequired()
    _check_totp(request=request, user=user, device=device, code=otp)
    with transaction.atomic():
        audit(
            actor=user,
            action="user.second_factor",
            target=user,
            data={"how": "totp", "ip": guard.client_ip(request), "api": True},
        )


def second_factor_reset(*, user: User, actor: User, reason: str) -> int:
    """The security administrator removes a person's authenticators (lost or changed phone). The
    person binds a new one at the next sign-in; they are told by SMS."""
    from .duties import require_duty

    require_duty(actor, "security")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请填写原因。"), fields={"reason": [_("请填写原因。")]})
    if user.pk == actor.pk:
        raise PermissionDenied(_("不能重置自己的二次验证。"))
    with transaction.atomic():
        deleted: tuple[int, dict[str, int]] = TOTPDevice.objects.filter(user=user).delete()  # django-otp has no types
        removed = deleted[0]
        audit(actor=actor, action="user.otp_reset", target=user, data={"reason": reason[:200], "devices": removed})
        if user.phone:
            from onewindow.core.models import Notification
            from onewindow.core.notify import notify

            body = str(
                _("【%(site)s】您的身份验证器已由安全管理员重置，下次登录时请重新绑定。如非本人申请，请立即联系安全管理员。")
            ) % {"site": settings.ONEWINDOW_SITE_NAME}
            notify(channel=Notification.Channel.SMS, recipient=user.phone, body=body, user=user, kind="otp_reset")
    return removed


def demo_code(key_hex: str, at: float | None = None) -> str:
    """The current code of a TOTP key (the demo personas' documented key; tests)."""
    import time
    from binascii import unhexlify

    from django_otp.oath import TOTP

    totp = TOTP(unhexlify(key_hex.encode()))
    totp.time = at if at is not None else time.time()
    return f"{totp.token():06d}"
