"""The periodic sweeps are discovered from each app's AppConfig, not kept by hand in core."""

from __future__ import annotations

from django.apps import apps
from django.utils.module_loading import import_string

from onewindow.core.sweeps import FIRST, LAST, sweeps


def test_every_app_sweep_is_found_once_in_order() -> None:
    found = sweeps()
    assert len(found) == len(set(found))
    assert found[: len(FIRST)] == list(FIRST)
    # The rollups run last, after the hall's close_day has closed the day's tickets.
    assert found[-1] == "onewindow.core.rollups.refresh_all"
    assert found.index("onewindow.hall.services.close_day") < found.index("onewindow.core.rollups.refresh_all")
    declared = [p for c in apps.get_app_configs() for p in getattr(c, "sweeps", ())]
    assert found == [*FIRST, *declared, *LAST]
    # Each app's sweeps live in that app.
    for config in apps.get_app_configs():
        for path in getattr(config, "sweeps", ()):
            assert path.startswith(config.name + "."), path
    assert {
        "onewindow.cases.sweeps.sweep_warnings",
        "onewindow.appointments.services.send_reminders",
        "onewindow.appointments.services.mark_no_shows",
        "onewindow.assistance.services.sweep_forwarding",
        "onewindow.accounts.services.login_failures_purge",
        "onewindow.ratings.sweeps.send_invitations",
        "onewindow.ratings.sweeps.sweep_follow_ups",
    } <= set(found)


def test_every_sweep_is_a_function() -> None:
    for path in sweeps():
        assert callable(import_string(path)), path
