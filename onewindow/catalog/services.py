"""Writes of the catalog: matters and their versions, bundles, delegations.

Every function is keyword-only, runs in one transaction and writes an audit row in it. A published
version is never changed: editing a matter means drafting a new version from the published one
and publishing that; cases keep pointing at the version they started on.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pypinyin import Style, lazy_pinyin

from onewindow.accounts.models import OrgUnit
from onewindow.core.audit import audit
from onewindow.core.errors import Conflict, ValidationFailed
from onewindow.core.models import AuditEntry

from . import formschema
from .errors import CommittedExceedsStatutory
from .models import (
    Bundle,
    BundleItem,
    Delegation,
    LifeEvent,
    MaterialRequirement,
    Matter,
    MatterCodeSequence,
    MatterVersion,
    ProvidedBy,
)

REGION_CODE: str = getattr(settings, "ONEWINDOW_REGION_CODE", "360803")

# Two-letter type segment of a matter code (许可 XK, 确认 QR, 给付 GF...).
TYPE_CODES: dict[str, str] = {
    MatterVersion.MatterType.LICENCE: "XK",
    MatterVersion.MatterType.CONFIRMATION: "QR",
    MatterVersion.MatterType.PAYMENT: "GF",
    MatterVersion.MatterType.AWARD: "JL",
    MatterVersion.MatterType.ADJUDICATION: "CJ",
    MatterVersion.MatterType.OTHER_POWER: "QT",
    MatterVersion.MatterType.PUBLIC_SERVICE: "GG",
}
CODE_RE = re.compile(r"^(?P<region>\d{6})-(?P<dept>[A-Z0-9]+)-(?P<type>[A-Z]{2})-(?P<seq>\d{4,})$")

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


# --- search keys -----------------------------------------------------------------------------


def search_keys(name: str) -> tuple[str, str]:
    """Full pinyin and initials of a name, lowercase letters and digits only ("不动产登记" ->
    ("budongchandengji", "bdcdj")). Non-Chinese characters pass through unchanged."""
    syllables = lazy_pinyin(name, style=Style.NORMAL, errors="default")
    initials = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default")
    clean = re.compile(r"[^a-z0-9]")
    # Truncated to the columns' sizes (a 200-character name can have 1,000 letters of pinyin).
    return clean.sub("", "".join(syllables).lower())[:800], clean.sub("", "".join(initials).lower())[:200]


def search_text(name: str, pinyin: str, initials: str) -> str:
    return f"{name}|{pinyin}|{initials}".lower()[:1200]


# --- validation ------------------------------------------------------------------------------


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


# --- matter codes ----------------------------------------------------------------------------


def matter_code(*, department: OrgUnit, matter_type: str, sequence: int) -> str:
    return f"{REGION_CODE}-{department.code}-{TYPE_CODES[matter_type]}-{sequence:04d}"


def _next_sequence(department: OrgUnit, type_code: str, *, at_least: int = 0) -> int:
    """Increment the department's counter and return the new value, inside the caller's
    transaction. The UPDATE holds the row until commit, so concurrent callers queue on it."""
    row, _created = MatterCodeSequence.objects.get_or_create(department=department, type_code=type_code)
    if at_least:
        MatterCodeSequence.objects.filter(pk=row.pk).update(last_value=Greatest(F("last_value"), at_least))
    else:
        MatterCodeSequence.objects.filter(pk=row.pk).update(last_value=F("last_value") + 1)
    return MatterCodeSequence.objects.filter(pk=row.pk).values_list("last_value", flat=True).get()


# --- matters and versions --------------------------------------------------------------------


def matter_create(
    *,
    department: OrgUnit,
    actor: Any,
    materials: Sequence[dict[str, Any]] = (),
    service_area: Any = None,
    life_events: Iterable[LifeEvent] = (),
    code: str | None = None,
    publish: bool = False,
    **fields: Any,
) -> Matter:
    """Create a matter with its first version (a draft, or published at once with publish=True).

    The code is region + department + type + a sequence from the department's counter; an
    explicit `code` (catalog import) is accepted when it is free and moves the counter past it.
    """
    unknown = set(fields) - set(VERSION_FIELDS)
    if unknown:
        raise ValidationFailed(_("未知字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    fields.setdefault("statutory_days", 0)
    fields.setdefault("committed_days", 0)
    fields.setdefault("max_visits", 1)
    if department.kind != OrgUnit.Kind.DEPARTMENT:
        raise ValidationFailed(_("实施部门必须是部门。"), fields={"department": [_("实施部门必须是部门。")]})
    _validate_version_fields(fields)
    _validate_materials(materials)
    with transaction.atomic():
        type_code = TYPE_CODES[fields["matter_type"]]
        if code:
            match = CODE_RE.match(code)
            if match and match["dept"] == department.code and match["type"] == type_code:
                _next_sequence(department, type_code, at_least=int(match["seq"]))
        else:
            code = matter_code(
                department=department, matter_type=fields["matter_type"], sequence=_next_sequence(department, type_code)
            )
        try:
            with transaction.atomic():
                matter = Matter.objects.create(code=code, department=department, service_area=service_area)
        except IntegrityError:
            raise Conflict(_("事项编码已存在：%(code)s") % {"code": code}, code="duplicate_code") from None
        events = list(life_events)
        if events:
            matter.life_events.set(events)
        version = MatterVersion.objects.create(matter=matter, number=1, **fields)
        _write_materials(version, materials)
        audit(actor=actor, action="matter.create", target=matter, data={"code": code, "name": fields["name"]})
        if publish:
            matter_publish(version=version, actor=actor)
            matter.refresh_from_db()
        return matter


@dataclass
class MatterInput:
    """One matter for `matter_bulk_create`: the same arguments as `matter_create`."""

    department: OrgUnit
    fields: dict[str, Any]
    materials: Sequence[dict[str, Any]] = ()
    service_area: Any = None
    life_events: Sequence[LifeEvent] = ()
    code: str | None = None


def matter_bulk_create(*, items: Sequence[MatterInput], actor: Any) -> list[Matter]:
    """Create and publish many matters at once (catalog loads): the same checks as
    `matter_create`, one transaction, a block of sequence numbers reserved per department and type
    with one UPDATE each, one audit row per matter. All or nothing."""
    for item in items:
        unknown = set(item.fields) - set(VERSION_FIELDS)
        if unknown:
            raise ValidationFailed(_("未知字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
        if item.department.kind != OrgUnit.Kind.DEPARTMENT:
            raise ValidationFailed(_("实施部门必须是部门。"), fields={"department": [_("实施部门必须是部门。")]})
        item.fields.setdefault("statutory_days", 0)
        item.fields.setdefault("committed_days", 0)
        item.fields.setdefault("max_visits", 1)
        _validate_version_fields(item.fields)
        _validate_materials(item.materials)
    if not items:
        return []
    with transaction.atomic():
        wanted = Counter((i.department.pk, TYPE_CODES[i.fields["matter_type"]]) for i in items if not i.code)
        next_value: dict[tuple[int, str], int] = {}
        departments = {i.department.pk: i.department for i in items}
        for (dept_id, type_code), n in wanted.items():
            row, _created = MatterCodeSequence.objects.get_or_create(department_id=dept_id, type_code=type_code)
            MatterCodeSequence.objects.filter(pk=row.pk).update(last_value=F("last_value") + n)
            last = MatterCodeSequence.objects.filter(pk=row.pk).values_list("last_value", flat=True).get()
            next_value[(dept_id, type_code)] = last - n + 1
        for item in items:
            if item.code:
                match = CODE_RE.match(item.code)
                if match and match["dept"] == item.department.code and match["type"] == TYPE_CODES[item.fields["matter_type"]]:
                    _next_sequence(item.department, match["type"], at_least=int(match["seq"]))
        now = timezone.now()
        matters = []
        for item in items:
            code = item.code
            if not code:
                key = (item.department.pk, TYPE_CODES[item.fields["matter_type"]])
                code = f"{REGION_CODE}-{departments[key[0]].code}-{key[1]}-{next_value[key]:04d}"
                next_value[key] += 1
            pinyin, initials = search_keys(item.fields["name"])
            matters.append(
                Matter(
                    code=code,
                    department=item.department,
                    service_area=item.service_area,
                    search_name=item.fields["name"],
                    search_pinyin=pinyin,
                    search_initials=initials,
                    search_text=search_text(item.fields["name"], pinyin, initials),
                    is_listed=True,
                )
            )
        try:
            with transaction.atomic():
                Matter.objects.bulk_create(matters)
        except IntegrityError:
            raise Conflict(_("事项编码已存在。"), code="duplicate_code") from None
        versions = MatterVersion.objects.bulk_create(
            [
                MatterVersion(matter=m, number=1, status=MatterVersion.Status.PUBLISHED, published_at=now, **item.fields)
                for m, item in zip(matters, items, strict=True)
            ]
        )
        for m, v in zip(matters, versions, strict=True):
            m.current_version = v
        Matter.objects.bulk_update(matters, ["current_version"])
        MaterialRequirement.objects.bulk_create(
            [
                MaterialRequirement(
                    version=v,
                    sort_order=mat.get("sort_order", i),
                    **{k: mat[k] for k in MATERIAL_FIELDS if k in mat and k != "sort_order"},
                )
                for v, item in zip(versions, items, strict=True)
                for i, mat in enumerate(item.materials)
            ]
        )
        through = Matter.life_events.through
        through.objects.bulk_create(
            [through(matter_id=m.pk, lifeevent_id=e.pk) for m, item in zip(matters, items, strict=True) for e in item.life_events]
        )
        # One audit row per matter, written in one statement (the same rows audit() would write).
        who = actor if getattr(actor, "is_authenticated", False) else None
        AuditEntry.objects.bulk_create(
            [
                AuditEntry(
                    actor=who,
                    action="matter.create",
                    target_type=Matter._meta.label_lower,
                    target_id=str(m.uuid),
                    data={"code": m.code, "name": m.search_name, "published": True},
                )
                for m in matters
            ]
        )
        return matters


def matter_draft_create(*, matter: Matter, actor: Any) -> MatterVersion:
    """A new draft copied from the published version, materials included."""
    with transaction.atomic():
        locked = Matter.objects.select_for_update().get(pk=matter.pk)
        if locked.versions.filter(status=MatterVersion.Status.DRAFT).exists():
            raise Conflict(_("该事项已有草稿，请先发布或编辑现有草稿。"), code="draft_exists")
        source = locked.current_version
        if source is None:
            raise Conflict(_("该事项尚未发布，请直接编辑草稿。"), code="not_published")
        # The matter's own counter, advanced under its row lock; the unique (matter, number)
        # constraint backs it.
        Matter.objects.filter(pk=locked.pk).update(version_counter=F("version_counter") + 1)
        locked.refresh_from_db(fields=["version_counter"])
        number = locked.version_counter
        data = {k: getattr(source, k) for k in VERSION_FIELDS}
        try:
            with transaction.atomic():
                draft = MatterVersion.objects.create(matter=locked, number=number, **data)
        except IntegrityError:
            raise Conflict(_("该事项已有草稿，请先发布或编辑现有草稿。"), code="draft_exists") from None
        _write_materials(draft, _material_dicts(source))
        audit(actor=actor, action="matter.draft_create", target=locked, data={"number": number, "from": source.number})
        return draft


def matter_draft_update(
    *, version: MatterVersion, actor: Any, materials: Sequence[dict[str, Any]] | None = None, **changes: Any
) -> MatterVersion:
    unknown = set(changes) - set(VERSION_FIELDS) - {"change_note"}
    if unknown:
        raise ValidationFailed(_("未知字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    with transaction.atomic():
        draft = MatterVersion.objects.select_for_update().get(pk=version.pk)
        if draft.status != MatterVersion.Status.DRAFT:
            from .errors import VersionImmutable

            raise VersionImmutable()
        data = {k: getattr(draft, k) for k in VERSION_FIELDS}
        data.update({k: v for k, v in changes.items() if k != "change_note"})
        _validate_version_fields(data)
        for k, v in changes.items():
            setattr(draft, k, v)
        draft.save()
        if materials is not None:
            _validate_materials(materials)
            draft.materials.all().delete()
            _write_materials(draft, materials)
        audit(
            actor=actor,
            action="matter.draft_update",
            target=draft.matter,
            data={"number": draft.number, "fields": sorted(changes)},
        )
        return draft


def matter_publish(*, version: MatterVersion, actor: Any) -> Matter:
    """Publish a draft: it becomes the matter's current version and is frozen from now on."""
    with transaction.atomic():
        draft = MatterVersion.objects.select_for_update().get(pk=version.pk)
        if draft.status != MatterVersion.Status.DRAFT:
            raise Conflict(_("只有草稿可以发布。"), code="not_draft")
        _validate_version_fields({k: getattr(draft, k) for k in VERSION_FIELDS})
        _validate_form_links(draft)
        now = timezone.now()
        # Conditional update: only a row that is still a draft is published.
        if not MatterVersion.objects.filter(pk=draft.pk, status=MatterVersion.Status.DRAFT).update(
            status=MatterVersion.Status.PUBLISHED, published_at=now, updated_at=now
        ):
            raise Conflict(_("只有草稿可以发布。"), code="not_draft")
        pinyin, initials = search_keys(draft.name)
        Matter.objects.filter(pk=draft.matter_id).update(
            current_version=draft,
            search_name=draft.name,
            search_pinyin=pinyin,
            search_initials=initials,
            search_text=search_text(draft.name, pinyin, initials),
            is_listed=True,
            updated_at=now,
        )
        matter = Matter.objects.get(pk=draft.matter_id)
        audit(actor=actor, action="matter.publish", target=matter, data={"number": draft.number, "name": draft.name})
        return matter


