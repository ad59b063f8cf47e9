"""Reminders through the outbox: failures are retried with backoff, visible to the desk, and a
person can put a given-up one back in the queue."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from conftest import login
from onewindow.appointments import services
from onewindow.appointments.models import Slot
from onewindow.appointments.scheduling import ensure_slots
from onewindow.core import notify as outbox
from onewindow.core.errors import ApplicationError
from onewindow.core.models import Notification

from .conftest import at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


class GatewayDown:
    def send(self, notification: Any) -> None:
        raise ConnectionError("SMS gateway down")


@pytest.fixture
def booking(hall: dict[str, Any], matters: dict[str, Any], verified_citizen: Any) -> Any:
    ensure_slots([hall["area"].pk], datetime.date(2026, 12, 2), datetime.date(2026, 12, 2))
    slot = Slot.objects.select_related("area", "area__point").get(area=hall["area"], starts_at=at(2026, 12, 2, 10))
    return services.booking_create(actor=verified_citizen, matter=matters["off"], slot=slot, channel="web")


def test_failed_sms_backs_off_gives_up_and_is_retried_by_staff(
    settings: Any, client: Client, hall: dict[str, Any], booking: Any, clerk: Any, verified_outsider: Any
) -> None:
    settings.ONEWINDOW_SMS_BACKEND = f"{__name__}.GatewayDown"
    sms = Notification.objects.get(dedupe_key=f"appt:{booking.uuid}:booked")
    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        Notification.objects.filter(pk=sms.pk).update(next_attempt_at=None)
        assert outbox.deliver(sms.pk) is False
        sms.refresh_from_db()
        assert sms.attempts == attempt and sms.status == "failed" and "gateway down" in sms.last_error
        assert sms.next_attempt_at is not None
    assert outbox.backoff(1) == datetime.timedelta(minutes=2) and outbox.backoff(20) == outbox.MAX_BACKOFF
    Notification.objects.filter(pk=sms.pk).update(next_attempt_at=None)
    outbox.deliver_pending()  # given up: no sweep tries it again
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == ("failed", outbox.MAX_ATTEMPTS)
    assert sms in outbox.given_up()
    # Visible to the desk of the booking's area, not to others.
    url = f"/appointments/staff/a/{hall['area'].uuid}/"
    login(client, verified_outsider)
    assert client.get(url).status_code == 403
    assert client.post(url + "retry/", {"key": sms.dedupe_key}).status_code == 403
    login(client, clerk)
    assert "SMS gateway down" in client.get(url).content.decode()
    settings.ONEWINDOW_SMS_BACKEND = "onewindow.core.notify.LogBackend"
    client.post(url + "retry/", {"key": sms.dedupe_key})
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == ("pending", 0)
    assert outbox.deliver_pending() >= 1
    sms.refresh_from_db()
    assert sms.status == "sent"


def test_retry_of_other_areas_notification_refused(hall: dict[str, Any], booking: Any, township_officer: Any) -> None:
    sms = Notification.objects.get(dedupe_key=f"appt:{booking.uuid}:booked")
    Notification.objects.filter(pk=sms.pk).update(status="failed", attempts=5)
    with pytest.raises(ApplicationError) as e:
        services.notification_retry(actor=township_officer, dedupe_key=sms.dedupe_key or "")
    assert e.value.code == "not_found" and e.value.status == 404
    sms.refresh_from_db()
    assert sms.status == "failed"
