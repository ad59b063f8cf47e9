"""Accounts API (/api/v1/accounts/) for the mobile app: register, sign in for a bearer token,
the current user, care mode, enterprises and their handlers.

Authentication for every citizen/enterprise endpoint of the API is `AUTH` (onewindow/core/apikit.py): a bearer token
(`Authorization: Bearer ow_...`, from POST /accounts/token) or the browser session (with CSRF).
Handlers take the user from `request.auth`."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import StrictBool

from onewindow.core.apikit import AUTH, ERROR_CODES, BearerAuth, ErrorOut, PageParams, actor, page_of, paginate
from onewindow.core.errors import NotFound

from . import consent, guard, mfa, phone, services
from .models import Enterprise, PrivacyConsent, User

router = Router(tags=["accounts"])


class UserOut(Schema):
    username: str
    display_name: str
    masked_id_number: str
    phone: str
    verified: bool
    phone_verified: bool
    care_mode: bool
    roles: list[str]

    @staticmethod
    def of(user: User) -> dict[str, Any]:
        return {
            "username": user.username,
            "display_name": user.display_name,
            # Shown once verified: before that it would tell whether the number typed at
            # registration was already someone else's (withheld, accounts.services).
            "masked_id_number": user.masked_id_number if user.verified_at else "",
            "phone": user.phone[:3] + "****" + user.phone[-4:] if len(user.phone) == 11 else "",
            "verified": user.verified_at is not None,
            "phone_verified": user.phone_verified_at is not None,
            "care_mode": user.care_mode,
            "roles": sorted(user.role_names()),
        }


class RegisterIn(Schema):
    username: str
    password: str
    display_name: str
    id_number: str
    phone: str
    # Consent to the privacy notice (GET /accounts/privacy-notice: its version and address); a
    # registration without `true` is refused (422 `consent_required`), nothing stored.
    privacy_consent: StrictBool = False


class EnterpriseRegisterIn(RegisterIn):
    uscc: str
    enterprise_name: str
    is_sole_trader: StrictBool = False


class EnterpriseOut(Schema):
    uuid: UUID
    name: str
    masked_uscc: str
    legal_representative: str
    is_sole_trader: bool
    my_role: str


class TokenIn(Schema):
    username: str
    password: str
    name: str = ""
    otp: str = ""  # staff: the authenticator's code (second factor)


class TokenOut(Schema):
    token: str
    expires_at: datetime
    user: UserOut


class SmsCodeIn(Schema):
    phone: str
    purpose: str = "login"  # login | reset


class SmsTokenIn(Schema):
    phone: str
    code: str
    name: str = ""
    otp: str = ""  # staff: the authenticator's code (second factor)


class PasswordResetIn(Schema):
    phone: str
    code: str
    password: str


class PhoneVerifySendIn(Schema):
    phone: str = ""  # a corrected number; empty: the account's own


class PhoneVerifyIn(Schema):
    code: str


class CareModeIn(Schema):
    enabled: StrictBool


class HandlerIn(Schema):
    username: str
    id_number: str


class HandlerOut(Schema):
    username: str
    display_name: str
    kind: str


def _ent_out(ent: Enterprise, user: User) -> dict[str, Any]:
    role = ent.handlers.filter(user=user).values_list("kind", flat=True).first() or ""
    return {
        "uuid": ent.uuid,
        "name": ent.name,
        "masked_uscc": ent.masked_uscc,
        "legal_representative": ent.legal_representative,
        "is_sole_trader": ent.is_sole_trader,
        "my_role": role,
    }


class PrivacyNoticeOut(Schema):
    version: str
    url: str


@router.get("/privacy-notice", response={200: PrivacyNoticeOut, ERROR_CODES: ErrorOut}, auth=None)
def privacy_notice(request: HttpRequest) -> Any:
    """The privacy notice a registration consents to: its current version and the page that shows it."""
    return {"version": consent.notice_version(), "url": request.build_absolute_uri("/accounts/privacy/")}


@router.post("/register", response={201: UserOut, ERROR_CODES: ErrorOut}, auth=None)
def register(request: HttpRequest, data: RegisterIn) -> Any:
    user = services.account_register_citizen(**data.dict(), channel=PrivacyConsent.Channel.API, ip=guard.client_ip(request))
    return Status(201, UserOut.of(user))


@router.post("/register/enterprise", response={201: EnterpriseOut, ERROR_CODES: ErrorOut}, auth=None)
def register_enterprise(request: HttpRequest, data: EnterpriseRegisterIn) -> Any:
    ent = services.account_register_enterprise(**data.dict(), channel=PrivacyConsent.Channel.API, ip=guard.client_ip(request))
    return Status(201, _ent_out(ent, ent.handlers.get().user))


@router.post("/token", response={201: TokenOut, ERROR_CODES: ErrorOut}, auth=None)
def token_create(request: HttpRequest, data: TokenIn) -> Any:
    """Sign in (same lockout as the web sign-in) and receive a bearer token, shown once."""
    user = services.login_attempt(request=request, username=data.username, password=data.password)
    mfa.token_second_factor(request=request, user=user, otp=data.otp)
    token, secret = services.api_token_create(user=user, name=data.name)
    return Status(201, {"token": secret, "expires_at": token.expires_at, "user": UserOut.of(user)})


@router.post("/sms-code", response={202: None, ERROR_CODES: ErrorOut}, auth=None)
def sms_code(request: HttpRequest, data: SmsCodeIn) -> Any:
    """Text a sign-in (or password reset) code to a verified phone. The answer is the same whether
    or not the number belongs to an account; rate limited per number and per address (429)."""
    phone.phone_code_send(phone=data.phone, purpose=data.purpose, ip=guard.client_ip(request))
    return Status(202, None)


@router.post("/token/sms", response={201: TokenOut, ERROR_CODES: ErrorOut}, auth=None)
def token_create_sms(request: HttpRequest, data: SmsTokenIn) -> Any:
    """Sign in with the SMS code (same lockout as every sign-in) and receive a bearer token."""
    user = phone.login_by_code(request=request, phone=data.phone, code=data.code)
    mfa.token_second_factor(request=request, user=user, otp=data.otp)
    token, secret = services.api_token_create(user=user, name=data.name)
    return Status(201, {"token": secret, "expires_at": token.expires_at, "user": UserOut.of(user)})


@router.post("/password/reset", response={204: None, ERROR_CODES: ErrorOut}, auth=None)
def password_reset(request: HttpRequest, data: PasswordResetIn) -> Any:
    """找回密码: a code from POST /sms-code (purpose "reset") and the new password."""
    phone.password_reset_by_code(request=request, phone=data.phone, code=data.code, password=data.password)
    return Status(204, None)


@router.delete("/token", response={204: None, ERROR_CODES: ErrorOut}, auth=[BearerAuth()])
def token_revoke(request: HttpRequest) -> Any:
    """Sign out: revoke the bearer token used for this request."""
    secret = request.headers.get("Authorization", "").partition(" ")[2].strip()
    services.api_token_revoke_secret(secret=secret, actor=actor(request))
    return Status(204, None)


@router.get("/me", response={200: UserOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def me(request: HttpRequest) -> Any:
    return UserOut.of(actor(request))


@router.put("/me/care-mode", response={200: UserOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def care_mode(request: HttpRequest, data: CareModeIn) -> Any:
    return UserOut.of(services.care_mode_set(user=actor(request), enabled=data.enabled))


@router.post("/me/phone/verify/send", response={202: None, ERROR_CODES: ErrorOut}, auth=AUTH)
def phone_verify_send(request: HttpRequest, data: PhoneVerifySendIn) -> Any:
    """Text a code to verify the signed-in account's phone (or a corrected number, which replaces
    an unverified one). Rate limited like every code (429); a number another account verified: 409."""
    phone.phone_verify_send(user=actor(request), ip=guard.client_ip(request), phone=data.phone or None)
    return Status(202, None)


@router.post("/me/phone/verify", response={200: UserOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def phone_verify(request: HttpRequest, data: PhoneVerifyIn) -> Any:
    """The code marks the phone verified: SMS sign-in and password reset then work for the account."""
    return UserOut.of(phone.phone_verify_confirm(request=request, user=actor(request), code=data.code))


@router.get("/enterprises", response={200: page_of(EnterpriseOut), ERROR_CODES: ErrorOut}, auth=AUTH)
def enterprises(request: HttpRequest, params: Query[PageParams]) -> Any:
    user = actor(request)
    return paginate(
        Enterprise.objects.filter(handlers__user=user).distinct().order_by("name", "id"), params, lambda e: _ent_out(e, user)
    )


def _my_enterprise(user: User, uuid: UUID) -> Enterprise:
    ent = Enterprise.objects.filter(uuid=uuid, handlers__user=user).first()
    if ent is None:
        raise NotFound()
    return ent


@router.get("/enterprises/{uuid}/handlers", response={200: page_of(HandlerOut), ERROR_CODES: ErrorOut}, auth=AUTH)
def handlers(request: HttpRequest, uuid: UUID, params: Query[PageParams]) -> Any:
    ent = _my_enterprise(actor(request), uuid)
    return paginate(
        ent.handlers.select_related("user").order_by("kind", "created_at", "id"),
        params,
        lambda h: {"username": h.user.username, "display_name": h.user.display_name, "kind": h.kind},
    )


@router.post("/enterprises/{uuid}/handlers", response={201: HandlerOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def handler_add(request: HttpRequest, uuid: UUID, data: HandlerIn) -> Any:
    ent = _my_enterprise(actor(request), uuid)
    h = services.enterprise_handler_add(enterprise=ent, actor=actor(request), username=data.username, id_number=data.id_number)
    return Status(201, {"username": h.user.username, "display_name": h.user.display_name, "kind": h.kind})


@router.delete("/enterprises/{uuid}/handlers/{username}", response={204: None, ERROR_CODES: ErrorOut}, auth=AUTH)
def handler_remove(request: HttpRequest, uuid: UUID, username: str) -> Any:
    ent = _my_enterprise(actor(request), uuid)
    services.enterprise_handler_remove(enterprise=ent, actor=actor(request), username=username)
    return Status(204, None)


__all__ = ["AUTH", "ERROR_CODES", "ErrorOut", "actor", "router"]
