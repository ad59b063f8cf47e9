"""Consent to the privacy notice at registration (PIPL art. 13-14: personal information is processed
with the person's informed consent, given before it is collected).

The notice's text is the page `accounts/privacy.html` (zh-hans, English by translation); its
version is the setting PRIVACY_NOTICE_VERSION, raised whenever the text changes in substance. Every
self-service registration (page and API, citizen and enterprise) must carry the consent, or it is
refused with nothing stored; the consent row is written in the registration's transaction.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.core.audit import audit
from onewindow.core.errors import ValidationFailed

from .models import PrivacyConsent, User

DEFAULT_VERSION = "2026-12"
CONSENT_REQUIRED = _("请阅读并同意《个人信息保护告知》后再注册。")


def notice_version() -> str:
    return str(getattr(settings, "PRIVACY_NOTICE_VERSION", DEFAULT_VERSION))


def require(consent: Any) -> None:
    """Refuse a registration that does not carry the consent (strictly `True`: a form's ticked box
    or the API's boolean)."""
    if consent is not True:
        raise ValidationFailed(CONSENT_REQUIRED, code="consent_required", fields={"privacy_consent": [CONSENT_REQUIRED]})


def record(*, user: User, channel: str) -> PrivacyConsent:
    """Write the consent of a new account (inside the registration's transaction), audited."""
    row = PrivacyConsent.objects.create(user=user, notice_version=notice_version(), given_at=timezone.now(), channel=channel)
    audit(actor=user, action="privacy.consent", target=user, data={"version": row.notice_version, "channel": channel})
    return row
