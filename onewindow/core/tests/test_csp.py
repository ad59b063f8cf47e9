"""Content-Security-Policy: the header on every response, and no template that the policy would
break (inline script, inline event handler, javascript: address, inline style). The browser walks
(core/walk.py) catch what a template scan cannot: a violation the browser reports at run time."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]  # onewindow/

# An opening <script …> tag, and whether it has a src; json_script's output is not in templates.
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
# on…= inside a tag: onclick, onload, onsubmit, … (not data-on…, not hx-on which is below).
HANDLER = re.compile(r"<[a-zA-Z][^>]*?[\s\"'](on[a-z]+)\s*=", re.DOTALL)
HX_ON = re.compile(r"\shx-on[:\-\w]*\s*=", re.IGNORECASE)
JS_URL = re.compile(r"""(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)
STYLE_ATTR = re.compile(r"<[a-zA-Z][^>]*?\sstyle\s*=", re.DOTALL)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)
# Template comments never reach the page.
COMMENTS = re.compile(r"\{#.*?#\}|\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", re.DOTALL)


def templates() -> list[Path]:
    return sorted(p for p in ROOT.glob("*/templates/**/*.html"))


def problems_of(source: str) -> list[str]:
    """What in one template's source the policy (script-src 'self', style-src 'self') refuses."""
    source = COMMENTS.sub("", source)
    out = []
    for attrs, body in SCRIPT_TAG.findall(source):
        if "src=" not in attrs or body.strip():
            out.append(f"inline script: <script{attrs}>{body.strip()[:60]}")
    out.extend(f"inline event handler {m}=" for m in HANDLER.findall(source))
    if HX_ON.search(source):
        out.append("hx-on attribute (htmx evaluates it as code)")
    if JS_URL.search(source):
        out.append("javascript: address")
    if STYLE_ATTR.search(source):
        out.append("inline style attribute")
    if STYLE_ELEMENT.search(source):
        out.append("inline <style> element")
    return out


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<script>alert(1)</script>", "inline script"),
        ('<script src="/static/a.js">alert(1)</script>', "inline script"),
        ('<button type="button" onclick="window.print()">x</button>', "onclick"),
        ('<body onload="go()">', "onload"),
        ('<a href="javascript:history.back()">x</a>', "javascript:"),
        ('<div hx-on:click="x()">', "hx-on"),
        ('<p style="color:red">', "style attribute"),
        ("<style>p{}</style>", "<style>"),
    ],
)
def test_the_scan_finds_what_the_policy_refuses(source: str, expected: str) -> None:
    assert any(expected in p for p in problems_of(source)), problems_of(source)


def test_the_scan_passes_what_the_policy_allows() -> None:
    ok = (
        "<script src=\"{% static 'core/page.js' %}\" defer></script>"
        '<button type="button" data-print class="btn">x</button>'
        '<input data-one="1" name="month" class="input-month">'
        '<a href="/" data-back>x</a>'
    )
    assert problems_of(ok) == []


def test_no_template_has_an_inline_script_handler_or_style() -> None:
    found = {}
    for path in templates():
        problems = problems_of(path.read_text(encoding="utf-8"))
        if problems:
            found[str(path.relative_to(ROOT))] = problems
    assert found == {}
    assert len(templates()) > 100  # the glob really found the project's templates


def _directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/catalog/", "/cases/progress/", "/accounts/login/", "/api/v1/docs", "/no-such-page/"])
def test_every_response_carries_the_policy(client, path: str) -> None:
    response = client.get(path)
    header = response.headers.get("Content-Security-Policy", "")
    policy = _directives(header)
    assert policy.get("script-src") == ["'self'"], header
    assert policy.get("style-src") == ["'self'"], header
    assert policy.get("object-src") == ["'none'"]
    assert policy.get("frame-ancestors") == ["'none'"]
    assert "'unsafe-inline'" not in header and "'unsafe-eval'" not in header


@pytest.mark.django_db
def test_the_api_answers_carry_the_policy_too(client) -> None:
    response = client.get("/api/v1/hall/points/00000000-0000-0000-0000-000000000000/calls")
    assert "script-src 'self'" in response.headers.get("Content-Security-Policy", "")
