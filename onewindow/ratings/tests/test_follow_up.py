"""差评 follow-up on working-day clocks, cards, the person's answer, appeals and the figures."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from onewindow.core.errors import ApplicationError
from onewindow.ratings import followups, stats
from onewindow.ratings.models import Appeal, FollowUp
from onewindow.ratings.selectors import counted, open_follow_ups_for

from .conftest import SHANGHAI, rate

pytestmark = pytest.mark.django_db


def _bad(world: dict[str, Any], citizen: Any, level: int = 2) -> Any:
    return rate(kind="case", subject_uuid=world["case"].uuid, level=level, rater=citizen, tags=["slow"], comment="等了很久")


def test_a_bad_real_name_rating_opens_a_follow_up_on_working_day_clocks(world: dict[str, Any], citizen: Any) -> None:
    r = _bad(world, citizen)
    fu = r.follow_up
    assert fu.unit == world["org"]["ZJJ"] and fu.status == "open"
    # Rated Wednesday 2026-04-01: verify by the next working day (Thursday 04-02); 15 working days
    # skip the weekends and the 清明 holiday (04-04..04-06) and end on Thursday 04-23.
    assert fu.verify_due == datetime.date(2026, 4, 2)
    assert fu.reply_due == datetime.date(2026, 4, 23)


def test_good_and_middle_ratings_open_nothing(world: dict[str, Any], citizen: Any) -> None:
    rate(kind="case", subject_uuid=world["case"].uuid, level=3, rater=citizen)
    assert not FollowUp.objects.exists()


def test_clocks_are_settings(world: dict[str, Any], citizen: Any, settings: Any) -> None:
    settings.ONEWINDOW_RATINGS = {"verify_workdays": 2, "fix_workdays": 5}
    fu = _bad(world, citizen).follow_up
    assert fu.verify_due == datetime.date(2026, 4, 3)
    assert fu.reply_due == datetime.date(2026, 4, 9)  # 04-06 is 清明


def test_the_unit_verifies_replies_and_the_person_confirms(world: dict[str, Any], citizen: Any, approver: Any) -> None:
    fu = _bad(world, citizen).follow_up
    assert list(open_follow_ups_for(approver)) == [fu]
    followups.follow_up_verify(follow_up=fu, actor=approver, note="已电话联系申请人，情况属实")
    followups.follow_up_reply(follow_up=fu, actor=approver, reply="已压缩审查环节，办结时限由10日缩短为5日")
    from onewindow.core.models import Notification

    sent = Notification.objects.get(kind="ratings.follow_up_reply")
    assert "/ratings/respond/" in sent.body
    followups.follow_up_respond(follow_up=fu, person=citizen, confirmed=True)
    fu.refresh_from_db()
    assert fu.status == "confirmed" and fu.responded_at is not None
    f = stats.follow_up_figures(*stats.month_bounds("2026-04")[1:])
    assert f["real_name_bad"] == 1 and f["verified_on_time_rate"] == 1.0 and f["replied_on_time_rate"] == 1.0


def test_the_person_may_dispute_with_a_reason(world: dict[str, Any], citizen: Any, approver: Any) -> None:
    fu = _bad(world, citizen).follow_up
    followups.follow_up_verify(follow_up=fu, actor=approver, note="已联系")
    followups.follow_up_reply(follow_up=fu, actor=approver, reply="已整改")
    with pytest.raises(ApplicationError) as exc:
        followups.follow_up_respond(follow_up=fu, person=citizen, confirmed=False)
    assert exc.value.code == "required"
    followups.follow_up_respond(follow_up=fu, person=citizen, confirmed=False, note="问题没有解决")
    assert FollowUp.objects.get(pk=fu.pk).status == "disputed"


def test_steps_out_of_order_and_after_closure_are_refused(world: dict[str, Any], citizen: Any, approver: Any) -> None:
    fu = _bad(world, citizen).follow_up
    with pytest.raises(ApplicationError) as exc:
        followups.follow_up_reply(follow_up=fu, actor=approver, reply="已整改")
    assert exc.value.code == "wrong_status"
    followups.follow_up_verify(follow_up=fu, actor=approver, note="已联系")
    followups.follow_up_reply(follow_up=fu, actor=approver, reply="已整改")
    followups.follow_up_respond(follow_up=fu, person=citizen, confirmed=True)
    with pytest.raises(ApplicationError) as exc:
        followups.follow_up_reply(follow_up=fu, actor=approver, reply="再次整改")
    assert exc.value.code == "follow_up_closed"
    assert FollowUp.objects.get(pk=fu.pk).reply == "已整改"


def test_other_units_and_other_people_cannot_act(
    world: dict[str, Any], citizen: Any, approver_sw: Any, outsider: Any, approver: Any
) -> None:
    fu = _bad(world, citizen).follow_up
    with pytest.raises(ApplicationError) as exc:
        followups.follow_up_verify(follow_up=fu, actor=approver_sw, note="x")
    assert exc.value.code == "permission_denied"
    assert list(open_follow_ups_for(approver_sw)) == []
    followups.follow_up_verify(follow_up=fu, actor=approver, note="已联系")
    followups.follow_up_reply(follow_up=fu, actor=approver, reply="已整改")
    with pytest.raises(ApplicationError) as exc:
        followups.follow_up_respond(follow_up=fu, person=outsider, confirmed=True)
    assert exc.value.code == "not_served_person"


def test_yellow_then_red_cards_on_the_clocks(world: dict[str, Any], citizen: Any, approver: Any, clock: Any) -> None:
    fu = _bad(world, citizen).follow_up
    assert followups.sweep_follow_ups() == 0
    clock.move_to(datetime.datetime(2026, 4, 2, 9, tzinfo=SHANGHAI))  # verify date: yellow
    followups.sweep_follow_ups()
    assert FollowUp.objects.get(pk=fu.pk).warning_level == "yellow"
    clock.move_to(datetime.datetime(2026, 4, 3, 9, tzinfo=SHANGHAI))  # not verified in time: red
    followups.sweep_follow_ups()
    assert FollowUp.objects.get(pk=fu.pk).warning_level == "red"
    assert followups.sweep_follow_ups() == 0  # idempotent
    followups.follow_up_verify(follow_up=fu, actor=approver, note="迟到的回访")
    f = stats.follow_up_figures(*stats.month_bounds("2026-04")[1:])
    assert f["verified_on_time"] == 0 and f["red"] == 1


def test_a_verified_follow_up_gets_yellow_near_the_fix_limit(
    world: dict[str, Any], citizen: Any, approver: Any, clock: Any
) -> None:
    fu = _bad(world, citizen).follow_up
    followups.follow_up_verify(follow_up=fu, actor=approver, note="已联系")
    clock.move_to(datetime.datetime(2026, 4, 20, 9, tzinfo=SHANGHAI))  # 3 working days left: nothing
    followups.sweep_follow_ups()
    assert FollowUp.objects.get(pk=fu.pk).warning_level == ""
    clock.move_to(datetime.datetime(2026, 4, 21, 9, tzinfo=SHANGHAI))  # 2 left: yellow
    followups.sweep_follow_ups()
    assert FollowUp.objects.get(pk=fu.pk).warning_level == "yellow"
    clock.move_to(datetime.datetime(2026, 4, 24, 9, tzinfo=SHANGHAI))  # past 04-23: red
    followups.sweep_follow_ups()
    assert FollowUp.objects.get(pk=fu.pk).warning_level == "red"


def test_an_unanswered_reply_closes_after_the_confirm_period(
    world: dict[str, Any], citizen: Any, approver: Any, clock: Any
) -> None:
    fu = _bad(world, citizen).follow_up
    followups.follow_up_verify(follow_up=fu, actor=approver, note="已联系")
    followups.follow_up_reply(follow_up=fu, actor=approver, reply="已整改")
    clock.move_to(datetime.datetime(2026, 4, 8, 11, tzinfo=SHANGHAI))
    followups.sweep_follow_ups()
    assert FollowUp.objects.get(pk=fu.pk).status == "no_response"


def test_an_upheld_appeal_takes_the_rating_out_of_the_figures_but_keeps_it(
    world: dict[str, Any], citizen: Any, approver: Any, hall_manager: Any
) -> None:
    r = _bad(world, citizen, level=1)
    appeal = followups.appeal_file(rating=r, actor=approver, reason="恶意差评", evidence="通话录音显示申请人承认误评")
    with pytest.raises(ApplicationError) as exc:
        followups.appeal_decide(appeal=appeal, actor=approver, upheld=True, note="x")
    assert exc.value.code == "permission_denied"
    followups.appeal_decide(appeal=appeal, actor=hall_manager, upheld=True, note="证据充分，申诉成立")
    assert not counted().exists()
    r.refresh_from_db()
    assert r.level == 1  # kept in the record
    assert FollowUp.objects.get(rating=r).status == "withdrawn"
    with pytest.raises(ApplicationError) as exc:
        followups.appeal_decide(appeal=appeal, actor=hall_manager, upheld=False, note="再审")
    assert exc.value.code == "appeal_decided"


def test_a_rejected_appeal_keeps_the_rating_counted(
    world: dict[str, Any], citizen: Any, approver: Any, hall_manager: Any
) -> None:
    r = _bad(world, citizen)
    appeal = followups.appeal_file(rating=r, actor=approver, reason="误评", evidence="无")
    followups.appeal_decide(appeal=appeal, actor=hall_manager, upheld=False, note="证据不足")
    assert counted().get() == r
    assert FollowUp.objects.get(rating=r).status == "open"
    with pytest.raises(ApplicationError) as exc:
        followups.appeal_file(rating=r, actor=approver, reason="再次申诉", evidence="无")
    assert exc.value.code == "appeal_exists"
    assert Appeal.objects.count() == 1


def test_appeals_only_against_bad_ratings_and_with_evidence(world: dict[str, Any], citizen: Any, approver: Any) -> None:
    good = rate(kind="acceptance", subject_uuid=world["case"].uuid, level=5, rater=citizen)
    with pytest.raises(ApplicationError) as exc:
        followups.appeal_file(rating=good, actor=approver, reason="x", evidence="y")
    assert exc.value.code in ("not_bad", "permission_denied")
    bad = _bad(world, citizen)
    with pytest.raises(ApplicationError) as exc:
        followups.appeal_file(rating=bad, actor=approver, reason="恶意", evidence=" ")
    assert exc.value.code == "required"
    assert not Appeal.objects.exists()


def test_dashboard_section_counts_from_the_rows(
    world: dict[str, Any], citizen: Any, approver: Any, client: Any, leader: Any
) -> None:
    from conftest import login
    from onewindow.dashboard.discovery import collect

    _bad(world, citizen)
    rate(kind="ticket", subject_uuid=world["ticket"].uuid, level=5, rater=citizen)
    section = next(s for s in collect(user=leader, params={"month": "2026-04"}) if s.key == "ratings")
    values = {f.label: f.value for f in section.figures}
    assert values["评价总数（2026-04）"] == 2 and values["差评（2026-04）"] == 1 and values["好评率（2026-04）"] == "50.0%"
    assert values["实名差评"] == 1
    assert [r[0] for r in section.tables[0].rows] == ["行政审批局", "住房和城乡建设局"]
    login(client, leader)
    assert "好差评" in client.get("/dashboard/").content.decode()


def test_dashboard_section_has_a_chart_and_follows_the_remit(world: dict[str, Any], citizen: Any, leader: Any) -> None:
    from onewindow.ratings.stats import sections

    _bad(world, citizen)
    rate(kind="ticket", subject_uuid=world["ticket"].uuid, level=5, rater=citizen)
    [district] = sections(user=leader, params={"month": "2026-04"})
    [chart] = district.charts
    assert chart.categories == ["行政审批局", "住房和城乡建设局"] and chart.links == ["department=XZSP", "department=ZJJ"]
    assert dict(chart.series)["好评"] == [1, 0] and dict(chart.series)["差评"] == [0, 1]
    assert "共 2 项" in chart.text
    [zjj] = sections(user=leader, params={"month": "2026-04", "remit": world["org"]["ZJJ"]})
    values = {f.label: f.value for f in zjj.figures}
    assert values["评价总数（2026-04）"] == 1 and values["差评（2026-04）"] == 1 and values["实名差评"] == 1
    assert [r[0] for r in zjj.tables[0].rows] == ["住房和城乡建设局"] and zjj.charts[0].categories == ["住房和城乡建设局"]
    [other] = sections(user=leader, params={"month": "2026-04", "remit": world["org"]["MZJ"]})
    assert {f.label: f.value for f in other.figures}["评价总数（2026-04）"] == 0


def test_the_sections_one_statement_reads_equal_the_separate_counts(world: dict[str, Any], citizen: Any) -> None:
    """The dashboard reads the period's and the whole history's summary in one statement, and the
    follow-ups' open / red / yellow counts from the rows it reads anyway: the same numbers as the
    separate counts."""
    from onewindow.ratings import selectors
    from onewindow.ratings.models import FollowUp
    from onewindow.ratings.stats import follow_up_figures, in_period, month_bounds, period_and_all, summary

    _bad(world, citizen)
    rate(kind="ticket", subject_uuid=world["ticket"].uuid, level=5, rater=citizen)
    FollowUp.objects.update(warning_level="red")
    for month in ("2026-04", "2026-05"):
        _label, start, end = month_bounds(month)
        base = selectors.counted()
        assert period_and_all(base, start, end) == (summary(in_period(start, end, base)), summary(base))
        fu = follow_up_figures(start, end)
        fus = FollowUp.objects.filter(rating__created_at__gte=start, rating__created_at__lt=end).exclude(
            status=FollowUp.Status.WITHDRAWN
        )
        assert (fu["open"], fu["red"], fu["yellow"]) == (
            fus.filter(status__in=FollowUp.OPEN_STATUSES).count(),
            fus.filter(warning_level="red").count(),
            fus.filter(warning_level="yellow").count(),
        )
    assert follow_up_figures(*month_bounds("2026-04")[1:])["red"] == 1
