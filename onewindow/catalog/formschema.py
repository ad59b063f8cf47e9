"""Application forms as data. A matter version's `form_schema` is a list of fields:

    {"name": "property_no", "label": "不动产权证书号", "label_en": "Property certificate no.",
     "type": "text", "required": true, "help": "证书第一页右上角的编号", "help_en": "...",
     "section": "不动产情况", "section_en": "The property",
     "min": 0, "max": 100000, "unit": "平方米", "unit_en": "m²", "max_length": 60, "not_future": true,
     "choices": ["住宅", "商业"], "choices_en": ["Housing", "Commercial"],
     "when": {"field": "has_agent", "equals": "yes"}}

Types: text, textarea, number, date, choice (alias select), id_number, uscc, phone, address,
yesno. This one module turns a schema into fields to render (the online application, the
front-desk intake page, commitment filings, the pre-review page) and validates posted values
against it, for pages and API alike: every field is checked and all errors are reported at once,
with translated messages. The schema belongs to the MatterVersion, so it is versioned with it.
Matters without a schema get `DEFAULT_SCHEMA` in the online flow (contact and purpose).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import ApplicationError, ValidationFailed
from onewindow.core.parsing import clean_text

TYPES = {"text", "textarea", "number", "date", "choice", "id_number", "uscc", "phone", "address", "yesno"}
ALIASES = {"select": "choice", "bool": "yesno", "boolean": "yesno", "id": "id_number", "mobile": "phone"}
MAX_TEXT = 2000
DEFAULT_MAX = {"text": 200, "address": 200, "textarea": MAX_TEXT}
YES, NO = "yes", "no"
_YES_WORDS = {"yes", "y", "true", "1", "on", "是"}
_NO_WORDS = {"no", "n", "false", "0", "off", "否"}
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")

DEFAULT_SCHEMA: list[dict[str, Any]] = [
    {"name": "contact_name", "label": "联系人", "label_en": "Contact person", "type": "text", "required": True},
    {"name": "contact_phone", "label": "联系电话", "label_en": "Contact phone", "type": "phone", "required": True},
    {"name": "purpose", "label": "申请事由", "label_en": "Purpose", "type": "textarea", "required": False},
]
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


def _english() -> bool:
    return (get_language() or "").startswith("en")


@dataclass
class Field:
    name: str
    label_zh: str
    type: str = "text"
    required: bool = False
    choices: list[str] = field(default_factory=list)
    help_zh: str = ""
    label_en: str = ""
    help_en: str = ""
    section_zh: str = ""
    section_en: str = ""
    choices_en: list[str] = field(default_factory=list)
    unit_zh: str = ""
    unit_en: str = ""
    min: Decimal | None = None
    max: Decimal | None = None
    max_length: int = 0
    not_future: bool = False
    not_past: bool = False
    when: dict[str, Any] | None = None
    value: Any = ""
    errors: list[str] = field(default_factory=list)

    # Labels are catalog data, written in Chinese with an optional English text; the reader's
    # language picks one (falling back to Chinese, the catalog's language).
    @property
    def label(self) -> str:
        return (self.label_en if _english() and self.label_en else self.label_zh) or self.name

    @property
    def help(self) -> str:
        return self.help_en if _english() and self.help_en else self.help_zh

    @property
    def section(self) -> str:
        return self.section_en if _english() and self.section_en else self.section_zh

    @property
    def unit(self) -> str:
        return self.unit_en if _english() and self.unit_en else self.unit_zh

    @property
    def options(self) -> list[tuple[str, str]]:
        """(stored value, label in the reader's language) for a choice field."""
        english = _english() and len(self.choices_en) == len(self.choices)
        return list(zip(self.choices, self.choices_en if english else self.choices, strict=True))

    @property
    def conditional(self) -> bool:
        return self.when is not None

    @property
    def input_type(self) -> str:
        return {"number": "text", "date": "date", "phone": "tel"}.get(self.type, "text")

    @property
    def inputmode(self) -> str:
        if self.type == "number":
            return "decimal"
        return {"phone": "tel", "id_number": "text"}.get(self.type, "")

    @property
    def autocomplete(self) -> str:
        return {"phone": "tel", "address": "street-address"}.get(self.type, "off" if self.type in ("id_number", "uscc") else "")

    @property
    def display_value(self) -> str:
        """The value as a person reads it (review page, case page, pre-review)."""
        value = self.value
        if self.type == "yesno":
            if value is True or str(value).lower() in _YES_WORDS:
                return str(_("是"))
            if value is False or str(value).lower() in _NO_WORDS:
                return str(_("否"))
            return ""
        if self.type == "choice":
            return dict(self.options).get(str(value), str(value or ""))
        text = "" if value is None else str(value)
        return f"{text} {self.unit}" if text and self.unit else text

    @property
    def yes_checked(self) -> bool:
        return self.value is True or str(self.value).lower() in _YES_WORDS

    @property
    def no_checked(self) -> bool:
        return self.value is False or str(self.value).lower() in _NO_WORDS


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return result if result.is_finite() else None


def _when(raw: Any) -> dict[str, Any] | None:
    if isinstance(raw, dict) and _NAME_RE.match(str(raw.get("field", ""))):
        return {"field": str(raw["field"]), "equals": raw.get("equals", YES)}
    return None


def fields_of(schema: list[dict[str, Any]] | None, *, fill_default: bool = True) -> list[Field]:
    """The usable fields of a schema (malformed entries are skipped, never a crash)."""
    result: list[Field] = []
    seen: set[str] = set()
    for raw in schema or (DEFAULT_SCHEMA if fill_default else []):
        if not isinstance(raw, dict):
            continue
        name = str(raw.get("name", ""))
        if not _NAME_RE.match(name) or name in seen:
            continue
        seen.add(name)
        kind = str(raw.get("type") or "text")
        kind = ALIASES.get(kind, kind)
        if kind not in TYPES:
            kind = "text"
        choices = [str(c) for c in raw.get("choices") or [] if str(c)]
        if kind == "choice" and not choices:
            kind = "text"
        try:
            max_length = max(0, int(raw.get("max_length") or 0))
        except (TypeError, ValueError):
            max_length = 0
        result.append(
            Field(
                name=name,
                label_zh=str(raw.get("label") or name),
                label_en=str(raw.get("label_en") or ""),
                type=kind,
                required=bool(raw.get("required")),
                choices=choices,
                choices_en=[str(c) for c in raw.get("choices_en") or []],
                help_zh=str(raw.get("help") or ""),
                help_en=str(raw.get("help_en") or ""),
                section_zh=str(raw.get("section") or ""),
                section_en=str(raw.get("section_en") or ""),
                unit_zh=str(raw.get("unit") or ""),
                unit_en=str(raw.get("unit_en") or ""),
                min=_decimal(raw.get("min")),
                max=_decimal(raw.get("max")),
                max_length=max_length,
                not_future=bool(raw.get("not_future")),
                not_past=bool(raw.get("not_past")),
                when=_when(raw.get("when")),
            )
        )
    if not result and fill_default:
        return fields_of(DEFAULT_SCHEMA)
    return result


def merged_schema(schemas: list[list[dict[str, Any]]], *, fill_default: bool = True) -> list[dict[str, Any]]:
    """One form for a bundle: the fields of all its matters, the first definition of a name wins
    (the bundle's matters share names such as applicant_id on purpose: asked once)."""
    merged: list[dict[str, Any]] = []
    seen: set[str] = set()
    for schema in schemas:
        for raw in schema or (DEFAULT_SCHEMA if fill_default else []):
            name = raw.get("name") if isinstance(raw, dict) else None
            if name and name not in seen:
                seen.add(name)
                merged.append(raw)
    return merged


def is_structured(schema: list[dict[str, Any]] | None) -> bool:
    """A real application form, not the generic contact-and-reason one: it asks something
    specific to the matter (a typed field beyond the contact block and the reason)."""
    generic = {"contact_name", "contact_phone", "purpose", "reason"}
    return any(f.name not in generic for f in fields_of(schema, fill_default=False))


def _is_yes(value: Any) -> bool | None:
    if value is True or value is False:
        return value
    text = str(value).strip().lower()
    if text in _YES_WORDS:
        return True
    if text in _NO_WORDS:
        return False
    return None


def _applies(f: Field, data: dict[str, Any]) -> bool:
    """A conditional field counts only when the field it depends on has the given value."""
    if f.when is None:
        return True
    other = data.get(f.when["field"])
    expected = f.when["equals"]
    if expected in (YES, NO, True, False):
        return _is_yes(other) == (expected in (YES, True))
    return str(other or "").strip() == str(expected)


def _clean_value(f: Field, value: str, today: datetime.date) -> Any:
    """The cleaned value, or raises ApplicationError with the reason (a translated message)."""
    limit = f.max_length or DEFAULT_MAX.get(f.type, MAX_TEXT)
    if len(value) > limit:
        raise ValidationFailed(_("内容过长（最多 %(n)d 个字）。") % {"n": limit})
    if f.type == "number":
        number = _decimal(value.replace(",", "").replace("，", ""))
        if number is None:
            raise ValidationFailed(_("请填写数字。"))
        if f.min is not None and number < f.min:
            raise ValidationFailed(_("不能小于 %(n)s。") % {"n": f.min})
        if f.max is not None and number > f.max:
            raise ValidationFailed(_("不能大于 %(n)s。") % {"n": f.max})
        if number == number.to_integral_value() and abs(number) < 2**53:
            return int(number)
        return float(number)
    if f.type == "date":
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            raise ValidationFailed(_("请填写正确的日期（年-月-日）。")) from None
        if f.not_future and day > today:
            raise ValidationFailed(_("日期不能晚于今天。"))
        if f.not_past and day < today:
            raise ValidationFailed(_("日期不能早于今天。"))
        return day.isoformat()
    if f.type == "choice":
        if value not in f.choices:
            raise ValidationFailed(_("请从选项中选择。"))
        return value
    if f.type == "yesno":
        answer = _is_yes(value)
        if answer is None:
            raise ValidationFailed(_("请选择“是”或“否”。"))
        return YES if answer else NO
    if f.type == "id_number":
        from onewindow.core.identity import validate_resident_id

        return validate_resident_id(value.upper(), today=today)
    if f.type == "uscc":
        from onewindow.core.identity import validate_uscc

        return validate_uscc(value.upper())
    if f.type == "phone":
        compact = value.replace(" ", "")
        if not (_MOBILE_RE.match(compact) or _LANDLINE_RE.match(compact)):
            raise ValidationFailed(_("请填写11位手机号码或带区号的固定电话。"))
        return compact
    if f.type == "address" and len(value) < 5:
        raise ValidationFailed(_("请填写详细地址（乡镇、村或街道、门牌号）。"))
    return value


def validate(schema: list[dict[str, Any]] | None, data: dict[str, Any], *, fill_default: bool = True) -> dict[str, Any]:
    """Clean `data` against the schema. Every field is checked; ValidationFailed lists every
    problem at once (field name -> messages). Values of conditional fields that do not apply, and
    keys the schema does not know, are dropped."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[Any]] = {}
    today = timezone.localdate()
    if not isinstance(data, dict):
        data = {}
    for f in fields_of(schema, fill_default=fill_default):
        if not _applies(f, data):
            continue
        raw = data.get(f.name, "")
        if raw is True or raw is False:
            raw = YES if raw else NO
        value = "" if raw is None else clean_text(str(raw))
        if not value:
            if f.required:
                errors[f.name] = [_("此项必填。")]
            continue
        try:
            cleaned[f.name] = _clean_value(f, value, today)
        except ApplicationError as exc:
            errors[f.name] = [exc.message]
    if errors:
        raise ValidationFailed(
            _("申请表有 %(n)d 处需要修改，请检查标红的项目。") % {"n": len(errors)}, code="form_invalid", fields=errors
        )
    return cleaned


def bound(schema: list[dict[str, Any]] | None, data: dict[str, Any], errors: dict[str, Any] | None = None) -> list[Field]:
    fields = fields_of(schema)
    for f in fields:
        f.value = (data or {}).get(f.name, "")
        f.errors = [str(e) for e in (errors or {}).get(f.name, [])]
    return fields


@dataclass
class Section:
    title: str
    fields: list[Field]


def sections(fields: list[Field]) -> list[Section]:
    """Consecutive fields of the same section, in schema order (a form without sections is one
    untitled section)."""
    out: list[Section] = []
    for f in fields:
        if out and out[-1].title == f.section:
            out[-1].fields.append(f)
        else:
            out.append(Section(title=f.section, fields=[f]))
    return out


def posted(schema: list[dict[str, Any]] | None, post: Any, *, prefix: str = "", fill_default: bool = True) -> dict[str, str]:
    """The schema's values from a posted form (`prefix` + name); the request is already free of
    NUL characters (core.middleware.StripNulMiddleware)."""
    return {
        f.name: str(post.get(prefix + f.name, ""))
        for f in fields_of(schema, fill_default=fill_default)
        if post.get(prefix + f.name) is not None
    }


def rows(schema: list[dict[str, Any]] | None, data: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value as read) of every filled field, in schema order, then keys the schema does
    not know (an older version's fields) under their own names."""
    fields = bound(schema or [], data) if schema else []
    known = {f.name for f in fields}
    out = [(f.label, f.display_value) for f in fields if f.display_value]
    out += [(k, str(v)) for k, v in (data or {}).items() if k not in known and k != "demo_key" and v not in ("", None)]
    return out
