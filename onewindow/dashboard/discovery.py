"""Find and run every app's `stats.sections()` (contract: onewindow.core.stats).

Apps without a stats module are skipped; a provider that fails is reported as a note instead of
taking the whole dashboard down.
"""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.utils.translation import gettext as _

from onewindow.core.rollups import checked_once
from onewindow.core.stats import Figure, Section

from .filters import parse_params  # noqa: F401  (the filters' parser, where providers' callers look for it)

logger = logging.getLogger(__name__)

# The contract module itself lives in core; it has no sections of its own.
SKIP = {"onewindow.core"}


def providers() -> list[tuple[str, Callable[..., list[Section]]]]:
    found = []
    for app in settings.INSTALLED_APPS:
        if not app.startswith("onewindow.") or app in SKIP:
            continue
        name = f"{app}.stats"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        fn = getattr(module, "sections", None)
        if callable(fn):
            found.append((app.rsplit(".", 1)[1], fn))
    return found


def honours_remit(fn: Callable[..., Any]) -> bool:
    """A provider whose module says `REMIT = True` narrows its figures to `params["remit"]` (a
    department or township: through params["department"] / params["township"], or itself)."""
    return bool(getattr(sys.modules.get(fn.__module__), "REMIT", False))


def district_only(params: dict[str, Any]) -> list[str]:
    """The apps left off a unit reader's page: their figures are the district's only."""
    if params.get("remit") is None:
        return []
    return [str(apps.get_app_config(label).verbose_name) for label, fn in providers() if not honours_remit(fn)]


def collect(*, user: Any, params: dict[str, Any]) -> list[Section]:
    """Every provider's sections; for a reader whose remit is a department or township, only the
    providers that narrow their figures to it (a district total must not pass for the unit's)."""
    sections: list[Section] = []
    with checked_once():  # each rollup brought up to date once for the page, not once per section
        for label, fn in providers():
            if params.get("remit") is not None and not honours_remit(fn):
                continue
            sections.extend(_run(label, fn, user, params))
    return sorted(sections, key=lambda s: (s.order, s.key))


def _run(label: str, fn: Callable[..., list[Section]], user: Any, params: dict[str, Any]) -> list[Section]:
    try:
        return list(fn(user=user, params=params))
    except Exception:
        logger.exception("stats provider %s failed", label)
        return [
            Section(
                key=label,
                title=label,
                figures=[Figure(_("该模块统计暂不可用"), "—", note=_("已记录错误，请联系管理员。"))],
                order=999,
            )
        ]
