"""The documented production environment (deploy/production.env.example) is what `check --deploy`
passes under, and it really turns on HTTPS redirects, HSTS, secure cookies and the proxy header.
Run in a child process: the settings module reads the environment once, at import."""

from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from onewindow.accounts.realname import LocalBackend

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "deploy" / "production.env.example"
HOST = "zwfw.qingyuan.gov.example"


def production_env(tmp_path: Path, **changes: str) -> dict[str, str]:
    env = {}
    for line in EXAMPLE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            env[name] = value
    # The secrets the example leaves out, and folders of this test instead of /var/lib.
    env["SECRET_KEY"] = secrets.token_urlsafe(50)
    env["ONEWINDOW_FIELD_KEYS"] = "k1:" + base64.b64encode(secrets.token_bytes(32)).decode()
    env["ONEWINDOW_INDEX_KEY"] = base64.b64encode(secrets.token_bytes(32)).decode()
    # The district's adapter to the province identity service is not in this repository; the
    # example names where it goes, the test puts a stand-in class there.
    env["REALNAME_BACKEND"] = "onewindow.core.tests.test_deploy_settings.ProvinceIdentityStandIn"
    env["ONEWINDOW_VAR_DIR"] = str(tmp_path / "var")
    env["PRIVATE_STORAGE_ROOT"] = str(tmp_path / "private")
    env.update(changes)
    return {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), **env}


class ProvinceIdentityStandIn(LocalBackend):
    """Where the district's adapter to the province identity service goes (accounts/realname.py);
    only its dotted path is read by `check --deploy`."""


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_example_holds_no_secret() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    for line in ("SECRET_KEY=CHANGE-ME", "ONEWINDOW_FIELD_KEYS=k1:CHANGE-ME", "ONEWINDOW_INDEX_KEY=CHANGE-ME"):
        assert line in text
    assert ":CHANGE-ME@" in text  # the database password


def test_check_deploy_is_clean_under_the_documented_production_settings(tmp_path: Path) -> None:
    result = run(production_env(tmp_path), "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout, result.stdout + result.stderr


def test_check_deploy_refuses_production_without_the_transport_settings(tmp_path: Path) -> None:
    """Turning a switch off is seen: the check is not clean by accident."""
    env = production_env(tmp_path, SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="0")
    result = run(env, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout and "security.W008" in result.stderr + result.stdout


PROBE = """
import json, django
HOST = "zwfw.qingyuan.gov.example"
django.setup()
from django.test import Client
# Every page's header names the visitor's county, a read of the county table; this probe of the
# transport settings has no database, so the header is given the deployment's county unsaved.
from onewindow.accounts import visitor
from onewindow.accounts.models import County
visitor.visitor_county = lambda request: County(code="360803", name="青原区", city_code="360800", case_prefix="QY")
c = Client(SERVER_NAME=HOST)
plain = c.get("/no-such-page/")
tls = c.get("/no-such-page/", headers={"X-Forwarded-Proto": "https"})
c.cookies.clear()
form = c.get("/accounts/login/", headers={"X-Forwarded-Proto": "https"})
print(json.dumps({
    "plain_status": plain.status_code, "plain_location": plain.headers.get("Location", ""),
    "tls_status": tls.status_code, "hsts": tls.headers.get("Strict-Transport-Security", ""),
    "csp": tls.headers.get("Content-Security-Policy", ""),
    "csrf_secure": bool(form.cookies["csrftoken"]["secure"]) if "csrftoken" in form.cookies else None,
}))
"""


@pytest.mark.django_db
def test_production_settings_redirect_to_https_and_send_hsts(tmp_path: Path) -> None:
    env = production_env(tmp_path, DJANGO_SETTINGS_MODULE="onewindow.config.settings")
    # The login page reads no table for a visitor without a session (the header's county is given
    # in PROBE), so no database is needed.
    result = run(env, "-c", PROBE)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["plain_status"] == 301 and seen["plain_location"] == f"https://{HOST}/no-such-page/"
    assert seen["tls_status"] == 404  # behind the proxy's X-Forwarded-Proto: https, served
    assert seen["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert "script-src 'self'" in seen["csp"]
    assert seen["csrf_secure"] is True
