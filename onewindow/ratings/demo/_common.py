"""What the demo's parts share: the share of each kind rated, the levels and words drawn, the
follow-up states in turn, a rating row from a subject."""

from __future__ import annotations

import random
from typing import Any

from onewindow.accounts.models import Role, RoleAssignment, User
from onewindow.core.demo import DemoContext

from ..indicators import INDICATORS, tags_for
from ..models import Kind, Rating

# Share of each kind of service that gets rated, and the level distribution (5..1).
SHARE = {Kind.TICKET: 0.45, Kind.CASE: 0.7, Kind.ACCEPTANCE: 0.25, Kind.BOOKING: 0.5, Kind.FILING: 0.03}


LEVEL_WEIGHTS = [(5, 66), (4, 20), (3, 8), (2, 4), (1, 2)]


COMMENTS = {
    5: ["一次就办好了，点赞", "工作人员很耐心", "比以前快多了", ""],
    4: ["挺好的", "流程清楚", ""],
    3: ["排队有点久", "指南可以再写清楚一些"],
    2: ["材料要求前后说得不一样，多跑了一趟", "等了一个多小时", "窗口说要去别的部门开证明"],
    1: ["工作人员态度很差", "推来推去，没人负责", "网上提交了还要来现场"],
}


REPLIES = [
    "已与申请人电话沟通致歉，窗口一次性告知单已重新核对并更新。",
    "已对窗口人员进行服务规范培训，并在服务区增设引导岗。",
    "已压缩审查环节，办结时限由承诺 10 个工作日缩短为 5 个工作日。",
    "已将该事项办事指南中的材料说明修改一致，并同步到网上办事大厅。",
]


# Follow-up states for the bad real-name ratings, in turn.
STATES = ["open", "open_late", "verified", "replied", "confirmed", "confirmed", "disputed", "no_response", "withdrawn", "appeal"]


def _rng(ctx: DemoContext, kind: str, uuid: Any) -> random.Random:
    """One stream per service, so a second run (which skips what is rated) draws the same."""
    return random.Random(f"{ctx.seed}:ratings:{kind}:{uuid}")


def _pick_level(rng: Any) -> int:
    total = sum(w for _l, w in LEVEL_WEIGHTS)
    x = rng.random() * total
    for level, weight in LEVEL_WEIGHTS:
        x -= weight
        if x < 0:
            return level
    return 5


def _content(rng: Any, mode: str, level: int) -> tuple[dict[str, int], list[str], str]:
    keys = [k for k, _label in INDICATORS[mode] if k != "overall"]
    indicators = {k: max(1, min(5, level + rng.choice([-1, 0, 0, 0, 1]))) for k in keys if rng.random() < 0.5}
    indicators["overall"] = level
    offered = [c for c, _t in tags_for(mode, level)]
    tags = rng.sample(offered, k=rng.randint(1, 2)) if level <= 2 or rng.random() < 0.6 else []
    comment = rng.choice(COMMENTS[level])
    return indicators, tags, comment


def _staff_units() -> dict[int, int]:
    """Clerk (or township officer) -> the unit they work for."""
    out: dict[int, int] = {}
    for user_id, unit_id in RoleAssignment.objects.filter(
        role__in=[Role.CLERK, Role.TOWNSHIP_OFFICER], org_unit__isnull=False
    ).values_list("user_id", "org_unit_id"):
        out.setdefault(user_id, unit_id)
    return out


def _people_by_id() -> dict[str, tuple[int, str]]:
    return {
        (n or ""): (pk, name or username)
        for pk, n, name, username in User.objects.exclude(id_number__isnull=True)
        .exclude(id_number="")
        .values_list("pk", "id_number", "display_name", "username")
    }


def _rated() -> set[tuple[str, Any]]:
    return set(Rating.objects.values_list("kind", "subject_uuid"))


def _row(rng: Any, **kw: Any) -> Rating:
    level = _pick_level(rng)
    indicators, tags, comment = _content(rng, kw["mode"], level)
    return Rating(level=level, indicators=indicators, tags=tags, comment=comment, **kw)


def _from_subject(rng: Any, subject: Any, channel: str, level: int | None = None) -> Rating:
    row = _row(
        rng,
        kind=subject.kind,
        subject_uuid=subject.uuid,
        subject_label=subject.label,
        mode=subject.mode,
        unit=subject.unit,
        staff=subject.staff,
        window=subject.window,
        area=subject.area,
        matter=subject.matter,
        served_at=subject.served_at,
        rater=subject.person,
        rater_name=subject.person_name[:64],
        rater_phone=subject.person_phone[:20],
        real_name=subject.identified,
        channel=channel,
    )
    if level is not None and level != row.level:
        row.level = level
        row.indicators, row.tags, row.comment = _content(rng, subject.mode, level)
    return row


def _forced_bad(ctx: DemoContext, kind: str, uuids: list[Any], most: int) -> set[Any]:
    """Some services of a small kind get a bad rating, so its bad ones reach every follow-up
    state (the level mix alone would give one or two)."""
    rng = random.Random(f"{ctx.seed}:ratings:bad:{kind}")
    return set(rng.sample(uuids, k=min(most, len(STATES))))
