"""Signals other apps listen to, sent inside the engine's transaction (the case row locked), so a
listener's writes commit or roll back with the engine's.

- `public_notice_ended(step, case)`: a public-notice step ended without objection (the sweep, or
  by hand after it expired); the welfare app closes its own notice record with it.
"""

from __future__ import annotations

from django.dispatch import Signal

public_notice_ended = Signal()
