from __future__ import annotations

from typing import Any

from django.db import models, transaction

from .models import AuditEntry


def audit(*, actor: Any, action: str, target: models.Model, data: dict[str, Any] | None = None) -> AuditEntry:
    """Write an audit row. Must run inside the transaction of the change it records, so that the
    change and its record commit or roll back together."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit() must be called inside transaction.atomic()")
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(getattr(target, "uuid", None) or target.pk),
        data=data or {},
    )
