from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=False)
def refuse_development_secrets(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """With DEBUG off the development secret key and wildcard hosts are refused outright."""
    if settings.DEBUG:
        return []
    errors: list[checks.CheckMessage] = []
    if settings.SECRET_KEY == settings.DEV_SECRET_KEY or len(settings.SECRET_KEY) < 32:
        errors.append(checks.Error("SECRET_KEY must be set to a long random value when DEBUG=0", id="onewindow.E001"))
    if "*" in settings.ALLOWED_HOSTS:
        errors.append(checks.Error("ALLOWED_HOSTS must not contain '*' when DEBUG=0", id="onewindow.E002"))
    return errors
