"""The whole demo district, built in the test database as `manage.py load_demo` builds it: nothing
in it waits for nobody (`manage.py check_owners`), and the count of trips in person (F2) comes out
of its cases. One test, because building the demo is the expensive part (about a minute and a half)."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.slow]


@pytest.mark.django_db(transaction=True)
def test_demo_district_has_no_unowned_work(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", verbosity=0)
    out = StringIO()
    call_command("check_owners", stdout=out)  # raises CommandError, with the list, when anything is unowned
    assert "0 without an owner" in out.getvalue()
    # The agent service and 好差评 are in the check (their waiting work exists in the demo).
    from onewindow.core.ownership import all_waiting

    actions = {w.key.split(":")[0] + ":" + w.action for w in all_waiting()}
    for expected in (
        "agent-forwarding:forward",
        "case:deliver_point",
        "rating-follow-up:verify",
        "rating-follow-up:reply",
        "rating-follow-up:answer",
        "rating-appeal:appeal",
    ):
        assert expected in actions, (expected, sorted(actions))
    # 一次不跑 from the demo's cases: plausible, and computed (not typed in)
    from onewindow.cases.visits import visit_figures

    f = visit_figures()
    assert f["done"] >= 1000
    assert 30 < f["zero_share"] < 90 and f["zero_share"] < f["at_most_one_share"] < 100
