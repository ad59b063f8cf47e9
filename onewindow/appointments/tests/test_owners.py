"""An active booking waits for the person (their own list); nobody holds it when no window serves
the booked area (the check-in ticket would never be called)."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.core import ownership
from onewindow.hall.models import Window, WindowArea

from .conftest import at
from .test_services import book, slot_at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def test_a_booking_is_the_applicants_until_it_is_kept_and_needs_a_window(
    hall: dict[str, Any], matters: dict[str, Any], verified_citizen: Any
) -> None:
    b = book(verified_citizen, matters["off"], slot_at(hall["area"], at(2026, 12, 2, 9, 30)))
    owner = ownership.owner_of(b)
    assert owner is not None and owner.is_applicant and owner.applicant == verified_citizen
    [problem] = ownership.problems([w for w in ownership.all_waiting() if w.key.startswith("booking:")])
    assert "没有窗口服务" in problem.problem
    WindowArea.objects.create(window=Window.objects.create(point=hall["point"], number=1), area=hall["area"])
    assert ownership.problems([w for w in ownership.all_waiting() if w.key.startswith("booking:")]) == []
    b.status = "cancelled"
    assert ownership.waiting_for(b) == []
