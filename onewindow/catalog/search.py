"""Matter search: the one matching rule and the one ranking, for every place that looks a matter
up (the catalog page and API, the online-application list, the booking index, the hall kiosk, the
front desk, the township delegation batches, the admin).

- `matter_filter(q)`: which matters a text matches (name, full pinyin, pinyin initials, a code
  fragment when the term has a digit, the administrator's synonyms; every term must match).
- `search_matters(query, scope=...)`: the matches within a scope, best first, as a queryset (for
  callers that show a handful of rows).
- `MatterSearch(query).page(...)`: a page of results for the catalog page and the API, fetched
  tier by tier with real keyset paging (a cursor `rank.code`, never OFFSET), and a count that stops
  at `COUNT_CAP` ("1,000+").

Ranking: 0 the exact name, 1 a name that starts with the term, 2 pinyin or initials that start
with it, 3 the rest; then the matter code. Each tier is one narrow query that an index answers
(a prefix index for tiers 0-2, the code index or the trigram index for tier 3), so a broad term
such as 登记 (15 % of a 100,000-matter catalog) never ranks and sorts every hit.

Trigram indexes: PostgreSQL's pg_trgm index (migration 0004) serves `search_text LIKE '%term%'`
as it is; SQLite's (an FTS5 table, migration 0013) is asked explicitly, by `_contains`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db import connections, router
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL

from onewindow.core.parsing import clean_text

from .models import ONLINE_CAPABLE_DEPTH, Matter, SearchSynonym

PAGE_SIZE = 20
COUNT_CAP = 1000
MAX_TERMS = 5
SEARCH_RELATED = ("department", "current_version", "service_area", "service_area__point")
_PINYIN_KEY = re.compile(r"^[a-z0-9]+$")
_SPLIT = re.compile(r"[\s,，、]+")
_TOP = "\U0010ffff"  # above every character: k <= text < k + _TOP holds exactly the texts starting with k
N_TIERS = 4
# SQLite's trigram indexes of Matter.search_text and Matter.code (migration 0013, kept by
# triggers). The trigram tokenizer indexes every 3 characters, so they answer texts of 3
# characters or more; a shorter term (登记, jh) is a broad one, whose count stops at COUNT_CAP
# early in a plain scan.
SQLITE_FTS = {"search_text": "catalog_matter_search_fts", "code": "catalog_matter_code_fts"}
SQLITE_FTS_MIN = 3
# A text in more rows than this is left to the plain LIKE (`_contains`).
SQLITE_FTS_ROWS = 5000


def published_matters() -> QuerySet[Matter]:
    # is_listed mirrors "current version is published" (kept by matter_publish / matter_retire).
    return Matter.objects.filter(is_listed=True)


@dataclass
class MatterQuery:
    """What a catalog search asks for. Every field is optional; empty means "any"."""

    q: str = ""
    department: str = ""  # OrgUnit code
    area: str = ""  # ServiceArea code
    theme: str = ""  # ServiceArea.Theme value (district hall)
    event: str = ""  # LifeEvent code
    online: bool = False  # 网上可办 (depth >= ONLINE_CAPABLE_DEPTH)
    mobile: bool = False
    zero_trip: bool = False
    off_hours: bool = False
    agent: bool = False
    level: str = ""  # district / township / village
    audience: str = ""
    # A county's matters only (its 6-digit region code); empty: every county's (the published
    # catalog is public, and people apply in any county).
    county: str = ""

    @classmethod
    def from_params(cls, params: Any) -> MatterQuery:
        def flag(name: str) -> bool:
            return str(params.get(name, "")).lower() in ("1", "true", "on", "yes")

        def text(name: str, limit: int = 64) -> str:
            return clean_text(params.get(name, "") or "", limit)

        return cls(
            q=text("q", 100),
            department=text("department"),
            area=text("area"),
            theme=text("theme"),
            event=text("event"),
            online=flag("online"),
            mobile=flag("mobile"),
            zero_trip=flag("zero_trip"),
            off_hours=flag("off_hours"),
            agent=flag("agent"),
            level=text("level"),
            audience=text("audience"),
            county=text("county", 6),
        )

    def as_params(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for name in ("q", "department", "area", "theme", "event", "level", "audience", "county"):
            if getattr(self, name):
                out[name] = getattr(self, name)
        for name in ("online", "mobile", "zero_trip", "off_hours", "agent"):
            if getattr(self, name):
                out[name] = "1"
        return out

    @property
    def is_empty(self) -> bool:
        """Nothing asked but (perhaps) the county: the catalog page shows its browse tiles."""
        return not [name for name in self.as_params() if name != "county"]

    @property
    def terms(self) -> list[str]:
        return [t for t in _SPLIT.split(clean_text(self.q, strip=False)) if t][:MAX_TERMS]


# --- matching --------------------------------------------------------------------------------


def synonym_map() -> dict[str, list[str]]:
    """The administrator's synonym list: common name (lowercase) -> the catalog's words."""
    return {s.term.lower(): s.word_list() for s in SearchSynonym.objects.all()}


def term_alternatives(term: str, synonyms: dict[str, list[str]]) -> list[str]:
    """The term itself, then what the synonym list says it means: the whole term ("户口"), or a
    common name inside it ("办社保卡" -> "社会保障卡")."""
    key = term.lower()
    common = key if key in synonyms else max((c for c in synonyms if len(c) >= 2 and c in key), key=len, default="")
    # Only the longest common name counts: "社保卡" means 社会保障卡, not everything "社保" means.
    return [key] + [w for w in synonyms.get(common, []) if w != key]


def _contains(lookup: str, text: str, sqlite: str | None) -> Q:
    """`lookup` ("search_text__contains", "code__icontains") with `text`, literally (% and _ are
    characters). `sqlite`: the alias of the database the query reads if it is SQLite.

    search_text is "name|pinyin|initials" lowercased: a term is one LIKE over one column, which
    PostgreSQL's trigram index serves as it is. SQLite's trigram table of the column cannot serve
    a LIKE with an ESCAPE clause (Django's `contains`), so on SQLite a text of 3 characters or
    more held by at most SQLITE_FTS_ROWS matters also asks the table for the rows holding it as a
    phrase (the trigram tokenizer matches a phrase as a substring, case-folded): the planner
    starts from those rows instead of reading every matter's text, and the LIKE beside it keeps
    the answer exactly the LIKE's.

    The table's rows come as one list the database builds in full before reading a matter: a
    broad text (dengji in 15 % of the catalog, a region code in every code) is cheaper found by
    the plain LIKE, whose count stops at COUNT_CAP hits and whose tiers walk the code index to
    the page. Which one it is, a first look at the table tells (it stops at SQLITE_FTS_ROWS + 1
    rows: ~0.1-3 ms against a 20-50 ms scan for a rare term at 100,000 matters)."""
    q = Q(**{lookup: text})
    if sqlite is None or len(text) < SQLITE_FTS_MIN:
        return q
    table = SQLITE_FTS[lookup.split("__")[0]]
    match = '"' + text.replace('"', '""') + '"'  # an FTS5 string: "" is a quote, the rest literal
    rows = f"SELECT rowid FROM {table} WHERE {table} MATCH %s"  # noqa: S608 - a constant name, the text a parameter
    with connections[sqlite].cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({rows} LIMIT %s)", [match, SQLITE_FTS_ROWS + 1])  # noqa: S608 - as above
        if cursor.fetchone()[0] > SQLITE_FTS_ROWS:
            return q
    return Q(pk__in=RawSQL(rows, [match])) & q  # noqa: S611 - as above


def _term_filter(term: str, synonyms: dict[str, list[str]], sqlite: str | None) -> Q:
    """One search term: Chinese text matches the name; letters match the name, the full pinyin
    or the pinyin initials ("bdc", "budongchan"); a term with a digit also matches the code. A term
    that is (or contains) a common name of the synonym list also matches the catalog's words for it
    (社保卡 -> 社会保障卡). `sqlite`: see `_contains`."""
    q = Q()
    for alternative in term_alternatives(term, synonyms):
        q |= _contains("search_text__contains", alternative, sqlite)
    # Only a term with a digit looks like a code; otherwise "bdc" would match every code of the
    # department BDC instead of the names that sound like 不动产.
    return q | _contains("code__icontains", term, sqlite) if any(c.isdigit() for c in term) else q


def _sqlite(using: str | None) -> str | None:
    """The alias of the database a matter query reads (`QuerySet.db`; None: where Matter is read)
    if it is SQLite (search asks its trigram table, migration 0013), else None."""
    alias = using or router.db_for_read(Matter)
    return alias if connections[alias].vendor == "sqlite" else None


def matter_filter(q: str, synonyms: dict[str, list[str]] | None = None, *, using: str | None = None) -> Q:
    """The matters a search text matches (every term must match); Q() for an empty text. `using`:
    the alias of the database the filtered queryset reads (`queryset.db`), default Matter's."""
    terms = MatterQuery(q=q).terms
    if terms and synonyms is None:
        synonyms = synonym_map()
    sqlite = _sqlite(using) if terms else None
    out = Q()
    for term in terms:
        out &= _term_filter(term, synonyms or {}, sqlite)
    return out


def _apply_filters(qs: QuerySet[Matter], query: MatterQuery) -> QuerySet[Matter]:
    # Codes are turned into ids first (a lookup in a small table), so the matter query filters on
    # its own indexed columns with constants the planner can estimate, instead of a join.
    from onewindow.accounts.models import OrgUnit
    from onewindow.hall.models import ServiceArea

    if query.county:
        qs = qs.filter(department_id__in=list(OrgUnit.objects.filter(county_id=query.county).values_list("pk", flat=True)))
    if query.department:
        # A unit code is unique in its county only: the county's department of that code (with no
        # county asked, every county's of that code).
        units = OrgUnit.objects.filter(code=query.department)
        if query.county:
            units = units.filter(county_id=query.county)
        qs = qs.filter(department_id__in=list(units.values_list("pk", flat=True)))
    if query.area:
        qs = qs.filter(service_area_id__in=list(ServiceArea.objects.filter(code=query.area).values_list("pk", flat=True)))
    if query.theme:
        qs = qs.filter(service_area_id__in=list(ServiceArea.objects.filter(theme=query.theme).values_list("pk", flat=True)))
    if query.event:
        qs = qs.filter(pk__in=Matter.life_events.through.objects.filter(lifeevent__code=query.event).values("matter_id"))
    if query.online:
        qs = qs.filter(current_version__online_depth__gte=ONLINE_CAPABLE_DEPTH)
    if query.mobile:
        qs = qs.filter(current_version__on_mobile=True)
    if query.zero_trip:
        qs = qs.filter(current_version__max_visits=0)
    if query.off_hours:
        qs = qs.filter(current_version__off_hours_bookable=True)
    if query.agent:
        qs = qs.filter(current_version__agent_eligible=True)
    if query.level:
        qs = qs.filter(current_version__handling_level=query.level)
    if query.audience:
        qs = qs.filter(current_version__audience__in=[query.audience, "both"])
    return qs


# --- ranking ---------------------------------------------------------------------------------


def _prefix(field: str, key: str) -> Q:
    """`field` starts with `key`: the LIKE says it exactly; the range beside it lets SQLite (whose
    LIKE ... ESCAPE never uses an index) and PostgreSQL walk a b-tree index to the few rows."""
    return Q(**{f"{field}__startswith": key, f"{field}__gte": key, f"{field}__lt": key + _TOP})


def _tiers(keys: list[str]) -> list[Q]:
    """The four ranks as disjoint conditions, for the alternatives of the first term."""
    exact = Q()
    prefix = Q()
    sounds = Q()
    for key in keys:
        exact |= _prefix("search_text", key + "|")
        prefix |= _prefix("search_text", key)
        if _PINYIN_KEY.match(key):  # pinyin and initials hold only [a-z0-9]
            sounds |= _prefix("search_pinyin", key) | _prefix("search_initials", key)
    tiers = [exact, prefix & ~exact]
    if sounds:
        tiers.append(sounds & ~prefix)  # prefix includes exact
        tiers.append(~prefix & ~sounds)
    else:
        tiers.append(Q(pk__in=[]))
        tiers.append(~prefix)
    return tiers


def _rank(keys: list[str]) -> Case:
    whens = []
    for rank, tier in enumerate(_tiers(keys)[:3]):
        whens.append(When(tier, then=Value(rank)))
    return Case(*whens, default=Value(3), output_field=IntegerField())


class MatterSearch:
    """One search: the matching matters within `scope` (default: the published catalog)."""

    def __init__(self, query: MatterQuery, scope: QuerySet[Matter] | None = None) -> None:
        self.query = query
        terms = query.terms
        synonyms = synonym_map() if terms else {}
        rest = published_matters() if scope is None else scope
        sqlite = _sqlite(rest.db) if terms else None
        for term in terms[1:]:
            rest = rest.filter(_term_filter(term, synonyms, sqlite))
        # `rest`: everything but the first term, which the tiers 0-2 imply (a name, pinyin or
        # initials starting with it contains it), so their queries need not test it again.
        self.rest = _apply_filters(rest, query)
        self.base = self.rest.filter(_term_filter(terms[0], synonyms, sqlite)) if terms else self.rest
        self.keys = term_alternatives(terms[0], synonyms) if terms else []
        self.tiers = _tiers(self.keys) if terms else [Q()]

    def queryset(self) -> QuerySet[Matter]:
        """All matches, best first (rank, then code)."""
        # Without terms, code order (grouped by department by construction) lets the database
        # walk the unique index on code and stop at the page instead of sorting every match.
        qs = self.base.annotate(rank=_rank(self.keys)).order_by("rank", "code") if self.keys else self.base.order_by("code")
        return qs.select_related(*SEARCH_RELATED)

    def count(self) -> tuple[int, bool]:
        """(matches counted up to COUNT_CAP, whether there are more)."""
        n = self.base.order_by().values("pk")[: COUNT_CAP + 1].count()
        return min(n, COUNT_CAP), n > COUNT_CAP

    def _walk(self, cursor: Cursor | None, limit: int, backwards: bool) -> list[tuple[int, int, str]]:
        """Up to `limit` (rank, pk, code) after (or before) `cursor` in search order: one narrow
        query per tier (keys only, so the database sorts a tier's keys, never joined rows)."""
        out: list[tuple[int, int, str]] = []
        n = len(self.tiers)
        if cursor is None:
            ranks = range(n - 1, -1, -1) if backwards else range(n)
        else:
            ranks = range(min(cursor.rank, n - 1), -1, -1) if backwards else range(cursor.rank, n)
        for rank in ranks:
            qs = (self.base if rank == len(self.tiers) - 1 else self.rest).filter(self.tiers[rank])
            if cursor is not None and rank == cursor.rank:
                qs = qs.filter(code__lt=cursor.code) if backwards else qs.filter(code__gt=cursor.code)
            keys = qs.order_by("-code" if backwards else "code").values_list("pk", "code")[: limit - len(out)]
            out += [(rank, pk, code) for pk, code in keys]
            if len(out) >= limit:
                break
        return out

    def _rows(self, keys: list[tuple[int, int, str]]) -> list[Matter]:
        """The matters of `keys` with what a result line shows, in the order of `keys`."""
        if not keys:
            return []
        rows = Matter.objects.filter(pk__in=[k[1] for k in keys]).select_related(*SEARCH_RELATED).in_bulk()
        return [rows[pk] for _r, pk, _c in keys if pk in rows]

    def page(self, *, after: str = "", before: str = "", number: Any = None, per_page: int = PAGE_SIZE) -> SearchPage:
        """A page after the cursor `after`, before the cursor `before`, or the page `number`
        (counted from the start through the tiers; bounded by COUNT_CAP like the count)."""
        count, more = self.count()
        start = Cursor.parse(after)
        end = Cursor.parse(before) if start is None else None
        page_no = _page_number(number)
        if start is None and end is None and page_no > 1:
            skip = min((page_no - 1) * per_page, max(0, ((count - 1) // per_page) * per_page))
            if skip:
                walked = self._walk(None, skip, backwards=False)
                start = Cursor(walked[-1][0], walked[-1][2]) if walked else None
        if end is not None:
            rows = self._walk(end, per_page + 1, backwards=True)
            has_prev = len(rows) > per_page
            rows = list(reversed(rows[:per_page]))
            has_next = True
        else:
            rows = self._walk(start, per_page + 1, backwards=False)
            has_next = len(rows) > per_page
            rows = rows[:per_page]
            has_prev = start is not None
        first = Cursor(rows[0][0], rows[0][2]).encode() if rows else ""
        last = Cursor(rows[-1][0], rows[-1][2]).encode() if rows else ""
        return SearchPage(
            items=self._rows(rows),
            count=count,
            more=more,
            next_cursor=last if has_next and rows else "",
            previous_cursor=first if has_prev and rows else "",
            per_page=per_page,
        )


def _page_number(value: Any) -> int:
    try:
        return max(1, min(int(value), COUNT_CAP))
    except (TypeError, ValueError):
        return 1


@dataclass(frozen=True)
class Cursor:
    """A place in the search order: the rank tier and the code of a matter."""

    rank: int
    code: str

    def encode(self) -> str:
        return f"{self.rank}.{self.code}"

    @classmethod
    def parse(cls, value: Any) -> Cursor | None:
        """A cursor from untrusted input, or None (junk means "from the start", never an error)."""
        rank, _dot, code = str(value or "")[:64].partition(".")
        if not (rank.isdigit() and code) or int(rank) >= N_TIERS or "\x00" in code:
            return None
        return cls(int(rank), code)


@dataclass
class SearchPage:
    items: list[Matter]
    count: int  # capped at COUNT_CAP
    more: bool  # more matches than COUNT_CAP
    next_cursor: str
    previous_cursor: str
    per_page: int

    @property
    def count_text(self) -> str:
        return f"{self.count:,}+" if self.more else f"{self.count:,}"

    @property
    def has_next(self) -> bool:
        return bool(self.next_cursor)

    @property
    def has_previous(self) -> bool:
        return bool(self.previous_cursor)


def search_matters(query: MatterQuery, scope: QuerySet[Matter] | None = None) -> QuerySet[Matter]:
    """Matters in `scope` (default: the published catalog) matching `query`, best matches first."""
    return MatterSearch(query, scope).queryset()


def search_page(
    query: MatterQuery, *, after: str = "", before: str = "", number: Any = None, per_page: int = PAGE_SIZE
) -> SearchPage:
    """A page of the published catalog's matches (the catalog page and the catalog API)."""
    return MatterSearch(query).page(after=after, before=before, number=number, per_page=per_page)
