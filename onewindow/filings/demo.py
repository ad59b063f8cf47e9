"""F10 demo: the business resumption filing (企业复工经营备案, 市场监管局) opened on 2021-02-17;
1,200+ enterprises and sole traders filed online by the end of March 2021.

The matter itself comes from the catalog demo (a filing-kind matter with its commitment text);
this step adds the enterprises, their legal representatives and one signed filing each, dated in
the window with the post-Spring-Festival rush at the start. Deterministic and idempotent: every
enterprise is keyed by its credit code, every filing by its enterprise."""

from __future__ import annotations

import datetime
import hashlib
import zoneinfo
from typing import Any

from django.db import transaction
from stdnum.cn import ric, uscc

from onewindow.accounts.models import Enterprise, EnterpriseHandler, Role, RoleAssignment, User
from onewindow.catalog.models import Matter, MatterVersion
from onewindow.core.demo import DemoContext
from onewindow.core.identity import mask

from .models import Filing

MATTER_NAME = "企业复工经营备案"
OPENED = datetime.date(2021, 2, 17)
CLOSED = datetime.date(2021, 3, 31)
REGION = "360803"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "建华国平志强秀英丽娟文斌海燕晓东春梅立新小红永红金华德明玉兰桂芳伟民俊杰淑珍红梅家豪子涵思远雨欣"
TRADES = [
    ("农业发展有限公司", False),
    ("建材有限公司", False),
    ("电子科技有限公司", False),
    ("食品有限公司", False),
    ("物流有限公司", False),
    ("商贸有限公司", False),
    ("餐饮店", True),
    ("便利店", True),
    ("理发店", True),
    ("五金店", True),
    ("农资店", True),
    ("服装店", True),
]
PLACES = "青原河东滨江天玉值夏新圩富滩富田文陂东固渼陂"


def demo_uscc(seq: int, *, sole_trader: bool) -> str:
    """Checksum-valid codes: 91 = enterprise, 92 = individual business (个体工商户)."""
    body = f"{'92' if sole_trader else '91'}{REGION}MA{seq:07d}"[:17].replace("I", "1").replace("O", "0")
    return body + uscc.calc_check_digit(body)


def demo_resident_id(i: int) -> str:
    birth = datetime.date(1962, 1, 1) + datetime.timedelta(days=7 * i)
    body = f"{REGION}{birth:%Y%m%d}{500 + i % 400:03d}"
    return body + ric.calc_check_digit(body + "0")


def target_count(ctx: DemoContext) -> int:
    return 1200 + ctx.rng("filings:count").randint(20, 60)


def _signed_at(rng: object, tz: datetime.tzinfo) -> datetime.datetime:
    import random

    assert isinstance(rng, random.Random)
    span = (CLOSED - OPENED).days
    # Most firms filed in the first two weeks after the festival: a skewed draw over the window.
    day = OPENED + datetime.timedelta(days=min(span, int(span * rng.random() ** 2.2)))
    return datetime.datetime(day.year, day.month, day.day, rng.randint(8, 20), rng.randint(0, 59), rng.randint(0, 59), tzinfo=tz)


