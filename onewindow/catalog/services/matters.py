"""Matters and their versions: create (one or many), draft, update the draft, publish, retire, place
in the hall and in life events."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import OrgUnit
from onewindow.core.audit import audit
from onewindow.core.errors import Conflict, ValidationFailed
from onewindow.core.models import AuditEntry

from ..models import (
    LifeEvent,
    MaterialRequirement,
    Matter,
    MatterCodeSequence,
    MatterVersion,
    StandardMatter,
)
from .codes import CODE_RE, TYPE_CODES, _next_sequence, check_code_region, matter_code, search_keys, search_text
from .validation import (
    MATERIAL_FIELDS,
    VERSION_FIELDS,
    _material_dicts,
    _validate_form_links,
    _validate_materials,
    _validate_version_fields,
    _write_materials,
)


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
            check_code_region(code, department)
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
                check_code_region(item.code, item.department)
                match = CODE_RE.match(item.code)
                if match and match["dept"] == item.department.code and match["type"] == TYPE_CODES[item.fields["matter_type"]]:
                    _next_sequence(item.department, match["type"], at_least=int(match["seq"]))
        now = timezone.now()
        matters = []
        for item in items:
            code = item.code
            if not code:
                key = (item.department.pk, TYPE_CODES[item.fields["matter_type"]])
                code = matter_code(
                    department=departments[key[0]], matter_type=item.fields["matter_type"], sequence=next_value[key]
                )
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
                draft = MatterVersion.objects.create(
                    matter=locked, number=number, standard_revision=source.standard_revision, **data
                )
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
            from ..errors import VersionImmutable

            raise VersionImmutable()
        data = {k: getattr(draft, k) for k in VERSION_FIELDS}
        data.update({k: v for k, v in changes.items() if k != "change_note"})
        if set(changes) & set(StandardMatter.BASIC_FIELDS):
            _check_basic_fields(draft, changes)
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
        # The matter's row before the draft's, as a province revision takes them
        # (services/standards.py): the two never wait on each other in a cycle.
        standard_id = Matter.objects.select_for_update().values_list("standard_id", flat=True).get(pk=version.matter_id)
        draft = MatterVersion.objects.select_for_update().get(pk=version.pk)
        if draft.status != MatterVersion.Status.DRAFT:
            raise Conflict(_("只有草稿可以发布。"), code="not_draft")
        if standard_id is not None:
            _check_publishable(draft, StandardMatter.objects.get(pk=standard_id))
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


def _check_basic_fields(draft: MatterVersion, changes: dict[str, Any]) -> None:
    """A draft of a matter that implements a province entry keeps the entry's basic fields (the
    county edits the rest; the province changes them by a revision)."""
    standard = StandardMatter.objects.filter(matters__pk=draft.matter_id).first()
    if standard is None:
        return
    changed = [k for k in StandardMatter.BASIC_FIELDS if k in changes and changes[k] != getattr(standard, k)]
    if changed:
        raise ValidationFailed(
            _("基本要素由省级基本目录确定，县（区）不能修改：%(f)s") % {"f": "、".join(changed)},
            code="basic_field_locked",
            fields={k: [_("由省级基本目录确定。")] for k in changed},
        )


def _check_publishable(draft: MatterVersion, standard: StandardMatter) -> None:
    """Only a draft of the entry's current revision is published: a revision updates the open
    draft in place (services/standards.py), so this refuses only a draft written around it. Nor a
    draft of an entry whose retirement has taken effect: it would put a withdrawn matter back."""
    if standard.retired_on is not None and standard.retired_on <= timezone.localdate():
        raise Conflict(
            _("省级基本目录已于 %(d)s 取消该事项，本事项已停止实施，不能发布。") % {"d": standard.retired_on.isoformat()},
            code="standard_retired",
        )
    if draft.standard_revision != standard.revision or any(
        getattr(draft, k) != getattr(standard, k) for k in StandardMatter.BASIC_FIELDS
    ):
        raise Conflict(
            _("草稿的基本要素不是省级基本目录的现行第 %(n)d 版，不能发布。") % {"n": standard.revision},
            code="stale_standard",
        )


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
