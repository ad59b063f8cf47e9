"""Cases run by another app's own pages and API (a 低保 application's case is run by
`welfare.process`, which keeps the application's stage, notice and register in step with the case).

The generic case actions — the cases API's staff operations and the workbench case page — refuse
such a case with `ManagedElsewhere`, naming the page and the API that run it: a step approved there
would move the case and leave the application behind. The owning app registers a finder in its
`AppConfig.ready`; the cases app imports nothing of it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import Conflict

from .models import Case


@dataclass(frozen=True)
class Elsewhere:
    what: str  # e.g. "最低生活保障审核确认" (translated by the finder)
    page: str  # the page that runs the case
    api: str  # the API that runs it


Finder = Callable[[Case], Elsewhere | None]
_FINDERS: list[Finder] = []


def register(finder: Finder) -> None:
    if finder not in _FINDERS:
        _FINDERS.append(finder)


def elsewhere(case: Case) -> Elsewhere | None:
    for finder in _FINDERS:
        found = finder(case)
        if found is not None:
            return found
    return None


class ManagedElsewhere(Conflict):
    code = "case_managed_elsewhere"

    def __init__(self, where: Elsewhere) -> None:
        super().__init__(
            _("该办件是%(what)s办件，须在其专门页面办理：%(page)s（接口：%(api)s）。")
            % {"what": where.what, "page": where.page, "api": where.api},
            fields={"page": [where.page], "api": [where.api]},
        )


def refuse_if_managed(case: Case) -> None:
    """Raise `ManagedElsewhere` when another app runs `case`."""
    where = elsewhere(case)
    if where is not None:
        raise ManagedElsewhere(where)
