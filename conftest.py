"""Fixtures shared across apps: the work calendar, a small organisation, and the personas that
tests are written in terms of (citizen, enterprise, clerk, approver, township officer, agent,
hall manager, leader, admin, outsider)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from onewindow.accounts.demo import enterprise_uscc, resident_id
from onewindow.accounts.models import OrgUnit, Role, RoleAssignment, User
from onewindow.accounts.services import org_unit_create
from onewindow.core.calendar_seed import seed_from_chinesecalendar

PASSWORD = "Test-pass-2021"  # noqa: S105 - test fixture password


def pytest_configure(config: Any) -> None:
    """One fast password hasher for the whole run, set before any fixture hashes a password (module-
    scoped demo builds included): the default PBKDF2 costs a noticeable fraction of a second per
    persona and per sign-in, which no test needs to spend. Tests of the password rules compare
    with Django's own check functions, which work with any hasher."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def private_files_in_tmp(settings: Any, tmp_path: Any) -> Any:
    """Every test stores uploads and generated documents in its own folder, never in var/."""
    location = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(location)}},
    }
    return location


@pytest.fixture(autouse=True)
def staff_idle_timeout_off(settings: Any) -> None:
    """Many tests move the clock by days while a clerk stays signed in; the staff idle timeout
    (accounts/idle.py) would sign them out. Its own tests (accounts/tests/test_idle.py) turn it on."""
    settings.ONEWINDOW_STAFF_IDLE_MINUTES = 0


@pytest.fixture(autouse=True)
def county_rules_forgotten() -> None:
    """The counties' 好差评 clocks, booking policies and names are cached per process (ratings/conf.py,
    appointments/policy.py, accounts/sms.py) and a test's rows are
    rolled back without a signal: each test starts from the table, not the last test's cache."""
    from onewindow.accounts.sms import forget_county_names
    from onewindow.appointments.policy import forget_county_policies
    from onewindow.ratings.conf import forget_county_rules

    forget_county_rules()
    forget_county_policies()
    forget_county_names()


@pytest.fixture(autouse=True)
def staff_second_factor_and_expiry_off(settings: Any) -> None:
    """Staff tests sign in with force_login or the password form and move the clock by months; the
    second factor and password expiry (accounts/mfa.py, accounts/passwords.py) would stop them at
    their pages. Their own tests (accounts/tests/test_second_factor.py, test_password_policy.py)
    turn them on; the walk harness passes the second factor when it is on (core/walk.py)."""
    settings.ONEWINDOW_STAFF_OTP_REQUIRED = False
    settings.ONEWINDOW_STAFF_PASSWORD_MAX_AGE_DAYS = 0


@pytest.fixture
def calendar(db: Any) -> None:
    """The official working-day calendar for 2019-2026 (as chinesecalendar knows it)."""
    from onewindow.core.models import WorkCalendarDay

    if not WorkCalendarDay.objects.exists():
        seed_from_chinesecalendar(first_year=2019)


@pytest.fixture
def org(db: Any) -> dict[str, OrgUnit]:
    gov = org_unit_create(code="QY", name="青原区人民政府", kind=OrgUnit.Kind.GOVERNMENT)
    units = {"gov": gov}
    for code, name in [
        ("XZSP", "行政审批局"),
        ("ZJJ", "住房和城乡建设局"),
        ("SW", "税务局"),
        ("BDC", "不动产登记中心"),
        ("MZJ", "民政局"),
        ("YBJ", "医疗保障局"),
    ]:
        units[code] = org_unit_create(code=code, name=name, kind=OrgUnit.Kind.DEPARTMENT, parent=gov)
    units["ZXZ"] = org_unit_create(code="ZXZ", name="值夏镇", kind=OrgUnit.Kind.TOWNSHIP, parent=gov)
    units["FTZ"] = org_unit_create(code="FTZ", name="富滩镇", kind=OrgUnit.Kind.TOWNSHIP, parent=gov)
    units["ZXSQ"] = org_unit_create(code="ZXZ-V01", name="值夏社区", kind=OrgUnit.Kind.COMMUNITY, parent=units["ZXZ"])
    units["FTC"] = org_unit_create(code="FTZ-V01", name="富滩村", kind=OrgUnit.Kind.VILLAGE, parent=units["FTZ"])
    return units


