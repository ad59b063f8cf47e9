"""Filing a 低保 application and accepting it.

A 低保 application is a `cases.Case` of the 低保 matter (so the clock, the cards, routing to the
township and the township's work lists apply) plus the household file (`Household`, its members,
their income items and assets) and an `Application` joining the two.

Rules (2021 national 最低生活保障审核确认办法):
- art. 6: the household is the unit; one member of the household applies, to the township of
  their registered residence (户籍), in writing or online — the applicant must be a member;
- art. 7: someone who cannot apply may ask the village committee or another person to apply for
  them — here the village agent point, under a recorded mandate (assistance.mandate_check);
- art. 11: the township accepts an application whose materials are complete (the cases engine's
  acceptance: materials checked, 一次性告知 otherwise);
- a resident of another township is told where to apply (cases.routing.OtherTownship).

Every refusal is raised before anything is written.

The article numbers of the 2021 审核确认办法 cited here are unverified (see docs/welfare.md).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import OrgUnit, User
from onewindow.cases import routing
from onewindow.cases import services as case_services
from onewindow.cases.models import Case
from onewindow.cases.models import Channel as CaseChannel
from onewindow.core.audit import audit
from onewindow.core.errors import PermissionDenied, ValidationFailed
from onewindow.core.identity import validate_resident_id
from onewindow.core.parsing import clean_text

from ..models import Application, Asset, Household, IncomeItem, Member
from ..models.standard import AreaKind
from . import access, conf, route
from .errors import AlreadyApplying, AlreadyInPayment, HouseholdInvalid, MemberInPayment, WrongStage

MAX_MEMBERS = 20
MAX_FEN = 10**12  # a sanity bound on any amount typed in (10 billion yuan)


@dataclass
class IncomeInput:
    kind: str
    monthly_fen: int
    note: str = ""


@dataclass
class AssetInput:
    kind: str
    value_fen: int
    note: str = ""


@dataclass
class MemberInput:
    name: str
    id_number: str
    relationship: str
    labour: str = Member.Labour.FULL
    disabled: bool = False
    seriously_ill: bool = False
    student: bool = False
    incomes: list[IncomeInput] = field(default_factory=list)
    assets: list[AssetInput] = field(default_factory=list)


@dataclass
class HouseholdInput:
    address: str
    area_kind: str
    members: list[MemberInput]
    phone: str = ""
    hardship: str = ""  # the application form's 主要困难情形
    bank_account: str = ""
    village: OrgUnit | None = None  # at the township window, when the applicant has none on record


@dataclass
class _Clean:
    household: HouseholdInput
    members: list[MemberInput]
    numbers: list[str]


def _text(value: Any, limit: int) -> str:
    return clean_text(value, limit)


def _amount(value: Any, where: str) -> int:
    """Integer fen, never below zero (nothing stored when it is)."""
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise ValidationFailed(
            _("金额须为整数（分）。"), code="amount_invalid", fields={where: [_("金额须为整数（分）。")]}
        ) from None
    if n < 0:
        raise ValidationFailed(_("金额不能小于零。"), code="amount_negative", fields={where: [_("金额不能小于零。")]})
    if n > MAX_FEN:
        raise ValidationFailed(_("金额过大，请核对。"), code="amount_too_large", fields={where: [_("金额过大，请核对。")]})
    return n


def clean_household(data: HouseholdInput, *, applicant: User) -> _Clean:
    """Every check of the household file, before anything is written."""
    errors: dict[str, list[Any]] = {}
    address = _text(data.address, 200)
    if not address:
        errors["address"] = [_("必填项。")]
    if data.area_kind not in AreaKind.values:
        errors["area_kind"] = [_("请选择城市或农村。")]
    if not data.members:
        raise HouseholdInvalid(_("请填写家庭成员。"), fields={"members": [_("必填项。")]})
    if len(data.members) > MAX_MEMBERS:
        raise HouseholdInvalid(_("家庭成员过多，请核对。"), fields={"members": [_("最多 20 人。")]})
    members: list[MemberInput] = []
    numbers: list[str] = []
    for i, m in enumerate(data.members):
        where = f"members.{i}"
        name = _text(m.name, 50)
        if not name:
            errors[f"{where}.name"] = [_("必填项。")]
        try:
            number = validate_resident_id(_text(m.id_number, 18))
        except ValidationFailed as exc:
            errors[f"{where}.id_number"] = [exc.message]
            number = ""
        if m.relationship not in Member.Relationship.values:
            errors[f"{where}.relationship"] = [_("请选择与户主关系。")]
        if m.labour not in Member.Labour.values:
            errors[f"{where}.labour"] = [_("请选择劳动能力。")]
        incomes = []
        for j, inc in enumerate(m.incomes):
            if inc.kind not in IncomeItem.Kind.values:
                errors[f"{where}.incomes.{j}.kind"] = [_("请选择收入类型。")]
            incomes.append(IncomeInput(inc.kind, _amount(inc.monthly_fen, f"{where}.incomes.{j}"), _text(inc.note, 200)))
        assets = []
        for j, a in enumerate(m.assets):
            if a.kind not in Asset.Kind.values:
                errors[f"{where}.assets.{j}.kind"] = [_("请选择财产类型。")]
            assets.append(AssetInput(a.kind, _amount(a.value_fen, f"{where}.assets.{j}"), _text(a.note, 200)))
        if number and number in numbers:
            errors[f"{where}.id_number"] = [_("同一身份证号不能重复填写。")]
        numbers.append(number)
        members.append(
            MemberInput(
                name=name,
                id_number=number,
                relationship=m.relationship,
                labour=m.labour,
                disabled=bool(m.disabled),
                seriously_ill=bool(m.seriously_ill),
                student=bool(m.student),
                incomes=incomes,
                assets=assets,
            )
        )
    heads = [m for m in members if m.relationship == Member.Relationship.HEAD]
    if len(heads) != 1:
        errors["members"] = [_("家庭成员中须有且只有一名户主。")]
    if errors:
        raise HouseholdInvalid(_("家庭信息有 %(n)d 处需要修改。") % {"n": len(errors)}, fields=errors)
    # art. 6: the applicant is one of the household's members.
    if applicant.id_number and applicant.id_number.upper() not in numbers:
        raise HouseholdInvalid(
            _("申请人须为共同生活的家庭成员，请在家庭成员中填写申请人本人。"), fields={"members": [_("缺少申请人本人。")]}
        )
    paid = Member.objects.filter(id_number__in=numbers, in_payment=True).values_list("id_number", "name").first()
    if paid is not None:
        raise MemberInPayment(paid[1])
    return _Clean(household=data, members=members, numbers=numbers)


def _form_data(clean: _Clean, applicant: User) -> dict[str, Any]:
    """The case's application form, filled from the household file (the 低保 matter's form: the
    applicant, the household size and income, hardship, property, bank account). The village
    point is recorded on the case and by the agent service, not as a personal 代理人."""
    income_fen = sum(i.monthly_fen for m in clean.members for i in m.incomes)
    assets = [f"{Asset.Kind(a.kind).label}{a.value_fen / 100:.2f}元" for m in clean.members for a in m.assets]
    me = next((m for m in clean.members if m.id_number == (applicant.id_number or "").upper()), clean.members[0])
    data: dict[str, Any] = {
        "applicant_name": me.name,
        "applicant_id": me.id_number,
        "applicant_phone": _text(clean.household.phone, 20) or applicant.phone,
        "contact_phone": _text(clean.household.phone, 20) or applicant.phone,
        "applicant_address": _text(clean.household.address, 200),
        "has_agent": False,
        "household_size": len(clean.members),
        "household_income": income_fen // 100,
        "property_desc": "；".join(str(a) for a in assets) or "无",
        "address": _text(clean.household.address, 200),
    }
    if clean.household.hardship:
        data["hardship"] = _text(clean.household.hardship, 40)
    if clean.household.bank_account:
        data["bank_account"] = _text(clean.household.bank_account, 30)
    return data


def _village_for(
    *, applicant: User, channel: str, agent: User | None, given: OrgUnit | None, township: OrgUnit | None
) -> OrgUnit:
    if agent is not None:
        village = routing.agent_village(agent)
    else:
        village = applicant.home_unit or (given if channel == Application.Channel.COUNTER else None)
    if village is None or not village.is_village_level:
        raise HouseholdInvalid(
            _("低保在户籍所在村（社区）公示，请先登记申请人的户籍所在村（社区）。"), fields={"village": [_("必填项。")]}
        )
    if township is None or village.parent_id != township.pk:
        raise HouseholdInvalid(_("所选村（社区）不属于受理的乡镇（街道）。"), fields={"village": [_("不属于本乡镇。")]})
    return village


def _household_for(applicant: User, township: OrgUnit) -> Household | None:
    """The applicant's household from an earlier application (refused or exited), reused; a
    household in payment or still applying cannot apply again."""
    existing = Household.objects.select_for_update().filter(account=applicant).order_by("-created_at").first()
    if existing is None:
        return None
    if existing.status == Household.Status.IN_PAYMENT:
        raise AlreadyInPayment()
    if existing.status == Household.Status.APPLYING:
        raise AlreadyApplying()
    return existing


def _write_members(household: Household, clean: _Clean) -> None:
    household.members.all().delete()  # a re-application replaces the old file (its history is in the audit log)
    for m in clean.members:
        member = Member.objects.create(
            household=household,
            name=m.name,
            id_number=m.id_number,
            relationship=m.relationship,
            labour=m.labour,
            disabled=m.disabled,
            seriously_ill=m.seriously_ill,
            student=m.student,
        )
        IncomeItem.objects.bulk_create(
            [IncomeItem(member=member, kind=i.kind, monthly_fen=i.monthly_fen, note=i.note) for i in m.incomes]
        )
        Asset.objects.bulk_create([Asset(member=member, kind=a.kind, value_fen=a.value_fen, note=a.note) for a in m.assets])


CHANNELS: dict[str, str] = {
    Application.Channel.ONLINE: CaseChannel.ONLINE,
    Application.Channel.MOBILE: CaseChannel.MOBILE,
    Application.Channel.COUNTER: CaseChannel.COUNTER,
    Application.Channel.AGENT: CaseChannel.AGENT,
}


def application_file(
    *,
    actor: User,
    applicant: User,
    channel: str,
    household: HouseholdInput,
    materials: list[case_services.MaterialInput] | None = None,
    received_at: datetime.datetime | None = None,
) -> Application:
    """File a 低保 application from any channel.

    - online / mobile: the applicant themself (`actor == applicant`);
    - counter: a township officer at their own window; accepted at once (the officer has seen the
      paper materials) and the check starts;
    - agent: a village agent for a resident of the point's village under a mandate in force
      (assistance.mandate_check; the point keeps the record, assistance.agent_record_welfare).
    """
    if channel not in Application.Channel.values:
        raise ValidationFailed(_("未知的申请渠道。"), fields={"channel": [_("未知的申请渠道。")]})
    matter = conf.dibao_matter()
    agent: User | None = None
    if channel in (Application.Channel.ONLINE, Application.Channel.MOBILE):
        if actor.pk != applicant.pk:
            raise PermissionDenied(_("网上申请须由申请人本人提交。"))
    elif channel == Application.Channel.COUNTER:
        counter = routing.counter_unit(actor)
        if counter is None or not counter.is_township_level or not access.handles_township(actor, counter):
            raise PermissionDenied(_("只有乡镇（街道）便民服务中心的工作人员可以在窗口受理低保申请。"))
    else:
        from onewindow.assistance.services.mandates import mandate_check

        mandate_check(actor=actor, resident=applicant, matter=matter)  # raises the specific refusal
        agent = actor
    on = timezone.localdate(received_at or timezone.now())
    counter_unit = routing.counter_unit(actor) if channel == Application.Channel.COUNTER else None
    where = routing.route_submission(
        applicant=applicant,
        matters=[matter],
        intake_unit=counter_unit or matter.department,
        at_counter=counter_unit is not None,
        agent=agent,
        on=on,
    )  # OtherTownship for a resident of another township, before anything is written
    if where.township is None or not where.is_delegated:
        raise HouseholdInvalid(_("申请人户籍所在乡镇（街道）尚未承接低保审核确认，请到区民政局申请。"))
    clean = clean_household(household, applicant=applicant)
    village = _village_for(applicant=applicant, channel=channel, agent=agent, given=household.village, township=where.township)

    try:
        with transaction.atomic():
            # Serialises two filings for the same applicant (two windows, or a window and the
            # agent at once): the second sees the first's household and is refused.
            User.objects.select_for_update().filter(pk=applicant.pk).first()
            existing = _household_for(applicant, where.township)
            case = case_services.case_submit(
                applicant=applicant,
                matter_version=matter.current_version,
                channel=CHANNELS[channel],
                form_data=_form_data(clean, applicant),
                materials=materials or [],
                agent=agent,
                actor=actor,
                received_at=received_at,
            )
            if existing is None:
                hh = Household.objects.create(
                    number=f"DB{case.number[2:]}",
                    township=where.township,
                    village=village,
                    area_kind=household.area_kind,
                    address=_text(household.address, 200),
                    phone=_text(household.phone, 20),
                    account=applicant,
                )
            else:
                hh = existing
                hh.township, hh.village, hh.area_kind = where.township, village, household.area_kind
                hh.address, hh.phone = _text(household.address, 200), _text(household.phone, 20)
                hh.status, hh.monthly_amount_fen = Household.Status.APPLYING, 0
                hh.save()
            _write_members(hh, clean)
            app = Application.objects.create(household=hh, case=case, channel=channel, filed_by=actor, agent=agent)
            audit(
                actor=actor,
                action="welfare.apply",
                target=app,
                data={"case": case.number, "household": hh.number, "channel": channel, "members": len(clean.members)},
            )
            if agent is not None:
                from onewindow.assistance.services.applications import agent_record_welfare

                agent_record_welfare(actor=actor, resident=applicant, matter=matter, welfare_ref=app.uuid)
            if channel == Application.Channel.COUNTER:
                _accept(app, actor=actor)
    except IntegrityError:
        # Two windows filing for the same household at once: the constraint keeps one.
        if Application.objects.filter(household__account=applicant).exclude(stage__in=["approved", "refused"]).exists():
            raise AlreadyApplying() from None
        raise
    return app


def _accept(app: Application, *, actor: User) -> None:
    case = case_services.case_accept(case=app.case, actor=actor)
    route.check_shape(case)
    app.case = case
    app.stage = Application.Stage.CHECK
    app.save(update_fields=["stage", "updated_at"])


def application_accept(*, application: Application, actor: User) -> Application:
    """The township accepts an application filed online or by an agent (art. 11): the clock of 25
    working days starts and the economic check opens (it must start within 3 working days, art. 17)."""
    access.require_handles(actor, application.household)
    with transaction.atomic():
        app = Application.objects.select_for_update().select_related("case", "household").get(pk=application.pk)
        if app.stage != Application.Stage.ACCEPTANCE or app.case.status != Case.Status.SUBMITTED:
            raise WrongStage(app.get_stage_display())
        _accept(app, actor=actor)
        audit(actor=actor, action="welfare.accept", target=app, data={"case": app.case.number})
    return app
