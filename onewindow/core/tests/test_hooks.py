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
