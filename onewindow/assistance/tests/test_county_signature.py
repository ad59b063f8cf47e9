"""An agent point's messages are signed by the point's county (issue 17, accounts/sms.py): a
mandate recorded at a village point of county B (吉州区, core/tests/counties.py) tells the resident
as 吉州区, and its revocation tells the point as 吉州区; county A's point (the shared tree, 青原区)
keeps signing as 青原区."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from conftest import make_user
from onewindow.accounts.demo import resident_id
from onewindow.accounts.models import OrgUnit, Role
from onewindow.accounts.services import org_unit_create
from onewindow.assistance import services
from onewindow.assistance.access import point_of
from onewindow.assistance.models import AgentPoint
from onewindow.core.models import Notification

from .conftest import record

pytestmark = pytest.mark.django_db


@pytest.fixture
def b_point(county_b: dict[str, Any]) -> dict[str, Any]:
    town = org_unit_create(code="JZXJ", name="兴桥镇", kind=OrgUnit.Kind.TOWNSHIP, parent=county_b["root"])
    village = org_unit_create(code="JZXJ-V01", name="兴桥村", kind=OrgUnit.Kind.VILLAGE, parent=town)
    AgentPoint.objects.create(village=village, name="兴桥村代办点", phone="13979600009")
    agent = make_user("agent_b", Role.AGENT, village)
    resident = make_user(
        "resident_b", Role.CITIZEN, id_number=resident_id("19500101", 512), phone="13900000099", home_unit=village
    )
    # The point as the services get it: through the agent's roles, with its village.
    return {"agent": agent, "resident": resident, "point": point_of(agent)}


def test_a_county_b_points_messages_are_signed_by_county_b(b_point: dict[str, Any]) -> None:
    with translation.override("zh-hans"):
        mandate = record(b_point["agent"], b_point["point"], b_point["resident"])
        told = Notification.objects.get(kind="assistance.mandate", recipient="13900000099")
        assert told.body.startswith("【吉州区政务服务】您已委托兴桥村代办点代办") and "青原区" not in told.body
        services.mandate_revoke(actor=b_point["resident"], mandate=mandate)
        point_told = Notification.objects.get(kind="assistance.mandate_revoked", recipient="13979600009")
        assert point_told.body.startswith("【吉州区政务服务】") and mandate.number in point_told.body


def test_a_county_a_points_messages_keep_county_as_signature(
    agent: Any, points: dict[str, AgentPoint], resident: Any, b_point: dict[str, Any]
) -> None:
    point = point_of(agent)
    assert point is not None
    with translation.override("zh-hans"):
        record(agent, point, resident)
    told = Notification.objects.get(kind="assistance.mandate", recipient=resident.phone)
    assert told.body.startswith("【青原区政务服务】您已委托值夏社区代办点代办")


def test_in_english_the_signature_is_the_countys_english_name(b_point: dict[str, Any]) -> None:
    with translation.override("en"):
        record(b_point["agent"], b_point["point"], b_point["resident"])
    told = Notification.objects.get(kind="assistance.mandate", recipient="13900000099")
    assert told.body.startswith("[Jizhou District Government Services] You have authorised 兴桥村代办点")
