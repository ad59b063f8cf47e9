"""Writes of the catalog: codes, the committed <= statutory rule, versions, bundles, delegations."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction

from onewindow.core.errors import Conflict, ValidationFailed
from onewindow.core.models import AuditEntry
from onewindow.core.testing import run_concurrently

from ..errors import CommittedExceedsStatutory, VersionImmutable
from ..models import Delegation, MaterialRequirement, Matter, MatterVersion
from ..selectors import bundle_materials
from ..services import (
    bundle_create,
    delegation_create,
    matter_draft_create,
    matter_draft_update,
    matter_publish,
    matter_retire,
    search_keys,
)
from .factories import CONTRACT, ID_CARD, PROPERTY, make_matter

pytestmark = pytest.mark.django_db


def test_code_is_region_department_type_sequence(org):
    first = make_matter(org["BDC"], "不动产转移登记")
    second = make_matter(org["BDC"], "抵押权首次登记")
    licence = make_matter(org["BDC"], "某项许可", matter_type="licence")
    assert first.code == "360803-BDC-QR-0001"
    assert second.code == "360803-BDC-QR-0002"
    assert licence.code == "360803-BDC-XK-0001"
    assert make_matter(org["SW"], "存量房交易纳税申报", matter_type="other_power").code == "360803-SW-QT-0001"


def test_explicit_code_moves_the_counter_past_it(org):
    make_matter(org["BDC"], "甲", code="360803-BDC-QR-0007")
    assert make_matter(org["BDC"], "乙").code == "360803-BDC-QR-0008"


def test_duplicate_code_is_a_conflict_and_writes_nothing(org):
    make_matter(org["BDC"], "甲", code="360803-BDC-QR-0001")
    before = Matter.objects.count()
    with pytest.raises(Conflict) as exc:
        make_matter(org["BDC"], "乙", code="360803-BDC-QR-0001")
    assert exc.value.code == "duplicate_code"
    assert Matter.objects.count() == before


def test_code_is_unique_in_the_database(org):
    m = make_matter(org["BDC"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Matter.objects.create(code=m.code, department=org["BDC"])


@pytest.mark.django_db(transaction=True)
def test_concurrent_creations_get_distinct_codes(org):
    dept = org["ZJJ"]

    def create(i: int) -> str:
        return make_matter(dept, f"并发事项{i}").code

    results = run_concurrently(create, 6)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    assert sorted(results) == [f"360803-ZJJ-QR-{n:04d}" for n in range(1, 7)]


def test_committed_may_not_exceed_statutory_service(org):
    with pytest.raises(CommittedExceedsStatutory) as exc:
        make_matter(org["ZJJ"], "网签备案", statutory_days=5, committed_days=6)
    assert "committed_days" in exc.value.fields
    assert exc.value.status == 422
    assert not Matter.objects.exists()


def test_committed_may_not_exceed_statutory_database(org):
    m = make_matter(org["ZJJ"], "网签备案", publish=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        MatterVersion.objects.create(
            matter=m, number=9, name="x", matter_type="licence", kind="committed", statutory_days=3, committed_days=4
        )


def test_draft_update_refuses_committed_over_statutory(org):
    m = make_matter(org["ZJJ"], "网签备案")
    draft = matter_draft_create(matter=m, actor=None)
    with pytest.raises(CommittedExceedsStatutory) as committed_exceeds_statutory:
        matter_draft_update(version=draft, actor=None, committed_days=25)
    assert committed_exceeds_statutory.value.code == "committed_exceeds_statutory" and set(
        committed_exceeds_statutory.value.fields
    ) == {"committed_days"}
    draft.refresh_from_db()
    assert draft.committed_days == 5


def test_bad_input_is_a_validation_error(org):
    with pytest.raises(ValidationFailed) as invalid:
        make_matter(org["ZJJ"], "")
    assert invalid.value.code == "validation_failed" and set(invalid.value.fields) == {"name"}
    with pytest.raises(ValidationFailed) as invalid:
        make_matter(org["ZJJ"], "x", kind="whatever")
    assert invalid.value.code == "validation_failed" and set(invalid.value.fields) == {"kind"}
    with pytest.raises(ValidationFailed) as invalid:
        make_matter(org["ZXZ"], "乡镇不是部门")
    assert invalid.value.code == "validation_failed" and set(invalid.value.fields) == {"department"}
    with pytest.raises(ValidationFailed) as invalid:
        make_matter(org["ZJJ"], "x", materials=[{"name": ""}])
    assert invalid.value.code == "validation_failed" and set(invalid.value.fields) == {"materials"}
    assert not Matter.objects.exists()


def test_publish_sets_current_version_and_search_keys(org, admin_user):
    m = make_matter(org["BDC"], "不动产转移登记", publish=False)
    assert m.current_version is None
    version = m.versions.get()
    m = matter_publish(version=version, actor=admin_user)
    assert m.current_version == version
    assert m.search_name == "不动产转移登记"
    assert m.search_initials == "bdczydj"
    assert m.search_pinyin == "budongchanzhuanyidengji"
    version.refresh_from_db()
    assert version.status == MatterVersion.Status.PUBLISHED and version.published_at
    assert AuditEntry.objects.filter(action="matter.publish", target_id=str(m.uuid), actor=admin_user).exists()


def test_search_keys_strip_punctuation():
    assert search_keys("最低生活保障（低保）审批") == ("zuidishenghuobaozhangdibaoshenpi", "zdshbzdbsp")


def test_published_version_is_immutable(org):
    m = make_matter(org["BDC"])
    v = m.current_version
    v.name = "改名"
    with pytest.raises(VersionImmutable) as version_immutable:
        v.save()
    assert version_immutable.value.code == "version_immutable"
    with pytest.raises(VersionImmutable) as version_immutable:
        matter_draft_update(version=v, actor=None, name="改名")
    assert version_immutable.value.code == "version_immutable"
    with pytest.raises(Conflict) as conflict:
        matter_publish(version=v, actor=None)
    assert conflict.value.code == "not_draft"
    v.refresh_from_db()
    assert v.name == "不动产转移登记"


def test_new_version_copies_materials_and_leaves_the_old_row_untouched(org):
    m = make_matter(org["BDC"], materials=[ID_CARD, PROPERTY, CONTRACT])
    old = m.current_version
    old_row = MatterVersion.objects.filter(pk=old.pk).values().get()
    old_materials = list(MaterialRequirement.objects.filter(version=old).values())

    draft = matter_draft_create(matter=m, actor=None)
    assert draft.number == 2
    assert [x.shared_key for x in draft.materials.all()] == ["id_card", "property_cert", "sale_contract"]
    matter_draft_update(version=draft, actor=None, name="不动产转移登记（新）", committed_days=3, materials=[ID_CARD, CONTRACT])
    m = matter_publish(version=draft, actor=None)

    assert m.current_version_id == draft.pk
    assert m.search_name == "不动产转移登记（新）"
    # A case that started on version 1 keeps exactly what it saw.
    assert MatterVersion.objects.filter(pk=old.pk).values().get() == old_row
    assert list(MaterialRequirement.objects.filter(version=old).values()) == old_materials
    assert draft.materials.count() == 2


def test_only_one_draft_at_a_time(org):
    m = make_matter(org["BDC"])
    matter_draft_create(matter=m, actor=None)
    with pytest.raises(Conflict) as exc:
        matter_draft_create(matter=m, actor=None)
    assert exc.value.code == "draft_exists"


def test_retire_hides_the_matter_but_keeps_the_version(org):
    from ..selectors import MatterQuery, search_matters

    m = make_matter(org["BDC"])
    matter_retire(matter=m, actor=None, reason="合并")
    m.refresh_from_db()
    assert m.current_version.status == MatterVersion.Status.RETIRED
    assert not search_matters(MatterQuery()).exists()
    with pytest.raises(Conflict) as conflict:
        matter_retire(matter=m, actor=None)
    assert conflict.value.code == "already_retired"


def test_bundle_merges_materials_on_shared_key(org):
    wq = make_matter(org["ZJJ"], "商品房买卖合同网签备案", materials=[ID_CARD, CONTRACT, {"name": "购房资格承诺书"}])
    ns = make_matter(
        org["SW"],
        "存量房交易纳税申报",
        matter_type="other_power",
        materials=[ID_CARD, CONTRACT, PROPERTY, {"name": "计税价格评估表", "form": "copy", "quantity": 2}],
    )
    dj = make_matter(org["BDC"], "不动产转移登记", materials=[{"name": "登记申请书"}, ID_CARD, PROPERTY, CONTRACT])
    bundle = bundle_create(code="YJS-BDCZY", name="不动产转移登记一件事", matters=[wq, ns, dj], actor=None)
    merged = bundle_materials(bundle)
    names = [m.name for m in merged]
    assert names.count("申请人居民身份证") == 1
    assert len(merged) == 6  # 11 separately
    id_line = next(m for m in merged if m.key == "id_card")
    assert [x.code for x in id_line.matters] == [wq.code, ns.code, dj.code]
    assert next(m for m in merged if m.key == "property_cert").matters == [ns, dj]
    assert next(m for m in merged if m.name == "计税价格评估表").quantity == 2


def test_bundle_needs_two_published_matters(org):
    a = make_matter(org["ZJJ"], "甲")
    draft_only = make_matter(org["SW"], "乙", publish=False)
    with pytest.raises(ValidationFailed) as invalid:
        bundle_create(code="X", name="x", matters=[a], actor=None)
    assert invalid.value.code == "validation_failed" and set(invalid.value.fields) == {"matters"}
    with pytest.raises(ValidationFailed) as invalid:
        bundle_create(code="X", name="x", matters=[a, draft_only], actor=None)
    assert invalid.value.code == "validation_failed" and set(invalid.value.fields) == {"matters"}
    b = make_matter(org["SW"], "丙")
    bundle_create(code="X", name="x", matters=[a, b], actor=None)
    with pytest.raises(Conflict) as conflict:
        bundle_create(code="X", name="y", matters=[a, b], actor=None)
    assert conflict.value.code == "duplicate_code"


def test_delegation_to_townships_only(org):
    m = make_matter(org["ZJJ"], "乡村建设规划许可证核发", matter_type="licence")
    day = datetime.date(2021, 5, 20)
    created = delegation_create(matter=m, townships=[org["ZXZ"], org["FTZ"]], effective_on=day, actor=None)
    assert len(created) == 2
    assert AuditEntry.objects.filter(action="matter.delegate").count() == 1
    with pytest.raises(ValidationFailed) as invalid:
        delegation_create(matter=m, townships=[org["BDC"]], effective_on=day, actor=None)
    assert invalid.value.code == "validation_failed" and set(invalid.value.fields) == {"townships"}
    with pytest.raises(Conflict) as conflict:
        delegation_create(matter=m, townships=[org["ZXZ"]], effective_on=day, actor=None)
    assert conflict.value.code == "duplicate_delegation"
    assert Delegation.objects.count() == 2


def test_bulk_create_numbers_codes_and_publishes(org):
    from ..services import MatterInput, matter_bulk_create

    make_matter(org["BDC"], "已有事项")
    fields = {"matter_type": "confirmation", "kind": "instant", "statutory_days": 5, "committed_days": 0}
    matters = matter_bulk_create(
        items=[
            MatterInput(department=org["BDC"], fields={**fields, "name": "抵押权首次登记"}, materials=[ID_CARD]),
            MatterInput(department=org["BDC"], fields={**fields, "name": "抵押权注销登记"}),
            MatterInput(department=org["SW"], fields={**fields, "name": "契税申报", "matter_type": "other_power"}),
        ],
        actor=None,
    )
    assert [m.code for m in matters] == ["360803-BDC-QR-0002", "360803-BDC-QR-0003", "360803-SW-QT-0001"]
    first = Matter.objects.get(code="360803-BDC-QR-0002")
    assert first.current_version.status == MatterVersion.Status.PUBLISHED
    assert first.search_initials == "dyqscdj"
    assert first.current_version.materials.count() == 1
    assert make_matter(org["BDC"], "下一个").code == "360803-BDC-QR-0004"


def test_bulk_create_is_all_or_nothing(org):
    from ..services import MatterInput, matter_bulk_create

    fields = {"matter_type": "confirmation", "kind": "committed", "statutory_days": 5}
    with pytest.raises(CommittedExceedsStatutory) as committed_exceeds_statutory:
        matter_bulk_create(
            items=[
                MatterInput(department=org["BDC"], fields={**fields, "name": "好", "committed_days": 5}),
                MatterInput(department=org["BDC"], fields={**fields, "name": "坏", "committed_days": 6}),
            ],
            actor=None,
        )
    assert committed_exceeds_statutory.value.code == "committed_exceeds_statutory" and set(
        committed_exceeds_statutory.value.fields
    ) == {"committed_days"}
    assert not Matter.objects.exists()


def test_bulk_create_audits_each_matter(org, admin_user):
    from ..services import MatterInput, matter_bulk_create

    fields = {"matter_type": "confirmation", "kind": "instant", "statutory_days": 5, "name": "甲"}
    [m] = matter_bulk_create(items=[MatterInput(department=org["BDC"], fields=fields)], actor=admin_user)
    entry = AuditEntry.objects.get(action="matter.create", target_id=str(m.uuid))
    assert entry.actor == admin_user and entry.data["code"] == m.code


def test_long_names_fit_the_search_columns(org):
    m = make_matter(org["BDC"], "不动产登记" * 40, materials=[ID_CARD])  # 200 characters, 1,000 letters of pinyin
    assert len(m.search_pinyin) <= 800 and len(m.search_text) <= 1200


def test_overlong_material_name_is_a_validation_error(org):
    with pytest.raises(ValidationFailed) as invalid:
        make_matter(org["BDC"], "甲", materials=[{"name": "长" * 201}])
    assert invalid.value.code == "validation_failed" and set(invalid.value.fields) == {"materials"}


def test_version_numbers_come_from_the_matters_counter(org):
    m = make_matter(org["BDC"])
    for expected in (2, 3):
        draft = matter_draft_create(matter=m, actor=None)
        assert draft.number == expected
        m = matter_publish(version=draft, actor=None)
    m.refresh_from_db()
    assert m.version_counter == 3 == m.current_version.number


def test_township_reach_counts_a_delegated_township_level_matter_once(org):
    """What a township can handle: its township-level matters plus the delegations in force that
    are not township-level anyway (each matter once), counted in the database."""
    from ..stats import catalog_figures

    own = make_matter(org["ZJJ"], "乡镇级事项", handling_level="township")
    other = make_matter(org["ZJJ"], "区级事项")
    revoked = make_matter(org["ZJJ"], "已收回的事项")
    day = datetime.date(2021, 5, 20)
    delegation_create(matter=own, townships=[org["ZXZ"]], effective_on=day, actor=None)
    delegation_create(matter=other, townships=[org["ZXZ"], org["FTZ"]], effective_on=day, actor=None)
    delegation_create(matter=revoked, townships=[org["ZXZ"]], effective_on=day, actor=None)
    Delegation.objects.filter(matter=revoked).update(revoked_on=day)
    towns = {t.code: t for t in catalog_figures().townships}
    assert (towns["ZXZ"].own, towns["ZXZ"].delegated, towns["ZXZ"].total) == (1, 1, 2)
    assert (towns["FTZ"].own, towns["FTZ"].delegated, towns["FTZ"].total) == (1, 1, 2)
