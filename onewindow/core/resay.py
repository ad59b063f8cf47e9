"""A stored text said again in the reader's language.

Messages are written once, when they are sent (an SMS goes out in Chinese, and the outbox keeps
that text), but a person reading /me/ in English must read them in English. Every message text is
a translated template (`gettext("您的办件 %(number)s（%(title)s）状态更新：%(label)s。…") % {...}`),
so the stored text can be matched back to its template: the template's literal parts must match
exactly, its placeholders take what is between them. The text is then formatted again with the
template in the active language, each value that is itself a UI string (a status label) translated
too, and data (numbers, names, titles, codes) kept as it was. A text that matches no template is
shown as stored.
"""

from __future__ import annotations

import functools
import re

from django.conf import settings
from django.utils import translation
from django.utils.translation import trans_real

_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
_CJK = re.compile(r"[\u3400-\u9fff]")
# A template needs this much literal Chinese to be recognised; "%(a)s：%(b)s" would match anything.
MIN_LITERAL = 4


def _msgids() -> list[str]:
    """The source-language msgids of the merged message catalogs. They are the keys of any other
    language's catalog (gettext keeps them in `_catalog`; Django merges every app's there)."""
    others = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
    if not others:
        return []
    # gettext's own catalog: the only list of msgids at run time (Django's TranslationCatalog has
    # keys() but no iteration of its own).
    catalog = getattr(trans_real.translation(others[0]), "_catalog", {})
    return [key for key in catalog.keys() if isinstance(key, str) and key]  # noqa: SIM118


def _pattern(msgid: str) -> re.Pattern[str] | None:
    parts = _PLACEHOLDER.split(msgid.replace("%%", "%"))
    literal = "".join(parts[0::2])
    if len(_CJK.findall(literal)) < MIN_LITERAL:
        return None
    out, seen = [], set()
    for i, part in enumerate(parts):
        if i % 2 == 0:
            out.append(re.escape(part))
        elif part in seen:
            out.append(f"(?P={part})")
        else:
            seen.add(part)
            out.append(f"(?P<{part}>.+?)")
    return re.compile("".join(out), re.S)


@functools.cache
def _templates() -> tuple[tuple[re.Pattern[str], str], ...]:
    found = []
    for msgid in _msgids():
        if not _PLACEHOLDER.search(msgid):
            continue
        pattern = _pattern(msgid)
        if pattern is not None:
            found.append((pattern, msgid))
    # The most specific template first: the one with the most literal text.
    found.sort(key=lambda t: -len(_PLACEHOLDER.sub("", t[1])))
    return tuple(found)


def resay(text: str) -> str:
    """`text` in the active language when it was made from a UI string; otherwise unchanged."""
    text = text or ""
    if not text or translation.get_language() == settings.LANGUAGE_CODE or not _CJK.search(text):
        return text
    stripped = text.strip()
    whole = translation.gettext(stripped)
    if whole != stripped:
        return whole
    for pattern, msgid in _templates():
        m = pattern.fullmatch(stripped)
        values = _values(m.groupdict(), msgid) if m is not None else None
        if values is None:
            continue
        try:
            return translation.gettext(msgid) % values
        except (KeyError, TypeError, ValueError):  # a translation with other placeholders: keep the text
            return text
    return text


def _values(found: dict[str, str], msgid: str) -> dict[str, object] | None:
    """The matched values, each UI string among them translated; a count (`%(n)d`) must be a
    number again, or this is not the template the text was made from."""
    values: dict[str, object] = {name: translation.gettext(value) for name, value in found.items()}
    for name in re.findall(r"%\((\w+)\)d", msgid):
        if not found[name].isdigit():
            return None
        values[name] = int(found[name])
    return values
