"""Role journeys in a real browser (Playwright + Debian's chromium): the harness every "walk" test
uses. A walk is one person going from the start of their main journey to its end, at one width
(375 px phone, 1280 px desktop), in one language.

A walk fails on:
- a request to another host (the platform must work on an offline intranet): every request whose
  origin is not the live server's is recorded and aborted;
- a sideways scroll: the document is wider than the window, on any page the walk visits;
- an untranslated string (see `UNTRANSLATED` below for the exact rule);
- a dead end: the walk moves only by clicking what the current page shows (`click`, `submit`);
  when the next action is not on the page, the walk fails there with the page's text. `goto` is
  for the first page of a journey (or a link the person was given on paper: a notice, an SMS).

At the end (`finish`) the end state is checked once more and saved as a full-page screenshot under
`test-results/walks/` (git-ignored; CI keeps it as an artefact for review).

Untranslated strings, defined so that data can never trip them:
- in zh-hans (the default): a Latin word of three or more letters with a lowercase letter in it
  (e.g. "Submit", "pending") in visible text, placeholders, titles or button labels. Web addresses,
  e-mail addresses and file names are taken out first; upper-case abbreviations (PDF, QR, ID) pass.
  Pinyin initials ("bdc") have no vowel and pass. Chinese data holds no such words; a page showing English data on purpose marks the element
  `translate="no"` or `lang="en"` (the language switch's own "English" button does).
- in English: a run of Chinese characters that is one of the platform's own UI strings: a msgid of
  the message catalogs (a string marked for translation that was rendered untranslated, e.g.
  `gettext` at import time) or Chinese text written straight into a template or into Python code
  outside a translation call. Names, addresses, matter titles and department names come from the
  database and are none of these; a run that is word for word a name or title stored in the
  database (an area named like its theme, "不动产服务区") is data and passes too.
Elements with `translate="no"`, a `lang` of the other language, and `code`/`kbd`/`samp`/`pre` are
skipped in both languages.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from django.db.models import Field

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-results" / "walks"
PHONE, DESKTOP = 375, 1280
WIDTHS = (DESKTOP, PHONE)
# Every role's main walk: in Chinese at both widths, and in English on the phone (the narrowest
# page, where longer English labels overflow first). English at 1280 px too would double the
# browser time on a 2-core CI machine for little more: the desktop layout has room to spare.
RUNS = ((DESKTOP, "zh-hans"), (PHONE, "zh-hans"), (PHONE, "en"))
RUN_IDS = ("desktop", "phone", "phone-en")

CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,}")
UNTRANSLATED = "untranslated"
# Static files by path (with query), shared by every walk of the run: see Walk._static.
_STATIC_CACHE: dict[str, tuple[int, dict[str, str], bytes]] = {}
CSP_VIOLATION = "Content-Security-Policy violation"

# Visible text, placeholders, titles and labels of the page, without elements that are meant to be
# in another language or are not prose. Returns [[text, tag path], ...].
_TEXTS_JS = """
(lang) => {
  const skipTags = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'CODE', 'KBD', 'SAMP', 'PRE']);
  const other = (el) => {
    const l = (el.getAttribute('lang') || '').toLowerCase();
    return l && !(lang === 'en' ? l.startsWith('en') : l.startsWith('zh'));
  };
  const skipped = (el) => {
    for (let e = el; e && e !== document.documentElement; e = e.parentElement) {
      if (skipTags.has(e.tagName) || e.getAttribute('translate') === 'no' || other(e)) return true;
    }
    return false;
  };
  const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  const where = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const t = n.nodeValue.trim();
    const el = n.parentElement;
    if (t && el && visible(el) && !skipped(el)) out.push([t, where(el)]);
  }
  for (const el of document.querySelectorAll('[placeholder], [title], [aria-label], input[type=submit], input[type=button]')) {
    if (skipped(el)) continue;
    for (const a of ['placeholder', 'title', 'aria-label', 'value']) {
      if (a === 'value' && el.tagName !== 'INPUT') continue;
      const v = (el.getAttribute(a) || '').trim();
      if (v) out.push([v, where(el) + '[' + a + ']']);
    }
  }
  out.push([document.title, 'title']);
  return out;
}
"""

_WIDE_JS = """
() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > innerWidth + 1)
  .slice(-5).map(e => e.tagName.toLowerCase() + '.' + (typeof e.className === 'string' ? e.className : '') )
