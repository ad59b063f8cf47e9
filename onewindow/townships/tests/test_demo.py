"""The townships demo step (cases of delegated matters that run in the townships) and the
dashboard figures computed from them."""

from __future__ import annotations

import datetime
from typing import Any

from onewindow.accounts.models import OrgUnit
from onewindow.cases.models import Case
from onewindow.cases.tests.conftest import make_matter
from onewindow.catalog.models import Delegation
from onewindow.core.demo import DemoContext
from onewindow.townships import demo, stats
from onewindow.townships.models import DelegationBatch


def test_demo_runs_cases_in_the_townships_and_the_dashboard_counts_them(
    org: dict[str, OrgUnit], cal: Any, township_officer: Any
) -> None:
    may = datetime.date(2021, 5, 20)
    for i in range(7):
        mv = make_matter(f"NYNC-{i:03d}", f"赋权事项{i}", org["MZJ"], committed=5, statutory=20)
        for t in ("ZXZ", "FTZ"):
            Delegation.objects.create(matter=mv.matter, township=org[t], effective_on=may)
    ctx = DemoContext(quiet=True)
    demo.build(ctx)
    batch = DelegationBatch.objects.get()
    assert batch.status == "published" and batch.delegations.count() == 14
    for code in ("ZXZ", "FTZ"):
        cases = Case.objects.filter(department=org[code])
        assert cases.count() == demo.CASES_PER_TOWNSHIP
        assert cases.filter(status=Case.Status.DELIVERED).count() == 4
        assert cases.filter(warning_level="red").count() == 1  # the overdue one
        assert all(c.applicant.home_township == org[code] for c in cases)
        assert not cases.exclude(steps__department=org[code]).exists()
    rows = {r["code"]: r for r in stats.township_figures()}
    assert rows["ZXZ"]["cases_decided"] == 4 and rows["ZXZ"]["delegated"] == 7
    assert rows["ZXZ"]["matters_decided"] == 4
    section = stats.sections()[0]
    assert section.figures[0].value == 8
    before = Case.objects.count()
    demo.build(ctx)
    assert Case.objects.count() == before and DelegationBatch.objects.count() == 1


def test_demo_township_level_matters_run_in_the_townships(org: dict[str, OrgUnit], cal: Any, township_officer: Any) -> None:
    """The catalog's township-level matters need no delegation: the demo's cases of them are
    decided by the township and their steps done there; the figures count what each township
    handles (township-level + delegated) from the catalog and the delegations."""
    from onewindow.catalog.models import MatterVersion

    for i in range(4):
        mv = make_matter(f"TL-{i:03d}", f"乡镇级事项{i}", org["MZJ"], committed=5, statutory=20)
        MatterVersion.objects.filter(pk=mv.pk).update(handling_level=MatterVersion.Level.TOWNSHIP)
    mv = make_matter("NYNC-900", "赋权事项", org["MZJ"], committed=5, statutory=20)
    Delegation.objects.create(matter=mv.matter, township=org["ZXZ"], effective_on=datetime.date(2021, 5, 20))
    demo.build(DemoContext(quiet=True))
    for code in ("ZXZ", "FTZ"):
        # Case forms are encrypted: the demo keys are read, not queried.
        keys = [c.pk for c in Case.objects.all() if c.form_data.get("demo_key", "").startswith(f"township-own-{code}-")]
        own = Case.objects.filter(pk__in=keys)
        assert own.count() == demo.OWN_CASES_PER_TOWNSHIP
        assert not own.exclude(department=org[code]).exists() and not own.exclude(steps__department=org[code]).exists()
        assert not own.filter(delegations__isnull=False).exists()
    rows = {r["code"]: r for r in stats.township_figures()}
    assert rows["ZXZ"]["handled"] == 5 and rows["FTZ"]["handled"] == 4
