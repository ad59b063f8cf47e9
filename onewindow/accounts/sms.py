"""The signature a message to a person starts with: the county whose service sent it (issue 17).

An SMS (and the site message beside it) opens with the sender's name in brackets,
"【吉安县政务服务】", as a Chinese SMS must. The platform serves several counties, so the name is
that of the county whose hall, agent point or case the message is about, never a fixed one: the
services pass the county code they already have (a booking's hall area, an agent point's village)
to `signed`, which puts the signature before the body, in the active language like the body.

County names are a short table read by every message, booking's hot path included: every
county's name is read once per process in one statement and kept for CACHE_SECONDS (a rename in
another process shows after that), and emptied at once by a save or delete of a County in this
one (signals in apps.py), as the booking policy's cache (appointments/policy.py).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.utils.translation import gettext

from .models import County
from .visitor import display_name

CACHE_SECONDS = 300.0
_names: dict[str, str] | None = None
_loaded_at = 0.0


def forget_county_names(**_: object) -> None:
    global _names
    _names = None


def county_names() -> dict[str, str]:
    """Every county's name by code, from the cache (one statement when it is cold or old)."""
    global _names, _loaded_at
    if _names is None or time.monotonic() - _loaded_at > CACHE_SECONDS:
        _names = dict(County.objects.values_list("code", "name"))
        _loaded_at = time.monotonic()
    return _names


def _county(code: str | None) -> tuple[str, str]:
    names = county_names()
    if code and code not in names:
        # A county added in another process since the last read (a message's county is a row
        # that exists): read again once rather than sign with another county's name.
        forget_county_names()
        names = county_names()
    if code and code in names:
        return code, names[code]
    # No county named (or none such): the deployment's first, created on first use like everywhere.
    default = settings.ONEWINDOW_REGION_CODE
    if default not in names:
        county = County.default()
        return county.code, county.name
    return default, names[default]


def signature(county_code: str | None) -> str:
    """ "【<county>政务服务】" in the active language, for `county_code` (else the deployment's first)."""
    code, name = _county(county_code)
    return gettext("【%(county)s政务服务】") % {"county": display_name(code, name)}


def signed(body: str, county_code: str | None) -> str:
    """`body` with the signature of the county `county_code` before it."""
    return signature(county_code) + body
