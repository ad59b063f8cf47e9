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


@checks.register(checks.Tags.security, deploy=False)
def field_encryption_keys(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """ID and phone numbers are encrypted with keys from the environment (core/fieldcrypto/): the
    keys must parse, and the public development keys are refused when DEBUG is off."""
    from django.core.exceptions import ImproperlyConfigured

    from onewindow.core import fieldcrypto

    try:
        fieldcrypto.keyring()
    except ImproperlyConfigured as exc:
        return [checks.Error(f"field encryption keys: {exc}", id="onewindow.E021")]
    if not settings.DEBUG and fieldcrypto.uses_development_keys():
        return [
            checks.Error(
                "ONEWINDOW_FIELD_KEYS and ONEWINDOW_INDEX_KEY must be set to your own keys when DEBUG=0 "
                "(manage.py rotate_field_keys --generate prints a key)",
                id="onewindow.E020",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=False)
def upload_scanner(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """In production, says so when uploads are not scanned for malware because no ClamAV was found
    (`ONEWINDOW_UPLOAD_SCANNER=none` states that choice deliberately and silences it)."""
    from onewindow.core.scan import NoScanner, scanner

    if settings.DEBUG or getattr(settings, "ONEWINDOW_UPLOAD_SCANNER", "auto") != "auto":
        return []
    if isinstance(scanner(), NoScanner):
        return [
            checks.Warning(
                "uploads are not scanned for malware: no clamd socket and no clamscan program were found",
                hint="install ClamAV (clamd), set CLAMD_SOCKET or CLAMD_HOST, or set ONEWINDOW_UPLOAD_SCANNER=none",
                id="onewindow.W022",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=False)
def audit_retention(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """The audit log is kept at least 6 months (等保 level 3)."""
    if int(settings.ONEWINDOW_AUDIT_RETENTION_DAYS) < 183:
        return [checks.Error("AUDIT_RETENTION_DAYS must be at least 183 (6 months)", id="onewindow.E024")]
    return []


@checks.register(checks.Tags.models)
def encrypted_models_hash_bulk_writes(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Every manager of a model with an encrypted field bulk-writes a number together with its
    lookup hash (core/fieldcrypto/fields.EncryptedQuerySet); a plain manager's `update(phone=...)` would
    leave the row unfindable by its new number."""
    from django.apps import apps

    from onewindow.core.fieldcrypto import fields

    models = apps.get_models() if app_configs is None else [m for c in app_configs for m in c.get_models()]
    return [
        checks.Error(
            f"manager {name!r} of {model._meta.label} has a model with encrypted fields but its queryset "
            "is not a fieldcrypto.fields.EncryptedQuerySet",
            hint="use fieldcrypto.fields.EncryptedManager(), or YourManager.from_queryset(EncryptedQuerySet)",
            obj=model,
            id="onewindow.E025",
        )
        for model in models
        for name in fields.managers_without_hashing(model)
    ]


@checks.register()
def hooks_resolve(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Every hook an app answers (`provides` in its AppConfig, core/hooks.py) names a function that
    exists and is answered by one app only: a misspelt path would otherwise fail only when asked."""
    from django.apps import apps
    from django.utils.module_loading import import_string

    errors: list[checks.CheckMessage] = []
    seen: dict[str, str] = {}
    for config in apps.get_app_configs():
        provided: dict[str, str] = getattr(config, "provides", {})
        for name, path in provided.items():
            if name in seen:
                errors.append(checks.Error(f"hook {name!r} is answered by {seen[name]} and {config.label}", id="onewindow.E026"))
            seen[name] = config.label
            try:
                import_string(path)
            except ImportError as exc:
                errors.append(
                    checks.Error(f"hook {name!r} of {config.label}: {path} cannot be imported ({exc})", id="onewindow.E026")
                )
    return errors
