"""Writes of the dashboard app: granting and taking back a province's or city's roll-up."""

from __future__ import annotations

import re
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.accounts.models import County, User
from onewindow.accounts.tenancy import staff_county
from onewindow.core.audit import audit
from onewindow.core.errors import NotFound, PermissionDenied, ValidationFailed

from .models import RegionReader
from .selectors import is_platform_operator, region_codes


def _require_operator(actor: Any) -> None:
    # `None` is a command run by the operators (the demo, the shell); a person must be one of them.
    if actor is not None and not is_platform_operator(actor):
        raise PermissionDenied(_("只有省级平台管理员可以授予或收回省市统计查看权限。"), code="not_province")


def _region_code(value: str) -> str:
    """A province's or a city's code among the deployment's counties' (selectors.region_codes).
    A county's own code is answered in words before the database's check refuses it."""
    code = (value or "").strip()
    if County.objects.filter(pk=code).exists():
        raise ValidationFailed(
            _("%(code)s 是区县的代码：请填写省（如 360000）或市（如 360800）的代码。区县的领导在本区县的统计分析中查看。")
            % {"code": code},
            fields={"region_code": [_("不能是区县的代码。")]},
        )
    if not re.fullmatch(r"[0-9]{4}00", code):
        raise ValidationFailed(_("请填写省或市的6位行政区划代码。"), fields={"region_code": [_("格式不正确。")]})
    if code not in region_codes():
        raise ValidationFailed(
            _("本平台没有属于 %(code)s 的区县。") % {"code": code},
            fields={"region_code": [_("请从本平台区县所在的省、市中选择。")]},
        )
    return code


def region_reader_grant(*, user: User, region_code: str, actor: Any, valid_until: Any = None) -> RegionReader:
    """Let `user` read the roll-up of a province (code ending 0000) or a city (ending 00) that holds
    some of the deployment's counties, until `valid_until` (inclusive; None: until revoked). The
    province's operators only. Idempotent: granting twice gives the one row; a new term on an
    existing grant replaces its term (audited). A county's staff member is refused: their roles
    bind them to their county (accounts.tenancy), and the roll-up page shows them nothing but
    their own."""
    _require_operator(actor)
    code = _region_code(region_code)
    if valid_until is not None and valid_until < timezone.localdate():
        raise ValidationFailed(
            _("有效期不能早于今天。"), fields={"valid_until": [_("请填写今天或以后的日期，或留空（长期有效）。")]}
        )
    if staff_county(user) is not None:
        raise ValidationFailed(
            _("%(name)s 是区县的工作人员，不能同时查看省市汇总。") % {"name": user.display_name or user.username},
            fields={"username": [_("请选择不在区县任职的用户。")]},
        )
    if not user.is_active:
        raise ValidationFailed(_("该用户已停用。"), fields={"username": [_("该用户已停用。")]})
    with transaction.atomic():
        try:
            with transaction.atomic():
                reader, made = RegionReader.objects.get_or_create(
                    user=user, region_code=code, defaults={"valid_until": valid_until}
                )
        except IntegrityError:  # granted by a concurrent request at the same moment
            reader, made = RegionReader.objects.get(user=user, region_code=code), False
        until = valid_until.isoformat() if valid_until is not None else None
        if made:
            audit(
                actor=actor,
                action="dashboard.region_reader_grant",
                target=reader,
                data={"region_code": code, "valid_until": until},
            )
        else:
            # A new term for an existing grant, under the row's lock: of two operators setting terms
            # at once, each write is audited with the term it replaced.
            reader = RegionReader.objects.select_for_update().get(pk=reader.pk)
            if reader.valid_until != valid_until:
                before = reader.valid_until.isoformat() if reader.valid_until is not None else None
                reader.valid_until = valid_until
                reader.save(update_fields=["valid_until"])
                audit(
                    actor=actor,
                    action="dashboard.region_reader_term",
                    target=reader,
                    data={"region_code": code, "valid_until": until, "before": before},
                )
    return reader


def region_reader_revoke(*, user: User, region_code: str, actor: Any) -> None:
    """Take a province's or city's roll-up back from `user`. The province's operators only. A row
    already gone (revoked by another operator a moment ago) is NotFound, nothing written: the
    delete's row count says which of two revocations removed it."""
    _require_operator(actor)
    code = (region_code or "").strip()
    with transaction.atomic():
        reader = RegionReader.objects.select_for_update().filter(user=user, region_code=code).first()
        if reader is None:
            raise NotFound(_("该用户没有这项查看权限（可能已被收回）。"))
        audit(
            actor=actor,
            action="dashboard.region_reader_revoke",
            target=reader,
            data={"region_code": code, "user": user.username, "granted_at": reader.granted_at.isoformat()},
        )
        reader.delete()
