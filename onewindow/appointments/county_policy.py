"""A county's own booking policy (appointments.models.CountyPolicy; issue 17: a county owns its settings).

Written by the county's system administrator (in the admin, which scopes the row to their county)
or the platform's; every change is audited. The values apply from the next read (a booking made
before keeps its slot; its change cutoff, reschedule limit and check-in windows are its county's
values of the moment it is changed or checked in)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import County
from onewindow.accounts.tenancy import staff_county
from onewindow.core.audit import audit
from onewindow.core.errors import PermissionDenied, ValidationFailed

from .models import CountyPolicy
from .policy import COUNTY_KEYS


def county_policy_set(*, county: County, actor: Any, **values: int | None) -> CountyPolicy:
    """Set (or, with None, clear back to the deployment's value) some of a county's booking rules."""
    unknown = set(values) - set(COUNTY_KEYS)
    if unknown:
        raise ValidationFailed(_("未知字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    mine = staff_county(actor)
    if mine is not None and mine != county.pk:
        raise PermissionDenied(code="other_county")
    with transaction.atomic():
        row, _created = CountyPolicy.objects.select_for_update().get_or_create(county=county)
        before = {k: getattr(row, k) for k in COUNTY_KEYS}
        for key, value in values.items():
            setattr(row, key, value)
        try:
            row.full_clean()
        except ValidationError as exc:
            # Leaving the block by the exception rolls back the row get_or_create may have made.
            raise ValidationFailed(
                _("预约规则设置不正确。"), fields={k: [str(m) for m in v] for k, v in exc.message_dict.items()}
            ) from None
        row.save()
        after = {k: getattr(row, k) for k in COUNTY_KEYS}
        audit(
            actor=actor,
            action="appointments.county_policy",
            target=county,
            data={k: [before[k], after[k]] for k in COUNTY_KEYS if before[k] != after[k]},
        )
        return row
