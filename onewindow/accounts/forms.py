"""Forms only render and parse; the rules live in services (so the API applies the same ones)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import ApplicationError


def apply_error(form: forms.Form, exc: ApplicationError) -> None:
    """Show a service error on the form: per-field messages where the service named the field."""
    placed = False
    for name, messages in exc.fields.items():
        for message in messages if isinstance(messages, list | tuple) else [messages]:
            if name in form.fields:
                form.add_error(name, str(message))
                placed = True
    if not placed:
        form.add_error(None, str(exc.message))


class LoginForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput)


class SmsLoginForm(forms.Form):
    phone = forms.CharField(
        label=_("手机号"),
        max_length=14,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "numeric"}),
    )
    sms_code = forms.CharField(
        label=_("短信验证码"),
        max_length=6,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class PasswordResetForm(SmsLoginForm):
    password = forms.CharField(
        label=_("新密码"), required=False, widget=forms.PasswordInput, help_text=_("至少8位，不能全是数字，不能过于常见")
    )
    password2 = forms.CharField(label=_("再次输入新密码"), required=False, widget=forms.PasswordInput)


class PhoneVerifyForm(forms.Form):
    phone = forms.CharField(
        label=_("手机号"),
        max_length=14,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "numeric"}),
        help_text=_("号码填错了？改正后重新获取验证码"),
    )
    sms_code = forms.CharField(
        label=_("短信验证码"),
        max_length=6,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class CitizenRegisterForm(forms.Form):
    display_name = forms.CharField(label=_("姓名"), max_length=64)
    id_number = forms.CharField(label=_("身份证号码"), max_length=18)
    phone = forms.CharField(label=_("手机号"), max_length=11, widget=forms.TextInput(attrs={"type": "tel"}))
    username = forms.CharField(label=_("用户名"), max_length=30, help_text=_("4-30位字母、数字或 _.@+- 符号"))
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput, help_text=_("至少8位，不能全是数字，不能过于常见"))
    password2 = forms.CharField(label=_("再次输入密码"), widget=forms.PasswordInput)
    # Consent to the privacy notice (accounts/consent.py); the service refuses a registration without it.
    privacy_consent = forms.BooleanField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["privacy_consent"].label = format_html(
            str(_("我已阅读并同意{}")),
            format_html(
                '<a href="{}" target="_blank" rel="noopener">{}</a>', reverse("accounts:privacy"), _("《个人信息保护告知》")
            ),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致。"))
        return data


class EnterpriseRegisterForm(CitizenRegisterForm):
    enterprise_name = forms.CharField(label=_("企业（个体工商户）名称"), max_length=200)
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=18)
    is_sole_trader = forms.BooleanField(label=_("个体工商户"), required=False)

    field_order = ["enterprise_name", "uscc", "is_sole_trader", "display_name", "id_number", "phone", "username", "password"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["display_name"].label = _("法定代表人（经营者）姓名")
        self.fields["id_number"].label = _("法定代表人身份证号码")


class HandlerAddForm(forms.Form):
    username = forms.CharField(label=_("经办人用户名"), max_length=150)
    id_number = forms.CharField(label=_("经办人身份证号码"), max_length=18)


class OtpForm(forms.Form):
    otp = forms.CharField(
        label=_("动态验证码"),
        max_length=8,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("当前密码"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    new_password = forms.CharField(label=_("新密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    new_password2 = forms.CharField(label=_("再次输入新密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", _("两次输入的密码不一致。"))
        return data


class SecondFactorResetForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200, help_text=_("例如：手机丢失，已核对本人身份"))


class WindowIdentityForm(forms.Form):
    username = forms.CharField(label=_("群众的用户名"), max_length=150)
    display_name = forms.CharField(label=_("证件上的姓名"), max_length=64)
    id_number = forms.CharField(label=_("证件号码"), max_length=18)
    document_checked = forms.BooleanField(label=_("已核对本人身份证原件，人证一致"), required=False)
