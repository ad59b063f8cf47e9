"""Search by Chinese text, full pinyin and pinyin initials; filters; pagination."""

from __future__ import annotations

import pytest

from onewindow.hall.models import ServiceArea, ServicePoint

from ..models import LifeEvent
from ..selectors import MatterQuery, paginate, search_matters
from .factories import make_matter

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(org):
    point = ServicePoint.objects.create(org_unit=org["gov"], code="HALL", name="青原区行政服务中心")
    area = ServiceArea.objects.create(point=point, code="QY-BDC", name="不动产服务区", theme="real_estate", ticket_prefix="E")
    marriage = LifeEvent.objects.create(code="marriage", name="结婚")
    m = {
        "bdc": make_matter(org["BDC"], "不动产转移登记", service_area=area, off_hours_bookable=True),
        "dy": make_matter(org["BDC"], "抵押权首次登记", service_area=area, online_depth=1),
        "wq": make_matter(org["ZJJ"], "商品房买卖合同网签备案", matter_type="other_power", kind="filing", committed_days=0),
        "db": make_matter(org["MZJ"], "最低生活保障（低保）审批", handling_level="township", agent_eligible=True),
        "jh": make_matter(org["MZJ"], "结婚登记", life_events=[marriage], max_visits=1),
        "yb": make_matter(org["YBJ"], "城乡居民医疗保险参保登记", on_mobile=True, online_depth=4, max_visits=0),
    }
    make_matter(org["BDC"], "草稿事项不可见", publish=False)
    return m


def names(query: MatterQuery) -> list[str]:
    return [m.search_name for m in search_matters(query)]


def test_chinese_substring(catalog):
    assert names(MatterQuery(q="不动产")) == ["不动产转移登记"]
    assert names(MatterQuery(q="低保")) == ["最低生活保障（低保）审批"]
    assert set(names(MatterQuery(q="登记"))) == {"不动产转移登记", "抵押权首次登记", "结婚登记", "城乡居民医疗保险参保登记"}


def test_pinyin_initials_and_full_pinyin(catalog):
    assert names(MatterQuery(q="bdc")) == ["不动产转移登记"]
    assert names(MatterQuery(q="BDC")) == ["不动产转移登记"]
    assert names(MatterQuery(q="budongchan")) == ["不动产转移登记"]
    assert names(MatterQuery(q="db")) == ["最低生活保障（低保）审批"]
    assert names(MatterQuery(q="jiehun")) == ["结婚登记"]
    assert names(MatterQuery(q="wqba")) == ["商品房买卖合同网签备案"]


def test_several_terms_must_all_match(catalog):
    assert names(MatterQuery(q="不动产 登记")) == ["不动产转移登记"]
    assert names(MatterQuery(q="bdc 结婚")) == []


def test_best_match_first(catalog, org):
    # BDC sorts before MZJ by code, but a name whose initials start with the term ranks first.
    make_matter(org["BDC"], "补领结婚证")
    assert names(MatterQuery(q="jh")) == ["结婚登记", "补领结婚证"]
    assert names(MatterQuery(q="结婚")) == ["结婚登记", "补领结婚证"]


def test_code_fragment(catalog):
    assert names(MatterQuery(q=catalog["wq"].code)) == ["商品房买卖合同网签备案"]


def test_drafts_never_found(catalog):
    assert names(MatterQuery(q="草稿")) == []


def test_filters(catalog, org):
    assert set(names(MatterQuery(department="BDC"))) == {"不动产转移登记", "抵押权首次登记"}
    assert set(names(MatterQuery(area="QY-BDC"))) == {"不动产转移登记", "抵押权首次登记"}
    assert names(MatterQuery(theme="real_estate", q="dy")) == ["抵押权首次登记"]
    assert names(MatterQuery(event="marriage")) == ["结婚登记"]
    assert names(MatterQuery(mobile=True)) == ["城乡居民医疗保险参保登记"]
    assert names(MatterQuery(zero_trip=True)) == ["城乡居民医疗保险参保登记"]
    assert names(MatterQuery(off_hours=True)) == ["不动产转移登记"]
    assert names(MatterQuery(agent=True)) == ["最低生活保障（低保）审批"]
    assert names(MatterQuery(level="township")) == ["最低生活保障（低保）审批"]
    assert "抵押权首次登记" not in names(MatterQuery(online=True))
    assert len(names(MatterQuery(online=True))) == 5


def test_query_from_params_ignores_junk():
    q = MatterQuery.from_params({"q": "  bdc ", "online": "1", "mobile": "no", "page": "x"})
    assert q.q == "bdc" and q.online and not q.mobile
    assert q.as_params() == {"q": "bdc", "online": "1"}


def test_pagination(org):
    for i in range(45):
        make_matter(org["SW"], f"纳税申报{i:02d}", matter_type="other_power")
    qs = search_matters(MatterQuery(q="nashui"))
    page = paginate(qs, 3)
    assert page.paginator.count == 45
    assert page.number == 3 and len(page.object_list) == 5
    assert paginate(qs, "junk").number == 1
    assert paginate(qs, 99).number == 3
