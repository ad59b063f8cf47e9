"""The walk harness catches what it promises to catch: each check is shown failing on a page made to
break it (served at the live server's own address), and passing on a clean one."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import BROWSER_MARKS
from onewindow.core.walk import walk

pytestmark = BROWSER_MARKS

PAGE = '<!doctype html><html lang="{lang}"><head><meta name="viewport" content="width=device-width"><title>t</title></head><body><main>{body}</main></body></html>'


def _serve(w: Any, html: str) -> None:
    w.context.route(f"{w.origin}/selftest/", lambda route: route.fulfill(body=html, content_type="text/html; charset=utf-8"))


def _problems(w: Any, html: str) -> list[str]:
    _serve(w, html)
    w.page.goto(f"{w.origin}/selftest/")
    w.page.wait_for_load_state("networkidle")
    return w.problems()


@pytest.mark.django_db(transaction=True)
def test_walk_flags_foreign_requests_sideways_scroll_and_untranslated_strings(live_server: Any, browser: Any) -> None:
    with walk(browser, live_server.url, name="selftest", width=375) as w:
        assert _problems(w, PAGE.format(lang="zh-CN", body="<p>办事指南</p>")) == []

        found = _problems(w, PAGE.format(lang="zh-CN", body='<img src="https://cdn.example.com/x.png"><p>办事</p>'))
        assert any("another host" in p and "cdn.example.com" in p for p in found), found
        w.foreign.clear()

        found = _problems(w, PAGE.format(lang="zh-CN", body='<div style="width:600px">宽</div>'))
        assert any("sideways scroll" in p for p in found), found

        found = _problems(w, PAGE.format(lang="zh-CN", body="<button>Submit</button><p lang='en'>English</p>"))
        assert found == ["untranslated: 'Submit' in button: 'Submit'"], found

    with walk(browser, live_server.url, name="selftest", width=1280, language="en") as w:
        # A UI string left in Chinese is flagged; a person's name and a data value marked as such are not.
        # ...and so is a name stored in the database that happens to be a UI string.
        from onewindow.accounts.models import OrgUnit
        from onewindow.accounts.services import org_unit_create

        org_unit_create(code="T-DATA", name="办事指南", kind=OrgUnit.Kind.DEPARTMENT)
        body = (
            "<h1>工作台</h1><p>Applicant: 刘秀英</p><span translate='no'>待受理</span><button lang='zh-CN'>中文</button>"
            "<p>办事指南</p>"
        )
        found = _problems(w, PAGE.format(lang="en", body=body))
        assert found == ["untranslated: '工作台' in h1: '工作台'"], found

        _serve(w, PAGE.format(lang="en", body="<p>Workbench</p>"))
        w.page.goto(f"{w.origin}/selftest/")
        with pytest.raises(AssertionError, match="dead end"):
            w.click("a[href='/workbench/queue/']")


@pytest.mark.django_db(transaction=True)
def test_walk_flags_a_content_security_policy_violation(live_server: Any, browser: Any) -> None:
    """A page served under the project's policy with an inline script or an inline handler fails
    the walk; the same page with its script from a static file passes."""
    from django.conf import settings

    policy = "; ".join(f"{k} {' '.join(v)}" for k, v in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"].items())

    def serve(w: Any, body: str) -> list[str]:
        html = PAGE.format(lang="zh-CN", body=body)
        w.context.route(
            f"{w.origin}/selftest/",
            lambda route: route.fulfill(
                body=html, content_type="text/html; charset=utf-8", headers={"Content-Security-Policy": policy}
            ),
        )
        w.page.goto(f"{w.origin}/selftest/")
        w.page.wait_for_load_state("networkidle")
        return w.problems()

    with walk(browser, live_server.url, name="selftest-csp", width=375) as w:
        assert serve(w, "<p>办事指南</p><script src='/static/core/page.js'></script>") == []

        found = serve(w, "<p>办事指南</p><script>document.title = 'x';</script>")
        assert any("Content-Security-Policy violation" in p and "inline script" in p for p in found), found
        w.csp_violations.clear()

        # An inline handler is refused when it would run.
        serve(w, "<p>办事指南</p><button id='b' type='button' onclick='document.title=1'>打印</button>")
        w.page.click("#b")
        w.page.wait_for_timeout(200)
        found = w.problems()
        assert any("Content-Security-Policy violation" in p for p in found), found
        with pytest.raises(AssertionError, match="Content-Security-Policy violation"):
            w.check()
