"""Every model answers the tenancy question (docs/tenancy.md): it names the way to its county
(`county_lookup`, used by core.tenancy.for_county) or is listed in core.tenancy.TENANCY as
province-wide or not scoped yet. A new model in neither list fails here; and every lookup really
reaches a county (a lookup that names a missing field fails when the query is built)."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps

from onewindow.core.tenancy import TENANCY, county_lookup, for_county

MODELS = sorted(apps.get_models(), key=lambda m: m._meta.label_lower)


def test_every_model_is_scoped_or_listed() -> None:
    listed = set(TENANCY["province_wide"]) | set(TENANCY["not_yet"])
    unanswered = [m._meta.label_lower for m in MODELS if county_lookup(m) is None and m._meta.label_lower not in listed]
    assert unanswered == []


def test_no_model_is_both_scoped_and_listed() -> None:
    listed = set(TENANCY["province_wide"]) | set(TENANCY["not_yet"])
    both = [m._meta.label_lower for m in MODELS if county_lookup(m) is not None and m._meta.label_lower in listed]
    assert both == []
    assert not set(TENANCY["province_wide"]) & set(TENANCY["not_yet"])


def test_the_lists_name_only_real_models() -> None:
    labels = {m._meta.label_lower for m in MODELS}
    assert set(TENANCY["province_wide"]) - labels == set()
    assert set(TENANCY["not_yet"]) - labels == set()


@pytest.mark.django_db
@pytest.mark.parametrize("model", [m for m in MODELS if county_lookup(m) is not None], ids=lambda m: m._meta.label_lower)
def test_each_lookup_reaches_a_county(model: Any) -> None:
    assert list(for_county(model._default_manager.all(), "360803")) == []


def test_for_county_refuses_no_county() -> None:
    from onewindow.accounts.models import OrgUnit

    with pytest.raises(ValueError):
        for_county(OrgUnit.objects.all(), None)
