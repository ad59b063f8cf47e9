"""The desk's day and plan pages list displaced bookings with each person's full phone number:
the read is audited (who, whose bookings, which page); a page without that list writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from onewindow.appointments import services
from onewindow.appointments.models import SessionRule
from onewindow.core.audit import READ_ACTION
from onewindow.core.models import AuditEntry

from .conftest import at
from .test_services import book, slot_at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def test_the_displaced_list_is_an_audited_read(
    client: Client,
    hall: dict[str, Any],
    matters: dict[str, Any],
    verified_citizen: Any,
    hall_manager: Any,
    verified_outsider: Any,
) -> None:
    area = hall["area"]
    client.force_login(hall_manager)
    assert client.get(f"/appointments/staff/a/{area.uuid}/").status_code == 200
    assert not AuditEntry.objects.filter(action=READ_ACTION).exists()  # no phone numbers shown
    b = book(verified_citizen, matters["off"], slot_at(area, at(2026, 12, 3, 18, 0)))
    services.rule_deactivate(actor=hall_manager, rule=SessionRule.objects.get(area=area, kind="evening"))
    for url in (f"/appointments/staff/a/{area.uuid}/", f"/appointments/staff/a/{area.uuid}/plan/"):
        page = client.get(url)
        assert page.status_code == 200 and verified_citizen.phone in page.content.decode()
        entry = AuditEntry.objects.filter(action=READ_ACTION).latest("id")
        assert (entry.actor, entry.data["page"], entry.data["whose"]) == (hall_manager, url, [b.code])
    assert AuditEntry.objects.filter(action=READ_ACTION).count() == 2
    client.force_login(verified_outsider)
    assert client.get(f"/appointments/staff/a/{area.uuid}/").status_code == 403
    assert AuditEntry.objects.filter(action=READ_ACTION).count() == 2


def test_the_api_door_to_the_same_list_is_audited_too(
    client: Client,
    hall: dict[str, Any],
    matters: dict[str, Any],
    verified_citizen: Any,
    hall_manager: Any,
    verified_outsider: Any,
) -> None:
    """The plan's API answer and a plan change's answer carry the same phone numbers as the plan
    page: the same audited read (one door, one lock)."""
    area = hall["area"]
    client.force_login(hall_manager)
    plan = f"/api/v1/appointments/staff/areas/{area.uuid}/plan"
    assert client.get(plan).json()["displaced"] == []
    assert not AuditEntry.objects.filter(action=READ_ACTION).exists()
    b = book(verified_citizen, matters["off"], slot_at(area, at(2026, 12, 3, 18, 0)))
    rule = SessionRule.objects.get(area=area, kind="evening")
    off = client.delete(f"/api/v1/appointments/staff/areas/{area.uuid}/rules/{rule.uuid}")
    assert off.status_code == 200 and [d["phone"] for d in off.json()["displaced"]] == [verified_citizen.phone]
    entry = AuditEntry.objects.filter(action=READ_ACTION).latest("id")
    assert (entry.actor, entry.data["whose"]) == (hall_manager, [b.code])
    answer = client.get(plan).json()
    assert [d["code"] for d in answer["displaced"]] == [b.code]
    entry = AuditEntry.objects.filter(action=READ_ACTION).latest("id")
    assert (entry.actor, entry.data["page"], entry.data["whose"]) == (hall_manager, plan, [b.code])
    assert AuditEntry.objects.filter(action=READ_ACTION).count() == 2
    client.force_login(verified_outsider)
    assert client.get(plan).status_code in (403, 404)
    assert AuditEntry.objects.filter(action=READ_ACTION).count() == 2
