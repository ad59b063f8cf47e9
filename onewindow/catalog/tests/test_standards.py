"""The province's standard catalog (catalog/services/standards.py): entries kept by the province's
operators, matters of two counties implementing one entry, a revision reaching both counties as
drafts they publish, the basic fields locked in the counties, and the revision guarded against
lost updates and deadlocks under concurrent editors (PostgreSQL)."""

from __future__ import annotations

import datetime
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from conftest import make_user
from onewindow.accounts.models import County, OrgUnit, Role, User
from onewindow.accounts.services import org_unit_create, role_grant
from onewindow.core.errors import Conflict, PermissionDenied, ValidationFailed
from onewindow.core.models import AuditEntry, Notification
from onewindow.core.testing import run_concurrently

from ..models import Matter, MatterVersion, StandardMatter
from ..services import (
    matter_draft_create,
    matter_draft_update,
    matter_implement,
    matter_link_standard,
    matter_publish,
    standard_create,
    standard_revise,
)
from .factories import make_matter

BASIC: dict[str, Any] = {
    "name": "二手房转移登记",
    "matter_type": "confirmation",
    "legal_basis": "《不动产登记暂行条例》第三条",
    "statutory_days": 30,
}
LOCAL: dict[str, Any] = {"kind": "committed", "committed_days": 5, "on_one_window": True, "online_depth": 3}


@pytest.fixture
def province(db: Any) -> User:
    user = make_user("province_ops")
    role_grant(user=user, role=Role.ADMIN, actor=None)  # no unit: the platform's operator
    return user


@pytest.fixture
def two_counties(org: dict[str, OrgUnit]) -> dict[str, Any]:
    jz = County.objects.create(code="360802", name="吉州区", city_code="360800", case_prefix="JZ")
    root = org_unit_create(code="JZ", name="吉州区人民政府", kind=OrgUnit.Kind.GOVERNMENT, county=jz)
    bdc_b = org_unit_create(code="JZBDC", name="吉州区不动产登记中心", kind=OrgUnit.Kind.DEPARTMENT, parent=root)
    admin_a = make_user("sys_qy")
    role_grant(user=admin_a, role=Role.ADMIN, org_unit=org["gov"], actor=None)
    admin_b = make_user("sys_jz")
    role_grant(user=admin_b, role=Role.ADMIN, org_unit=root, actor=None)
    return {"a": org["BDC"], "b": bdc_b, "admin_a": admin_a, "admin_b": admin_b}


@pytest.fixture
def standard(province: User) -> StandardMatter:
    return standard_create(actor=province, basic_code="360000-QR-0001", **BASIC)


def _implemented(standard: StandardMatter, counties: dict[str, Any]) -> tuple[Matter, Matter]:
    a = matter_implement(
        standard=standard,
        department=counties["a"],
        actor=counties["admin_a"],
        publish=True,
        materials=[{"name": "申请书"}],
        **LOCAL,
    )
    b = matter_implement(standard=standard, department=counties["b"], actor=counties["admin_b"], publish=True, **LOCAL)
    return a, b


def test_only_the_provinces_operators_keep_the_standard_catalog(
    province: User, two_counties: dict[str, Any], standard: StandardMatter
) -> None:
    assert standard.revision == 1 and standard.basic() == BASIC
    with pytest.raises(PermissionDenied) as exc:
        standard_create(actor=two_counties["admin_a"], basic_code="360000-QR-0002", **BASIC)
    assert exc.value.code == "not_province"
    with pytest.raises(PermissionDenied) as exc:
        standard_revise(standard=standard, actor=two_counties["admin_b"], expected_revision=1, note="x", statutory_days=20)
    assert exc.value.code == "not_province"
    with pytest.raises(Conflict) as conflict:
        standard_create(actor=province, basic_code="360000-QR-0001", **BASIC)
    assert conflict.value.code == "duplicate_code"
    with pytest.raises(ValidationFailed) as bad:
        standard_create(actor=province, basic_code="360000-QR-0003", **{**BASIC, "matter_type": "nonsense", "name": " "})
    assert bad.value.code == "validation_failed" and set(bad.value.fields) == {"matter_type", "name"}
    assert StandardMatter.objects.count() == 1
    assert AuditEntry.objects.filter(action="standard.create").count() == 1


