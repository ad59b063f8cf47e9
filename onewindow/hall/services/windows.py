"""Window sessions: a staff member signs in at one window at a time and signs out."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.core.audit import audit
from onewindow.core.errors import Conflict, PermissionDenied

from ..models import Window, WindowSession


def window_sign_in(*, window: Window, actor: Any) -> WindowSession:
    from ..selectors import can_work_at

    if not can_work_at(actor, window.point):
        raise PermissionDenied()
    if not window.is_active:
        raise Conflict(_("该窗口已停用。"), code="window_inactive")
    now = timezone.now()
    with transaction.atomic():
        current = WindowSession.objects.filter(window=window, user=actor, ended_at__isnull=True).first()
        if current:
            return current
        # A staff member works at one window at a time: signing in here ends the other shift.
        WindowSession.objects.filter(user=actor, ended_at__isnull=True).update(ended_at=now, updated_at=now)
        try:
            with transaction.atomic():
                session = WindowSession.objects.create(window=window, user=actor, started_at=now)
        except IntegrityError:
            raise Conflict(_("该窗口已有工作人员签到。"), code="window_taken") from None
        audit(actor=actor, action="hall.window.sign_in", target=window, data={"session": str(session.uuid)})
        return session


def window_sign_out(*, window: Window, actor: Any) -> None:
    now = timezone.now()
    with transaction.atomic():
        n = WindowSession.objects.filter(window=window, user=actor, ended_at__isnull=True).update(ended_at=now, updated_at=now)
        if n != 1:
            raise Conflict(_("您未在该窗口签到。"), code="not_signed_in")
        audit(actor=actor, action="hall.window.sign_out", target=window)


def _require_session(window: Window, actor: Any) -> None:
    if (
        not getattr(actor, "is_authenticated", False)
        or not WindowSession.objects.filter(window_id=window.pk, user_id=actor.pk, ended_at__isnull=True).exists()
    ):
        raise PermissionDenied(_("请先签到该窗口。"), code="not_signed_in")
