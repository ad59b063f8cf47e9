"""The national 好差评 indicator sets and the reason tags offered for each level.

国办发〔2019〕51号 rates a service on five levels; online services (网上办事) are judged on overall
satisfaction, efficiency, guide accuracy, convenience and platform usability, window services on
overall satisfaction, efficiency, competence and attitude. Tags are stable codes (stored) with
translated labels (shown); the person picks the reasons offered for the level they chose.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from .models import BAD_LEVELS, Level, Mode

INDICATORS: dict[str, list[tuple[str, Any]]] = {
    Mode.ONLINE: [
        ("overall", _("总体满意度")),
        ("efficiency", _("办事效率")),
        ("guide", _("办事指南准确性")),
        ("convenience", _("办事便捷度")),
        ("platform", _("平台易用性")),
    ],
    Mode.WINDOW: [
        ("overall", _("总体满意度")),
        ("efficiency", _("办事效率")),
        ("competence", _("业务水平")),
        ("attitude", _("服务态度")),
    ],
}

_GOOD = [
    ("one_go", _("一次办好")),
    ("fast", _("办理快捷")),
    ("simple", _("流程简便")),
    ("clear_guide", _("指南清楚准确")),
    ("friendly", _("热情耐心")),
    ("expert", _("业务熟练")),
]
_ONLINE_GOOD = [("easy_online", _("网上操作方便")), ("no_trip", _("不用跑腿"))]
_MIDDLE = [
    ("long_wait", _("等候时间较长")),
    ("guide_unclear", _("指南不够清楚")),
    ("could_be_simpler", _("流程还可简化")),
    ("explain_more", _("解释说明不够")),
]
_BAD = [
    ("many_trips", _("多次跑腿")),
    ("slow", _("办理超时或拖延")),
    ("repeat_materials", _("材料反复提交")),
    ("no_one_notice", _("未一次性告知")),
    ("bad_attitude", _("服务态度差")),
    ("passing_buck", _("推诿扯皮")),
    ("guide_wrong", _("指南与实际不符")),
]
_ONLINE_BAD = [("system_hard", _("系统不好用")), ("online_failed", _("网上办不成"))]


def tags_for(mode: str, level: int) -> list[tuple[str, Any]]:
    if level >= Level.SATISFIED:
        return _GOOD + (_ONLINE_GOOD if mode == Mode.ONLINE else [])
    if level == Level.BASIC:
        return _MIDDLE + (_ONLINE_BAD[:1] if mode == Mode.ONLINE else [])
    return _BAD + (_ONLINE_BAD if mode == Mode.ONLINE else [])


ALL_TAG_LABELS: dict[str, Any] = dict(_GOOD + _ONLINE_GOOD + _MIDDLE + _BAD + _ONLINE_BAD)


def tag_label(code: str) -> str:
    return str(ALL_TAG_LABELS.get(code, code))


@dataclass(frozen=True)
class LevelOption:
    value: int
    label: str
    bad: bool
    tags: list[tuple[str, str]]


def tag_groups(mode: str) -> list[dict[str, Any]]:
    """Levels sharing the same reasons, for forms: 非常满意/满意, 基本满意, 不满意/非常不满意."""
    return [{"levels": levels, "tags": [(c, str(t)) for c, t in tags_for(mode, levels[0])]} for levels in ([5, 4], [3], [2, 1])]


def options(mode: str) -> dict[str, Any]:
    """Everything a rating form (page or app) needs for one indicator set."""
    return {
        "tag_groups": tag_groups(mode),
        "mode": mode,
        "indicators": [(k, str(label)) for k, label in INDICATORS[mode]],
        "levels": [
            LevelOption(int(v), str(label), v in BAD_LEVELS, [(c, str(t)) for c, t in tags_for(mode, int(v))])
            for v, label in sorted(Level.choices, key=lambda c: -c[0])
        ],
    }
