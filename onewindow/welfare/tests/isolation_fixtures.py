"""County B's rows of the agent service, the townships' delegation and 低保 (docs/tenancy.md), for the
isolation matrices of those apps (assistance/townships/welfare tests/test_isolation.py).

County B is the one of core/tests/counties.py (吉州区, its departments, staff, matter and
case in review); here it gets a 民政局 (`MZJ`, the same code as A's: unit codes are unique per county), a
township with a village, their staff (the 民政局's approver, the township officer, the village
agent), and a row of every model of the three apps, written directly (what the services would
write, without B's 低保 route): an agent point with a mandate, an application with its forwarding,
delivery and follow-up, a till with an entry and a hand-over batch; a delegation batch with a
document, a delegation (and a revoked one), a supervision review; a 低保 household with its member,
income, asset, enrolment, register change, report and review, the county's standard, an
application with its visit, appraisal, cross-check, notice and objection, a roll waiting for the
民政局 and a frozen one with its line, payment and bank return.

County A's users are those of the cases matrix plus A's 民政局 approver and A's village agent. The
apps' tests/conftest.py import these fixtures (and core/tests/counties.py's `county_b`, `a_users`)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from conftest import make_user
from onewindow.accounts.demo import resident_id
from onewindow.accounts.models import OrgUnit, Role, User
from onewindow.accounts.services import org_unit_create
from onewindow.core.tests.counties import B, a_users, county_b

__all__ = ["B", "a_users", "b_rows", "county_b", "isolation_clock", "more_a_users"]


@pytest.fixture
def isolation_clock() -> Any:
    """A fixed working day inside the published calendar (2026-04-01), as the cases matrix runs:
    B's case takes deadlines that must not run past the last year the calendar knows."""
    import zoneinfo

    import time_machine
    from django.utils import translation

    from onewindow.core import workdays

    workdays.invalidate()
    with (
        translation.override("zh-hans"),
        time_machine.travel(datetime.datetime(2026, 4, 1, 10, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")), tick=True),
    ):
        yield
    workdays.invalidate()


@pytest.fixture
def more_a_users(a_users: dict[str, User], org: dict[str, OrgUnit]) -> dict[str, User]:
    """The cases matrix's county-A users, A's 民政局 approver and A's village agent."""
    from onewindow.assistance.models import AgentPoint

    AgentPoint.objects.get_or_create(village=org["ZXSQ"], defaults={"name": "值夏社区代办点"})
    return {
        **a_users,
        "mzj": make_user("approver_mzj_a", Role.APPROVER, org["MZJ"]),
        "agent": make_user("agent_a", Role.AGENT, org["ZXSQ"]),
    }


@pytest.fixture
def b_rows(isolation_clock: Any, county_b: dict[str, Any], citizen: User) -> dict[str, Any]:
    from onewindow.assistance.models import (
        AgentApplication,
        AgentPoint,
        FollowUp,
        HandoverBatch,
        LedgerEntry,
        Mandate,
        MaterialForwarding,
        ResultDelivery,
        TillDay,
    )
    from onewindow.catalog.models import Delegation
    from onewindow.townships.models import BatchDocument, DelegationBatch, DelegationRevocation, SupervisionReview
    from onewindow.welfare.models import (
        Application,
        Appraisal,
        Asset,
        BankReturn,
        CircumstanceReport,
        CrossCheck,
        Enrolment,
        HomeVisit,
        Household,
        HouseholdReview,
        IncomeItem,
        Member,
        Objection,
        Payment,
        PaymentRoll,
        PublicNotice,
        RegisterChange,
        RollItem,
        Standard,
    )

    b = dict(county_b)
    root, now, today = b["root"], timezone.now(), timezone.localdate()
    mzj = org_unit_create(code="MZJ", name="吉州区民政局", kind=OrgUnit.Kind.DEPARTMENT, parent=root)
    town = org_unit_create(code="JZXJ", name="兴桥镇", kind=OrgUnit.Kind.TOWNSHIP, parent=root)
    village = org_unit_create(code="JZXJ-V01", name="兴桥村", kind=OrgUnit.Kind.VILLAGE, parent=town)
    mzj_b = make_user("approver_mzj_b", Role.APPROVER, mzj)
    officer_b = make_user("officer_b", Role.TOWNSHIP_OFFICER, town)
    agent_b = make_user("agent_b", Role.AGENT, village)
    case, matter = b["case"], b["matter"]

    # --- the agent service
    point = AgentPoint.objects.create(village=village, name="兴桥村代办点")
    mandate = Mandate.objects.create(
        number="WT-JZ-0001",
        point=point,
        resident=citizen,
        all_eligible=True,
        valid_from=today,
        valid_until=today + datetime.timedelta(days=300),
        method=Mandate.Method.ON_SCREEN,
        status=Mandate.Status.ACTIVE,
        text="委托书",
        text_sha256="0" * 64,
        recorded_by=agent_b,
        signed_at=now,
    )
    app = AgentApplication.objects.create(
        kind=AgentApplication.Kind.CASE, point=point, agent=agent_b, resident=citizen, mandate=mandate, matter=matter, case=case
    )
    forwarding = MaterialForwarding.objects.create(
        application=app,
        to_unit=b["zjj"],
        items=["申请书"],
        collected_at=now,
        due_on=today,
        sent_at=now,
        sent_by=agent_b,
    )
    ResultDelivery.objects.create(
        application=app, delivered_at=now, delivered_by=agent_b, receiver_name="刘秀英", signature_file="x", signature_sha256="0"
    )
    FollowUp.objects.create(application=app, at=now, by=agent_b, method=FollowUp.Method.PHONE, satisfaction=5)
    till = TillDay.objects.create(point=point, day=today, cash_fen=38000, entry_count=1, last_seq=1)
    entry = LedgerEntry.objects.create(
        till=till,
        number="JZ-R-0001",
        check_code="ABCD1234",
        kind=LedgerEntry.Kind.COLLECTION,
        collection_kind="medical",
        method="cash",
        amount_fen=38000,
        resident=citizen,
        mandate=mandate,
        period="2026",
        payment_ref="",
        created_by=agent_b,
    )
    handover = HandoverBatch.objects.create(
        number="JZ-HB-0001",
        point=point,
        kind="medical",
        department=b["zjj"],
        total_fen=38000,
        entry_count=1,
        prepared_by=agent_b,
    )

    # --- the townships' delegation
    batch = DelegationBatch.objects.create(
        county_id=B, title="吉州区赋权批次", legal_basis="吉州府发〔2026〕1号", effective_on=today
    )
    batch.matters.set([matter])
    batch.townships.set([town])
    document = BatchDocument.objects.create(batch=batch, kind=BatchDocument.Kind.DECISION, name="决定.pdf", storage_name="x")
    delegation = Delegation.objects.create(matter=matter, township=town, effective_on=datetime.date(2026, 1, 1))
    revoked = Delegation.objects.create(
        matter=matter, township=town, effective_on=datetime.date(2025, 1, 1), revoked_on=datetime.date(2025, 12, 31)
    )
    DelegationRevocation.objects.create(delegation=revoked, revoked_on=datetime.date(2025, 12, 31), reason="试点结束")
    review = SupervisionReview.objects.create(case=case, department=b["zjj"], township=town, drawn_by=b["admin"])

    # --- 低保
    standard = Standard.objects.create(
        county_id=B, year=today.year, area_kind="rural", monthly_fen=70000, effective_from=datetime.date(today.year, 1, 1)
    )
    household = Household.objects.create(
        number="JZXJ-0001",
        township=town,
        village=village,
        area_kind="rural",
        address="兴桥村1号",
        status=Household.Status.IN_PAYMENT,
        monthly_amount_fen=50000,
        bank_account="6217000099990001",
        next_review_on=today,
    )
    member = Member.objects.create(
        household=household,
        name="郭吉州",
        id_number=resident_id("19600101", 901),
        relationship=Member.Relationship.HEAD,
        in_payment=True,
    )
    IncomeItem.objects.create(member=member, kind=IncomeItem.Kind.WAGE, monthly_fen=10000)
    Asset.objects.create(member=member, kind=Asset.Kind.DEPOSIT, value_fen=100000)
    first = datetime.date(2025, 1, 1)
    enrolment = Enrolment.objects.create(
        household=household, confirmed_on=datetime.date(2024, 12, 10), starts_month=first, people=1, monthly_amount_fen=50000
    )
    RegisterChange.objects.create(
        household=household,
        enrolment=enrolment,
        kind=RegisterChange.Kind.ENROL,
        new_amount_fen=50000,
        new_people=1,
        reason="纳入保障",
        effective_month=first,
        decided_on=datetime.date(2024, 12, 10),
    )
    report = CircumstanceReport.objects.create(
        household=household, source=CircumstanceReport.Source.VILLAGE, reported_on=today, description="外出务工"
    )
    HouseholdReview.objects.create(
        household=household, reviewed_on=today, findings="无变化", outcome=HouseholdReview.Outcome.UNCHANGED
    )
    waiting = PaymentRoll.objects.create(
        township=town, month=datetime.date(2026, 2, 1), status=PaymentRoll.Status.TOWNSHIP_APPROVED, households=1, people=1
    )
    frozen = PaymentRoll.objects.create(
        township=town, month=datetime.date(2026, 1, 1), status=PaymentRoll.Status.FROZEN, households=1, people=1
    )
    RollItem.objects.create(roll=frozen, household=household, enrolment=enrolment, month=frozen.month, people=1, amount_fen=50000)
    payment = Payment.objects.create(
        roll=frozen,
        household=household,
        month=frozen.month,
        amount_fen=50000,
        status=Payment.Status.FAILED,
        failure_reason="账户冻结",
    )
    BankReturn.objects.create(roll=frozen, sha256="1" * 64, filename="回盘.csv", paid_on=today, lines=1, paid=0, failed=1)
    application = Application.objects.create(
        household=household,
        case=case,
        channel=Application.Channel.COUNTER,
        filed_by=officer_b,
        stage=Application.Stage.REVIEW,
    )
    visit = HomeVisit.objects.create(
        application=application, visited_on=today, visitors="张三、李四", findings="属实", photos=["x"], recorded_by=officer_b
    )
    Appraisal.objects.create(
        application=application, held_on=today, participants=7, in_favour=7, summary="同意", recorded_by=officer_b
    )
    CrossCheck.objects.create(application=application, backend="演示", passed=True, requested_by=officer_b)
    notice = PublicNotice.objects.create(
        application=application,
        round=1,
        village=village,
        starts_on=today,
        ends_on=today + datetime.timedelta(days=7),
        head_masked="郭**",
        people=1,
        monthly_amount_fen=50000,
    )
    Objection.objects.create(notice=notice, channel=Objection.Channel.ONLINE, text="有异议")
    b.update(
        mzj=mzj,
        town=town,
        village=village,
        mzj_b=mzj_b,
        officer_b=officer_b,
        agent_b=agent_b,
        agent_point=point,
        mandate=mandate,
        agent_application=app,
        forwarding=forwarding,
        till=till,
        entry=entry,
        handover=handover,
        batch=batch,
        document=document,
        delegation=delegation,
        review=review,
        standard=standard,
        household=household,
        report=report,
        waiting_roll=waiting,
        frozen_roll=frozen,
        payment=payment,
        application=application,
        visit=visit,
        notice=notice,
    )
    return b


def b_state(b: dict[str, Any]) -> list[Any]:
    """What an A user must not change of B's: every row written above, as the database has it."""
    from onewindow.assistance.models import HandoverBatch, LedgerEntry, Mandate, MaterialForwarding
    from onewindow.catalog.models import Delegation
    from onewindow.townships.models import DelegationBatch, SupervisionReview
    from onewindow.welfare.models import (
        Application,
        CircumstanceReport,
        Household,
        HouseholdReview,
        Payment,
        PaymentRoll,
        RegisterChange,
        Standard,
    )

    hh = b["household"]
    return [
        list(Mandate.objects.filter(pk=b["mandate"].pk).values_list("status", "updated_at")),
        list(MaterialForwarding.objects.filter(pk=b["forwarding"].pk).values_list("received_at", "updated_at")),
        list(LedgerEntry.objects.filter(till__point=b["agent_point"]).values_list("pk", "amount_fen")),
        list(HandoverBatch.objects.filter(pk=b["handover"].pk).values_list("status", "updated_at")),
        list(DelegationBatch.objects.filter(pk=b["batch"].pk).values_list("status", "title", "updated_at")),
        sorted(b["batch"].matters.values_list("pk", flat=True)),
        sorted(b["batch"].townships.values_list("pk", flat=True)),
        b["batch"].documents.count(),
        list(Delegation.objects.filter(township=b["town"]).order_by("pk").values_list("pk", "revoked_on")),
        list(SupervisionReview.objects.filter(township=b["town"]).values_list("pk", "result", "updated_at")),
        list(Standard.objects.filter(county_id=B).values_list("pk", "year", "monthly_fen", "updated_at")),
        list(Household.objects.filter(pk=hh.pk).values_list("status", "monthly_amount_fen", "next_review_on", "updated_at")),
        list(RegisterChange.objects.filter(household=hh).values_list("pk", "new_amount_fen")),
        list(CircumstanceReport.objects.filter(household=hh).values_list("pk", "status", "updated_at")),
        HouseholdReview.objects.filter(household=hh).count(),
        list(PaymentRoll.objects.filter(township=b["town"]).order_by("pk").values_list("pk", "status", "updated_at")),
        list(Payment.objects.filter(household=hh).order_by("pk").values_list("pk", "status", "updated_at")),
        list(Application.objects.filter(pk=b["application"].pk).values_list("stage", "proposal", "updated_at")),
        b["application"].visits.count(),
        b["application"].appraisals.count(),
        b["application"].cross_checks.count(),
        b["notice"].objections.count(),
    ]
