"""Mandates (委托书): record at the point, confirm from the phone, countersign, revoke, and the one
check every application for a resident passes through (`mandate_in_force`)."""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import OrgUnit, User
from onewindow.cases import selectors as case_selectors
from onewindow.catalog.models import Matter
from onewindow.core.audit import audit
from onewindow.core.errors import NotFound, PermissionDenied, ValidationFailed
from onewindow.core.notify import notify
from onewindow.core.uploads import collect_stored, store_private

from .. import access
from ..errors import MandateNotPending, NoMandate, NotAgentEligible, OtherCounty, OtherVillage
from ..models import AgentPoint, Mandate
from ..policy import policy
from ._common import clean, point_signed, require_ink, sha256_stored, sha256_text


def _number(today: datetime.date) -> str:
    # Random suffix: unique by constraint, and never guessable from a neighbour's number.
    return f"WT{today:%Y%m%d}{secrets.token_hex(3).upper()}"


def require_home_village(point: AgentPoint, resident: User) -> None:
    """An agent point serves the residents registered in its own village (community)."""
    if resident.home_unit_id != point.village_id:
        raise OtherVillage()


def require_agent_eligible(matter: Matter, point: AgentPoint | None = None) -> None:
    """An agent-eligible matter; of the point's county when a point is named."""
    version = matter.current_version
    if version is None or not version.agent_eligible:
        raise NotAgentEligible(version.name if version else matter.search_name)
    if point is not None:
        county = point.village.county_id
        known = matter.department.county_id if "department" in matter._state.fields_cache else None
        if known is not None and known != county:
            raise OtherCounty(version.name)
        if known is None and not OrgUnit.objects.filter(pk=matter.department_id, county_id=county).exists():
            raise OtherCounty(version.name)


def mandate_text(
    *,
    point: AgentPoint,
    resident: User,
    matters: list[Matter],
    all_eligible: bool,
    valid_from: datetime.date,
    valid_until: datetime.date,
) -> str:
    """The text the resident signs. Always in Chinese: it is the legal document, whatever language
    the agent's screen is in."""
    with translation.override("zh-hans"):
        if all_eligible:
            scope = "本区公布的全部可代办政务服务事项"
        else:
            scope = "、".join(f"“{m.current_version.name if m.current_version else m.search_name}”" for m in matters)
        return (
            f"委托书\n"
            f"委托人：{resident.display_name}（身份证号 {resident.masked_id_number}），"
            f"户籍所在地：{point.village.parent.name if point.village.parent else ''}{point.village.name}。\n"
            f"受托人：{point.name}{f'（{point.address}）' if point.address else ''}。\n"
            f"委托事项：{scope}。\n"
            f"委托期限：{valid_from:%Y年%m月%d日}至{valid_until:%Y年%m月%d日}。\n"
            f"本人委托上述代办点的代办员代为提交申请、递交和领取材料、代缴相关费用，"
            f"代办员代为办理的行为由本人承担相应法律后果。本人可随时撤销本委托，撤销前已提交的申请不受影响。"
        )


def _scope(all_eligible: bool, matters: list[Matter], point: AgentPoint) -> list[Matter]:
    if all_eligible:
        return []
    if not matters:
        raise ValidationFailed(_("请选择委托事项，或选择全部可代办事项。"), fields={"matters": [_("必填项。")]})
    for m in matters:
        require_agent_eligible(m, point)
    return matters


def _period(valid_from: datetime.date, valid_until: datetime.date) -> None:
    today = timezone.localdate()
    fields: dict[str, Any] = {}
    if valid_from < today:
        fields["valid_from"] = [_("生效日期不能早于今天。")]
    if valid_until < valid_from:
        fields["valid_until"] = [_("截止日期不能早于生效日期。")]
    elif (valid_until - valid_from).days > policy().mandate_max_days:
        fields["valid_until"] = [_("委托期限不能超过 %(n)s 天。") % {"n": policy().mandate_max_days}]
    if fields:
        raise ValidationFailed(_("请检查委托期限。"), fields=fields)


