"""Notification outbox.

`notify()` writes a row in the caller's transaction; delivery is enqueued only after commit, so a
rolled-back change never texts anyone. Backends are pluggable (settings ONEWINDOW_SMS_BACKEND /
ONEWINDOW_EMAIL_BACKEND); the default LogBackend writes to the log and leaves the row as the record.
Failures are retried with backoff by `deliver_pending` (the worker's periodic sweep) and stay
visible in the admin with their last error.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any, Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Notification

logger = logging.getLogger("onewindow.notify")
MAX_ATTEMPTS = 5
# Backoff after the n-th failed attempt: 2, 4, 8, 16 minutes..., never more than this.
MAX_BACKOFF = datetime.timedelta(hours=6)


def backoff(attempts: int) -> datetime.timedelta:
    return min(datetime.timedelta(minutes=2 ** max(1, attempts)), MAX_BACKOFF)


class Backend(Protocol):
    def send(self, notification: Notification) -> None: ...


def mask_recipient(recipient: str) -> str:
    """139****0001 / l***@example.cn: a log line never carries a whole phone number or address
    next to what was sent to it (sign-in codes, progress check codes)."""
    value = recipient or ""
    if "@" in value:
        name, _at, domain = value.partition("@")
        return (name[:1] + "***@" + domain) if name else "***@" + domain
    if len(value) >= 7:
        return value[:3] + "****" + value[-4:]
    return "*" * len(value)


class LogBackend:
    """The local backend: writes what would be sent to the log, the recipient masked."""

    def send(self, notification: Notification) -> None:
        logger.info(
            "notify %s to %s: %s %s",
            notification.channel,
            mask_recipient(notification.recipient),
            notification.subject,
            notification.body,
        )


class MemoryBackend:
    """For tests and browser walks (like Django's locmem e-mail backend): keeps what was sent in
    `MemoryBackend.sent`, in this process only."""

    sent: list[Notification] = []

    def send(self, notification: Notification) -> None:
        MemoryBackend.sent.append(notification)


def _backend(channel: str) -> Backend:
    path = settings.ONEWINDOW_EMAIL_BACKEND if channel == Notification.Channel.EMAIL else settings.ONEWINDOW_SMS_BACKEND
    if channel == Notification.Channel.SITE:
        path = "onewindow.core.notify.LogBackend"
    backend: Backend = import_string(path)()  # the settings name a class of the Backend protocol
    return backend


def notify(
    *,
    channel: str,
    recipient: str,
    body: str,
    subject: str = "",
    user: Any = None,
    kind: str = "",
    dedupe_key: str | None = None,
    new_key: bool = False,
) -> Notification | None:
    """Queue a notification; returns None when `dedupe_key` was already queued. `new_key`: the
    caller knows the key is new (it names a row made in the same transaction), so it is written
    without the look-up and the savepoint (a duplicate then fails the caller's transaction)."""
    fields: dict[str, Any] = {
        "channel": channel,
        "recipient": recipient,
        "body": body,
        "subject": subject,
        "user": user,
        "kind": kind,
    }
    if not dedupe_key or new_key:
        # Nothing to lose a race for: no savepoint (two statements saved on every case step).
        n = Notification.objects.create(**fields, dedupe_key=dedupe_key)
        transaction.on_commit(lambda: _enqueue(n.pk))
        return n
    if Notification.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    try:
        with transaction.atomic():
            n = Notification.objects.create(**fields, dedupe_key=dedupe_key)
    except IntegrityError:  # lost a race for the same key: the other one will be delivered
        return None
    transaction.on_commit(lambda: _enqueue(n.pk))
    return n


def _enqueue(pk: int) -> None:
    from .tasks import deliver_notification

    try:
        deliver_notification.enqueue(pk)
    except Exception:  # the periodic sweep picks up anything the queue did not take
        logger.exception("could not enqueue notification %s", pk)


def deliver(pk: int) -> bool:
    """Try to send one notification. Claimed with a conditional update so two workers never
    send the same row twice."""
    now = timezone.now()
    claimed = Notification.objects.filter(pk=pk, status__in=[Notification.Status.PENDING, Notification.Status.FAILED]).filter(
        attempts__lt=MAX_ATTEMPTS
    )
    n = claimed.first()
    if n is None:
        return False
    if n.next_attempt_at and n.next_attempt_at > now:
        return False
    # Claim: bump attempts only if nobody else did in between.
    if not Notification.objects.filter(pk=pk, attempts=n.attempts).update(
        attempts=n.attempts + 1, next_attempt_at=now + datetime.timedelta(minutes=5)
    ):
        return False
    n.attempts += 1
    try:
        _backend(n.channel).send(n)
    except Exception as exc:  # any backend failure is recorded and retried later
        Notification.objects.filter(pk=pk).update(
            status=Notification.Status.FAILED, last_error=str(exc)[:2000], next_attempt_at=now + backoff(n.attempts)
        )
        if n.attempts >= MAX_ATTEMPTS:
            logger.error("notification %s (%s) given up after %s attempts: %s", pk, n.kind, n.attempts, exc)
        else:
            logger.warning("notification %s (%s) attempt %s failed: %s", pk, n.kind, n.attempts, exc)
        return False
    Notification.objects.filter(pk=pk).update(status=Notification.Status.SENT, sent_at=timezone.now(), last_error="")
    return True


def deliver_pending(*, limit: int = 200) -> int:
    now = timezone.now()
    due = (
        Notification.objects.filter(
            status__in=[Notification.Status.PENDING, Notification.Status.FAILED], attempts__lt=MAX_ATTEMPTS
        )
        .exclude(next_attempt_at__gt=now)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in list(due) if deliver(pk))


def given_up() -> Any:
    """Notifications that failed MAX_ATTEMPTS times: no sweep will try them again. Shown to staff
    (the admin's outbox list, filtered on status "failed"; the appointments desk page) until a
    person retries them."""
    return Notification.objects.filter(status=Notification.Status.FAILED, attempts__gte=MAX_ATTEMPTS)


def retry(pk: int) -> bool:
    """Put a failed notification back in the queue now (a person decided to try again, e.g. after
    the SMS gateway was fixed). Returns False if it was not in the failed state."""
    with transaction.atomic():
        ok = bool(
            Notification.objects.filter(pk=pk, status=Notification.Status.FAILED).update(
                status=Notification.Status.PENDING, attempts=0, next_attempt_at=None
            )
        )
        if ok:
            transaction.on_commit(lambda: _enqueue(pk))
    return ok