"""

_NOT_WORDS = [
    re.compile(r"\b[a-z][a-z0-9+.-]*://\S+", re.I),  # web addresses
    re.compile(r"\S+@\S+\.\S+"),  # e-mail addresses
    re.compile(r"\b\S+\.(?:pdf|png|jpe?g|gif|xlsx?|docx?|ofd|zip|csv|txt|bpmn|xml|json)\b", re.I),  # file names
    re.compile(r"\b(?:[a-z0-9-]+\.)+(?:cn|com|org|net|gov)\b", re.I),  # host names
]
_LATIN_WORD = re.compile(r"(?<![A-Za-z])[A-Za-z]*[a-z][A-Za-z]*(?![A-Za-z])")


def settled(page: Any) -> None:
    """Wait until the page a click may still be navigating to exists and has parsed.

    Reading the document right after a click raced the navigation on a busy CI machine (a null
    documentElement); tests wait for this condition instead of a clock.
    """
    page.wait_for_load_state()
    page.wait_for_function("document.documentElement !== null && document.readyState !== 'loading'")


def overflow_px(page: Any) -> int:
    """How many pixels the settled page is wider than its viewport (sideways scroll)."""
    settled(page)
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def english_words(text: str) -> list[str]:
    """Latin words of 3+ letters with a lowercase letter and a vowel, after taking out addresses and
    file names."""
    for pattern in _NOT_WORDS:
        text = pattern.sub(" ", text)
    # A word without a vowel is pinyin initials ("bdc" for 不动产 in a search hint), not English.
    return [w for w in _LATIN_WORD.findall(text) if len(w) >= 3 and re.search(r"[aeiouyAEIOUY]", w)]


@functools.cache
def ui_chinese() -> frozenset[str]:
    """Every run of 2+ Chinese characters of the platform's own UI strings: the msgids of the English
    catalogs, the literal text of the templates, and Chinese string literals of the Python code
    (demo data, tests and migrations excepted: those are data)."""
    runs: set[str] = set()
    on_purpose: set[str] = set()  # Chinese a translator kept in English text ("e.g. 不动产 or bdc")
    for path in (ROOT / "onewindow").glob("*/locale/en/LC_MESSAGES/django.po"):
        for msgid, msgstr in po_entries(path.read_text(encoding="utf-8")):
            runs.update(CJK_RUN.findall(msgid))
            on_purpose.update(CJK_RUN.findall(msgstr))
    for path in (ROOT / "onewindow").rglob("templates/**/*.html"):
        runs.update(CJK_RUN.findall(template_literal_text(path.read_text(encoding="utf-8"))))
    for path in (ROOT / "onewindow").rglob("*.py"):
        parts = set(path.relative_to(ROOT).parts)
        if parts & {"tests", "migrations", "demo", "management"} or path.name in ("demo.py", "testing.py", "walk.py"):
            continue
        runs.update(python_literal_runs(path.read_text(encoding="utf-8")))
    return frozenset(runs - on_purpose)


_PO_LINE = re.compile(r'^(msgid|msgid_plural|msgstr(?:\[\d+\])?|)\s*"(.*)"\s*$')


def _po_unescape(text: str) -> str:
    return text.replace('\\"', '"').replace("\\n", "\n").replace("\\t", "\t").replace("\\\\", "\\")


def po_entries(source: str) -> list[tuple[str, str]]:
    """(msgid, msgstr) of every entry of a .po file, read from the source so the check does not
    depend on compiled catalogs (plural forms: msgid and the first msgstr)."""
    out: list[tuple[str, str]] = []
    entry: dict[str, str] = {}
    field = ""
    for line in [*source.splitlines(), 'msgid ""']:
        m = _PO_LINE.match(line.strip())
        if not m:
            continue
        keyword, text = m.group(1), _po_unescape(m.group(2))
        if keyword == "msgid":
            if entry.get("msgid"):
                out.append((entry["msgid"], entry.get("msgstr", "") or entry.get("msgstr[0]", "")))
            entry = {}
        if keyword:
            field = keyword
            entry[field] = ""
        if field:
            entry[field] = entry.get(field, "") + text
    return out


_TEMPLATE_SKIP = [
    re.compile(r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", re.S),
    re.compile(r"\{%\s*blocktrans(?:late)?\b.*?\{%\s*endblocktrans(?:late)?\s*%\}", re.S),
    re.compile(r"\{#.*?#\}", re.S),
    re.compile(r"\{%.*?%\}", re.S),
    re.compile(r"\{\{.*?\}\}", re.S),
    re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I),
    re.compile(r"<[^>]*\blang=\"zh[^\"]*\"[^>]*>[^<]*", re.I),  # Chinese on purpose ("中文" switch)
]


def template_literal_text(source: str) -> str:
    """A template's text outside template tags, translation blocks and comments (HTML kept:
    attribute values such as placeholders count as text shown to people)."""
    for pattern in _TEMPLATE_SKIP:
        source = pattern.sub(" ", source)
    return source


def python_literal_runs(source: str) -> set[str]:
    """Chinese runs of the string literals of a module that are not a translation call's argument
    (those are msgids, covered by the catalog) and not a docstring."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name in ("_", "gettext", "gettext_lazy", "ngettext", "pgettext", "pgettext_lazy", "ngettext_lazy", "_lazy"):
                skip.update(id(a) for a in node.args)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                skip.add(id(first.value))
    runs: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            runs.update(CJK_RUN.findall(node.value))
    return runs


