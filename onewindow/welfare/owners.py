"""The welfare app's waiting work for the nobody's-work check (core.ownership): the 审核确认
process's applications (process/owners.py). The register and the money add theirs here."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from onewindow.core.ownership import Waiting

from .process import owners as process_owners


def waiting_for(obj: Any) -> list[Waiting] | None:
    return process_owners.waiting_for(obj)


def all_waiting() -> Iterator[Waiting]:
    yield from process_owners.all_waiting()
