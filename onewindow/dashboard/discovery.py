"""Find and run every app's `stats.sections()` (contract: onewindow.core.stats).

Apps without a stats module are skipped; a provider that fails is reported as a note instead of
taking the whole dashboard down.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

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


def collect(*, user: Any, params: dict[str, Any]) -> list[Section]:
    sections: list[Section] = []
    for label, fn in providers():
        try:
            sections.extend(fn(user=user, params=params))
        except Exception:
            logger.exception("stats provider %s failed", label)
            sections.append(
                Section(
                    key=label,
                    title=label,
                    figures=[Figure(_("该模块统计暂不可用"), "—", note=_("已记录错误，请联系管理员。"))],
                    order=999,
                )
            )
    return sorted(sections, key=lambda s: (s.order, s.key))
