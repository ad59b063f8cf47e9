"""The demo district yields the seed's catalog figures (F3, F4, F8, F9, F12, F14, F15), computed by
catalog.stats from the rows the demo builds, and the seed's named matters exist; with the demo's
two other counties loaded (as load_demo does by default), the figures are still 青原区's."""

from __future__ import annotations

import io

import pytest
from django.db import transaction

from onewindow.accounts.demo import build_org
from onewindow.accounts.models import County
from onewindow.assistance import demo as assistance_demo
from onewindow.core.demo import DemoContext
from onewindow.core.demo import calendar as calendar_demo
from onewindow.core.tenancy import for_county

from .. import demo as catalog_demo
from .. import demo_counties
from ..models import Bundle, Matter, MatterVersion
from ..selectors import MatterQuery, bundle_materials, search_matters
from ..stats import catalog_figures, sections

QINGYUAN = "360803"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Built once for the module (a few seconds) inside an outer transaction that is rolled back
    at the end, as Django's TestCase does for setUpTestData: each test runs in a savepoint."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            ctx = DemoContext(out=io.StringIO(), quiet=True)
            # The work calendar as `load_demo` has it (with the provisional next year: in December
            # the demo's deadlines reach it). Not left to the migration's rows: a transactional test
            # run before this module empties every table.
            calendar_demo.build(ctx)
            build_org(ctx)
            catalog_demo.build(ctx)
            assistance_demo.build(ctx)
            # The two other counties, as load_demo builds them by default: the figures stay 青原区's.
            demo_counties.build(ctx)
            yield ctx
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def figures(demo, db):
    return catalog_figures()


def test_f3_departments_matters_one_window(figures):
    assert figures.departments == 32
    assert figures.matters == 921
    assert figures.on_one_window == 905
    assert figures.one_window_rate == 98


def test_f8_online(figures):
    assert figures.online_deployed == 921
    assert figures.online_capable == 866
    assert figures.online_rate == 94


def test_f9_mobile_with_all_medical_insurance_matters(figures):
    assert figures.mobile == 215
    assert figures.all_mobile_departments == [("青原区医疗保障局", 22)]


def test_f12_off_hours(figures):
    assert figures.off_hours == 272


def test_f14_delegation_in_may_2021_and_township_reach(figures):
    assert figures.latest_batch == ("2021-05", 25)
    assert len(figures.townships) == 9
    for t in figures.townships:
        assert 95 <= t.total < 100, t  # "nearly 100"
        assert t.delegated == 25


def test_f4_hall_areas(figures):
    assert figures.comprehensive is not None
    assert len(figures.comprehensive.departments) == 22
    assert figures.comprehensive.windows == 4
    assert len(figures.themed) == 5
    assert figures.themed_departments == 10
    assert all(1 <= a.windows <= 4 for a in figures.themed)
    assert {a.theme for a in figures.themed} == {"medical_insurance", "social_insurance", "business", "real_estate", "investment"}


def test_f15_agent_points(figures):
    assert figures.agent_points == 121 == figures.villages


def test_named_matters_exist(demo, db):
    named = {
        ("BDC", "不动产转移登记"),
        ("ZJJ", "房屋交易登记"),
        ("SW", "存量房交易纳税申报"),
        ("ZJJ", "商品房买卖合同网签备案"),
        ("MZJ", "最低生活保障（低保）审批"),
        ("CLH", "残疾人证办理"),
        ("MZJ", "结婚登记"),
        ("GA", "普通护照签发"),
        ("SCJG", "企业设立登记"),
        ("SCJG", "企业复工经营备案"),
        ("RSJ", "社会保险费代缴"),
        ("YBJ", "城乡居民医疗保险参保登记"),
    }
    qingyuan = for_county(Matter.objects.all(), QINGYUAN)  # the other counties use the same specifications
    found = set(qingyuan.values_list("department__code", "search_name"))
    assert named <= found
    filing = qingyuan.get(search_name="企业复工经营备案").current_version
    assert filing.kind == MatterVersion.Kind.FILING and filing.commitment_text
    for name in ("社会保险费代缴", "城乡居民基本医疗保险参保缴费", "残疾人证办理"):
        assert qingyuan.get(search_name=name).current_version.agent_eligible