def build(ctx: DemoContext) -> None:
    matter = (
        Matter.objects.filter(current_version__name=MATTER_NAME, current_version__kind=MatterVersion.Kind.FILING)
        .select_related("current_version", "department")
        .first()
    )
    if matter is None or matter.current_version is None:
        ctx.say(f"  filings: skipped, the catalog has no filing matter {MATTER_NAME}")
        return
    version = matter.current_version
    n = target_count(ctx)
    rng = ctx.rng("filings")
    tz = zoneinfo.ZoneInfo("Asia/Shanghai")
    text = version.commitment_text
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    plan: list[dict[str, Any]] = []
    for i in range(n):
        trade, sole = TRADES[rng.randrange(len(TRADES))]
        name = SURNAMES[rng.randrange(len(SURNAMES))] + GIVEN[rng.randrange(0, len(GIVEN) - 1, 2) :][:2]
        place = PLACES[rng.randrange(0, len(PLACES) - 1, 2) :][:2]
        firm = f"青原区{place}{name}{trade}" if sole else f"吉安市青原区{place}{name[1:]}{trade}"
        plan.append(
            {
                "seq": 10000 + i,
                "uscc": demo_uscc(10000 + i, sole_trader=sole),
                "sole": sole,
                "firm": firm,
                "person": name,
                "id": demo_resident_id(i),
                "signed_at": _signed_at(rng, tz),
                "employees": rng.randint(2, 80) if not sole else rng.randint(1, 5),
            }
        )
    existing = set(Enterprise.objects.filter(uscc__in=[p["uscc"] for p in plan]).values_list("uscc", flat=True))
    todo = [p for p in plan if p["uscc"] not in existing]
    if not todo:
        ctx.say(f"  filings: {Filing.objects.filter(matter_version__matter=matter).count()} already present")
        spot_checks(ctx, matter)
        return
    with transaction.atomic():
        users = User.objects.bulk_create(
            [
                User(
                    username=f"ba{p['seq']}",
                    password="!demo-unusable",  # noqa: S106 - an unusable hash: these people never sign in
                    display_name=p["person"],
                    id_number=p["id"],
                    id_type=User.IdType.RESIDENT,
                    verified_at=p["signed_at"],
                )
                for p in todo
            ]
        )
        ents = Enterprise.objects.bulk_create(
            [
                Enterprise(
                    uscc=p["uscc"],
                    name=p["firm"],
                    legal_representative=p["person"],
                    is_sole_trader=p["sole"],
                    verified_at=p["signed_at"],
                )
                for p in todo
            ]
        )
        EnterpriseHandler.objects.bulk_create(
            [
                EnterpriseHandler(enterprise=e, user=u, kind=EnterpriseHandler.Kind.LEGAL_REPRESENTATIVE)
                for e, u in zip(ents, users, strict=True)
            ]
        )
        RoleAssignment.objects.bulk_create([RoleAssignment(user=u, role=Role.ENTERPRISE) for u in users])
        filings = []
        for k, (p, e, u) in enumerate(zip(todo, ents, users, strict=True)):
            filings.append(
                Filing(
                    matter_version=version,
                    department=matter.department,
                    applicant=u,
                    enterprise=e,
                    title=version.name,
                    form_data={
                        "employees": p["employees"],
                        "resume_date": p["signed_at"].date().isoformat(),
                        "contact_phone": f"1397961{p['seq'] % 10000:04d}",
                    },
                    signer_name=p["person"],
                    signer_id_masked=mask(p["id"]),
                    commitment_text=text,
                    text_sha256=digest,
                    signed_at=p["signed_at"],
                )
            )
            ctx.progress("filings", k + 1, len(todo))
        created = Filing.objects.bulk_create(filings)
        if any(f.pk is None for f in created):  # backends that do not return ids: read them back
            created = list(Filing.objects.filter(enterprise__in=ents).order_by("id"))
        for f in created:
            f.number = f"BA{f.signed_at.astimezone(tz):%Y}{f.pk:08d}"
        Filing.objects.bulk_update(created, ["number"], batch_size=500)
    ctx.say(f"  filings: {len(created)} business resumption filings {OPENED}..{CLOSED} (F10)")
    spot_checks(ctx, matter)


def spot_checks(ctx: DemoContext, matter: Matter) -> None:
    """A few 事后核查 by the administrator persona: most commitments hold, one was false (revoked,
    recorded against the enterprise, not yet cleared)."""
    from .models import SpotCheck
    from .services import spot_check_record

    inspector = User.objects.filter(username="admin").first()
    if inspector is None or SpotCheck.objects.exists():
        return
    rng = ctx.rng("filings:spot")
    sample = list(Filing.objects.filter(matter_version__matter=matter).order_by("id")[:400])
    picked = rng.sample(sample, min(6, len(sample)))
    for k, filing in enumerate(picked):
        false = k == 0
        spot_check_record(
            filing=filing,
            inspector=inspector,
            result="false" if false else "consistent",
            note="现场核查：未建立员工健康监测台账，防护物资未配备。" if false else "现场核查：防控措施落实到位。",
        )
    ctx.say(f"  filings: {len(picked)} spot checks, 1 false commitment")