def make_user(username: str, role: str | None = None, unit: OrgUnit | None = None, **extra: Any) -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, display_name=extra.pop("display_name", username), **extra
    )
    if role:
        RoleAssignment.objects.create(user=user, role=role, org_unit=unit)
    return user


@pytest.fixture
def citizen(db: Any) -> User:
    return make_user("citizen", Role.CITIZEN, id_number=resident_id("19560312", 228), display_name="刘秀英", phone="13900000001")


@pytest.fixture
def outsider(db: Any) -> User:
    """Another citizen, who must never see the first one's things."""
    return make_user("outsider", Role.CITIZEN, id_number=resident_id("19900101", 111), display_name="路人甲", phone="13900000002")


@pytest.fixture
def enterprise_user(db: Any) -> User:
    from onewindow.accounts.models import Enterprise, EnterpriseHandler

    user = make_user("enterprise", Role.ENTERPRISE, id_number=resident_id("19790605", 137), display_name="陈志强")
    ent = Enterprise.objects.create(
        uscc=enterprise_uscc(1), name="吉安市青原区赣江农业发展有限公司", legal_representative="陈志强"
    )
    EnterpriseHandler.objects.create(enterprise=ent, user=user, kind=EnterpriseHandler.Kind.LEGAL_REPRESENTATIVE)
    return user


@pytest.fixture
def clerk(org: dict[str, OrgUnit]) -> User:
    return make_user("clerk", Role.CLERK, org["XZSP"])


@pytest.fixture
def approver(org: dict[str, OrgUnit]) -> User:
    """A back-office approver of 住建局."""
    return make_user("approver_zjj", Role.APPROVER, org["ZJJ"])


@pytest.fixture
def approver_sw(org: dict[str, OrgUnit]) -> User:
    return make_user("approver_sw", Role.APPROVER, org["SW"])


@pytest.fixture
def approver_bdc(org: dict[str, OrgUnit]) -> User:
    return make_user("approver_bdc", Role.APPROVER, org["BDC"])


@pytest.fixture
def township_officer(org: dict[str, OrgUnit]) -> User:
    return make_user("township", Role.TOWNSHIP_OFFICER, org["ZXZ"])


@pytest.fixture
def agent(org: dict[str, OrgUnit]) -> User:
    return make_user("agent", Role.AGENT, org["ZXSQ"])


@pytest.fixture
def hall_manager(org: dict[str, OrgUnit]) -> User:
    return make_user("manager", Role.HALL_MANAGER, org["XZSP"])


@pytest.fixture
def leader(org: dict[str, OrgUnit]) -> User:
    return make_user("leader", Role.LEADER, org["gov"])


@pytest.fixture
def admin_user(db: Any) -> User:
    return make_user("admin", Role.ADMIN, is_staff=True, is_superuser=True)


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


# --- real browser (Playwright driving Debian's chromium; Playwright's own download is unreachable) ---

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    # Without these, chromium keeps trying outside addresses this machine cannot reach.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Skipped on a developer's machine without chromium; in CI (CI=true, set by .ci/run) a missing
# browser fails the browser tests instead of skipping them.
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists() and not os.environ.get("CI"), reason="Debian's chromium is not installed (apt-get install chromium)"
    ),
]


def _no_unowned_work_after(request: Any) -> None:
    """After a walk, nothing the walk left waiting may wait for nobody (issue 9): every open case,
    step, ticket and booking is in a named unit's work list or the applicant's own."""
    if request.node.get_closest_marker("django_db") is None:
        return
    # The role walks (the `walker` fixture, or a test_walk* module); page checks with partial data
    # (a booking area without a window) are not journeys.
    module = getattr(request.node.module, "__name__", "").rsplit(".", 1)[-1]
    if "walker" not in request.fixturenames and not module.startswith("test_walk"):
        return
    from onewindow.core import ownership

    bad = [(w.key, w.subject, w.problem) for w in ownership.problems()]
    assert bad == [], f"work left waiting for nobody after the walk: {bad}"


