"""好差评 of an agent's service (ratings kind `agent_service`): the resident rates what the point did
once the point's part is over; no agent of the point may rate it; a bad rating opens a follow-up
for the village, which its township's officers hold."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.assistance import services
from onewindow.core import ownership
from onewindow.core.errors import ApplicationError
from onewindow.ratings import services as rating_services
from onewindow.ratings.models import Rating
from onewindow.ratings.selectors import rateable_for
from onewindow.ratings.subjects import resolve

from .conftest import signature_png
from .test_applications import file_case
from .test_followthrough import _conclude

pytestmark = pytest.mark.django_db


@pytest.fixture
def approver_clh(depts: Any) -> Any:
    from conftest import make_user

    return make_user("approver_clh", "approver", depts["CLH"])


def _rate(user: Any, uuid: Any, level: int = 5, **kw: Any) -> Rating:
    return rating_services.rating_submit(
        kind="agent_service", subject_uuid=uuid, level=level, rater=user, channel="web", tags=kw.pop("tags", []), **kw
    )


def test_resident_rates_the_points_service_once_it_is_over(
    mandate: Any, agent: Any, agent2: Any, resident: Any, outsider: Any, matters: Any, clerk: Any, approver_clh: Any, org: Any
) -> None:
    from conftest import make_user

    app = file_case(agent, resident, matters["disability"], deliver_at_point=True)
    assert resolve("agent_service", app.uuid) is None  # the case is still running
    assert app.case is not None
    _conclude(app.case, clerk, approver_clh)
    assert resolve("agent_service", app.uuid) is None  # the result still waits at the point
    services.result_deliver(actor=agent, application=app, receiver_name="", signature=signature_png())

    subject = resolve("agent_service", app.uuid)
    assert subject is not None and subject.unit == org["ZXSQ"] and subject.staff == agent
    assert [s.uuid for s in rateable_for(resident) if s.kind == "agent_service"] == [app.uuid]
    for who, code in ((agent, "own_service"), (agent2, "own_service"), (outsider, "not_served_person")):
        with pytest.raises(ApplicationError) as exc:
            _rate(who, app.uuid)
        assert exc.value.code == code
    assert not Rating.objects.exists()

    officer = make_user("officer_zx", "township_officer", org["ZXZ"])
    r = _rate(resident, app.uuid, level=2, tags=["slow"])
    assert (r.unit, r.staff, r.matter) == (org["ZXSQ"], agent, matters["disability"])
    w = ownership.waiting_for(r.follow_up)
    assert len(w) == 1 and w[0].owner is not None and w[0].owner.unit == org["ZXSQ"] and not w[0].problem
    officer.role_assignments.all().delete()
    assert ownership.waiting_for(r.follow_up)[0].problem  # nobody in the township to handle it
    with pytest.raises(ApplicationError) as exc:
        _rate(resident, app.uuid)
    assert exc.value.code == "already_rated"
    assert rateable_for(resident) == [] or all(s.kind != "agent_service" for s in rateable_for(resident))


def test_a_result_going_elsewhere_is_rateable_at_conclusion(
    mandate: Any, agent: Any, resident: Any, matters: Any, clerk: Any, approver_clh: Any
) -> None:
    app = file_case(agent, resident, matters["disability"], deliver_at_point=False)
    assert app.case is not None
    _conclude(app.case, clerk, approver_clh)
    assert resolve("agent_service", app.uuid) is not None
    assert _rate(resident, app.uuid, level=5).kind == "agent_service"
