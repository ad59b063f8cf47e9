"""What a lower app asks of a higher one, without importing it.

The dependencies between apps point one way (docs/ARCHITECTURE.md, "Layers"; checked by
lint-imports). Sometimes the lower app needs an answer only a higher one has: the catalog's "where
to go" names the village's agent point (assistance builds on the catalog), an agent's 回访 feeds
好差评 (ratings rates assistance's services). The lower app names a hook and says in its own code
what it expects; the higher app names its function in its AppConfig:

    provides = {"catalog.agent_point_of_village": "onewindow.assistance.selectors.point_of_village"}

They are discovered from the installed apps, as the sweeps (`core/sweeps.py`) and the API's
routers are, so no shared list names the apps. A hook nobody provides is None: the asking app
does without (an app that is not installed adds nothing).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string


@functools.cache
def provider(name: str) -> Callable[..., Any] | None:
    """The function an installed app provides under `name`, or None. Two providers of one hook is a
    configuration error (the answer would depend on the order of INSTALLED_APPS)."""
    found: list[tuple[str, str]] = []
    for config in apps.get_app_configs():
        provided: dict[str, str] = getattr(config, "provides", {})
        if name in provided:
            found.append((config.label, provided[name]))
    if len(found) > 1:
        raise ImproperlyConfigured(f"hook {name!r} is provided by more than one app: {found}")
    return import_string(found[0][1]) if found else None