def _is_data_field(field: Field[Any, Any]) -> bool:
    name = field.name
    return field.get_internal_type() == "CharField" and (name.endswith("name") or name.endswith("title"))


def data_values(runs: set[str]) -> set[str]:
    """The runs that are a run of a name or title stored in the database (an area named like its
    theme, "不动产服务区"; a route stage named "阶段1"): data, not an untranslated UI string."""
    from django.apps import apps

    found: set[str] = set()
    for model in apps.get_models():
        if not model.__module__.startswith("onewindow."):
            continue
        for field in model._meta.concrete_fields:
            if not _is_data_field(field):
                continue
            for run in runs - found:
                values = model._default_manager.filter(**{f"{field.name}__contains": run}).values_list(field.name, flat=True)[:20]
                if any(run in CJK_RUN.findall(v or "") for v in values):
                    found.add(run)
    return found


class Walk:
    """One person's journey in one browser context. Use through `walk()` (a context manager)."""

    def __init__(self, browser: Any, base_url: str, *, name: str, width: int, language: str = "zh-hans") -> None:
        self.base_url = base_url.rstrip("/")
        self.origin = "{0.scheme}://{0.netloc}".format(urlsplit(self.base_url))
        self.name = name
        self.width = width
        self.language = language
        self.foreign: list[str] = []
        # Content-Security-Policy violations the browser reports in the console ("Refused to
        # execute inline script because it violates the following Content Security Policy
        # directive …"): a page that would lose a behaviour or a style under the policy.
        self.csp_violations: list[str] = []
        self.context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
        # Generous: a loaded CI machine renders the first page of a fresh process slowly.
        self.context.set_default_timeout(30000)
        if language != "zh-hans":
            self.context.add_cookies([{"name": "django_language", "value": language, "url": self.base_url}])
        self.context.route("**/*", self._guard)
        self.context.on("console", self._console)
        self.page = self.context.new_page()

    def _guard(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(self.origin + "/static/") and route.request.method == "GET":
            self._static(route, url)
            return
        if url.startswith(("data:", "blob:", "about:")) or url.startswith(self.origin + "/") or url == self.origin:
            route.continue_()
            return
        self.foreign.append(url)
        route.abort()

    def _static(self, route: Any, url: str) -> None:
        """A static file, fetched from the live server once per test run and then answered from
        memory. The test server (Django's static handler) sends no caching headers, so the browser
        asked again for every stylesheet and script on every page: four requests a page, each
        contending for the test process's one interpreter with the walk itself, about half of a
        walk's time. Hashed names in production make the same files cacheable for a year
        (core/staticstorage.py, whitenoise), so this only spares the test server what a browser would not ask."""
        path = url[len(self.origin) :].split("#")[0]
        hit = _STATIC_CACHE.get(path)
        if hit is None:
            response = route.fetch()
            if response.status != 200:
                route.fulfill(response=response)
                return
            hit = (response.status, dict(response.headers), response.body())
            _STATIC_CACHE[path] = hit
        status, headers, body = hit
        route.fulfill(status=status, headers=headers, body=body)

    def _console(self, message: Any) -> None:
        text = str(message.text)
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            self.csp_violations.append(f"{message.page.url if message.page else ''}: {text[:300]}")

    def tr(self, msgid: str) -> str:
        """A UI string as the person reads it in the walk's language, so a walk clicks the label of
        the page it is on ("text=" + w.tr("开始申请")) and the English run finds "Start" there."""
        from django.utils import translation

        with translation.override(self.language):
            return str(translation.gettext(msgid))

    # --- moving ---------------------------------------------------------------------------------

    def goto(self, path: str) -> Walk:
        """Open a page directly: the start of a journey, or an address the person was given."""
        self.page.goto(self.base_url + path if path.startswith("/") else path)
        self.check()
        return self

    def login(self, username: str, password: str, *, next_path: str = "/workbench/") -> Walk:
        """Sign in with the login form, starting from the home page's sign-in link (how a person
        finds it the first time)."""
        self.goto("/")
        self.click("header a[href*='/accounts/login/']")
        if not self.page.locator("input[name=username]").count():
            # The public sign-in page opens on the SMS-code tab; the password is the other tab.
            self.click("a[href*='way=password']")
        return self._password_form(username, password, next_path)

    def sign_in(self, username: str, password: str, *, next_path: str = "/workbench/") -> Walk:
        """Sign in from the sign-in page itself, as staff do from their bookmark. For the second
        and later people of a multi-person walk: the way there from the home page is `login`'s,
        walked once by the first person; repeating it costs two page loads a person."""
        self.goto(f"/accounts/login/?way=password&next={next_path}")
        return self._password_form(username, password, next_path)

    def _password_form(self, username: str, password: str, next_path: str) -> Walk:
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", password)
        self.page.click("form button[type=submit].btn-block")
        self.page.wait_for_load_state()
        self._second_factor(username)
        if next_path and urlsplit(self.page.url).path != next_path:
            self.click(f"a[href='{next_path}']")
        self.check()
        return self

    def _second_factor(self, username: str) -> None:
        """Staff sign-in asks for the authenticator's code (accounts/mfa.py): the walk computes it
        from the person's device, as the authenticator on their phone would."""
        if urlsplit(self.page.url).path != "/accounts/second-factor/" or not self.page.locator("#otp-totp").count():
            return
        from django_otp.oath import TOTP
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        self.check()
        # A code is good once (django-otp refuses a time step already used): a second sign-in
        # within the same 30 s uses the next step's code, which the device's tolerance accepts.
        # The code is computed from the device as the authenticator app on the person's phone
        # would (django-otp's own TOTP, the device's key, step, origin and digits).
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        totp.time = max(time.time(), (device.last_t + 1) * device.step)
        self.page.fill("#otp-totp", f"{totp.token():0{device.digits}d}")
        self.page.click("#totp-form button[type=submit]")
        self.page.wait_for_load_state()

    def find(self, selector: str) -> Any:
        """The first visible element matching `selector` on the current page; fails as a dead end
        (with the page's address and text) when the page does not offer it."""
        loc = self.page.locator(selector)
        try:
            loc.first.wait_for(state="visible", timeout=5000)
        except Exception:
            self.fail(f"dead end: {self.page.url} offers no {selector!r}")
        return loc.first

    def click(self, selector: str) -> Walk:
        """Click what the page offers and wait for the next page (or the htmx swap) to settle."""
        self.find(selector).click()
        self.page.wait_for_load_state()
        self.check()
        return self

    def fill(self, selector: str, value: str) -> Walk:
        self.find(selector).fill(value)
        return self

    def expect(self, selector: str) -> Any:
        """The page must show `selector` now (e.g. a success message): otherwise fail with its text."""
        return self.find(selector)

    def text(self) -> str:
        return str(self.page.inner_text("body"))

    def fail(self, message: str) -> None:
        body = ""
        with contextlib.suppress(Exception):  # the page may be gone; the message is what matters
            body = self.page.inner_text("main")[:1500]
        self.screenshot("FAILED")
        raise AssertionError(f"[{self.name} @ {self.width}px {self.language}] {message}\n--- page text ---\n{body}")

    # --- checking -------------------------------------------------------------------------------

    def problems(self) -> list[str]:
        """Everything wrong with the current page (empty when it is fine)."""
        out = []
        if self.foreign:
            out.append(f"requests to another host: {sorted(set(self.foreign))[:5]}")
        if self.csp_violations:
            out.append(f"{CSP_VIOLATION}: {self.csp_violations[:3]}")
        overflow = overflow_px(self.page)
        if overflow > 1:
            out.append(f"sideways scroll of {overflow}px; too wide: {self.page.evaluate(_WIDE_JS)}")
        out.extend(f"{UNTRANSLATED}: {t}" for t in self.untranslated())
        return out

    def untranslated(self) -> list[str]:
        found = []
        texts = self.page.evaluate(_TEXTS_JS, self.language)
        if self.language == "en":
            ui = ui_chinese()
            candidates = [(text, where, [r for r in CJK_RUN.findall(text) if r in ui]) for text, where in texts]
            candidates = [c for c in candidates if c[2]]
            data = data_values({r for _t, _w, runs in candidates for r in runs}) if candidates else set()
            for text, where, runs in candidates:
                runs = [r for r in runs if r not in data]
                if runs:
                    found.append(f"{'、'.join(runs)!r} in {where}: {text[:80]!r}")
        else:
            for text, where in texts:
                words = english_words(text)
                if words:
                    found.append(f"{', '.join(words)!r} in {where}: {text[:80]!r}")
        return found

    def check(self) -> Walk:
        problems = self.problems()
        if problems:
            self.fail("; ".join(problems))
        return self

    def screenshot(self, label: str) -> Path:
        """A full-page screenshot under test-results/walks/, for a person to look at (nothing
        asserts on one). WALK_SHOTS=0 (CI, where nobody opens them) skips all but a failure's: a
        full-page PNG is one of a walk's costliest browser steps (about 6 % of a walk's time)."""
        SHOTS.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{self.name}-{label}-{self.width}-{self.language}")
        path = SHOTS / f"{safe}.png"
        if os.environ.get("WALK_SHOTS") == "0" and label != "FAILED":
            return path
        with contextlib.suppress(Exception):  # a failed screenshot must not hide the failure being reported
            self.page.screenshot(path=str(path), full_page=True)
        return path

    def finish(self, label: str = "end") -> Path:
        """The journey's end: check the page once more and keep its screenshot."""
        self.check()
        return self.screenshot(label)

    def close(self) -> None:
        self.context.close()


@contextlib.contextmanager
def walk(browser: Any, base_url: str, *, name: str, width: int, language: str = "zh-hans") -> Iterator[Walk]:
    """`with walk(browser, live_server.url, name="clerk", width=375) as w: ...`"""
    w = Walk(browser, base_url, name=name, width=width, language=language)
    try:
        yield w
    finally:
        w.close()
