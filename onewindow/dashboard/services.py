"""Writes of the dashboard app: granting and taking back a province's or city's roll-up."""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from onewindow.accounts.models import User
from onewindow.core.audit import audit
from onewindow.core.errors import ValidationFailed

from .models import RegionReader


def region_reader_grant(*, user: User, region_code: str, actor: User | None) -> RegionReader:
    """Let `user` read the roll-up of a province (code ending 0000) or a city (ending 00).
    Idempotent: granting twice gives the one row."""
    code = (region_code or "").strip()
    if not re.fullmatch(r"[0-9]{4}00", code):
        raise ValidationFailed(_("请填写省或市的6位行政区划代码。"), fields={"region_code": [_("格式不正确。")]})
    with transaction.atomic():
        try:
            with transaction.atomic():
                reader, made = RegionReader.objects.get_or_create(user=user, region_code=code)
        except IntegrityError:  # granted by a concurrent request at the same moment
            reader, made = RegionReader.objects.get(user=user, region_code=code), False
        if made:
            audit(actor=actor, action="dashboard.region_reader_grant", target=reader, data={"region_code": code})
    return reader