def matter_retire(*, matter: Matter, actor: Any, reason: str = "") -> Matter:
    """Withdraw a matter from the catalog: its current version becomes 'retired'."""
    with transaction.atomic():
        locked = Matter.objects.select_for_update().get(pk=matter.pk)
        if locked.current_version_id is None:
            raise Conflict(_("该事项尚未发布。"), code="not_published")
        if not MatterVersion.objects.filter(pk=locked.current_version_id, status=MatterVersion.Status.PUBLISHED).update(
            status=MatterVersion.Status.RETIRED, updated_at=timezone.now()
        ):
            raise Conflict(_("该事项已停用。"), code="already_retired")
        Matter.objects.filter(pk=locked.pk).update(is_listed=False, updated_at=timezone.now())
        locked.is_listed = False
        audit(actor=actor, action="matter.retire", target=locked, data={"reason": reason})
        return locked


def matter_placement_update(*, matter: Matter, actor: Any, service_area: Any, life_events: Iterable[LifeEvent]) -> Matter:
    """Where a matter is accepted and browsed (not part of the versioned implementation list)."""
    events = list(life_events)
    with transaction.atomic():
        locked = Matter.objects.select_for_update().get(pk=matter.pk)
        locked.service_area = service_area
        locked.save(update_fields=["service_area", "updated_at"])
        locked.life_events.set(events)
        audit(
            actor=actor,
            action="matter.placement_update",
            target=locked,
            data={"service_area": service_area.code if service_area else None, "life_events": [e.code for e in events]},
        )
        return locked


# --- bundles and delegations -----------------------------------------------------------------


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