def _other_variant(item: Any) -> bool:
    """A browser test's run at the desktop width or in English (`core.walk.RUNS`): what it checks
    beyond the phone run in Chinese is the layout and the translations, not the database."""
    params = getattr(getattr(item, "callspec", None), "params", {})
    return any(v == 1280 or v == "en" for v in params.values())


def _one_browser_variant(config: Any, items: list[Any]) -> None:
    """BROWSER_VARIANTS=one (CI's PostgreSQL run, .ci/run): each browser test runs once, at the
    phone width in Chinese, instead of at every width and language. Every journey still walks on
    PostgreSQL (what depends on the database: locks, ordering, text matching); the other widths
    and English depend on the pages only and run in the SQLite run. Half the browser time of the
    second run, on a 2-core CI machine that runs both at once."""

    def key(item: Any) -> tuple[str, str]:
        return (item.nodeid.split("::")[0], getattr(item, "originalname", item.name))

    browser = [item for item in items if item.get_closest_marker("browser") is not None]
    # A test with only desktop or English runs keeps all of them.
    has_phone = {key(item) for item in browser if not _other_variant(item)}
    drop = [item for item in browser if _other_variant(item) and key(item) in has_phone]
    dropped = set(drop)
    keep = [item for item in items if item not in dropped]
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Browser tests run last (after pytest-django's own ordering, hence trylast): they share one
    chromium for the rest of the run (`_chromium`), whose Playwright event loop then stays on this
    thread, so no other test may run after the first browser test."""
    if os.environ.get("BROWSER_VARIANTS") == "one":
        _one_browser_variant(config, items)
    items.sort(key=lambda item: "_chromium" in getattr(item, "fixturenames", ()))


@pytest.fixture(scope="session")
def _chromium(django_db_setup: Any) -> Iterator[Any]:
    """One headless chromium for every browser test of the run (each walk has its own browser
    context: cookies, cache and storage are not shared). Starting Playwright and a browser for each
    test cost about a second a test. Started by the first browser test, after the database set-up:
    Playwright's event loop must start after it."""
    if os.environ.get("CI"):
        import playwright.sync_api as sync_api
    else:
        sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API keeps an event loop on this thread; the tests' own ORM calls are still
    # synchronous, so Django's async-safety guard is lifted from here on (only browser tests follow:
    # see pytest_collection_modifyitems).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    pw = sync_api.sync_playwright().start()
    chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
    try:
        yield chromium
    finally:
        chromium.close()
        pw.stop()


@pytest.fixture
def browser(request: Any, _chromium: Any) -> Iterator[Any]:
    """The run's headless chromium, for one test. Request it after the database fixtures
    (live_server, personas). After the test, the "no open work without an owner" check runs over
    what the walk left (core.ownership)."""
    from django.db import connections

    # The event loop gives Django a new connection context: close the set-up's connection now and
    # the test's before leaving, so no session outlives the test database.
    connections.close_all()
    try:
        yield _chromium
        _no_unowned_work_after(request)
    finally:
        connections.close_all()


@pytest.fixture
def walker(live_server: Any, browser: Any) -> Iterator[Any]:
    """Opens role journeys (`onewindow.core.walk`) on the live server: `w = walker("clerk", 375)`;
    each is closed after the test. Request it last (after the personas and data fixtures)."""
    from onewindow.core.walk import Walk

    opened: list[Walk] = []

    def open_walk(name: str, width: int, language: str = "zh-hans") -> Walk:
        w = Walk(browser, live_server.url, name=name, width=width, language=language)
        opened.append(w)
        return w

    yield open_walk
    for w in opened:
        w.close()
