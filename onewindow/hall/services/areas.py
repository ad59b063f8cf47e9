"""Area and service point settings (hall managers)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from onewindow.core.audit import audit
from onewindow.core.errors import PermissionDenied, ValidationFailed

from ..models import ServiceArea, ServicePoint

AREA_SETTINGS = (
    "daily_cap",
    "warn_level",
    "service_level_minutes",
    "require_id_number",
    "per_person_daily_limit",
    "default_service_minutes",
)


def area_update_settings(*, area: ServiceArea, actor: Any, **values: Any) -> ServiceArea:
    from ..selectors import can_manage

    if not can_manage(actor, area.point):
        raise PermissionDenied()
    unknown = set(values) - set(AREA_SETTINGS)
    if unknown:
        raise ValidationFailed(_("未知的设置项。"), fields={k: [_("未知的设置项。")] for k in unknown})
    errors: dict[str, list[Any]] = {}
    for key in ("daily_cap", "warn_level", "default_service_minutes"):
        if key in values and (not isinstance(values[key], int) or values[key] < 1 or values[key] > 10000):
            errors[key] = [_("请输入1到10000之间的整数。")]
    if "per_person_daily_limit" in values and (
        not isinstance(values["per_person_daily_limit"], int) or not 0 <= values["per_person_daily_limit"] <= 100
    ):
        errors["per_person_daily_limit"] = [_("请输入0到100之间的整数。")]
    slm = values.get("service_level_minutes")
    if slm is not None and (not isinstance(slm, int) or not 1 <= slm <= 240):
        errors["service_level_minutes"] = [_("请输入1到240之间的整数。")]
    if errors:
        raise ValidationFailed(_("提交的数据不正确。"), fields=errors)
    with transaction.atomic():
        before = {k: getattr(area, k) for k in values}
        for k, v in values.items():
            setattr(area, k, v)
        area.save(update_fields=[*values.keys(), "updated_at"])
        audit(actor=actor, action="hall.area.settings", target=area, data={"before": before, "after": values})
    return area


def point_update_settings(
    *, point: ServicePoint, actor: Any, service_level_minutes: int | None = None, max_recalls: int | None = None
) -> ServicePoint:
    from ..selectors import can_manage

    if not can_manage(actor, point):
        raise PermissionDenied()
    values: dict[str, int] = {}
    if service_level_minutes is not None:
        if not 1 <= service_level_minutes <= 240:
            raise ValidationFailed(_("请输入1到240之间的整数。"), fields={"service_level_minutes": [_("无效。")]})
        values["service_level_minutes"] = service_level_minutes
    if max_recalls is not None:
        if not 0 <= max_recalls <= 10:
            raise ValidationFailed(_("请输入0到10之间的整数。"), fields={"max_recalls": [_("无效。")]})
        values["max_recalls"] = max_recalls
    with transaction.atomic():
        for k, v in values.items():
            setattr(point, k, v)
        point.save(update_fields=[*values.keys(), "updated_at"])
        audit(actor=actor, action="hall.point.settings", target=point, data=values)
    return point
