"""The 低保 register at a province's size, on PostgreSQL: 1,000,000 households in payment (about
2.6 million members, one open enrolment and its register line each, one in ten with a later
increase or decrease) over 9 townships, generated with generate_series in a throw-away database.
Times the monthly roll through the services — `roll_generate` for every township (the set-based
INSERT … SELECT of the lines, their totals), then checking, both approvals and freezing (the
INSERT … SELECT of one payment per line) — a raise of the rural standard from January
(`standard_enter`: every rural household recomputed from the first month not frozen, July, in one
INSERT … SELECT and one UPDATE … FROM; then the same save again), the back pay (补发) of the frozen
June for every township through the same flow (generate, check, two approvals, freeze) and the
register search (`register_search`: an ID
number, a household number prefix, a name prefix; as the district and as a township officer),
median and p95. Prints the load average at start and end.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/welfare_roll.py \
        [--households 1000000] [--searches 300] [--db-name bench_welfare] [--keep] [--build-only] [--reuse]

--keep keeps the database afterwards; --build-only populates it and keeps it without timing anything
else; --reuse times a kept database again without repopulating (it is migrated, then what an earlier
timing wrote — rolls, payments, back pay, the standard's change and its register lines — is removed
first), and keeps it.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import hashlib
import hmac
import os
import random
import statistics
import sys
import time
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.config.settings")

ARGS = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
ARGS.add_argument("--households", type=int, default=1_000_000)
ARGS.add_argument("--searches", type=int, default=300)
ARGS.add_argument("--db-name", default="bench_welfare")
ARGS.add_argument("--keep", action="store_true", help="keep the database afterwards")
ARGS.add_argument("--var-dir", default="", help="var directory (default: a fresh temporary folder, removed at exit)")
ARGS.add_argument("--build-only", action="store_true", help="populate and keep the database, time nothing else")
ARGS.add_argument("--reuse", action="store_true", help="time the database an earlier run kept (implies --keep)")
OPTS = ARGS.parse_args()
if OPTS.reuse or OPTS.build_only:
    OPTS.keep = True

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hygiene  # noqa: E402

hygiene.own_var_dir("welfare_roll", OPTS.var_dir)

from pgdb import drop, load, timed, use_existing, use_throwaway  # noqa: E402  (bench/ is the script's directory)

print(f"start: {load()} ({hygiene.uptime()})", flush=True)
if OPTS.reuse:
    use_existing(OPTS.db_name)
else:
    use_throwaway(OPTS.db_name)

import django  # noqa: E402

django.setup()

import time_machine  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from onewindow.accounts.models import OrgUnit, Role, RoleAssignment, User  # noqa: E402
from onewindow.accounts.services import org_unit_create  # noqa: E402
from onewindow.core import fieldcrypto  # noqa: E402
from onewindow.welfare import selectors_money as sel  # noqa: E402
from onewindow.welfare.models import Member, RegisterChange, Standard  # noqa: E402
from onewindow.welfare.services import rolls  # noqa: E402
from onewindow.welfare.services.standards import standard_enter  # noqa: E402

N = OPTS.households
TOWNSHIPS = ["HDJD", "BJJD", "TYZ", "ZXZ", "XXZ", "FTZ", "FTIZ", "WPX", "DGX"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "秀英桂兰建国明华红梅志强海燕德明春花小红丽娟国平玉兰文斌晓燕建华淑珍永庆金凤卫东丽芳春梅"
MONTH = datetime.date(2026, 6, 1)


def structure() -> tuple[list[OrgUnit], User, User]:
    gov = org_unit_create(code="QY", name="青原区人民政府", kind=OrgUnit.Kind.GOVERNMENT)
    mzj = org_unit_create(code="MZJ", name="青原区民政局", kind=OrgUnit.Kind.DEPARTMENT, parent=gov)
    units = []
    for i, code in enumerate(TOWNSHIPS):
        t = org_unit_create(code=code, name=f"乡镇{i}", kind=OrgUnit.Kind.TOWNSHIP, parent=gov)
        org_unit_create(code=f"{code}-V01", name=f"{code}村", kind=OrgUnit.Kind.VILLAGE, parent=t)
        units.append(t)
    officer = User.objects.create(username="officer", display_name="乡镇", password="!")
    for t in units:
        RoleAssignment.objects.create(user=officer, role=Role.TOWNSHIP_OFFICER, org_unit=t)
    district = User.objects.create(username="mzj", display_name="民政局", password="!")
    RoleAssignment.objects.create(user=district, role=Role.APPROVER, org_unit=mzj)
    for kind, fen in (("urban", 89000), ("rural", 71000)):
        Standard.objects.create(year=2026, area_kind=kind, monthly_fen=fen, effective_from=datetime.date(2026, 1, 1))
    return units, officer, district


def phase(label: str, t0: float) -> float:
    """Print one step of the build with its time, at once (the output is read while it runs)."""
    now = time.perf_counter()
    print(f"    {label}: {now - t0:.1f} s ({load()})", flush=True)
    return now


def encryptor() -> tuple[Any, Any]:
    """(encrypt, hash) of an ID number as `core.fieldcrypto` stores them. For AES-GCM (the
    default) one cipher object serves every value — `fieldcrypto.encrypt` builds one per call,
    which doubles the cost over 2.6 million members; the first value is checked against
    `fieldcrypto.decrypt` and `blind_index`, so the format cannot drift. SM4: `encrypt` itself."""
    ring = fieldcrypto.keyring()
    index_key = ring.index_key

    def digest(value: str) -> str:
        return hmac.new(index_key, value.encode(), hashlib.sha256).hexdigest()

    if ring.cipher != "aes-gcm":
        return fieldcrypto.encrypt, digest
    key_id = ring.current_id
    gcm = fieldcrypto._aesgcm(ring.keys[key_id])
    prefix = f"g${key_id}$"

    def enc(value: str) -> str:
        nonce = os.urandom(12)
        return prefix + base64.b64encode(nonce + gcm.encrypt(nonce, value.encode(), None)).decode()

    probe = "360803199001011234"
    assert fieldcrypto.decrypt(enc(probe)) == probe and digest(probe) == fieldcrypto.blind_index(probe)
    return enc, digest


MEMBER_COLUMNS = (
    "created_at, updated_at, household_id, name, id_number, id_number_hash, relationship, labour, disabled,"
    " seriously_ill, student, in_payment"
)


FLAGS = (False, False, False, True)  # disabled, seriously ill, student, in payment


def copy_members(chunk: int = 100_000) -> None:
    """The members, from the staging table `member_src` (plain ID numbers, made by SQL), encrypted
    and hashed in Python and written with COPY, `chunk` households at a time — one write per row,
    where inserting plaintext and then `reencrypt` rewrote every row in UPDATEs of 1,000 (the step
    that kept the earlier build from finishing in 9 minutes)."""
    enc, digest = encryptor()
    now = datetime.datetime.now(datetime.UTC)
    raw = connection.connection
    with connection.cursor() as cur:
        cur.execute("SELECT min(household_id), max(household_id) FROM member_src")
        lo, hi = cur.fetchone()
    done, t0 = 0, time.perf_counter()
    for start in range(lo, hi + 1, chunk):
        with connection.cursor() as cur:
            cur.execute(
                "SELECT household_id, name, id_number, relationship FROM member_src"
                " WHERE household_id >= %s AND household_id < %s",
                [start, start + chunk],
            )
            rows = cur.fetchall()
        with raw.cursor() as c, c.copy(f"COPY welfare_member ({MEMBER_COLUMNS}) FROM STDIN") as cp:
            for household_id, name, id_number, relationship in rows:
                cp.write_row((now, now, household_id, name, enc(id_number), digest(id_number), relationship, "full", *FLAGS))
        done += len(rows)
        print(f"      members {done:,} ({time.perf_counter() - t0:.0f} s)", flush=True)


def populate(units: list[OrgUnit]) -> None:
    """Households, members (1–5, head first), enrolments and register lines, set-based; the
    members' ID numbers encrypted in Python on the way in (`copy_members`). Prints each step."""
    t0 = time.perf_counter()
    t_ids = "ARRAY[" + ",".join(str(t.pk) for t in units) + "]"
    v_ids = "ARRAY[" + ",".join(str(OrgUnit.objects.get(parent=t).pk) for t in units) + "]"
    codes = "ARRAY[" + ",".join(f"'{c}'" for c in TOWNSHIPS) + "]"
    with connection.cursor() as cur:
        cur.execute(
            f"""
            INSERT INTO welfare_household (created_at, updated_at, uuid, number, township_id, village_id, area_kind,
                address, phone, phone_hash, status, review_class, monthly_amount_fen, next_review_on, bank_account)
            SELECT now(), now(), gen_random_uuid(), 'DB-' || ({codes})[1 + i % 9] || '-' || lpad(i::text, 7, '0'),
                ({t_ids})[1 + i % 9], ({v_ids})[1 + i % 9], CASE WHEN i % 5 = 0 THEN 'urban' ELSE 'rural' END,
                '某村' || (i % 300) || '号', '', '', 'in_payment', 'stable', 20000 + (i::bigint * 7919) % 120000,
                DATE '2026-06-01' + (i % 365)::int, '6217' || lpad(i::text, 15, '0')
            FROM generate_series(1, {int(N)}) AS i
            """
        )
    t0 = phase(f"{N:,} households (generate_series)", t0)
    with connection.cursor() as cur:
        # 1 to 5 members: the household's id decides how many (mean 2.6); plain ID numbers in a
        # staging table, encrypted on their way into welfare_member
        cur.execute(
            f"""
            CREATE TEMP TABLE member_src AS
            SELECT h.id AS household_id,
                substr('{SURNAMES}'::text, (1 + (h.id * 31 + k * 7) % {len(SURNAMES)})::int, 1)
                  || substr('{GIVEN}'::text, (1 + 2 * ((h.id * 17 + k) % {len(GIVEN) // 2}))::int, 2) AS name,
                '36080319' || lpad(((h.id * 5 + k) % 100)::text, 2, '0') || lpad((h.id * 5 + k)::text, 8, '0')
                  AS id_number,
                CASE WHEN k = 0 THEN 'head' ELSE 'child' END AS relationship
            FROM welfare_household h
            CROSS JOIN LATERAL generate_series(0, (ARRAY[0,1,1,2,2,2,3,1,4,0])[1 + h.id % 10]) AS k
            """
        )
    t0 = phase("members' staging table (generate_series)", t0)
    copy_members()
    t0 = phase("members encrypted and copied in", t0)
    with connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO welfare_enrolment (created_at, updated_at, uuid, household_id, confirmed_on, starts_month, people,
                monthly_amount_fen, ended_on, end_reason)
            SELECT now(), now(), gen_random_uuid(), h.id, DATE '2025-12-10' - (h.id % 2000)::int, DATE '2026-01-01',
                (SELECT count(*) FROM welfare_member m WHERE m.household_id = h.id), h.monthly_amount_fen, NULL, ''
            FROM welfare_household h
            """
        )
    t0 = phase("enrolments", t0)
    with connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO welfare_registerchange (created_at, updated_at, uuid, household_id, enrolment_id, kind,
                old_amount_fen, new_amount_fen, old_people, new_people, reason, effective_month, decided_on)
            SELECT now(), now(), gen_random_uuid(), e.household_id, e.id, 'enrol', 0, e.monthly_amount_fen, 0, e.people,
                '纳入保障', e.starts_month, e.confirmed_on
            FROM welfare_enrolment e
            """
        )
        # one in ten: a decrease in March, one in twenty of those a stop in May (not paid in June)
        cur.execute(
            """
            INSERT INTO welfare_registerchange (created_at, updated_at, uuid, household_id, enrolment_id, kind,
                old_amount_fen, new_amount_fen, old_people, new_people, reason, effective_month, decided_on)
            SELECT now(), now(), gen_random_uuid(), e.household_id, e.id,
                CASE WHEN e.id % 200 = 0 THEN 'stop' ELSE 'decrease' END, e.monthly_amount_fen,
                CASE WHEN e.id % 200 = 0 THEN 0 ELSE e.monthly_amount_fen * 8 / 10 END, e.people,
                CASE WHEN e.id % 200 = 0 THEN 0 ELSE e.people END, '收入变化',
                CASE WHEN e.id % 200 = 0 THEN DATE '2026-05-01' ELSE DATE '2026-03-01' END, DATE '2026-02-20'
            FROM welfare_enrolment e WHERE e.id % 10 = 0
            """
        )
    t0 = phase("register lines", t0)
    with connection.cursor() as cur:
        # VACUUM as well: it sets the visibility map, as autovacuum would long before a register
        # this size is paid; without it every index-only probe of the roll fetched the heap.
        cur.execute("VACUUM ANALYZE")
    phase("VACUUM ANALYZE", t0)