def test_counties_implement_an_entry_with_their_own_local_fields(two_counties: dict[str, Any], standard: StandardMatter) -> None:
    a, b = _implemented(standard, two_counties)
    assert a.code.startswith("360803-") and b.code.startswith("360802-")
    for m in (a, b):
        v = m.current_version
        assert v is not None and m.standard == standard and v.standard_revision == 1
        assert {k: getattr(v, k) for k in BASIC} == BASIC
    with pytest.raises(ValidationFailed) as exc:
        matter_implement(standard=standard, department=two_counties["a"], actor=None, name="另起的名字", **LOCAL)
    assert exc.value.code == "basic_field_locked"
    # A county's administrator implements in its own county only.
    with pytest.raises(PermissionDenied) as denied:
        matter_implement(standard=standard, department=two_counties["b"], actor=two_counties["admin_a"], **LOCAL)
    assert denied.value.code == "permission_denied"


def test_a_revision_reaches_every_county_as_a_draft_they_publish(
    province: User, two_counties: dict[str, Any], standard: StandardMatter
) -> None:
    a, b = _implemented(standard, two_counties)
    # County B had a draft open with its own local edit: the revision updates it in place.
    b_open = matter_draft_create(matter=b, actor=two_counties["admin_b"])
    matter_draft_update(version=b_open, actor=two_counties["admin_b"], handling_place="吉州区政务服务中心二楼")
    revised, drafts = standard_revise(
        standard=standard,
        actor=province,
        expected_revision=1,
        note="依据条例修订，法定时限缩短",
        statutory_days=3,
        legal_basis="《不动产登记暂行条例》（2024年修订）第三条",
    )
    assert revised.revision == 2 and drafts == 2
    a_draft = MatterVersion.objects.get(matter=a, status="draft")
    b_draft = MatterVersion.objects.get(matter=b, status="draft")
    assert b_draft.pk == b_open.pk and b_draft.handling_place == "吉州区政务服务中心二楼"
    for d in (a_draft, b_draft):
        assert d.statutory_days == 3 and d.standard_revision == 2 and d.legal_basis.startswith("《不动产登记暂行条例》（2024")
        # The committed 5 days exceeded the new statutory 3: brought down, and the note says so.
        assert d.committed_days == 3 and "第 2 版" in d.change_note and "承诺时限已随法定时限调整" in d.change_note
    # The published versions are untouched until each county publishes.
    a.refresh_from_db()
    assert a.current_version is not None and a.current_version.statutory_days == 30
    matter_publish(version=a_draft, actor=two_counties["admin_a"])
    a.refresh_from_db()
    assert a.current_version is not None and a.current_version.statutory_days == 3 and a.current_version.number == 2
    assert AuditEntry.objects.filter(action="matter.draft_from_standard").count() == 2
    # A stale editor is refused; so is a revision that changes nothing, or one without a note.
    for kwargs, code in (
        ({"expected_revision": 1, "note": "x", "statutory_days": 10}, "stale_revision"),
        ({"expected_revision": 2, "note": "x", "statutory_days": 3}, "unchanged"),
        ({"expected_revision": 2, "note": " ", "statutory_days": 10}, "validation_failed"),
    ):
        with pytest.raises((Conflict, ValidationFailed)) as exc:
            standard_revise(standard=revised, actor=province, **kwargs)  # type: ignore[arg-type]
        assert exc.value.code == code
    assert StandardMatter.objects.get().revision == 2


def test_counties_cannot_change_the_basic_fields(two_counties: dict[str, Any], standard: StandardMatter) -> None:
    a, _b = _implemented(standard, two_counties)
    draft = matter_draft_create(matter=a, actor=two_counties["admin_a"])
    with pytest.raises(ValidationFailed) as exc:
        matter_draft_update(version=draft, actor=two_counties["admin_a"], name="改个名字", committed_days=2)
    assert exc.value.code == "basic_field_locked" and set(exc.value.fields) == {"name"}
    assert MatterVersion.objects.get(pk=draft.pk).name == BASIC["name"]
    # Local fields are the county's, and an unchanged basic field passes.
    matter_draft_update(version=draft, actor=two_counties["admin_a"], committed_days=2, name=BASIC["name"])
    matter_publish(version=draft, actor=two_counties["admin_a"])
    # A draft that does not carry the entry's current revision is not published.
    stale = matter_draft_create(matter=a, actor=two_counties["admin_a"])
    MatterVersion.objects.filter(pk=stale.pk).update(standard_revision=None)
    with pytest.raises(Conflict) as conflict:
        matter_publish(version=stale, actor=two_counties["admin_a"])
    assert conflict.value.code == "stale_standard"


