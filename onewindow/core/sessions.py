"""The database session store with the per-request read compiled once (core/fastquery.py).

Every request with a session cookie reads its row; Django's own store builds and compiles that
queryset each time (about a third of the CPU of a small API call such as the hall's call-next).
The row is read by its key alone and its expiry checked here, the same answer as Django's
`session_key = … AND expire_date > now()`. Writes, expiry and clearing are Django's.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DbSessionStore
from django.contrib.sessions.models import Session
from django.core.exceptions import SuspiciousOperation
from django.utils import timezone

from .fastquery import Compiled

_BY_KEY: Compiled[Session] = Compiled(Session, lambda key: Session.objects.filter(session_key=key), "\x00session-key")


class SessionStore(DbSessionStore):
    def _get_session_from_db(self) -> Any:
        try:
            s = _BY_KEY.first(self.session_key) if self.session_key else None
        except SuspiciousOperation as e:  # pragma: no cover - as Django's store does
            logging.getLogger(f"django.security.{e.__class__.__name__}").warning(str(e))
            s = None
        if s is None or s.expire_date <= timezone.now():
            self._session_key = None
            return None
        return s
