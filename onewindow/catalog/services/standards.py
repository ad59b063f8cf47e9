"""The province's standard catalog (省级事项基本目录) and the counties' matters that implement it.

The province's operators (administrators whose role names no unit) keep the standard entries: a
basic code and the basic fields (`StandardMatter.BASIC_FIELDS`: name, type, legal basis,
statutory time limit). A county's matter implements an entry (`Matter.standard`): its versions
carry the entry's basic fields unchanged and add the county's own (committed days, materials, fees,
place, channels). A revision of the entry reaches every implementing county as a draft version of
its matter, which the county's catalog administrator reviews and publishes as any other draft;
a draft of an older revision cannot be published.

Locks, always in this order so that two writers never wait on each other in a cycle: the
standard's row, then each matter's row, then its draft (matter_publish takes the matter's row
before the draft's too).
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import OrgUnit, Role
from onewindow.accounts.tenancy import in_remit, role_rows
from onewindow.core.audit import audit
from onewindow.core.errors import Conflict, PermissionDenied, ValidationFailed

from ..models import Matter, MatterVersion, StandardMatter
from .matters import matter_create, matter_draft_create, matter_publish, matter_retire

BASIC_FIELDS = StandardMatter.BASIC_FIELDS


def is_province_operator(actor: Any) -> bool:
    """A platform administrator (the province's): superuser, or the administrator's role held at no
    unit. A county's administrator is not one. `None` is a command run by the operators."""
    if actor is None:
        return True
    if not getattr(actor, "is_authenticated", False):
        return False
    if actor.is_superuser:
        return True
    return any(role == Role.ADMIN and unit_pk is None for role, _path, unit_pk, _county in role_rows(actor))


def _require_province(actor: Any) -> None:
    if not is_province_operator(actor):
        raise PermissionDenied(_("只有省级平台管理员可以维护省级事项基本目录。"), code="not_province")


def _validate_basic(fields: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[Any]] = {}
    name = str(fields.get("name") or "").strip()
    if not name or len(name) > 200:
        errors["name"] = [_("请填写事项名称（不超过200字）。")]
    if fields.get("matter_type") not in MatterVersion.MatterType.values:
        errors["matter_type"] = [_("事项类型不正确。")]
    days = fields.get("statutory_days")
    if not isinstance(days, int) or isinstance(days, bool) or days < 0:
        errors["statutory_days"] = [_("请填写不小于0的整数。")]
    if errors:
        raise ValidationFailed(_("基本目录事项的信息不完整或不正确。"), fields=errors)
    return {**fields, "name": name, "legal_basis": str(fields.get("legal_basis") or "")}


def standard_create(*, actor: Any, basic_code: str, **basic: Any) -> StandardMatter:
    """A new entry of the province's catalog (revision 1)."""
    _require_province(actor)
    unknown = set(basic) - set(BASIC_FIELDS)
    if unknown:
        raise ValidationFailed(_("未知字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    code = str(basic_code or "").strip()
    if not code or len(code) > 40:
        raise ValidationFailed(_("请填写基本编码（不超过40位）。"), fields={"basic_code": [_("请填写基本编码。")]})
    data = _validate_basic(basic)
    with transaction.atomic():
        try:
            with transaction.atomic():
                standard = StandardMatter.objects.create(basic_code=code, **data)
        except IntegrityError:
            raise Conflict(_("基本编码已存在：%(code)s") % {"code": code}, code="duplicate_code") from None
        audit(actor=actor, action="standard.create", target=standard, data={"basic_code": code, "name": data["name"]})
        return standard


def standard_revise(
    *, standard: StandardMatter, actor: Any, expected_revision: int, note: str = "", **changes: Any
) -> tuple[StandardMatter, int]:
    """A new revision of a province entry, and a draft of it in every county that implements it.

    `expected_revision` is the revision the editor saw: a revision saved by someone else in between
    is refused (`stale_revision`) rather than silently overwritten. Returns the entry and the
    number of county drafts written."""
    _require_province(actor)
    unknown = set(changes) - set(BASIC_FIELDS)
    if unknown:
        raise ValidationFailed(_("未知字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    if not str(note or "").strip():
        raise ValidationFailed(_("请填写修订说明，各县（区）据此审核草稿。"), fields={"note": [_("请填写修订说明。")]})
    with transaction.atomic():
        locked = StandardMatter.objects.select_for_update().get(pk=standard.pk)
        if locked.revision != expected_revision:
            raise Conflict(_("该事项已被他人修订为第 %(n)d 版，请刷新后重试。") % {"n": locked.revision}, code="stale_revision")
        _refuse_retired(locked)
        before = locked.basic()
        data = _validate_basic({**before, **changes})
        if data == before:
            raise ValidationFailed(_("基本要素没有变化。"), code="unchanged")
        for k, v in data.items():
            setattr(locked, k, v)
        locked.revision = F("revision") + 1
        locked.revision_note = note
        locked.save(update_fields=[*BASIC_FIELDS, "revision", "revision_note", "updated_at"])
        locked.refresh_from_db(fields=["revision"])
        audit(
            actor=actor,
            action="standard.revise",
            target=locked,
            data={
                "revision": locked.revision,
                "fields": sorted(k for k in BASIC_FIELDS if data[k] != before[k]),
                "note": note,
            },
        )
        drafts = 0
        for matter_pk in Matter.objects.filter(standard=locked).order_by("pk").values_list("pk", flat=True):
            _draft_from_standard(matter_pk=matter_pk, standard=locked, actor=actor, note=note)
            drafts += 1
        return locked, drafts


def _draft_from_standard(*, matter_pk: int, standard: StandardMatter, actor: Any, note: str) -> MatterVersion:
    """The county's draft carrying the new revision: its open draft updated, or a new one copied
    from the published version. A committed time limit over the new statutory one is brought down
    to it (the check constraint forbids the other way), and the draft's note says so."""
    matter = Matter.objects.select_for_update().get(pk=matter_pk)
    draft = MatterVersion.objects.select_for_update().filter(matter=matter, status=MatterVersion.Status.DRAFT).first()
    if draft is None:
        draft = matter_draft_create(matter=matter, actor=actor)
    lines = [gettext("省级基本目录第 %(n)d 版：%(note)s") % {"n": standard.revision, "note": note}]
    committed = draft.committed_days
    if committed > standard.statutory_days:
        committed = standard.statutory_days
        lines.append(gettext("承诺时限已随法定时限调整为 %(d)d 个工作日，请核对。") % {"d": committed})
    change_note = "\n".join([*lines, draft.change_note] if draft.change_note else lines)
    MatterVersion.objects.filter(pk=draft.pk).update(
        **standard.basic(),
        committed_days=committed,
        standard_revision=standard.revision,
        change_note=change_note,
        updated_at=timezone.now(),
    )
    audit(
        actor=actor,
        action="matter.draft_from_standard",
        target=matter,
        data={"number": draft.number, "standard": standard.basic_code, "revision": standard.revision},
    )
    return draft


def matter_implement(
    *, standard: StandardMatter, department: OrgUnit, actor: Any, materials: Any = (), publish: bool = False, **local: Any
) -> Matter:
    """A county's matter implementing a province entry: the basic fields from the entry, the rest
    from `local`; its code is numbered in the county as any other matter's."""
    clash = set(local) & set(BASIC_FIELDS)
    if clash:
        raise ValidationFailed(
            _("基本要素由省级基本目录确定，不能在实施清单中填写：%(f)s") % {"f": "、".join(sorted(clash))},
            code="basic_field_locked",
        )
    if actor is not None and not in_remit(actor, department):
        raise PermissionDenied()
    with transaction.atomic():
        matter = matter_create(department=department, actor=actor, materials=materials, **standard.basic(), **local)
        Matter.objects.filter(pk=matter.pk).update(standard=standard)
        MatterVersion.objects.filter(matter=matter).update(standard_revision=standard.revision)
        matter.standard = standard
        audit(actor=actor, action="matter.implement", target=matter, data={"standard": standard.basic_code})
        if publish:
            version = MatterVersion.objects.get(matter=matter, status=MatterVersion.Status.DRAFT)
            matter = matter_publish(version=version, actor=actor)
        return matter


def matter_link_standard(*, matter: Matter, standard: StandardMatter, actor: Any) -> Matter:
    """Record that an existing matter implements a province entry. Its published version must
    already carry the entry's basic fields (otherwise the county first publishes a version that
    does: nothing is rewritten behind its back)."""
    with transaction.atomic():
        locked = Matter.objects.select_for_update(of=("self",)).select_related("current_version").get(pk=matter.pk)
        if actor is not None and not in_remit(actor, locked.department):
            raise PermissionDenied()
        current = locked.current_version
        if current is None:
            raise Conflict(_("该事项尚未发布。"), code="not_published")
        differs = [k for k in BASIC_FIELDS if getattr(current, k) != getattr(standard, k)]
        if differs:
            raise Conflict(
                _("事项的基本要素与省级基本目录不一致：%(f)s") % {"f": "、".join(differs)},
                code="basic_fields_differ",
                fields={k: [_("与省级基本目录不一致。")] for k in differs},
            )
        Matter.objects.filter(pk=locked.pk).update(standard=standard, updated_at=timezone.now())
        MatterVersion.objects.filter(pk=current.pk).update(standard_revision=standard.revision)
        locked.standard = standard
        audit(actor=actor, action="matter.link_standard", target=locked, data={"standard": standard.basic_code})
        return locked


# --- retiring an entry (取消) -------------------------------------------------------------------
#
# What a province's 取消 means for the counties, decided as the provinces do it (an entry taken out
# of the 基本目录 by a notice with an effective date; the counties 停止实施 their matters on it):
#
# - The entry is not deleted: it records the date and the reason, and every county matter and case
#   that names it keeps its meaning. No revision follows a retired entry (`standard_retired`).
# - The counties' matters are not deleted either. On the effective date each implementing matter is
#   withdrawn (停止实施: `matter_retire`, its current version `retired`, off the public lists), by
#   `standard_retire` itself when the date is today and otherwise by the daily sweep
#   `withdraw_retired`. Each county is told at once: a `matter.standard_retired` audit row on its
#   matter names the date and the reason (its notice to withdraw; the entry's row shows both).
# - New applications: accepted until the day before the effective date (the announcement gives
#   people time to apply under the rules they know), refused from it (`matter_retired`, a
#   retired version cannot be applied for).
# - Open cases finish: an application received before the date is handled to its end under the
#   version it was made under (法不溯及既往; the provinces' notices say 已受理的按原规定办结). Nothing
#   here touches a case.
# - A county cannot publish a draft of a retired entry once the date has come (that would put the
#   matter back on the list); before it, a county may still correct its implementation.
# - The date is not in the past: a retirement is announced, never backdated under applications
#   already made.


def _refuse_retired(standard: StandardMatter) -> None:
    if standard.retired_on is not None:
        raise Conflict(
            _("该事项已于 %(d)s 从省级基本目录取消，不能再修订。") % {"d": standard.retired_on.isoformat()},
            code="standard_retired",
        )


def standard_retire(
    *,
    standard: StandardMatter,
    actor: Any,
    expected_revision: int,
    reason: str,
    effective_on: Any,
    today: Any = None,
) -> tuple[StandardMatter, int]:
    """Take an entry out of the province's catalog from `effective_on` (see above). Locks the
    entry's row as a revision does, so a concurrent revision and retirement are one after the
    other: the later one sees `stale_revision` (a revision came first) or `standard_retired`.
    Returns the entry and the number of county matters told."""
    import datetime

    _require_province(actor)
    today = today or timezone.localdate()
    text = str(reason or "").strip()
    errors: dict[str, list[Any]] = {}
    if not text or len(text) > 2000:
        errors["reason"] = [_("请填写取消原因（不超过2000字），各县（区）据此停止实施。")]
    if not isinstance(effective_on, datetime.date):
        errors["effective_on"] = [_("请填写取消生效日期。")]
    elif effective_on < today:
        errors["effective_on"] = [_("生效日期不能早于今天：已经提出的申请按原事项办理。")]
    if errors:
        raise ValidationFailed(_("取消信息不完整或不正确。"), fields=errors)
    with transaction.atomic():
        locked = StandardMatter.objects.select_for_update().get(pk=standard.pk)
        if locked.revision != expected_revision:
            raise Conflict(_("该事项已被他人修订为第 %(n)d 版，请刷新后重试。") % {"n": locked.revision}, code="stale_revision")
        _refuse_retired(locked)
        locked.retired_on = effective_on
        locked.retire_reason = text
        locked.save(update_fields=["retired_on", "retire_reason", "updated_at"])
        matters = list(Matter.objects.filter(standard=locked).select_related("department").order_by("pk"))
        audit(
            actor=actor,
            action="standard.retire",
            target=locked,
            data={"effective_on": effective_on.isoformat(), "reason": text, "matters": [m.code for m in matters]},
        )
        for matter in matters:
            # Each county's notice to withdraw its matter on the date.
            audit(
                actor=actor,
                action="matter.standard_retired",
                target=matter,
                data={"standard": locked.basic_code, "effective_on": effective_on.isoformat(), "reason": text},
            )
        _tell_county_admins(locked, matters)
        if effective_on <= today:
            withdraw_retired(today=today, standard=locked)
        return locked, len(matters)


def _tell_county_admins(standard: StandardMatter, matters: list[Matter]) -> None:
    """Each implementing county's catalog administrators get a message (in "我的消息", after the
    commit) naming their matters, the date and the reason: the notice a province sends with its
    取消 decision, so no county learns of it only from an audit row it has to go looking for. The
    manage page lists the same (`catalog.selectors.retirements_for`)."""
    from onewindow.accounts.models import User
    from onewindow.core.notify import notify

    def admins(**where: Any) -> list[User]:
        # One filter call: the role and its unit are the same assignment's.
        found = User.objects.filter(is_active=True, role_assignments__role=Role.ADMIN, **where).distinct()
        return list(found.order_by("pk"))

    by_county: dict[str, list[Matter]] = {}
    for matter in matters:
        by_county.setdefault(matter.department.county_id, []).append(matter)
    assert standard.retired_on is not None
    platform: list[User] | None = None
    for county, own in by_county.items():
        told = admins(role_assignments__org_unit__county_id=county)
        if not told:
            # A county without its own administrator has its catalog kept by the platform's (the
            # demo's 青原区): they are told, so the notice reaches somebody who can act on it.
            platform = admins(role_assignments__org_unit__isnull=True) if platform is None else platform
            told = platform
        body = gettext(
            "省级政务服务事项基本目录取消“%(name)s”（%(basic)s），自 %(d)s 起停止实施。本县（区）的事项 %(codes)s "
            "将于当日自动停止实施，此前仍可申请，已受理的按原规定办结。取消原因：%(reason)s"
        ) % {
            "name": standard.name,
            "basic": standard.basic_code,
            "d": standard.retired_on.isoformat(),
            "codes": "、".join(m.code for m in own),
            "reason": standard.retire_reason,
        }
        for admin in told:
            notify(
                channel="site",
                recipient=admin.username,
                user=admin,
                subject=gettext("省级目录取消事项"),
                body=body,
                kind="catalog.standard_retired",
                dedupe_key=f"catalog.standard_retired:{standard.pk}:{admin.pk}",
            )


def withdraw_retired(*, today: Any = None, standard: StandardMatter | None = None) -> int:
    """停止实施: every county matter whose entry's retirement has taken effect and that is still
    published is withdrawn (`matter_retire`). The daily sweep (CatalogConfig.sweeps) runs it;
    idempotent, a short indexed read when there is nothing to do."""
    today = today or timezone.localdate()
    due = Matter.objects.filter(
        standard__retired_on__lte=today, current_version__status=MatterVersion.Status.PUBLISHED
    ).select_related("standard")
    if standard is not None:
        due = due.filter(standard=standard)
    done = 0
    for matter in due.order_by("pk"):
        assert matter.standard is not None and matter.standard.retired_on is not None
        reason = gettext("省级基本目录已于 %(d)s 取消该事项：%(r)s") % {
            "d": matter.standard.retired_on.isoformat(),
            "r": matter.standard.retire_reason,
        }
        try:
            matter_retire(matter=matter, actor=None, reason=reason)
        except Conflict:  # withdrawn by the county (or another sweep) a moment ago
            continue
        done += 1
    return done
