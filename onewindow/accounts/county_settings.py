"""Writing a county's own settings row (issue 17: a county owns its settings): one way for every
app that keeps one (ratings.CountyRules, appointments.CountyPolicy).

The row is the county's; a county's staff may write their own county's only (the platform's
administrators any county's), under the row's lock, validated by the model (nothing stored when a
value is refused), audited with the fields that changed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from onewindow.core.audit import audit
from onewindow.core.errors import PermissionDenied, ValidationFailed

from .models import County
from .tenancy import staff_county

Row = TypeVar("Row", bound=models.Model)


def county_row_set(
    *,
    model: type[Row],
    county: County,
    actor: Any,
    keys: Iterable[str],
    values: dict[str, int | None],
    invalid: Any,  # a message (lazy or not), as ValidationFailed takes it
    action: str,
) -> Row:
    """Set (or, with None, clear back to the deployment's value) some of `keys` on `county`'s row
    of `model`; `invalid` is the page message of a refused value, `action` the audit action."""
    keys = list(keys)
    unknown = set(values) - set(keys)
    if unknown:
        raise ValidationFailed(_("未知字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    mine = staff_county(actor)
    if mine is not None and mine != county.pk:
        raise PermissionDenied(code="other_county")
    with transaction.atomic():
        row, _created = model._default_manager.select_for_update().get_or_create(county=county)
        before = {k: getattr(row, k) for k in keys}
        for key, value in values.items():
            setattr(row, key, value)
        try:
            row.full_clean()
        except ValidationError as exc:
            # Leaving the block by the exception rolls back the row get_or_create may have made.
            raise ValidationFailed(invalid, fields={k: [str(m) for m in v] for k, v in exc.message_dict.items()}) from None
        row.save()
        after = {k: getattr(row, k) for k in keys}
        audit(actor=actor, action=action, target=county, data={k: [before[k], after[k]] for k in keys if before[k] != after[k]})
        return row
