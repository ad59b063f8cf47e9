"""Hooks (core/hooks.py): a lower app asks, the installed higher app answers through its AppConfig,
an unknown hook is None, and two apps answering one hook is refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from onewindow.core import hooks


def test_the_apps_answer_their_hooks() -> None:
    from onewindow.assistance.selectors import point_of_village
    from onewindow.ratings.recorded import rating_from_follow_up

    assert hooks.provider("catalog.agent_point_of_village") is point_of_village
    assert hooks.provider("assistance.follow_up_rated") is rating_from_follow_up


def test_a_hook_nobody_answers_is_none() -> None:
    assert hooks.provider("nobody.answers.this") is None


def test_two_apps_answering_one_hook_is_refused(monkeypatch: Any) -> None:
    name = "test.answered_twice"
    for label in ("catalog", "hall"):
        config = apps.get_app_config(label)
        monkeypatch.setattr(config, "provides", {name: "onewindow.core.hooks.provider"}, raising=False)
    hooks.provider.cache_clear()
    try:
        with pytest.raises(ImproperlyConfigured, match="more than one app"):
            hooks.provider(name)
    finally:
        hooks.provider.cache_clear()


def test_the_system_check_finds_a_hook_that_names_nothing(monkeypatch: Any) -> None:
    from onewindow.core.checks import hooks_resolve

    assert hooks_resolve() == []
    config = apps.get_app_config("catalog")
    monkeypatch.setattr(config, "provides", {"test.misspelt": "onewindow.core.hooks.no_such_function"}, raising=False)
    assert [e.id for e in hooks_resolve()] == ["onewindow.E026"]
    monkeypatch.setattr(
        apps.get_app_config("hall"), "provides", {"test.misspelt": "onewindow.core.hooks.provider"}, raising=False
    )
    assert [e.id for e in hooks_resolve()] == ["onewindow.E026", "onewindow.E026"]
