"""A county's calendar overrides (accounts/calendar.py; issue 17): entered only for one's own
county, validated, unique per county and day, and each entry or removal recomputes that county's
open due dates (audited, the applicant told) while the other county's cases stay as they were.

County A is the shared test tree (青原区), county B 吉州区 (core/tests/counties.py). The cases
tests run on 2026-04-01 (a Wednesday; conftest.fixed_now); 8 April is a working day nationally."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation

from onewindow.accounts.calendar import calendar_override_add, calendar_override_change, calendar_override_remove
from onewindow.accounts.models import CalendarOverride, County, User
from onewindow.cases import services as svc
from onewindow.cases.models import Case, CaseStep
from onewindow.core import workdays
from onewindow.core.errors import Conflict, PermissionDenied, ValidationFailed
from onewindow.core.models import AuditEntry, Notification
from onewindow.core.testing import run_concurrently
from onewindow.core.tests.counties import B, a_users, admins, county_b  # noqa: F401  (fixtures)

from .test_lifecycle import at, submit

FLOOD = datetime.date(2026, 4, 8)
REASON = "吉州区防汛抗旱指挥部《关于启动防汛Ⅰ级应急响应的通知》：4月8日全区机关暂停对外办公。"


@pytest.fixture(autouse=True)
def fresh_calendar() -> Any:
    workdays.invalidate()
    yield
    workdays.invalidate()


@pytest.fixture
def both(county_b: dict[str, Any], matter_zjj: Any, citizen: User, clerk: User) -> dict[str, Case]:  # noqa: F811
    """A case in review in each county, both accepted today: the same dates before any override."""
    a = svc.case_accept(case=submit(matter_zjj, citizen, clerk), actor=clerk)
    b = county_b["case"]
    assert (a.committed_due, a.statutory_due) == (b.committed_due, b.statutory_due)
    assert a.committed_due is not None and a.committed_due > FLOOD
    return {"a": Case.objects.get(pk=a.pk), "b": Case.objects.get(pk=b.pk)}


def _dates(case: Case) -> tuple[Any, ...]:
    case.refresh_from_db()
    steps = tuple(case.steps.filter(status=CaseStep.Status.OPEN).order_by("pk").values_list("due_on", flat=True))
    return (case.intake_due, case.committed_due, case.statutory_due, steps)


def _add(county: County, actor: Any, **kw: Any) -> CalendarOverride:
    args = {"date": FLOOD, "is_workday": False, "name": "防汛停止办公", "reason": REASON, **kw}
    return calendar_override_add(county=county, actor=actor, **args)


def test_a_b_override_moves_bs_open_dates_and_leaves_as_identical(
    both: dict[str, Case],
    county_b: dict[str, Any],  # noqa: F811
    admins: dict[str, User],  # noqa: F811
    citizen: User,
) -> None:
    a_before, b_before = _dates(both["a"]), _dates(both["b"])
    row = _add(county_b["county"], admins["b"])

    assert _dates(both["a"]) == a_before
    b_after = _dates(both["b"])
    next_b = lambda d: workdays.add_workdays(d, 1, B)  # noqa: E731
    assert b_after[1] == next_b(b_before[1]) and b_after[2] == next_b(b_before[2])
    assert b_after[1] == workdays.add_workdays(datetime.date(2026, 4, 1), both["b"].committed_days, B)
    assert all(new == next_b(old) for old, new in zip(b_before[3], b_after[3], strict=True) if old > FLOOD)
    # Audited, on B's timeline, the applicant told; nothing on A's case.
    moved = AuditEntry.objects.filter(action="case.due_recomputed", target_id=str(both["b"].uuid))
    assert {e.data["field"] for e in moved} == {"committed_due", "statutory_due"}
    assert all(e.data["county"] == B for e in moved)
    entry = AuditEntry.objects.get(action="calendar.override_add")
    assert entry.target_id == str(row.pk) and entry.data["dates_moved"] >= 2 and entry.data["reason"] == REASON
    assert both["b"].events.filter(kind="due_recomputed").count() == 2
    assert not both["a"].events.filter(kind="due_recomputed").exists()
    assert not AuditEntry.objects.filter(action__startswith="case.", target_id=str(both["a"].uuid), action__contains="recomputed")
    assert Notification.objects.filter(kind="case.due_recomputed", user=citizen).count() == 2

    # Removing it gives B's case its national dates back (recomputed the same way), A untouched.
    assert calendar_override_remove(override=row, actor=admins["b"]) >= 2
    assert _dates(both["b"]) == b_before and _dates(both["a"]) == a_before
    gone = AuditEntry.objects.get(action="calendar.override_remove")
    assert gone.data["override"] == row.pk and gone.data["county"] == B
    assert not CalendarOverride.objects.exists()


def test_a_case_filed_after_the_override_counts_on_its_countys_calendar(
    county_b: dict[str, Any],  # noqa: F811
    matter_zjj: Any,
    citizen: User,
    clerk: User,
    admins: dict[str, User],  # noqa: F811
) -> None:
    _add(county_b["county"], admins["platform"])  # the province's operators enter for any county
    with time_machine.travel(at(2026, 4, 7), tick=False):
        a = submit(matter_zjj, citizen, clerk)
        b = svc.case_submit(
            applicant=citizen,
            matter_version=county_b["matter"].current_version,
            channel="counter",
            form_data={"address": "吉州区2号"},
            materials=[svc.MaterialInput(requirement=r, paper=True) for r in county_b["matter"].current_version.materials.all()],
            actor=county_b["clerk"],
        )
    assert a.intake_due == datetime.date(2026, 4, 14)  # 8, 9, 10, 13, 14
    assert b.intake_due == datetime.date(2026, 4, 15)  # (8 closed) 9, 10, 13, 14, 15


def test_changing_an_override_recomputes_and_is_audited(
    both: dict[str, Case],
    county_b: dict[str, Any],  # noqa: F811
    admins: dict[str, User],  # noqa: F811
) -> None:
    b_before = _dates(both["b"])
    row = _add(county_b["county"], admins["b"])
    assert _dates(both["b"]) != b_before
    # A wrong entry corrected: the day was a 调休 working day, not a closure - and 8 April is
    # already a working day nationally, so that is refused; the name and reason may change.
    with pytest.raises(ValidationFailed) as exc:
        calendar_override_change(override=row, is_workday=True, name="调休", reason=REASON, actor=admins["b"])
    assert exc.value.code == "no_change"
    calendar_override_change(
        override=row, is_workday=False, name="防汛应急停止办公", reason=REASON + "（更正）", actor=admins["b"]
    )
    entry = AuditEntry.objects.get(action="calendar.override_change")
    assert entry.data["name"] == ["防汛停止办公", "防汛应急停止办公"] and entry.data["dates_moved"] == 0
    assert workdays.holiday_name(FLOOD, B) == "防汛应急停止办公"


def test_only_the_countys_and_the_provinces_administrators_enter(
    county_b: dict[str, Any],  # noqa: F811
    admins: dict[str, User],  # noqa: F811
    a_users: dict[str, User],  # noqa: F811
) -> None:
    for actor in (admins["a"], county_b["clerk"], county_b["approver"], *a_users.values()):
        with pytest.raises(PermissionDenied) as exc:
            _add(county_b["county"], User.objects.get(pk=actor.pk))
        assert exc.value.code == "other_county"
    row = _add(county_b["county"], admins["b"])
    for call in (
        lambda: calendar_override_remove(override=row, actor=admins["a"]),
        lambda: calendar_override_change(override=row, is_workday=False, name="x", reason="y", actor=admins["a"]),
    ):
        with pytest.raises(PermissionDenied) as exc:
            call()
        assert exc.value.code == "other_county"
    assert CalendarOverride.objects.get().name == "防汛停止办公"
    assert not AuditEntry.objects.filter(action__in=["calendar.override_remove", "calendar.override_change"]).exists()


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"reason": "  "}, "reason_required", "reason"),
        ({"name": ""}, "name_required", "name"),
        ({"date": datetime.date(2031, 5, 6)}, "date_not_covered", "date"),
        ({"date": datetime.date(2026, 4, 11)}, "no_change", "is_workday"),  # a Saturday made a rest day
        ({"is_workday": True}, "no_change", "is_workday"),  # a working day made a working day
    ],
)
def test_bad_entries_are_refused_and_nothing_is_stored(
    county_b: dict[str, Any],  # noqa: F811
    admins: dict[str, User],  # noqa: F811
    changes: dict[str, Any],
    code: str,
    field: str,
) -> None:
    with pytest.raises(ValidationFailed) as exc:
        _add(county_b["county"], admins["b"], **changes)
    assert exc.value.code == code and field in exc.value.fields
    assert not CalendarOverride.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="calendar.").exists()


def test_a_day_outside_the_calendar_is_refused_in_english_too(county_b: dict[str, Any], admins: dict[str, User]) -> None:  # noqa: F811
    with translation.override("en"), pytest.raises(ValidationFailed) as exc:
        _add(county_b["county"], admins["b"], date=datetime.date(2031, 5, 6))
    assert exc.value.code == "date_not_covered"
    with translation.override("en"):
        assert "not covered by the work calendar" in str(exc.value.message)


def test_a_second_override_of_the_day_is_refused_by_the_constraint(county_b: dict[str, Any], admins: dict[str, User]) -> None:  # noqa: F811
    _add(county_b["county"], admins["b"])
    with pytest.raises(Conflict) as exc:
        _add(county_b["county"], admins["platform"], name="台风停止办公")
    assert exc.value.code == "duplicate_day"
    assert CalendarOverride.objects.get().name == "防汛停止办公"
    # The database holds it, whatever the service checks.
    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarOverride.objects.create(county=county_b["county"], date=FLOOD, is_workday=False, name="x", reason="y")
    # Another county may close the same day.
    other = County.default()
    _add(other, admins["a"])
    assert CalendarOverride.objects.count() == 2


# --- the admin ---------------------------------------------------------------------------------


def test_a_countys_admin_sees_and_edits_only_its_own_overrides(
    client: Client,
    citizen: User,
    county_b: dict[str, Any],  # noqa: F811
    admins: dict[str, User],  # noqa: F811
) -> None:
    row = _add(county_b["county"], admins["b"])
    changelist = reverse("admin:accounts_calendaroverride_changelist")
    change = reverse("admin:accounts_calendaroverride_change", args=[row.pk])
    delete = reverse("admin:accounts_calendaroverride_delete", args=[row.pk])
    add = reverse("admin:accounts_calendaroverride_add")

    # Outsiders: a citizen and B's clerk (no administrator's duty) are not let in at all.
    for outsider in (citizen, county_b["clerk"]):
        client.force_login(outsider)
        for url in (changelist, change, add):
            r = client.get(url)
            assert r.status_code in (302, 403) and "防汛停止办公" not in r.content.decode(), (outsider.username, url)
            if r.status_code == 302:
                assert "/login" in r["Location"] or r["Location"].startswith(reverse("admin:login")), r["Location"]
        r = client.post(delete, {"post": "yes"})
        assert r.status_code in (302, 403) and CalendarOverride.objects.filter(pk=row.pk).exists()

    client.force_login(admins["a"])
    listing = client.get(changelist)
    assert listing.status_code == 200 and "防汛停止办公" not in listing.content.decode()
    for url in (change, delete):
        r = client.get(url)
        assert r.status_code == 302 and r["Location"] == reverse("admin:index"), url
    r = client.post(delete, {"post": "yes"})
    assert r.status_code == 302 and CalendarOverride.objects.filter(pk=row.pk).exists()
    # The add form offers A's county only: naming B is an invalid choice, nothing stored.
    form = client.get(add).content.decode()
    assert "吉州区" not in form and '<option value="360803" selected>青原区</option>' in form  # chosen for them
    r = client.post(add, {"county": B, "date": "2026-04-09", "is_workday": "", "name": "x", "reason": "y"})
    assert r.status_code == 200 and r.context["adminform"].form.errors.get("county")
    assert CalendarOverride.objects.count() == 1

    # B's administrator: listed, changed and removed through the service (audited, recomputed).
    client.force_login(admins["b"])
    assert "防汛停止办公" in client.get(changelist).content.decode()
    r = client.post(change, {"is_workday": "", "name": "防汛应急停止办公", "reason": REASON})
    assert r.status_code == 302, r.content.decode()[:500]
    assert AuditEntry.objects.filter(action="calendar.override_change").exists()
    r = client.post(delete, {"post": "yes"})
    assert r.status_code == 302 and not CalendarOverride.objects.exists()
    assert AuditEntry.objects.filter(action="calendar.override_remove", data__county=B).exists()


def test_the_admin_form_shows_the_services_refusals(client: Client, county_b: dict[str, Any], admins: dict[str, User]) -> None:  # noqa: F811
    client.force_login(admins["b"])
    add = reverse("admin:accounts_calendaroverride_add")
    blank = client.post(add, {"county": B, "date": "2026-04-09", "is_workday": "", "name": "防汛", "reason": ""})
    assert blank.status_code == 200 and blank.context["adminform"].form.errors.get("reason")
    far = client.post(add, {"county": B, "date": "2031-05-06", "is_workday": "", "name": "防汛", "reason": REASON})
    assert far.status_code == 200 and "不在工作日历覆盖的范围内" in far.content.decode()
    assert not CalendarOverride.objects.exists()
    ok = client.post(add, {"county": B, "date": "2026-04-09", "is_workday": "", "name": "防汛", "reason": REASON})
    assert ok.status_code == 302
    row = CalendarOverride.objects.get()
    assert row.county_id == B and row.created_by == admins["b"]
    assert AuditEntry.objects.filter(action="calendar.override_add", actor=admins["b"]).exists()
    again = client.post(add, {"county": B, "date": "2026-04-09", "is_workday": "", "name": "台风", "reason": REASON})
    assert again.status_code == 200 and CalendarOverride.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_overrides_entered_at_once_both_move_the_case(
    county_b: dict[str, Any],  # noqa: F811
    admins: dict[str, User],  # noqa: F811
) -> None:
    """Each write locks the county's row, so the second counts the dates on the calendar the first
    committed: both days move B's case (without the lock both count on the old calendar and the
    case moves by one)."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL (SQLite serialises writers)")
    case = county_b["case"]
    before = Case.objects.get(pk=case.pk).committed_due
    assert before is not None
    days = [FLOOD, FLOOD + datetime.timedelta(days=1)]

    def act(i: int) -> str:
        _add(County.objects.get(pk=B), User.objects.get(pk=admins["b"].pk), date=days[i])
        return "added"

    results = run_concurrently(act, 2)
    assert results == ["added", "added"], results
    workdays.invalidate()
    after = Case.objects.get(pk=case.pk).committed_due
    assert after == workdays.add_workdays(datetime.date(2026, 4, 1), case.committed_days, B)
    assert after == workdays.add_workdays(before, 2)  # two working days later than before (none of them off)
