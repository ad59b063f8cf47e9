"""Search by Chinese text, full pinyin and pinyin initials; filters; pagination."""

from __future__ import annotations

import pytest

from onewindow.hall.models import ServiceArea, ServicePoint

from .. import search
from ..models import LifeEvent
from ..selectors import MatterQuery, search_matters, search_page
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
    query = MatterQuery(q="nashui")
    page = search_page(query, number=3)
    assert page.count == 45 and not page.more and page.count_text == "45"
    assert len(page.items) == 5 and not page.has_next and page.has_previous
    assert search_page(query, number="junk").items == search_page(query).items
    assert search_page(query, number=99).items == page.items


def walk(query: MatterQuery, per_page: int) -> list[str]:
    """Every result, page by page through the `after` cursors."""
    out: list[str] = []
    after = ""
    for _ in range(100):
        page = search_page(query, after=after, per_page=per_page)
        out += [m.code for m in page.items]
        if not page.has_next:
            return out
        after = page.next_cursor
    raise AssertionError("paging did not end")


def test_keyset_paging_crosses_the_rank_tiers_in_search_order(catalog, org):
    # Exact name, name prefix, initials prefix and substring matches of 登记 / dj spread over tiers.
    make_matter(org["SW"], "登记")
    make_matter(org["SW"], "登记证明补办")
    make_matter(org["ZJJ"], "登记簿查询")
    for query in (MatterQuery(q="登记"), MatterQuery(q="dj"), MatterQuery(), MatterQuery(q="bdc")):
        ranked = [m.code for m in search_matters(query)]
        for per_page in (1, 2, 3, 20):
            assert walk(query, per_page) == ranked
    first = search_matters(MatterQuery(q="登记"))[0]
    assert first.search_name == "登记"  # the exact name first


def test_previous_page_is_the_page_before(catalog, org):
    for i in range(7):
        make_matter(org["SW"], f"登记事项{i}")
    query = MatterQuery(q="登记")
    p1 = search_page(query, per_page=3)
    p2 = search_page(query, after=p1.next_cursor, per_page=3)
    p3 = search_page(query, after=p2.next_cursor, per_page=3)
    back = search_page(query, before=p3.previous_cursor, per_page=3)
    assert [m.code for m in back.items] == [m.code for m in p2.items]
    assert back.has_next and back.has_previous
    assert [m.code for m in search_page(query, before=p2.previous_cursor, per_page=3).items] == [m.code for m in p1.items]


def test_junk_cursors_start_from_the_beginning(catalog):
    first = [m.code for m in search_page(MatterQuery(q="登记")).items]
    for junk in ("x", "9.ZZZ", "-1.a", "1.", ".", "3" * 80, "0.\x00"):
        assert [m.code for m in search_page(MatterQuery(q="登记"), after=junk).items] == first


def test_count_stops_at_the_cap(catalog, org, monkeypatch):
    monkeypatch.setattr(search, "COUNT_CAP", 3)
    page = search_page(MatterQuery(q="登记"))
    assert page.count == 3 and page.more and page.count_text == "3+"
    assert len(page.items) == 4  # the page itself is not capped by the count
    assert search_page(MatterQuery(q="不动产")).count_text == "1"
