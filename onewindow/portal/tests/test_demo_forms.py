"""The demo's forms step ranks matters by what the demo used (here: cases filed at the counter)
and gives the most used ones and every bundle matter a new version with a real form, valid
links to the materials it provides, and 网上预审 for committed online matters. Run twice, it
changes nothing; cases keep the version they were filed on."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.db import transaction

from onewindow.accounts.demo import build_org
from onewindow.catalog import demo as catalog_demo
from onewindow.catalog import formschema
from onewindow.catalog.models import Bundle, Matter, MatterVersion
from onewindow.core.demo import DemoContext
from onewindow.portal import demo_forms as forms_step


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Any:
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            from onewindow.core.calendar_seed import seed_from_chinesecalendar

            seed_from_chinesecalendar(first_year=2025)
            ctx = DemoContext(out=io.StringIO(), quiet=True)
            build_org(ctx)
            catalog_demo.build(ctx)
            yield ctx
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _file(matter: Matter, times: int) -> list[Any]:
    from conftest import make_user
    from onewindow.accounts.demo import resident_id
    from onewindow.accounts.models import OrgUnit, Role, User
    from onewindow.cases import services as svc

    clerk = User.objects.filter(username="t_clerk").first() or make_user("t_clerk", Role.CLERK, OrgUnit.objects.get(code="XZSP"))
    citizen = User.objects.filter(username="t_citizen").first() or make_user(
        "t_citizen", Role.CITIZEN, id_number=resident_id("19560312", 228)
    )
    version = matter.current_version
    assert version is not None
    return [
        svc.case_submit(
            applicant=citizen,
            matter_version=version,
            channel="counter",
            form_data={"contact_phone": "13900000001"},
            materials=[svc.MaterialInput(requirement=r, paper=True) for r in version.materials.all()],
            actor=clerk,
        )
        for _ in range(times)
    ]


def test_most_used_and_bundle_matters_get_real_forms(demo: Any, db: Any) -> None:
    busy = Matter.objects.get(search_name="死亡注销户口")
    second = Matter.objects.get(search_name="职业技能等级认定")
    cases = _file(busy, 3) + _file(second, 1)
    assert [m.pk for m in forms_step.most_used()[:2]] == [busy.pk, second.pk]
    bundle_matters = {i.matter_id for b in Bundle.objects.all() for i in b.items.all()}
    chosen = {m.pk for m in forms_step.form_matters()}
    assert {busy.pk, second.pk} | bundle_matters == chosen

    forms_step.build(DemoContext(out=io.StringIO(), quiet=True))
    for matter in Matter.objects.filter(pk__in=chosen).select_related("current_version"):
        v = matter.current_version
        assert v is not None and v.number >= 2 and v.status == MatterVersion.Status.PUBLISHED
        assert formschema.is_structured(v.form_schema), v.name
        names = {f.name for f in formschema.fields_of(v.form_schema, fill_default=False)}
        for req in v.materials.filter(provided_by="form"):
            assert req.form_fields and set(req.form_fields) <= names
        assert v.online_prereview == (v.kind == "committed" and v.is_online_capable)
    busy.refresh_from_db()
    assert busy.current_version is not None
    assert {"subject_name", "subject_id", "event_date", "certificate_no"} <= {f["name"] for f in busy.current_version.form_schema}
    assert busy.current_version.materials.filter(provided_by="form").exists()  # the 申请表 line
    # Cases filed before keep their version; a second run publishes nothing new.
    assert {c.matter_version.number for c in cases} == {1}
    before = MatterVersion.objects.count()
    forms_step.build(DemoContext(out=io.StringIO(), quiet=True))
    assert MatterVersion.objects.count() == before
