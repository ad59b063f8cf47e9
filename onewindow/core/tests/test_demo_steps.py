"""The demo's steps are discovered from the apps (as the sweeps are) and keep their build order."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from onewindow.core.demo import demo_steps


def test_every_step_is_a_module_with_build_and_the_order_holds_what_the_steps_need() -> None:
    steps = demo_steps()
    assert len(steps) == len(set(steps))
    for step in steps:
        assert callable(importlib.import_module(step).build), step
    # The calendar and the personas come before everything; the ranking of matters by use after
    # everything that makes 青原区's cases, bookings and filings; the extra counties' cases after
    # that ranking (it is 青原区's); the rollups' recount after every step that writes history; the
    # staff authenticators after everything that makes staff.
    assert steps[:2] == ["onewindow.core.demo.calendar", "onewindow.accounts.demo"]
    assert steps[-2:] == ["onewindow.core.demo.settle", "onewindow.accounts.demo_authenticators"]
    order = [
        steps.index(s) for s in ("onewindow.welfare.demo_history", "onewindow.portal.demo_forms", "onewindow.dashboard.demo")
    ]
    assert order == sorted(order)
    assert steps.index("onewindow.catalog.demo") < steps.index("onewindow.hall.demo") < steps.index("onewindow.cases.demo")
    assert steps.index("onewindow.assistance.demo") < steps.index("onewindow.townships.demo")
    assert steps.index("onewindow.welfare.process.demo") < steps.index("onewindow.welfare.demo_history")


def test_two_steps_with_one_order_key_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    config = apps.get_app_config("filings")
    monkeypatch.setattr(config, "demo_steps", ((300, "onewindow.filings.demo"),), raising=False)
    with pytest.raises(ImproperlyConfigured, match="300"):
        demo_steps()
