"""Test data for the portal, materials and filings tests: an online-capable matter with a shared
material, a commitment-filing matter, files, and the private storage in a temporary folder.

Import the fixtures into a test package's conftest.py (`from onewindow.portal.testing import *`
is avoided: name them)."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onewindow.accounts.models import OrgUnit
from onewindow.catalog.models import MaterialRequirement, Matter, MatterVersion

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
COMMITMENT = (
    "本企业承诺：已落实疫情防控主体责任，建立员工健康监测台账，配备必要的防护物资；"
    "复工后严格执行体温检测、通风消毒等措施。如有不实，愿承担相应法律责任。"
)
NOW = datetime.datetime(2026, 4, 1, 10, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


def pdf_file(name: str = "scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def png_file(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG_BYTES, content_type="image/png")


def make_online_matter(
    dept: OrgUnit,
    *,
    code: str = "XZSP-ONL-001",
    name: str = "城乡居民基本医疗保险参保登记",
    audience: str = "citizen",
    kind: str = MatterVersion.Kind.COMMITTED,
    online_depth: int = 4,
    form_schema: list[dict[str, Any]] | None = None,
    commitment_text: str = "",
) -> Matter:
    from onewindow.catalog.services import search_keys, search_text

    pinyin, initials = search_keys(name)
    # The search keys and listing flag that catalog.services keeps for a published matter.
    matter = Matter.objects.create(
        code=code,
        department=dept,
        search_name=name,
        search_pinyin=pinyin,
        search_initials=initials,
        search_text=search_text(name, pinyin, initials),
        is_listed=True,
    )
    mv = MatterVersion.objects.create(
        matter=matter,
        number=1,
        status=MatterVersion.Status.PUBLISHED,
        name=name,
        matter_type=MatterVersion.MatterType.PUBLIC_SERVICE,
        kind=kind,
        statutory_days=20,
        committed_days=5,
        max_visits=0,
        online_depth=online_depth,
        audience=audience,
        conditions="本区户籍居民，未参加职工基本医疗保险。",
        commitment_text=commitment_text,
        form_schema=form_schema
        if form_schema is not None
        else [
            {"name": "address", "label": "户籍地址", "type": "text", "required": True},
            {"name": "members", "label": "参保人数", "type": "number", "required": False},
        ],
    )
    if kind != MatterVersion.Kind.FILING:
        MaterialRequirement.objects.create(version=mv, name="居民身份证", shared_key="id_card", accepts="pdf,image", sort_order=0)
        MaterialRequirement.objects.create(version=mv, name="参保登记表", shared_key="", accepts="pdf", sort_order=1)
    matter.current_version = mv
    matter.save(update_fields=["current_version"])
    return matter


@pytest.fixture
def calendar_2026(db: Any) -> None:
    """Only the year the tests stand in (fixed_now): a tenth of the full calendar's rows, which
    matters when every test seeds it again."""
    from onewindow.core.calendar_seed import seed_from_chinesecalendar
    from onewindow.core.models import WorkCalendarDay

    if not WorkCalendarDay.objects.filter(date__year=2026).exists():
        seed_from_chinesecalendar(first_year=2026, last_year=2026)


@pytest.fixture
def online_matter(org: dict[str, OrgUnit], calendar_2026: Any) -> Matter:
    return make_online_matter(org["XZSP"])


@pytest.fixture
def filing_matter(org: dict[str, OrgUnit]) -> Matter:
    return make_online_matter(
        org["XZSP"],
        code="XZSP-BA-001",
        name="企业复工经营备案",
        audience="enterprise",
        kind=MatterVersion.Kind.FILING,
        form_schema=[],
        commitment_text=COMMITMENT,
    )


@pytest.fixture
def private_storage(settings: Any, tmp_path: Any) -> Any:
    location = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(location)}},
    }
    return location


@pytest.fixture
def fixed_now() -> Any:
    """A working day inside the seeded calendar, so committed deadlines never run past it."""
    import time_machine

    from onewindow.core import workdays

    workdays.invalidate()
    with time_machine.travel(NOW, tick=True):
        yield NOW
    workdays.invalidate()


def stored_files(location: Any) -> list[Any]:
    return [p for p in location.rglob("*") if p.is_file()] if location.exists() else []


def conclude(case: Any, *, clerk: Any, approver: Any) -> Any:
    """Drive a submitted case through the engine to an approved conclusion (default route: one
    review step in the matter's department)."""
    from onewindow.cases import services as cs

    cs.case_accept(case=case, actor=clerk)
    for step in case.steps.filter(status="open"):
        cs.step_approve(step=step, actor=approver, comment="同意")
    case.refresh_from_db()
    cs.case_decide(case=case, actor=approver, approved=True, reason="符合条件")
    return cs.case_conclude(case=case, actor=approver)