def existing() -> tuple[list[OrgUnit], User, User]:
    """The structure of a kept database (--reuse)."""
    by_code = {u.code: u for u in OrgUnit.objects.filter(code__in=TOWNSHIPS)}
    return [by_code[c] for c in TOWNSHIPS], User.objects.get(username="officer"), User.objects.get(username="mzj")


def reset() -> None:
    """Remove what an earlier timing wrote, so a kept database is timed from the populated state:
    the rolls and their lines and payments, the register lines decided in the timed runs (populate's
    are decided before March 2026), the standards as populated, each household's amount as enrolled."""
    with connection.cursor() as cur:
        for table in ("welfare_bankreturn", "welfare_payment", "welfare_rollitem", "welfare_paymentroll"):
            cur.execute(f"DELETE FROM {table}")
        cur.execute("DELETE FROM welfare_registerchange WHERE decided_on >= DATE '2026-03-01'")
        cur.execute("UPDATE welfare_standard SET monthly_fen = 89000 WHERE year = 2026 AND area_kind = 'urban'")
        cur.execute("UPDATE welfare_standard SET monthly_fen = 71000 WHERE year = 2026 AND area_kind = 'rural'")
        cur.execute("DELETE FROM welfare_standard WHERE year <> 2026")
        cur.execute(
            """UPDATE welfare_household h SET monthly_amount_fen = e.monthly_amount_fen, status = 'in_payment'
            FROM welfare_enrolment e WHERE e.household_id = h.id
              AND (h.monthly_amount_fen <> e.monthly_amount_fen OR h.status <> 'in_payment')"""
        )
        cur.execute("VACUUM ANALYZE")