def mandate_record(
    *,
    actor: User,
    point: AgentPoint,
    resident: User,
    all_eligible: bool,
    matters: list[Matter],
    valid_from: datetime.date,
    valid_until: datetime.date,
    method: str,
    id_checked: bool = False,
    signature: Any = None,
    countersigner_name: str = "",
    countersign: Any = None,
) -> Mandate:
    """Record a mandate at the point. With the resident present (ID checked) it is signed on the
    screen or on a paper form that is scanned; otherwise the resident confirms it from their phone."""
    access.require_agent_of(actor, point)
    require_home_village(point, resident)
    if method not in Mandate.Method.values:
        raise ValidationFailed(_("请选择签署方式。"), fields={"method": [_("请选择签署方式。")]})
    matters = _scope(all_eligible, matters, point)
    _period(valid_from, valid_until)
    present = method in (Mandate.Method.ON_SCREEN, Mandate.Method.PAPER)
    if present and not id_checked:
        raise ValidationFailed(
            _("现场签署须核验本人身份证件。"), fields={"id_checked": [_("请核验身份证件。")]}, code="id_not_checked"
        )
    if present and signature is None:
        raise ValidationFailed(
            _("请委托人签名或上传签字的纸质委托书。"), fields={"signature": [_("必填项。")]}, code="signature_missing"
        )
    if method == Mandate.Method.PHONE and not resident.phone:
        raise ValidationFailed(_("该群众没有登记手机号，不能用手机确认，请现场签署。"), code="no_phone")
    if method == Mandate.Method.ON_SCREEN:
        require_ink(signature)
    countersigner_name = clean(countersigner_name, 64)
    need_countersign = policy().countersign_required
    if countersign is not None:
        require_ink(countersign)
        if not countersigner_name:
            raise ValidationFailed(_("请填写签字负责人姓名。"), fields={"countersigner_name": [_("必填项。")]})
    text = mandate_text(
        point=point, resident=resident, matters=matters, all_eligible=all_eligible, valid_from=valid_from, valid_until=valid_until
    )
    now = timezone.now()
    with collect_stored(), transaction.atomic():
        mandate = Mandate(
            number=_number(timezone.localdate(now)),
            point=point,
            resident=resident,
            all_eligible=all_eligible,
            valid_from=valid_from,
            valid_until=valid_until,
            method=method,
            text=text,
            text_sha256=sha256_text(text),
            recorded_by=actor,
            id_checked=id_checked,
            countersign_required=need_countersign,
        )
        folder = f"assistance/mandates/{mandate.uuid}"
        if present:
            accepts = "png" if method == Mandate.Method.ON_SCREEN else "pdf,image"
            mandate.signature_file = store_private(signature, folder=folder, accepts=accepts)
            mandate.signature_sha256 = sha256_stored(mandate.signature_file)
            mandate.signed_at = now
        if countersign is not None:
            mandate.countersign_file = store_private(countersign, folder=folder, accepts="png")
            mandate.countersigner_name = countersigner_name
            mandate.countersigned_at = now
        mandate.status = _status_after_signing(mandate)
        mandate.save()
        mandate.matters.set(matters)
        audit(
            actor=actor,
            action="mandate.record",
            target=mandate,
            data={"number": mandate.number, "method": method, "sha256": mandate.text_sha256, "status": mandate.status},
        )
        _tell_resident(mandate)
    return mandate


def _status_after_signing(m: Mandate) -> str:
    if m.signed_at is None:
        return Mandate.Status.AWAITING_RESIDENT
    if m.countersign_required and m.countersigned_at is None:
        return Mandate.Status.AWAITING_COUNTERSIGN
    return Mandate.Status.ACTIVE


def _tell_resident(m: Mandate) -> None:
    if m.status == Mandate.Status.AWAITING_RESIDENT:
        body = gettext("%(point)s为您登记了委托书 %(number)s，请登录“我的-我的委托”核对并确认。") % {
            "point": m.point.name,
            "number": m.number,
        }
    else:
        body = gettext("您已委托%(point)s代办，委托书 %(number)s，有效期至 %(until)s。可在“我的-我的委托”查看或撤销。") % {
            "point": m.point.name,
            "number": m.number,
            "until": f"{m.valid_until:%Y-%m-%d}",
        }
    resident = m.resident
    notify(
        channel="sms" if resident.phone else "site",
        recipient=resident.phone or resident.username,
        user=resident,
        subject=gettext("委托代办"),
        body=point_signed(m.point, body),
        kind="assistance.mandate",
    )


def _locked(mandate: Mandate) -> Mandate:
    # The point's village comes too (its county signs the messages: a join, no statement more),
    # unlocked: the rows locked are those locked before it was joined.
    return (
        Mandate.objects.select_for_update(of=("self", "point", "resident"))
        .select_related("point__village", "resident")
        .get(pk=mandate.pk)
    )


def mandate_confirm(*, actor: User, mandate: Mandate, text_sha256: str) -> Mandate:
    """The resident confirms from their own phone the exact text they were shown (by its hash)."""
    if actor.pk != mandate.resident_id:
        raise PermissionDenied()
    with transaction.atomic():
        m = _locked(mandate)
        if m.status != Mandate.Status.AWAITING_RESIDENT:
            raise MandateNotPending()
        if clean(text_sha256, 64).lower() != m.text_sha256:
            raise ValidationFailed(_("委托书内容已变化，请刷新后重新确认。"), code="text_changed")
        now = timezone.now()
        m.signed_at = now
        m.resident_confirmed_at = now
        m.status = _status_after_signing(m)
        m.save(update_fields=["signed_at", "resident_confirmed_at", "status", "updated_at"])
        audit(actor=actor, action="mandate.confirm", target=m, data={"sha256": m.text_sha256})
    return m


