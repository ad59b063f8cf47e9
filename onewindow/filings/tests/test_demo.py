"""The F10 demo: 1,200+ filings in the window, computed figures, idempotent."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import make_user
from onewindow.accounts.models import Enterprise, Role
from onewindow.core.demo import DemoContext
from onewindow.core.identity import validate_uscc
from onewindow.filings import demo
from onewindow.filings.models import CommitmentBreach, Filing
from onewindow.filings.stats import resumption_figures, sections

pytestmark = pytest.mark.django_db


def test_demo_builds_the_f10_filings_once(filing_matter: Any, org: Any) -> None:
    make_user("admin", Role.ADMIN, is_staff=True, is_superuser=True)
    ctx = DemoContext(quiet=True)
    demo.build(ctx)
    figures = resumption_figures()
    assert figures["total"] == demo.target_count(ctx) >= 1200
    assert figures["enterprises"] > 0 and figures["sole_traders"] > 0
    assert figures["enterprises"] + figures["sole_traders"] == figures["total"]
    assert figures["revoked"] == 1 and CommitmentBreach.objects.count() == 1
    first, last = Filing.objects.order_by("signed_at").first(), Filing.objects.order_by("signed_at").last()
    assert first is not None and last is not None
    assert first.signed_at.date() >= demo.OPENED and last.signed_at.date() <= demo.CLOSED
    assert Filing.objects.filter(number__isnull=True).count() == 0
    assert len(set(Filing.objects.values_list("number", flat=True))) == figures["total"]
    for e in Enterprise.objects.all()[:50]:
        assert validate_uscc(e.uscc) == e.uscc
    demo.build(ctx)
    assert Filing.objects.count() == figures["total"] and CommitmentBreach.objects.count() == 1
    assert sections(user=None, params={})[0].figures[0].value == figures["total"]
