"""Template helpers for forms built from a matter's form_schema."""

from __future__ import annotations

from typing import Any

from django import template

from onewindow.catalog import formschema

register = template.Library()


@register.filter
def form_sections(fields: list[formschema.Field]) -> list[formschema.Section]:
    return formschema.sections(list(fields or []))


@register.filter
def form_rows(data: dict[str, Any], schema: list[dict[str, Any]] | None) -> list[tuple[str, str]]:
    return formschema.rows(schema, data or {})
