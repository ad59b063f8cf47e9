"""What a version carries and how it is checked: the implementation-list fields, the materials and
their links to the online form."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import ValidationFailed

from .. import formschema
from ..errors import CommittedExceedsStatutory
from ..models import (
    MaterialRequirement,
    MatterVersion,
    ProvidedBy,
)

# The implementation-list fields a version carries (copied into a new draft, exported, imported).
VERSION_FIELDS: tuple[str, ...] = (
    "name",
    "matter_type",
    "kind",
    "statutory_days",
    "committed_days",
    "max_visits",
    "fee_required",
    "fee_description",
    "fee_basis",
    "conditions",
    "legal_basis",
    "handling_level",
    "on_one_window",
    "online_depth",
    "on_mobile",
    "off_hours_bookable",
    "agent_eligible",
    "audience",
    "commitment_text",
    "form_schema",
    "online_prereview",
    "consult_phone",
    "complaint_phone",
    "handling_place",
    "handling_hours",
)
MATERIAL_FIELDS: tuple[str, ...] = (
    "name",
    "form",
    "quantity",
    "need",
    "condition_text",
    "shared_key",
    "accepts",
    "sort_order",
    "provided_by",
    "form_fields",
)


def _validate_version_fields(fields: dict[str, Any]) -> None:
    errors: dict[str, list[Any]] = {}
    if not str(fields.get("name") or "").strip():
        errors.setdefault("name", []).append(_("请填写事项名称。"))
    if fields.get("matter_type") not in MatterVersion.MatterType.values:
        errors.setdefault("matter_type", []).append(_("事项类型不正确。"))
    if fields.get("kind") not in MatterVersion.Kind.values:
        errors.setdefault("kind", []).append(_("办件类型不正确。"))
    if fields.get("handling_level", MatterVersion.Level.DISTRICT) not in MatterVersion.Level.values:
        errors.setdefault("handling_level", []).append(_("行使层级不正确。"))
    if int(fields.get("online_depth", 1)) not in MatterVersion.OnlineDepth.values:
        errors.setdefault("online_depth", []).append(_("网上办理深度不正确。"))
    for key in ("statutory_days", "committed_days", "max_visits"):
        value = fields.get(key, 0)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            errors.setdefault(key, []).append(_("请填写不小于0的整数。"))
    for key, limit in (
        ("name", 200),
        ("consult_phone", 32),
        ("complaint_phone", 32),
        ("handling_place", 200),
        ("handling_hours", 200),
    ):
        if len(str(fields.get(key) or "")) > limit:
            errors.setdefault(key, []).append(_("内容过长。"))
    if errors:
        raise ValidationFailed(_("事项信息不完整或不正确。"), fields=errors)
    if fields["committed_days"] > fields["statutory_days"]:
        raise CommittedExceedsStatutory()


def _validate_materials(materials: Sequence[dict[str, Any]]) -> None:
    for i, m in enumerate(materials):
        if not str(m.get("name") or "").strip():
            raise ValidationFailed(_("第%(n)d项材料缺少名称。") % {"n": i + 1}, fields={"materials": [_("材料名称必填。")]})
        if len(str(m["name"])) > 200 or len(str(m.get("condition_text") or "")) > 200 or len(str(m.get("shared_key") or "")) > 64:
            raise ValidationFailed(_("第%(n)d项材料的内容过长。") % {"n": i + 1}, fields={"materials": [_("内容过长。")]})
        if m.get("form", MaterialRequirement.Form.ORIGINAL) not in MaterialRequirement.Form.values:
            raise ValidationFailed(_("第%(n)d项材料的形式不正确。") % {"n": i + 1}, fields={"materials": [_("材料形式不正确。")]})
        if m.get("need", MaterialRequirement.Need.REQUIRED) not in MaterialRequirement.Need.values:
            raise ValidationFailed(_("第%(n)d项材料的必要性不正确。") % {"n": i + 1}, fields={"materials": [_("必要性不正确。")]})
        if int(m.get("quantity", 1)) < 1:
            raise ValidationFailed(_("第%(n)d项材料的份数至少为1。") % {"n": i + 1}, fields={"materials": [_("份数至少为1。")]})
        fields = m.get("form_fields") or []
        if m.get("provided_by", "") not in ProvidedBy.values or not (
            isinstance(fields, list) and all(isinstance(f, str) for f in fields)
        ):
            raise ValidationFailed(
                _("第%(n)d项材料的免提交方式不正确。") % {"n": i + 1}, fields={"materials": [_("免提交方式不正确。")]}
            )


def _validate_form_links(version: MatterVersion) -> None:
    """A material the online form stands in for must name fields the form really has; otherwise
    the applicant would be spared an upload that nothing replaces."""
    names = {f.name for f in formschema.fields_of(version.form_schema or [], fill_default=False)}
    for req in version.materials.filter(provided_by=ProvidedBy.FORM):
        unknown = [f for f in req.form_fields or [] if f not in names]
        if not names or unknown:
            raise ValidationFailed(
                _("材料“%(name)s”标为由申请表提供，但申请表没有对应字段：%(fields)s")
                % {"name": req.name, "fields": "、".join(unknown) or "-"},
                code="form_link_invalid",
                fields={"materials": [_("对应申请表字段不存在。")]},
            )


def _write_materials(version: MatterVersion, materials: Iterable[dict[str, Any]]) -> None:
    rows = []
    for i, m in enumerate(materials):
        data = {k: m[k] for k in MATERIAL_FIELDS if k in m and k != "sort_order"}
        rows.append(MaterialRequirement(version=version, sort_order=m.get("sort_order", i), **data))
    MaterialRequirement.objects.bulk_create(rows)


def _material_dicts(version: MatterVersion) -> list[dict[str, Any]]:
    return [{k: getattr(m, k) for k in MATERIAL_FIELDS} for m in version.materials.all()]
