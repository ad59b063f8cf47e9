"""Application forms as data: a matter's `form_schema` is a list of fields

    {"name": "...", "label": "...", "type": "text|number|date|choice|textarea", "required": bool,
     "choices": ["...", ...], "help": "..."}

and this module turns it into something to render and validates posted values against it, for the
pages and the API alike. Matters without a schema get `DEFAULT_SCHEMA` (contact and purpose).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import ValidationFailed

TYPES = {"text", "number", "date", "choice", "textarea"}
MAX_TEXT = 2000

DEFAULT_SCHEMA: list[dict[str, Any]] = [
    {"name": "contact_name", "label": "联系人", "type": "text", "required": True},
    {"name": "contact_phone", "label": "联系电话", "type": "text", "required": True},
    {"name": "purpose", "label": "申请事由", "type": "textarea", "required": False},
]
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


@dataclass
class Field:
    name: str
    label: str
    type: str = "text"
    required: bool = False
    choices: list[str] = field(default_factory=list)
    help: str = ""
    value: Any = ""
    errors: list[str] = field(default_factory=list)


def fields_of(schema: list[dict[str, Any]] | None) -> list[Field]:
    """The usable fields of a schema (malformed entries are skipped, never a crash)."""
    result: list[Field] = []
    seen: set[str] = set()
    for raw in schema or DEFAULT_SCHEMA:
        if not isinstance(raw, dict):
            continue
        name = str(raw.get("name", ""))
        if not _NAME_RE.match(name) or name in seen:
            continue
        seen.add(name)
        kind = str(raw.get("type")) if raw.get("type") in TYPES else "text"
        choices = [str(c) for c in raw.get("choices") or [] if str(c)]
        if kind == "choice" and not choices:
            kind = "text"
        result.append(
            Field(
                name=name,
                label=str(raw.get("label") or name),
                type=kind,
                required=bool(raw.get("required")),
                choices=choices,
                help=str(raw.get("help") or ""),
            )
        )
    return result or fields_of(DEFAULT_SCHEMA)


def merged_schema(schemas: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """One form for a bundle: the fields of all its matters, the first definition of a name wins."""
    merged: list[dict[str, Any]] = []
    seen: set[str] = set()
    for schema in schemas:
        for raw in schema or DEFAULT_SCHEMA:
            name = raw.get("name") if isinstance(raw, dict) else None
            if name and name not in seen:
                seen.add(name)
                merged.append(raw)
    return merged


def validate(schema: list[dict[str, Any]] | None, data: dict[str, Any]) -> dict[str, Any]:
    """Clean `data` against the schema; raises ValidationFailed with per-field messages."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[Any]] = {}
    for f in fields_of(schema):
        raw = data.get(f.name, "")
        value = "" if raw is None else str(raw).strip()
        if not value:
            if f.required:
                errors[f.name] = [_("此项必填。")]
            continue
        if len(value) > MAX_TEXT:
            errors[f.name] = [_("内容过长。")]
        elif f.type == "number":
            try:
                number = float(value)
            except ValueError:
                errors[f.name] = [_("请填写数字。")]
                continue
            if number != number or number in (float("inf"), float("-inf")):
                errors[f.name] = [_("请填写数字。")]
                continue
            cleaned[f.name] = int(number) if number.is_integer() and abs(number) < 2**53 else number
        elif f.type == "date":
            try:
                cleaned[f.name] = datetime.date.fromisoformat(value).isoformat()
            except ValueError:
                errors[f.name] = [_("请填写正确的日期（年-月-日）。")]
        elif f.type == "choice" and value not in f.choices:
            errors[f.name] = [_("请从选项中选择。")]
        else:
            cleaned[f.name] = value
    if errors:
        raise ValidationFailed(_("申请表填写有误，请检查。"), fields=errors)
    return cleaned


def bound(schema: list[dict[str, Any]] | None, data: dict[str, Any], errors: dict[str, Any] | None = None) -> list[Field]:
    fields = fields_of(schema)
    for f in fields:
        f.value = data.get(f.name, "")
        f.errors = [str(e) for e in (errors or {}).get(f.name, [])]
    return fields
