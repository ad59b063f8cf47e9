"""Issue 16: on SQLite, catalog search finds a term of 3 characters or more through the trigram
tables of migration 0013 (FTS5 indexes of Matter.search_text and Matter.code kept by triggers) instead
of testing LIKE '%term%' on every matter (unless the term is in too many matters). The answers must be exactly the plain LIKE's, for every kind of
term, after matters change and disappear too. PostgreSQL keeps its plain LIKE (the pg_trgm index
of 0004 serves it)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onewindow.accounts.models import OrgUnit

from .. import search
from ..migrations import _sqlite_search_fts
from ..models import Matter, SearchSynonym
from ..selectors import MatterQuery, search_matters, search_page
from ..services import matter_draft_create, matter_draft_update, matter_publish, search_keys, search_text
from .factories import make_matter

pytestmark = pytest.mark.django_db
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's trigram table")

# Names with what a LIKE pattern or an FTS5 query could take for syntax: LIKE's wildcards and
# escape, FTS5's quotes and operators, digits, full-width and accented letters.
TRICKY = [
    "100%_产权证明",
    "百分之百%证明",
    "下划线_事项登记",
    "a_b事项",
    'a"b引号事项',
    'x""y双引号',
    "o'brien单引号",
    "反斜杠\\事项",
    "AND OR NOT 运算符事项",
    "NEAR(星号*)事项",
    "ÉMILE全称事项",
    "ＡＢＣ全角事项",
    "2021年度检验",
    "第3601号公告",
    "结婚登记",
    "补领结婚证",
    "不动产转移登记",
    "不动产抵押登记",
    "社会保障卡申领",
]

TERMS = [
    # 1-2 characters: the plain LIKE on every database
    "%", "_", "\\", '"', "'", "登记", "jh", "%_", "10",
    # 3 characters or more: SQLite's trigram table
    "100%", "0%_", "%证明", "_事项", "a_b", "x_b", 'a"b', '""y', "o'b", "o'brien", "斜杠\\", "\\事项",
    "and or", "or not", "near(", "(星号*)", "*)事", "émile", "ÉMILE", "ａｂｃ", "ＡＢＣ", "abc",
    "结婚登记", "结婚证", "不动产", "不动产 转移", "登记 不动产", "budongchan", "BDC", "bdcdj", "jhdj",
    "dengji", "2021", "3601", "年度检", "社保卡", "无此事项", "%%%", "___",
    # a term with a digit also matches the code (case-insensitively)
    "9003", "qt-900", "QT-900", "-9", "0803", "xzsp-qt-9", "xzsp 9010", "d-00",
]  # fmt: skip


@pytest.fixture
def tricky(org: dict[str, OrgUnit]) -> list[Matter]:
    SearchSynonym.objects.update_or_create(term="社保卡", defaults={"words": "社会保障卡、社保"})  # a 5- and a 2-character word
    matters = [make_matter(org["BDC"], "不动产转移登记"), make_matter(org["MZJ"], "结婚登记")]
    for i, name in enumerate(TRICKY):
        matters.append(_matter(org["XZSP"], f"360803-XZSP-QT-{9000 + i}", name))
    matters.append(_matter(org["XZSP"], "360803-XZSP-QT-9999", "草稿登记事项", listed=False))
    return matters


def _matter(dept: OrgUnit, code: str, name: str, *, listed: bool = True) -> Matter:
    """A matter row as the services leave it (the search keys of `name`), without the checks
    a name must pass there: the strings test the search, not the catalog's rules."""
    pinyin, initials = search_keys(name)
    return Matter.objects.create(
        code=code,
        department=dept,
        search_name=name,
        search_pinyin=pinyin,
        search_initials=initials,
        search_text=search_text(name, pinyin, initials),
        is_listed=listed,
    )


def _fts_off(monkeypatch: Any) -> None:
    monkeypatch.setattr(search, "_sqlite", lambda using: None)


