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


READ_ACTION = "personal_data.read"


def audit_read(*, actor: Any, target: models.Model, page: str, whose: list[str] | None = None) -> AuditEntry:
    """Record that `actor` was shown a person's full ID or phone number (PIPL; 等保 audit of reads of
    personal data): who (the actor), whose (`target`, or `whose` naming several rows on one page),
    and on which page (its path). In its own transaction: a read changes nothing else."""
    data: dict[str, Any] = {"page": page}
    if whose:
        data["whose"] = whose
    with transaction.atomic():
        return audit(actor=actor, action=READ_ACTION, target=target, data=data)