def test_the_other_counties_are_loaded_and_counted_apart(demo, db):
    for code, letters in (("360802", "JZ"), ("360821", "JA")):
        figures = catalog_figures(code)
        assert figures.matters == 12 and figures.departments == 4, code
        assert set(for_county(Matter.objects.all(), code).values_list("code", flat=True)) == set(
            Matter.objects.filter(code__startswith=f"{code}-").values_list("code", flat=True)
        )
        assert County.objects.get(pk=code).case_prefix == letters
    assert catalog_figures(QINGYUAN).matters == catalog_figures().matters == 921


def test_catalog_invariants(demo, db):
    versions = MatterVersion.objects.filter(status="published")
    assert not [v for v in versions if v.committed_days > v.statutory_days]
    counts = [v.materials.count() for v in versions.prefetch_related("materials")]
    assert min(counts) >= 1 and max(counts) <= 6
    kinds = set(versions.values_list("kind", flat=True))
    assert kinds == {"instant", "committed", "filing"}


def test_bundles(demo, db):
    transfer = Bundle.objects.get(code="YJS-BDCZY")
    merged = bundle_materials(transfer)
    assert {i.matter.department.code for i in transfer.items.all()} == {"ZJJ", "SW", "BDC"}
    id_card = next(m for m in merged if m.key == "id_card")
    assert len(id_card.matters) == 3
    start_up = Bundle.objects.get(code="YJS-QYKB")
    assert {i.matter.department.code for i in start_up.items.all()} == {"SCJG", "GA", "SW", "YBJ", "RSJ"}


def test_search_on_the_demo(demo, db):
    assert search_matters(MatterQuery(q="bdc")).filter(search_name="不动产转移登记").exists()
    assert search_matters(MatterQuery(q="budongchan")).filter(search_name="不动产转移登记").exists()
    assert search_matters(MatterQuery(q="低保")).filter(search_name="最低生活保障（低保）审批").exists()


def test_demo_is_idempotent(demo, db):
    before = (Matter.objects.count(), MatterVersion.objects.count(), Bundle.objects.count())
    catalog_demo.build(DemoContext(out=io.StringIO(), quiet=True))
    assert (Matter.objects.count(), MatterVersion.objects.count(), Bundle.objects.count()) == before


def test_dashboard_section(demo, db):
    [section] = sections(user=None, params={})
    values = {str(f.label): f.value for f in section.figures}
    assert values["依申请类政务服务事项"] == 921
    assert values["一窗受理率"] == 98
    assert values["网上可办率"] == 94


def test_the_province_standard_catalog_covers_the_shared_matters(demo, db):
    from .. import demo_standards
    from ..models import StandardMatter

    demo_standards.build(demo)
    entries = list(StandardMatter.objects.order_by("basic_code"))
    assert len(entries) == 12
    # Every entry is implemented by each county's matter of the same specification (the fixture
    # loads the other counties, as load_demo does by default).
    counties = {"360803", "360802", "360821"}
    assert all(set(e.matters.values_list("department__county_id", flat=True)) == counties for e in entries)
    assert all(e.matters.filter(department__county_id="360803").count() == 1 for e in entries)
    # The province's one revision waits as a draft of the new revision in each implementing county.
    revised = [e for e in entries if e.revision == 2]
    assert len(revised) == 1
    drafts = list(MatterVersion.objects.filter(matter__standard=revised[0], status="draft").select_related("matter__department"))
    assert {d.matter.department.county_id for d in drafts} == counties
    assert all(d.standard_revision == 2 and d.legal_basis == revised[0].legal_basis for d in drafts)
    demo_standards.build(demo)  # idempotent
    assert StandardMatter.objects.count() == 12 and StandardMatter.objects.filter(revision=2).count() == 1
