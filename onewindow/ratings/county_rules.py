"""A county's own 差评整改 clocks (ratings.models.CountyRules; issue 17: a county owns its settings).

Written by the county's system administrator (in the admin, which scopes the row to their county)
or the platform's; every change is audited. The clocks apply to follow-ups opened after the change
(a follow-up keeps the due dates it was opened with, as a case keeps its time limit)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import County
from onewindow.accounts.tenancy import staff_county
from onewindow.core.audit import audit
from onewindow.core.errors import PermissionDenied, ValidationFailed

from .conf import COUNTY_KEYS
from .models import CountyRules


def county_rules_set(*, county: County, actor: Any, **values: int | None) -> CountyRules:
    """Set (or, with None, clear back to the deployment's value) some of a county's clocks."""
    unknown = set(values) - set(COUNTY_KEYS)
    if unknown:
        raise ValidationFailed(_("未知字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    mine = staff_county(actor)
    if mine is not None and mine != county.pk:
        raise PermissionDenied(code="other_county")
    with transaction.atomic():
        rules, _created = CountyRules.objects.select_for_update().get_or_create(county=county)
        before = {k: getattr(rules, k) for k in COUNTY_KEYS}
        for key, value in values.items():
            setattr(rules, key, value)
        try:
            rules.full_clean()
        except ValidationError as exc:
            raise ValidationFailed(
                _("好差评时限设置不正确。"), fields={k: [str(m) for m in v] for k, v in exc.message_dict.items()}
            ) from None
        rules.save()
        after = {k: getattr(rules, k) for k in COUNTY_KEYS}
        audit(
            actor=actor,
            action="ratings.county_rules",
            target=county,
            data={k: [before[k], after[k]] for k in COUNTY_KEYS if before[k] != after[k]},
        )
        return rules