def mandate_countersign(*, actor: User, mandate: Mandate, countersigner_name: str, signature: Any) -> Mandate:
    """The village (community) head countersigns on the point's screen."""
    access.require_agent_of(actor, mandate.point)
    name = clean(countersigner_name, 64)
    if not name:
        raise ValidationFailed(_("请填写签字负责人姓名。"), fields={"countersigner_name": [_("必填项。")]})
    if signature is None:
        raise ValidationFailed(_("请负责人签名。"), fields={"signature": [_("必填项。")]}, code="signature_missing")
    require_ink(signature)
    with collect_stored(), transaction.atomic():
        m = _locked(mandate)
        if m.status != Mandate.Status.AWAITING_COUNTERSIGN:
            raise MandateNotPending()
        m.countersign_file = store_private(signature, folder=f"assistance/mandates/{m.uuid}", accepts="png")
        m.countersigner_name = name
        m.countersigned_at = timezone.now()
        m.status = _status_after_signing(m)
        m.save(update_fields=["countersign_file", "countersigner_name", "countersigned_at", "status", "updated_at"])
        audit(actor=actor, action="mandate.countersign", target=m, data={"by": name})
        _tell_resident(m)
    return m


def mandate_revoke(*, actor: User, mandate: Mandate, reason: str = "") -> Mandate:
    """The resident revokes (or an administrator, on a written request). New applications stop at
    once; cases already filed go on."""
    if actor.pk != mandate.resident_id and not case_selectors.admin_over(actor, mandate.point.village):
        raise PermissionDenied()
    with transaction.atomic():
        m = _locked(mandate)
        if m.status == Mandate.Status.REVOKED:
            return m
        m.status = Mandate.Status.REVOKED
        m.revoked_at = timezone.now()
        m.revoked_by = actor
        m.revoke_reason = clean(reason, 200)
        m.save(update_fields=["status", "revoked_at", "revoked_by", "revoke_reason", "updated_at"])
        audit(actor=actor, action="mandate.revoke", target=m, data={"reason": m.revoke_reason})
        if m.point.phone:
            notify(
                channel="sms",
                recipient=m.point.phone,
                body=point_signed(
                    m.point, gettext("%(name)s已撤销委托书 %(number)s。") % {"name": m.resident.display_name, "number": m.number}
                ),
                kind="assistance.mandate_revoked",
            )
    return m


def mandate_in_force(
    *,
    point: AgentPoint,
    resident: User,
    matter: Matter | None = None,
    department_code: str = "",
    day: datetime.date | None = None,
) -> Mandate:
    """The resident's active mandate to `point` covering `matter` (or any matter of the department
    `department_code`) on `day`; NoMandate otherwise. The one check every agent action passes."""
    day = day or timezone.localdate()
    qs = Mandate.objects.filter(
        point=point, resident=resident, status=Mandate.Status.ACTIVE, valid_from__lte=day, valid_until__gte=day
    )
    if matter is not None:
        qs = qs.filter(Q(all_eligible=True) | Q(matters=matter))
    elif department_code:
        qs = qs.filter(Q(all_eligible=True) | Q(matters__department__code=department_code))
    mandate = qs.order_by("-valid_until").first()
    if mandate is None:
        raise NoMandate()
    return mandate


def mandate_check(*, actor: User, resident: User, matter: Matter) -> tuple[AgentPoint, Mandate]:
    """Everything an agent must pass before applying for a resident (for other apps too, e.g.
    the 低保 application): agent of a point, resident of its village, an agent-eligible matter,
    a mandate in force covering it. Raises the specific refusal; returns the point and mandate."""
    point = access.point_of(actor)
    if point is None:
        raise PermissionDenied(_("只有村（社区）代办员可以代办。"))
    require_home_village(point, resident)
    require_agent_eligible(matter, point)
    return point, mandate_in_force(point=point, resident=resident, matter=matter)


def mandate_by_uuid(value: Any) -> Mandate:
    m = Mandate.objects.select_related("point", "resident").filter(uuid=value).first()
    if m is None:
        raise NotFound()
    return m


def resident_find_or_register(*, actor: User, id_number: str, display_name: str = "", phone: str = "") -> User:
    """The resident in front of the agent, found by ID number, or registered (without a password;
    they claim the account by real-name sign-up later) with the point's village as their registered
    village: the agent has checked the ID card and household register (户口簿)."""
    from onewindow.accounts.models import Role, RoleAssignment
    from onewindow.core.identity import validate_resident_id

    point = access.point_of(actor)
    if point is None:
        raise PermissionDenied(_("只有村（社区）代办员可以代办。"))
    number = validate_resident_id(clean(id_number, 18))
    with transaction.atomic():
        user = User.objects.filter(id_number=number).first()
        if user is not None:
            require_home_village(point, user)
            return user
        name, phone = clean(display_name, 64), clean(phone, 20)
        if not name:
            raise ValidationFailed(_("新登记的群众请填写姓名。"), fields={"display_name": [_("必填项。")]})
        user = User(
            username=f"p{secrets.token_hex(6)}",
            display_name=name,
            id_number=number,
            id_type=User.IdType.of_number(number),
            phone=phone,
            home_unit=point.village,
        )
        user.set_unusable_password()
        user.save()
        RoleAssignment.objects.create(user=user, role=Role.CITIZEN)
        audit(actor=actor, action="assistance.register_resident", target=user, data={"village": point.village.code})
        return user