def test_an_existing_matter_is_linked_only_when_it_carries_the_basic_fields(
    org: dict[str, OrgUnit], standard: StandardMatter
) -> None:
    same = make_matter(org["BDC"], BASIC["name"], legal_basis=BASIC["legal_basis"], statutory_days=30)
    linked = matter_link_standard(matter=same, standard=standard, actor=None)
    assert linked.standard == standard
    assert MatterVersion.objects.get(matter=same, status="published").standard_revision == 1
    other = make_matter(org["BDC"], "抵押权登记", statutory_days=30)
    with pytest.raises(Conflict) as exc:
        matter_link_standard(matter=other, standard=standard, actor=None)
    assert exc.value.code == "basic_fields_differ" and "name" in exc.value.fields
    assert Matter.objects.get(pk=other.pk).standard_id is None


@pytest.mark.django_db(transaction=True)
def test_concurrent_editors_one_revision_wins_and_publishers_never_deadlock(
    calendar: Any, province: User, two_counties: dict[str, Any], standard: StandardMatter
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL (SQLite serialises writers)")
    a, b = _implemented(standard, two_counties)
    drafts = [matter_draft_create(matter=m, actor=None) for m in (a, b)]

    def act(i: int) -> str:
        if i < 4:  # four province editors who all saw revision 1
            try:
                standard_revise(standard=standard, actor=province, expected_revision=1, note=f"editor {i}", statutory_days=10 + i)
                return "revised"
            except Conflict as exc:
                return exc.code
        try:  # the two counties publishing their open drafts at the same moment
            matter_publish(version=drafts[i - 4], actor=None)
            return "published"
        except Conflict as exc:
            return exc.code

    results = run_concurrently(act, 6)
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert results[:4].count("revised") == 1 and results[:4].count("stale_revision") == 3
    final = StandardMatter.objects.get()
    assert final.revision == 2
    # Whatever the order, each county ends with a draft of revision 2 or has published it, and a
    # published version never carries a basic field of a revision it does not name.
    for m in (a, b):
        open_draft = MatterVersion.objects.filter(matter=m, status="draft").first()
        current = Matter.objects.get(pk=m.pk).current_version
        assert current is not None
        assert current.statutory_days == (final.statutory_days if current.standard_revision == 2 else 30)
        if current.standard_revision != 2:
            assert open_draft is not None and open_draft.standard_revision == 2
            assert open_draft.statutory_days == final.statutory_days


def test_the_catalog_import_implements_and_checks_entries(
    org: dict[str, OrgUnit], province: User, two_counties: dict[str, Any], standard: StandardMatter
) -> None:
    from ..importexport import ImportInvalid, export_catalog, import_catalog
    from .test_importexport import matter_row, workbook

    row = {
        **{k: v for k, v in BASIC.items() if k != "matter_type"},
        "matter_type": "行政确认",
        "department": "BDC",
        "standard": standard.basic_code,
    }
    with pytest.raises(ImportInvalid) as bad:
        import_catalog(
            data=workbook(
                [
                    matter_row(**{**row, "statutory_days": 20}),  # not the entry's
                    matter_row(**{**row, "name": "别的事项", "standard": "360000-XX-9999"}),  # no such entry
                ]
            ),
            actor=two_counties["admin_a"],
        )
    assert bad.value.code == "import_invalid"
    messages = [str(e) for e in bad.value.errors]
    assert any("法定办结时限" in m and "30" in m for m in messages) and any("360000-XX-9999" in m for m in messages)
    assert not Matter.objects.filter(standard=standard).exists()
    report = import_catalog(data=workbook([matter_row(**row)]), actor=two_counties["admin_a"])
    matter = Matter.objects.get(code=report.created[0])
    assert matter.standard == standard and matter.current_version is not None
    assert matter.current_version.standard_revision == 1 and matter.department == org["BDC"]
    # The export names the entry, and the round trip changes nothing.
    data = export_catalog(Matter.objects.filter(pk=matter.pk))
    again = import_catalog(data=data, actor=two_counties["admin_a"])
    assert again.unchanged == [matter.code]


def test_the_admin_lets_the_province_revise_and_counties_read(
    client: Any, province: User, two_counties: dict[str, Any], standard: StandardMatter
) -> None:
    _implemented(standard, two_counties)
    url = f"/admin/catalog/standardmatter/{standard.pk}/change/"
    form = {**BASIC, "statutory_days": 15, "revision_note": "时限缩短", "seen_revision": 1}
    # A county's administrator reads the entry but cannot add or revise one.
    client.force_login(two_counties["admin_a"])
    assert client.get("/admin/catalog/standardmatter/").status_code == 200
    assert client.get("/admin/catalog/standardmatter/add/").status_code == 403
    assert client.post(url, form).status_code == 403
    assert StandardMatter.objects.get().revision == 1
    # The province's operator: a stale form and a form without a note are refused with the reason.
    client.force_login(province)
    stale = client.post(url, {**form, "seen_revision": 0})
    assert stale.status_code == 200 and "请刷新后重试" in stale.content.decode()
    no_note = client.post(url, {**form, "revision_note": ""})
    assert no_note.status_code == 200 and "请填写修订说明" in no_note.content.decode()
    assert StandardMatter.objects.get().revision == 1
    done = client.post(url, form)
    assert done.status_code == 302
    assert StandardMatter.objects.get().revision == 2
    assert MatterVersion.objects.filter(status="draft", statutory_days=15, standard_revision=2).count() == 2
    added = client.post("/admin/catalog/standardmatter/add/", {**BASIC, "basic_code": "360000-QR-0002", "name": "抵押权首次登记"})
    assert added.status_code == 302 and StandardMatter.objects.filter(basic_code="360000-QR-0002").exists()
    # The county's draft shows the basic fields read-only.
    client.force_login(two_counties["admin_b"])
    draft = MatterVersion.objects.get(status="draft", matter__department=two_counties["b"])
    page = client.get(f"/admin/catalog/matterversion/{draft.pk}/change/").content.decode()
    assert 'name="committed_days"' in page and 'name="statutory_days"' not in page and 'name="name"' not in page


# --- retiring an entry (取消): services/standards.py, "retiring an entry" -----------------------


def test_a_retirement_tells_every_county_and_withdraws_their_matters_on_its_date(
    province: User, two_counties: dict[str, Any], standard: StandardMatter
) -> None:
    from ..services import standard_retire, withdraw_retired

    a, b = _implemented(standard, two_counties)
    today = timezone.localdate()
    on = today + datetime.timedelta(days=10)
    retired, told = standard_retire(
        standard=standard, actor=province, expected_revision=1, reason="国务院决定取消该事项", effective_on=on
    )
    assert told == 2 and retired.retired_on == on and retired.retire_reason == "国务院决定取消该事项"
    assert retired.revision == 1 and retired.basic() == BASIC  # the entry is kept as it was
    entry = AuditEntry.objects.get(action="standard.retire")
    assert entry.data["effective_on"] == on.isoformat() and sorted(entry.data["matters"]) == sorted([a.code, b.code])
    notices = AuditEntry.objects.filter(action="matter.standard_retired")
    assert sorted(n.target_id for n in notices) == sorted(str(m.uuid) for m in (a, b))
    # Until the date the counties' matters stay published and listed: people still apply, and the
    # guide says until when.
    assert withdraw_retired(today=today) == 0
    for m in (a, b):
        m.refresh_from_db()
        assert m.is_listed and m.current_version is not None and m.current_version.status == "published"
    guide = Client().get(f"/catalog/m/{a.code}/").content.decode()
    assert f"{on.isoformat()} 起停止实施，此前仍可申请" in guide
    # No revision follows a retired entry; nor a second retirement. Nothing stored.
    with pytest.raises(Conflict) as exc:
        standard_revise(standard=standard, actor=province, expected_revision=1, note="x", statutory_days=10)
    assert exc.value.code == "standard_retired"
    with pytest.raises(Conflict) as again:
        standard_retire(standard=standard, actor=province, expected_revision=1, reason="再次", effective_on=on)
    assert again.value.code == "standard_retired"
    assert StandardMatter.objects.get().revision == 1 and StandardMatter.objects.get().retire_reason == "国务院决定取消该事项"
    assert not MatterVersion.objects.filter(status="draft").exists()
    assert not AuditEntry.objects.filter(action="standard.revise").exists()
    # On the date (the sweep): each county's matter is withdrawn, not deleted; once.
    assert withdraw_retired(today=on) == 2
    assert withdraw_retired(today=on) == 0
    for m in (a, b):
        m.refresh_from_db()
        assert not m.is_listed and m.current_version is not None and m.current_version.status == "retired"
        assert m.standard_id == standard.pk
    assert AuditEntry.objects.filter(action="matter.retire").count() == 2


def test_a_retirement_reaches_each_countys_administrators_and_their_manage_page(
    province: User, two_counties: dict[str, Any], standard: StandardMatter, client: Client
) -> None:
    """Each implementing county's administrators get a message naming their own matter (not the
    other county's), and their manage page lists it with the date and the reason, until and after
    the date; an outsider's manage page is refused."""
    from ..services import standard_retire, withdraw_retired

    a, b = _implemented(standard, two_counties)
    on = timezone.localdate() + datetime.timedelta(days=10)
    standard_retire(standard=standard, actor=province, expected_revision=1, reason="国务院决定取消该事项", effective_on=on)
    told = {n.recipient: n.body for n in Notification.objects.filter(kind="catalog.standard_retired")}
    assert sorted(told) == ["sys_jz", "sys_qy"]
    assert a.code in told["sys_qy"] and b.code not in told["sys_qy"] and "国务院决定取消该事项" in told["sys_qy"]
    assert b.code in told["sys_jz"] and a.code not in told["sys_jz"] and on.isoformat() in told["sys_jz"]
    client.force_login(two_counties["admin_b"])
    page = client.get("/catalog/manage/").content.decode()
    assert b.code in page and a.code not in page and f"将于 {on.isoformat()} 停止实施" in page
    withdraw_retired(today=on)
    with mock.patch("django.utils.timezone.localdate", return_value=on):
        page = client.get("/catalog/manage/").content.decode()
    assert f"已于 {on.isoformat()} 停止实施" in page
    client.force_login(make_user("outsider_citizen"))
    assert client.get("/catalog/manage/").status_code == 403


def test_a_county_without_its_own_administrator_has_the_platforms_told(
    province: User, two_counties: dict[str, Any], standard: StandardMatter
) -> None:
    from ..services import standard_retire

    a, b = _implemented(standard, two_counties)
    two_counties["admin_b"].role_assignments.all().delete()
    on = timezone.localdate() + datetime.timedelta(days=10)
    standard_retire(standard=standard, actor=province, expected_revision=1, reason="取消", effective_on=on)
    told = {n.recipient: n.body for n in Notification.objects.filter(kind="catalog.standard_retired")}
    assert b.code in told[province.username] and a.code not in told[province.username]
    assert a.code in told["sys_qy"]


def test_retired_today_new_applications_are_refused_and_open_cases_finish(
    calendar: Any, province: User, two_counties: dict[str, Any], standard: StandardMatter, citizen: User, clerk: User
) -> None:
    import zoneinfo

    import time_machine

    from onewindow.core import workdays

    # A day inside the published calendar: accepting computes deadlines that must not run past it.
    workdays.invalidate()
    with time_machine.travel(datetime.datetime(2026, 4, 1, 10, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")), tick=True):
        _retired_today(province, two_counties, standard, citizen, clerk)
    workdays.invalidate()


def _retired_today(province: User, two_counties: dict[str, Any], standard: StandardMatter, citizen: User, clerk: User) -> None:
    from onewindow.cases import services as case_services

    from ..services import standard_retire

    a, _b = _implemented(standard, two_counties)
    version = a.current_version
    assert version is not None

    def submit() -> Any:
        return case_services.case_submit(
            applicant=citizen,
            matter_version=MatterVersion.objects.get(pk=version.pk),
            channel="counter",
            form_data={},
            materials=[case_services.MaterialInput(requirement=r, paper=True) for r in version.materials.all()],
            actor=clerk,
        )

    open_case = submit()  # received before the retirement
    draft = matter_draft_create(matter=a, actor=two_counties["admin_a"])
    standard_retire(
        standard=standard, actor=province, expected_revision=1, reason="整合为一件事", effective_on=timezone.localdate()
    )
    a.refresh_from_db()
    assert not a.is_listed and a.current_version is not None and a.current_version.status == "retired"  # at once
    with pytest.raises(ValidationFailed) as refused:
        submit()
    assert refused.value.code == "matter_retired"
    # The case received before goes on to its end under its own version.
    accepted = case_services.case_accept(case=open_case, actor=clerk)
    assert accepted.status in ("accepted", "in_review") and accepted.matter_version_id == version.pk
    # The county cannot put the withdrawn matter back by publishing its draft.
    with pytest.raises(Conflict) as exc:
        matter_publish(version=draft, actor=two_counties["admin_a"])
    assert exc.value.code == "standard_retired"
    assert MatterVersion.objects.get(pk=draft.pk).status == "draft"


def test_a_retirement_is_the_provinces_with_a_reason_and_a_date_not_in_the_past(
    province: User, two_counties: dict[str, Any], standard: StandardMatter
) -> None:
    from ..services import standard_retire

    on = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(PermissionDenied) as denied:
        standard_retire(standard=standard, actor=two_counties["admin_a"], expected_revision=1, reason="x", effective_on=on)
    assert denied.value.code == "not_province"
    for reason, when, field in (
        (" ", on, "reason"),
        ("取消", timezone.localdate() - datetime.timedelta(days=1), "effective_on"),
        ("取消", "2026-12-31", "effective_on"),
    ):
        with pytest.raises(ValidationFailed) as bad:
            standard_retire(standard=standard, actor=province, expected_revision=1, reason=reason, effective_on=when)
        assert bad.value.code == "validation_failed" and field in bad.value.fields
    standard_revise(standard=standard, actor=province, expected_revision=1, note="修订", statutory_days=20)
    with pytest.raises(Conflict) as stale:
        standard_retire(standard=standard, actor=province, expected_revision=1, reason="取消", effective_on=on)
    assert stale.value.code == "stale_revision"
    assert StandardMatter.objects.get().retired_on is None
    assert not AuditEntry.objects.filter(action__in=["standard.retire", "matter.standard_retired"]).exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_retire_and_revise_one_wins(province: User, two_counties: dict[str, Any], standard: StandardMatter) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL (SQLite serialises writers)")
    from ..services import standard_retire

    _implemented(standard, two_counties)
    on = timezone.localdate() + datetime.timedelta(days=30)

    def act(i: int) -> str:
        try:
            if i % 2:
                standard_retire(standard=standard, actor=province, expected_revision=1, reason=f"取消 {i}", effective_on=on)
                return "retired"
            standard_revise(standard=standard, actor=province, expected_revision=1, note=f"editor {i}", statutory_days=10 + i)
            return "revised"
        except Conflict as exc:
            return exc.code

    results = run_concurrently(act, 6)
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert results.count("retired") + results.count("revised") == 1, results
    final = StandardMatter.objects.get()
    if "retired" in results:  # retired first: every editor was refused, the entry is revision 1
        assert final.retired_on == on and final.revision == 1 and results.count("standard_retired") == 5
        assert not MatterVersion.objects.filter(status="draft").exists()
    else:  # revised first: every other writer saw a newer revision
        assert final.retired_on is None and final.revision == 2 and results.count("stale_revision") == 5
    assert AuditEntry.objects.filter(action__in=["standard.retire", "standard.revise"]).count() == 1


def test_the_province_retires_an_entry_in_the_admin_and_counties_cannot(
    client: Any, province: User, two_counties: dict[str, Any], standard: StandardMatter
) -> None:
    _implemented(standard, two_counties)
    url = f"/admin/catalog/standardmatter/{standard.pk}/retire/"
    on = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    form = {"effective_on": on, "reason": "国务院决定取消", "seen_revision": 1}
    client.force_login(two_counties["admin_a"])
    assert client.get(url).status_code == 403
    assert client.post(url, form).status_code == 403
    client.force_login(province)
    assert 'href="' + url + '"' in client.get("/admin/catalog/standardmatter/").content.decode()
    page = client.get(url)
    assert page.status_code == 200 and "实施该事项的县（区）事项：2 个" in page.content.decode()
    past = client.post(url, {**form, "effective_on": "2020-01-01"})
    assert past.status_code == 422 and "生效日期不能早于今天" in past.content.decode()
    stale = client.post(url, {**form, "seen_revision": 0})
    assert stale.status_code == 422 and "请刷新后重试" in stale.content.decode()
    assert StandardMatter.objects.get().retired_on is None
    done = client.post(url, form)
    assert done.status_code == 302
    assert StandardMatter.objects.get().retired_on.isoformat() == on  # type: ignore[union-attr]
    assert AuditEntry.objects.filter(action="matter.standard_retired").count() == 2
    assert "已于" in client.get(url).content.decode()
