"""The follow-up page shows the rater's full phone number to staff: every view is audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from conftest import login
from onewindow.core.audit import READ_ACTION
from onewindow.core.models import AuditEntry

from .conftest import rate

pytestmark = pytest.mark.django_db


def test_opening_a_follow_up_with_the_raters_phone_is_audited(
    world: dict[str, Any], client: Client, citizen: Any, approver: Any, outsider: Any
) -> None:
    r = rate(kind="case", subject_uuid=world["case"].uuid, level=1, rater=citizen, tags=["passing_buck"], comment="推来推去")
    assert r.rater_phone
    url = f"/ratings/work/{r.follow_up.uuid}/"
    login(client, outsider)
    assert client.get(url).status_code == 404
    assert not AuditEntry.objects.filter(action=READ_ACTION).exists()  # refused: nothing was shown
    login(client, approver)
    page = client.get(url)
    assert page.status_code == 200 and r.rater_phone in page.content.decode()
    entry = AuditEntry.objects.get(action=READ_ACTION)
    assert (entry.actor, entry.target_type, entry.target_id, entry.data["page"]) == (approver, "ratings.rating", str(r.uuid), url)
