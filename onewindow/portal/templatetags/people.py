"""Words and colours a villager understands, for the citizen pages.

A case's state is shown by what it means for the person (等待受理, 需要补材料, 已批准...), in a
colour that never contradicts it: a refusal or a denial is red, never green. Legal terms of the
timeline (中止计时, 一次性告知...) carry a plain explanation. An instant matter reads 即时办结,
never "承诺 0 个工作日".
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

register = template.Library()

# status -> (words, colour, what it means for the person)
_STATES: dict[str, tuple[Any, str, Any]] = {
    "submitted": (_("等待受理"), "blue", _("材料已经交上，部门会在5个工作日内决定是否受理。")),
    "supplement": (_("需要补材料"), "amber", _("材料还缺或有问题，请按通知一次补齐；补齐之前不算办理时间。")),
    "refused": (_("不予受理"), "red", _("部门决定不受理这个申请，理由见不予受理通知书。")),
    "in_review": (_("正在审查"), "blue", _("部门正在审查您的申请。")),
    "paused": (_("暂停计时"), "amber", _("因为需要听证、现场查看或专家评审等，办理时间暂时停止计算，这段时间不算超期。")),
    "reviewed": (_("等待决定"), "blue", _("审查已经完成，部门正在作出决定。")),
    "decided": (_("已作出决定"), "blue", _("部门已作出决定，马上办结。")),
    "concluded": (_("已办结"), "green", _("已经办完，可以下载或领取结果。")),
    "delivered": (_("已送达"), "green", _("结果已经送到您手中。")),
}
_DENIED = (_("不予许可"), "red", _("部门决定不予许可，理由见决定书；对决定不服可以申请行政复议或提起行政诉讼。"))
_APPROVED = (_("已批准"), "green", _("部门已经批准您的申请，马上办结。"))

# Timeline words of the law -> what they mean for the person.
_PLAIN: dict[str, Any] = {
    "中止计时": _("办理时间暂停计算（例如听证、现场查看、专家评审），不算超期。"),
    "恢复计时": _("暂停的原因已经结束，继续计算办理时间。"),
    "一次性告知补正材料": _("部门把所有要补的材料一次告诉您，补齐后继续办理。"),
    "已补正材料": _("您已经把材料补齐。"),
    "延长办理期限": _("情况复杂，经批准延长了办理时间。"),
    "不予受理": _("部门决定不受理这个申请。"),
    "已受理": _("部门正式接收了您的申请，开始计算办理时间。"),
    "已送达": _("结果已经送到您手中。"),
    "进入审查环节": _("申请转到下一个审查环节。"),
    "退回重新审查": _("审查意见需要重新研究，不需要您做什么。"),
}


def case_state(case: Any) -> tuple[Any, str, Any]:
    decision = getattr(case, "decision", "") or ""
    if case.status in ("decided", "concluded", "delivered") and decision == "denied":
        return _DENIED
    if case.status == "decided" and decision == "approved":
        return _APPROVED
    if case.status in _STATES:
        return _STATES[case.status]
    return (case.get_status_display(), "blue", "")


@register.inclusion_tag("portal/_case_status.html")
def case_status(case: Any, explain: bool = False, tag_id: str = "") -> dict[str, Any]:
    words, colour, meaning = case_state(case)
    return {"words": words, "colour": colour, "meaning": meaning, "explain": explain, "tag_id": tag_id}


@register.filter
def plain(label: Any) -> Any:
    """The plain explanation of a legal term of the timeline ("" when it needs none). The label
    arrives in the page's language ("Clock stopped" in English), so it is compared with each term
    as translated now, not only with the Chinese term."""
    text = str(label)
    for term, meaning in _PLAIN.items():
        if text in (term, gettext(term)):
            return meaning
    return ""


@register.simple_tag
def time_limit(days: int | None) -> str:
    """承诺 N 个工作日, or 即时办结 for an instant matter (0 days)."""
    if not days:
        return str(_("即时办结"))
    return ngettext("承诺 %(n)s 个工作日", "承诺 %(n)s 个工作日", days) % {"n": days}