def _answers(term: str) -> dict[str, Any]:
    """Everything a search answers for `term`: the filter over all matters (drafts included, as
    the admin uses it), the ranked queryset, and the pages walked by cursor, forward and back."""
    query = MatterQuery(q=term)
    pages = []
    page = search_page(query, per_page=2)
    while True:
        pages.append(([m.code for m in page.items], page.count, page.more))
        if not page.has_next:
            break
        page = search_page(query, after=page.next_cursor, per_page=2)
    back = search_page(query, before=page.previous_cursor, per_page=2) if page.has_previous else None
    return {
        "filter": sorted(Matter.objects.filter(search.matter_filter(term)).values_list("code", flat=True)),
        "ranked": [m.code for m in search_matters(query)],
        "pages": pages,
        "back": [m.code for m in back.items] if back else None,
        "page 3": [m.code for m in search_page(query, number=3, per_page=2).items],
    }


def _plain_answers(term: str, monkeypatch: Any) -> dict[str, Any]:
    with monkeypatch.context() as m:
        _fts_off(m)
        return _answers(term)


def _fts_columns(term: str) -> set[str]:
    """The columns whose table the page's statements took rows from (not only looked how many)."""
    with CaptureQueriesContext(connection) as ctx:
        search_page(MatterQuery(q=term))
    statements = " ".join(q["sql"] for q in ctx.captured_queries)
    return {column for column, table in search.SQLITE_FTS.items() if f"IN (SELECT rowid FROM {table} " in statements}  # noqa: S608 - a substring to look for


def _used_fts(term: str) -> bool:
    return bool(_fts_columns(term))


def _integrity() -> None:
    """FTS5's own check of an external-content index against catalog_matter (raises if not)."""
    with connection.cursor() as cur:
        for table in search.SQLITE_FTS.values():
            cur.execute(f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)")  # noqa: S608


def _fts_objects() -> set[tuple[str, str]]:
    """The tables and triggers of migration 0013 in the database (FTS5's own tables left out)."""
    with connection.cursor() as cur:
        cur.execute("SELECT type, name FROM sqlite_master WHERE name LIKE %s", ["catalog_matter_%fts%"])
        return {(kind, name) for kind, name in cur.fetchall() if not name.endswith(("_data", "_idx", "_docsize", "_config"))}


@sqlite_only
def test_the_migrated_database_has_the_tables_and_their_triggers() -> None:
    # The test database is built by the migrations (pytest-django runs them): a later migration
    # that rebuilds catalog_matter on SQLite drops the triggers unless it calls create() again.
    assert _sqlite_search_fts.TABLES == search.SQLITE_FTS
    assert {("table", t) for t in search.SQLITE_FTS.values()} | {
        ("trigger", t) for t in _sqlite_search_fts.TRIGGERS
    } <= _fts_objects()


@sqlite_only
@pytest.mark.parametrize("term", TERMS)
def test_every_term_answers_as_the_plain_like(tricky: list[Matter], term: str, monkeypatch: Any) -> None:
    assert _answers(term) == _plain_answers(term, monkeypatch)
    # Not vacuous: the long terms do go through the table (the short ones cannot).
    assert _used_fts(term) == any(len(t) >= 3 for t in MatterQuery(q=term).terms)


@sqlite_only
def test_the_tricky_terms_find_what_they_should(tricky: list[Matter]) -> None:
    def names(term: str) -> set[str]:
        return {m.search_name for m in search_matters(MatterQuery(q=term))}

    assert names("100%") == {"100%_产权证明"}  # % is a character, not "anything"
    assert names("a_b") == {"a_b事项"}
    assert names("x_b") == set()
    assert names('a"b') == {'a"b引号事项'}
    assert names('""y') == {'x""y双引号'}
    assert names("(星号*)") == {"NEAR(星号*)事项"}
    assert names("and or") == names("not") == {"AND OR NOT 运算符事项"}  # words, not FTS5 operators
    assert names("near(") == {"NEAR(星号*)事项"}
    assert names("结婚登记") == {"结婚登记"}
    assert names("社保卡") == {"社会保障卡申领"}


