"""Bundles (一件事) and delegations to townships (赋权)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import OrgUnit
from onewindow.core.audit import audit
from onewindow.core.errors import Conflict, ValidationFailed

from ..models import (
    Bundle,
    BundleItem,
    Delegation,
    Matter,
)


def bundle_create(
    *,
    code: str,
    name: str,
    matters: Sequence[Matter],
    actor: Any,
    description: str = "",
    service_area: Any = None,
    lead_department: Any = None,
) -> Bundle:
    """`lead_department` (牵头部门) decides and concludes the joint case; it must own one of the
    matters. Empty: the first matter's department."""
    if not code.strip() or not name.strip():
        raise ValidationFailed(_("请填写一件事的编码和名称。"))
    if len({m.pk for m in matters}) < 2:
        raise ValidationFailed(_("一件事至少包含两个不同的事项。"), fields={"matters": [_("至少选择两个事项。")]})
    if any(m.current_version_id is None for m in matters):
        raise ValidationFailed(_("一件事只能包含已发布的事项。"), fields={"matters": [_("包含未发布的事项。")]})
    if lead_department is not None and lead_department.pk not in {m.department_id for m in matters}:
        raise ValidationFailed(
            _("牵头部门必须是一件事所含事项的实施部门。"), fields={"lead_department": [_("不是所含事项的实施部门。")]}
        )
    with transaction.atomic():
        try:
            with transaction.atomic():
                bundle = Bundle.objects.create(
                    code=code, name=name, description=description, service_area=service_area, lead_department=lead_department
                )
        except IntegrityError:
            raise Conflict(_("一件事编码已存在：%(code)s") % {"code": code}, code="duplicate_code") from None
        seen: set[int] = set()
        for i, m in enumerate(matters):
            if m.pk not in seen:
                BundleItem.objects.create(bundle=bundle, matter=m, sort_order=i)
                seen.add(m.pk)
        audit(actor=actor, action="bundle.create", target=bundle, data={"code": code, "matters": [m.code for m in matters]})
        return bundle


def delegation_create(
    *, matter: Matter, townships: Sequence[OrgUnit], effective_on: datetime.date, actor: Any, document: str = ""
) -> list[Delegation]:
    """Delegate (赋权) a district matter to townships from `effective_on`."""
    if not townships:
        raise ValidationFailed(_("请选择承接的乡镇（街道）。"))
    if any(not t.is_township_level for t in townships):
        raise ValidationFailed(_("只能赋权给乡镇（街道）。"), fields={"townships": [_("只能赋权给乡镇（街道）。")]})
    if matter.current_version_id is None:
        raise ValidationFailed(_("只能赋权已发布的事项。"))
    with transaction.atomic():
        created = []
        for t in townships:
            try:
                with transaction.atomic():
                    created.append(
                        Delegation.objects.create(matter=matter, township=t, effective_on=effective_on, document=document)
                    )
            except IntegrityError:
                raise Conflict(_("%(t)s 已于该日期承接此事项。") % {"t": t.name}, code="duplicate_delegation") from None
        audit(
            actor=actor,
            action="matter.delegate",
            target=matter,
            data={"townships": [t.code for t in townships], "effective_on": effective_on.isoformat(), "document": document},
        )
        return created
