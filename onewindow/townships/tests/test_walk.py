"""Browser walk of the township officer (赋权 → 就近办), at 1280 px and 375 px in Chinese and at
375 px in English (core.walk.RUNS): a 值夏镇 resident's
application for a delegated matter is taken in at the township window, accepted, found in the
officer's own work list, approved, decided, concluded and delivered, all at the township."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from conftest import BROWSER_MARKS, PASSWORD, make_user
from onewindow.accounts.demo import resident_id
from onewindow.accounts.models import OrgUnit, Role
from onewindow.cases.models import Case
from onewindow.cases.tests.conftest import make_matter
from onewindow.catalog.models import Delegation
from onewindow.core.walk import RUN_IDS, RUNS, walk

pytestmark = BROWSER_MARKS

ID = resident_id("19620815", 512)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("width", "language"), RUNS, ids=RUN_IDS)
def test_township_officer_decides_a_delegated_matter(
    live_server: Any, org: dict[str, OrgUnit], cal: Any, township_officer: Any, width: int, language: str, browser: Any
) -> None:
    mv = make_matter("NYNC-001", "农机购置补贴", org["MZJ"], committed=5, statutory=20)
    Delegation.objects.create(matter=mv.matter, township=org["ZXZ"], effective_on=datetime.date(2021, 5, 20))
    type(township_officer).objects.filter(pk=township_officer.pk).update(display_name="曾庆华")  # names are data, in Chinese
    make_user("zx_resident", Role.CITIZEN, id_number=ID, display_name="刘桂兰", home_unit=org["ZXSQ"])
    with walk(browser, live_server.url, name="township-officer", width=width, language=language) as w:
        w.login("township", PASSWORD)
        w.click("a.tile[href='/workbench/intake/']")
        w.fill("#q", "农机")
        w.click("form[role=search] button[type=submit]")
        w.click(f"a[href='?matter={mv.matter.uuid}']")
        w.fill("input[name=id_number]", ID)
        w.fill("input[name=form_address]", "值夏社区3组")
        for r in mv.materials.all():
            w.find(f"input[name=paper_{r.pk}]").check()
        w.click("form[enctype='multipart/form-data'] button[type=submit]")
        w.expect("button[name=action][value=accept]")
        case = Case.objects.get()
        assert case.department == org["ZXZ"] and case.intake_unit == org["ZXZ"]
        w.click("button[name=action][value=accept]")
        # the step is in the township's own work list, not 民政局's
        w.click(".wb-nav a[href='/workbench/queue/']")
        w.click(f"a[href='/workbench/cases/{case.uuid}/']")
        w.click("button[name=action][value=approve]")
        w.click("button[name=approved][value='1']")
        w.click("button[name=action][value=conclude]")
        w.click("form:has(input[name=action][value=deliver]) button[type=submit]")
        # delivered at the window: it waits (待领取) until the resident collects it
        w.click("button[name=action][value=hand_over]")
        case.refresh_from_db()
        assert case.status == Case.Status.DELIVERED and case.steps.get().department == org["ZXZ"]
        assert case.events.filter(kind="decided", actor__username="township").exists()
        w.finish("delivered")