@sqlite_only
def test_a_text_in_many_matters_is_left_to_the_like(tricky: list[Matter], monkeypatch: Any) -> None:
    # The table hands over its rows as one list built in full: past SQLITE_FTS_ROWS the plain LIKE
    # (whose count stops at the cap, whose tiers walk the code index) is the cheaper way.
    monkeypatch.setattr(search, "SQLITE_FTS_ROWS", 3)
    monkeypatch.setattr(search, "COUNT_CAP", 2)
    for term, columns in [
        ("shixiang", set()),
        ("不动产", {"search_text"}),
        ("0803", {"search_text"}),  # in no name, in every code
        ("9003", {"search_text", "code"}),
        ("事项 0803", {"search_text"}),
    ]:
        assert _answers(term) == _plain_answers(term, monkeypatch), term
        assert _fts_columns(term) == columns, term


@sqlite_only
def test_the_index_follows_inserts_updates_and_deletes(tricky: list[Matter], org: dict[str, OrgUnit], monkeypatch: Any) -> None:
    marriage = next(m for m in tricky if m.search_name == "结婚登记" and m.current_version_id)
    # Renamed through the catalog's services (a new version published: search_text rewritten).
    draft = matter_draft_create(matter=marriage, actor=None)
    matter_draft_update(version=draft, actor=None, name="离婚登记")
    matter_publish(version=draft, actor=None)
    # Changed by a queryset update, deleted, added.
    gone = next(m for m in tricky if m.search_name == "补领结婚证")
    Matter.objects.filter(pk=gone.pk).delete()
    Matter.objects.filter(search_name="不动产抵押登记").update(search_text="抵押权首次登记|diyaquanshoucidengji|dyqscdj")
    Matter.objects.filter(search_name="a_b事项").update(is_listed=False)  # not search_text: no reindex
    Matter.objects.filter(code="360803-XZSP-QT-9010").update(code="360803-XZSP-QT-7777")
    _matter(org["XZSP"], "360803-XZSP-QT-8888", "结婚证补领登记")
    _integrity()
    changed = ["结婚登记", "结婚证", "离婚登记", "lihun", "抵押登记", "抵押权首次", "diyaquan", "a_b", "不动产", "补领"]
    for term in [*changed, "9010", "7777"]:
        assert _answers(term) == _plain_answers(term, monkeypatch), term
    assert [m.code for m in search_matters(MatterQuery(q="结婚登记"))] == ["360803-XZSP-QT-9014"]  # the other one
    assert {m.search_name for m in search_matters(MatterQuery(q="离婚登记"))} == {"离婚登记"}
    assert {m.search_name for m in search_matters(MatterQuery(q="补领"))} == {"结婚证补领登记"}
    assert {m.search_name for m in search_matters(MatterQuery(q="qt-7777"))} == {"ÉMILE全称事项"}
    assert _fts_columns("qt-7777") == {"search_text", "code"}
    Matter.objects.filter(code__startswith="360803-XZSP-QT-9").delete()
    _integrity()
    assert _answers("事项") == _plain_answers("事项", monkeypatch)


@sqlite_only
def test_drop_and_create_rebuild_the_index(tricky: list[Matter]) -> None:
    # What the migration runs both ways, against this database (the helpers only execute SQL).
    with connection.cursor() as cur:
        editor = SimpleNamespace(connection=connection, execute=cur.execute)
        _sqlite_search_fts.drop(None, editor)
        assert _fts_objects() == set()
        _sqlite_search_fts.create(None, editor)
        _sqlite_search_fts.create(None, editor)  # idempotent: a table rebuild re-runs it
    _integrity()
    assert {m.search_name for m in search_matters(MatterQuery(q="结婚登记"))} == {"结婚登记"}


@pytest.mark.skipif(connection.vendor == "sqlite", reason="the other databases")
def test_other_databases_keep_the_plain_like(tricky: list[Matter]) -> None:
    for term in ("结婚登记", "100%", "a_b", 'a"b', "budongchan"):
        assert not _used_fts(term)
    assert {m.search_name for m in search_matters(MatterQuery(q="100%"))} == {"100%_产权证明"}
    assert {m.search_name for m in search_matters(MatterQuery(q="a_b"))} == {"a_b事项"}
