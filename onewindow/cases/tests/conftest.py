"""Fixtures for cases: a published single matter, the real-estate transfer bundle (住建 + 税务 +
不动产登记) and its parallel route, built directly so these tests do not depend on the catalog demo."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.db.models.functions import Greatest

from onewindow.accounts.models import OrgUnit
from onewindow.cases.models import RouteCounter, RouteStage, RouteStep, RouteVersion
from onewindow.catalog.models import Bundle, BundleItem, MaterialRequirement, Matter, MatterVersion
from onewindow.catalog.tests.factories import make_matter as build_matter

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def pdf_file(name: str = "scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def make_matter(
    code: str,
    name: str,
    dept: OrgUnit,
    *,
    committed: int = 10,
    statutory: int = 20,
    materials: list[tuple[str, str]] | None = None,
) -> MatterVersion:
    """A published licence matter with a one-field form (the cases tests' defaults), from the one
    test builder (catalog.tests.factories.make_matter, through the catalog's services)."""
    matter = build_matter(
        dept,
        name,
        code=code,
        matter_type=MatterVersion.MatterType.LICENCE,
        kind=MatterVersion.Kind.COMMITTED,
        statutory_days=statutory,
        committed_days=committed,
        on_one_window=False,
        online_depth=MatterVersion.OnlineDepth.INFORMATION,
        form_schema=[{"name": "address", "label": "房屋坐落", "type": "text", "required": True}],
        materials=[{"name": n, "shared_key": key} for n, key in materials or [("申请书", ""), ("身份证明", "id-card")]],
    )
    assert matter.current_version is not None
    return matter.current_version


@pytest.fixture
def calendar(db: Any) -> None:
    """Cases tests run in 2025-2026; seeding just those years keeps each test's setup short."""
    from onewindow.core.calendar_seed import seed_from_chinesecalendar
    from onewindow.core.models import WorkCalendarDay

    if not WorkCalendarDay.objects.exists():
        seed_from_chinesecalendar(first_year=2025)


@pytest.fixture
def matter_zjj(org: dict[str, OrgUnit], calendar: Any) -> MatterVersion:
    return make_matter("ZJJ-001", "商品房预售许可", org["ZJJ"])


@pytest.fixture
def estate_bundle(org: dict[str, OrgUnit], calendar: Any) -> Bundle:
    zjj = make_matter(
        "ZJJ-010",
        "存量房交易网签备案",
        org["ZJJ"],
        committed=3,
        materials=[("房屋买卖合同", "contract"), ("身份证明", "id-card")],
    )
    sw = make_matter(
        "SW-010", "二手房交易税费申报", org["SW"], committed=3, materials=[("房屋买卖合同", "contract"), ("完税申报表", "")]
    )
    bdc = make_matter(
        "BDC-010",
        "房屋转移登记",
        org["BDC"],
        committed=5,
        statutory=30,
        materials=[("不动产权证书", ""), ("身份证明", "id-card")],
    )
    bundle = Bundle.objects.create(code="estate-transfer", name="二手房转移登记一件事")
    for i, mv in enumerate([zjj, sw, bdc]):
        BundleItem.objects.create(bundle=bundle, matter=mv.matter, sort_order=i)
    return bundle


def make_route(
    *,
    bundle: Bundle | None = None,
    matter: Matter | None = None,
    stages: list[list[tuple[OrgUnit, str, int, str]]],
    number: int = 1,
    publish: bool = True,
) -> RouteVersion:
    route = RouteVersion.objects.create(
        bundle=bundle,
        matter=matter,
        number=number,
        name=f"route {number}",
        status=RouteVersion.Status.PUBLISHED if publish else RouteVersion.Status.DRAFT,
    )
    # Keep the parent's counter past the number this builder chose, as the service would.
    counter, _ = RouteCounter.objects.get_or_create(matter=matter, bundle=bundle)
    RouteCounter.objects.filter(pk=counter.pk).update(last_number=Greatest(F("last_number"), number))
    for order, steps in enumerate(stages, start=1):
        stage = RouteStage.objects.create(route=route, order=order, name=f"阶段{order}")
        for i, (dept, name, days, kind) in enumerate(steps):
            RouteStep.objects.create(stage=stage, department=dept, name=name, limit_days=days, kind=kind, sort_order=i)
    return route


@pytest.fixture
def parallel_route(estate_bundle: Bundle, org: dict[str, OrgUnit]) -> RouteVersion:
    return make_route(
        bundle=estate_bundle,
        stages=[
            [(org["ZJJ"], "住建审核", 3, "review"), (org["SW"], "税务核税", 3, "review"), (org["BDC"], "登记审核", 5, "review")]
        ],
    )


def all_materials(reqs: list[MaterialRequirement]) -> list[Any]:
    from onewindow.cases.services import MaterialInput

    return [MaterialInput(requirement=r, file=pdf_file()) for r in reqs]


def bytes_io(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)


@pytest.fixture(autouse=True)
def fixed_now(request: Any) -> Any:
    """Tests run on a fixed working day inside the published calendar (2026-04-01), so that a
    45-working-day deadline does not run past the last year chinesecalendar knows. Tests that need
    another moment travel again inside."""
    import datetime
    import zoneinfo

    import time_machine
    from django.utils import translation

    from onewindow.core import workdays

    workdays.invalidate()
    # The source language, whatever another test left active (documents render at call time).
    with (
        translation.override("zh-hans"),
        time_machine.travel(datetime.datetime(2026, 4, 1, 10, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")), tick=True),
    ):
        yield
    workdays.invalidate()
