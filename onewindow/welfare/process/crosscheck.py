"""家庭经济状况信息核对 (2021 rules art. 18): the household's declared income and assets checked
against other records. Pluggable, like the real-name check (accounts.realname): a deployment with
access to the province's 居民家庭经济状况核对系统 (banks, vehicles, housing, social insurance,
business registration) points `ONEWINDOW_WELFARE_CROSSCHECK_BACKEND` at a class with the same
method; nothing else changes.

The local backend checks what the platform itself holds: a member already paid in another
household, a member who is the legal representative of a registered business (经营性收入 to
declare), a member whose ID number belongs to an account registered in another township.

The article numbers of the 2021 审核确认办法 cited here are unverified (see docs/welfare.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext_noop as N_

from ..models import Household, IncomeItem, Member

DEFAULT_BACKEND = "onewindow.welfare.process.crosscheck.LocalBackend"


@dataclass(frozen=True)
class Result:
    passed: bool
    # [{"member": name, "item": what was checked, "declared": ..., "found": ...}]
    findings: list[dict[str, Any]] = field(default_factory=list)


class CrossCheckBackend(Protocol):
    name: str

    def check(self, household: Household) -> Result: ...


class LocalBackend:
    # Stored on the CrossCheck row as written here (msgids): pages show them translated.
    name = N_("本平台数据核对")

    def check(self, household: Household) -> Result:
        from onewindow.accounts.models import EnterpriseHandler, User

        findings: list[dict[str, Any]] = []
        members = list(household.members.prefetch_related("incomes"))
        numbers = [m.id_number for m in members]
        paid = dict(
            Member.objects.filter(id_number__in=numbers, in_payment=True)
            .exclude(household=household)
            .values_list("id_number", "household__number")
        )
        legal = set(
            EnterpriseHandler.objects.filter(
                user__id_number__in=numbers, kind=EnterpriseHandler.Kind.LEGAL_REPRESENTATIVE
            ).values_list("user__id_number", flat=True)
        )
        homes = dict(
            User.objects.filter(id_number__in=numbers, home_unit__isnull=False).values_list("id_number", "home_unit__parent_id")
        )
        for m in members:
            if m.id_number in paid:
                findings.append(
                    {
                        "member": m.name,
                        "item": N_("在保"),
                        "declared": "",
                        "found": N_("已在其他低保家庭"),
                        "household": paid[m.id_number],
                    }
                )
            business = sum(i.monthly_fen for i in m.incomes.all() if i.kind == IncomeItem.Kind.BUSINESS)
            if m.id_number in legal and business == 0:
                findings.append(
                    {"member": m.name, "item": N_("市场主体登记"), "declared": N_("无经营收入"), "found": N_("企业法定代表人")}
                )
            township = homes.get(m.id_number)
            if township is not None and township != household.township_id:
                findings.append(
                    {"member": m.name, "item": N_("户籍"), "declared": household.township.name, "found": N_("户籍在其他乡镇")}
                )
        return Result(passed=not findings, findings=findings)


def backend() -> CrossCheckBackend:
    path = getattr(settings, "ONEWINDOW_WELFARE_CROSSCHECK_BACKEND", DEFAULT_BACKEND)
    chosen: CrossCheckBackend = import_string(path)()
    return chosen