def search_terms(rng: random.Random) -> list[tuple[str, str]]:
    with connection.cursor() as cur:
        cur.execute("SELECT id FROM welfare_member ORDER BY random() LIMIT 2000")
        picked = [r[0] for r in cur.fetchall()]
    # ID numbers are encrypted: read through the model, which decrypts.
    members = list(Member.objects.filter(pk__in=picked).values_list("id_number", "name"))
    with connection.cursor() as cur:
        cur.execute("SELECT number FROM welfare_household ORDER BY random() LIMIT 2000")
        numbers = [r[0] for r in cur.fetchall()]
    terms = []
    for i in range(OPTS.searches):
        kind = ("id", "number", "name")[i % 3]
        if kind == "id":
            terms.append((kind, rng.choice(members)[0]))
        elif kind == "number":
            terms.append((kind, rng.choice(numbers)[:-2]))  # a prefix: up to 100 households
        else:
            terms.append((kind, rng.choice(members)[1]))  # a full two- or three-character name as a prefix
    return terms


def backend_cpu() -> float | None:
    """CPU seconds (user + system) the database backend of this connection has used, when the
    server runs on this machine (/proc); None otherwise. On a shared machine the wall-clock time
    of a step moves with everyone's load, its backend CPU much less (docs/welfare.md)."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_since(before: float | None) -> str:
    after = backend_cpu()
    return "" if before is None or after is None else f", database backend CPU {after - before:.1f} s"


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p * (len(values) - 1)))]


def main() -> None:
    timed("migrate", lambda: call_command("migrate", verbosity=0))
    if OPTS.reuse:
        units, officer, district = existing()
        timed("reset what an earlier timing wrote", reset)
    else:
        units, officer, district = structure()
        timed(f"populate {N:,} households", lambda: populate(units))
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM welfare_member")
        print(f"  members: {cur.fetchone()[0]:,}", flush=True)
    if OPTS.build_only:
        return
    # The services read today's date: a roll for June is generated in May.
    with time_machine.travel(datetime.datetime(2026, 5, 20, 10), tick=True):
        c0, t0 = backend_cpu(), time.perf_counter()
        made = [rolls.roll_generate(township=t, month=MONTH, actor=officer) for t in units]
        gen = time.perf_counter() - t0
        lines = sum(r.households for r in made)
        print(
            f"  generate the June roll of 9 townships ({lines:,} lines, ¥{sum(r.total_fen for r in made) / 100:,.2f}):"
            f" {gen:.1f} s{cpu_since(c0)} ({load()})",
            flush=True,
        )
        t0 = time.perf_counter()
        again = rolls.roll_generate(township=units[0], month=MONTH, actor=officer)
        print(f"  generate one township's roll again ({again.households:,} lines): {time.perf_counter() - t0:.1f} s", flush=True)
        c0, t0 = backend_cpu(), time.perf_counter()
        for r in made:
            r = rolls.roll_approve_township(roll=rolls.roll_check(roll=r, actor=officer), actor=officer)
            r = rolls.roll_approve_district(roll=r, actor=district)
            rolls.roll_freeze(roll=r, actor=district)
        print(
            f"  check, approve twice and freeze all 9 (writes {lines:,} payments): {time.perf_counter() - t0:.1f} s"
            f"{cpu_since(c0)} ({load()})",
            flush=True,
        )
        # The district raises 2026's rural standard by 20 yuan: every rural household in payment
        # (4 in 5) is recomputed from July (June is frozen), in the same transaction.
        before = RegisterChange.objects.count()
        t0 = time.perf_counter()
        _s, done = standard_enter(
            actor=district, year=2026, area_kind="rural", monthly_fen=73000, effective_from=datetime.date(2026, 1, 1)
        )
        took = time.perf_counter() - t0
        print(
            f"  raise the rural standard from January: {done.households:,} households recomputed from"
            f" {sorted(set(done.from_months.values()))}, {RegisterChange.objects.count() - before:,} lines: {took:.1f} s",
            flush=True,
        )
        t0 = time.perf_counter()
        _s, done = standard_enter(
            actor=district, year=2026, area_kind="rural", monthly_fen=73000, effective_from=datetime.date(2026, 1, 1)
        )
        print(
            f"  the same standard again (idempotent): {done.households} households: {time.perf_counter() - t0:.1f} s",
            flush=True,
        )
        # 补发: June was frozen before the raise; each township's back pay roll (paid in June) holds
        # the difference for June of every rural household, through the same two approvals.
        t0 = time.perf_counter()
        backs = [rolls.roll_generate(township=t, month=MONTH, actor=officer, kind="backpay") for t in units]
        print(
            f"  generate the back pay roll of 9 townships ({sum(r.households for r in backs):,} households,"
            f" ¥{sum(r.total_fen for r in backs) / 100:,.2f}): {time.perf_counter() - t0:.1f} s",
            flush=True,
        )
        t0 = time.perf_counter()
        for r in backs:
            r = rolls.roll_approve_township(roll=rolls.roll_check(roll=r, actor=officer), actor=officer)
            rolls.roll_freeze(roll=rolls.roll_approve_district(roll=r, actor=district), actor=district)
        print(f"  check, approve twice and freeze the 9 back pay rolls: {time.perf_counter() - t0:.1f} s", flush=True)
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
        rng = random.Random(7)
        terms = search_terms(rng)
        for who, user in (("district", district), ("township officer", officer)):
            times: dict[str, list[float]] = {"id": [], "number": [], "name": []}
            found = 0
            for kind, q in terms:
                t0 = time.perf_counter()
                rows = sel.register_search(user, q=q)
                times[kind].append((time.perf_counter() - t0) * 1000)
                found += len(rows)
            every = [x for v in times.values() for x in v]
            parts = ", ".join(f"{k} p50 {statistics.median(v):.1f} / p95 {pct(v, 0.95):.1f}" for k, v in times.items())
            print(
                f"  register search as the {who}: {len(every)} searches, {found} rows; p50 {statistics.median(every):.1f} ms,"
                f" p95 {pct(every, 0.95):.1f} ms ({parts})",
                flush=True,
            )


try:
    main()
finally:
    from django.db import connections

    connections.close_all()
    if not OPTS.keep:
        drop(OPTS.db_name)
    print(f"end: {load()} ({hygiene.uptime()})", flush=True)
