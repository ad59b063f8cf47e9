"""`{{ county|county_name }}`: a county's name in the page's language (accounts/visitor.py)."""

from __future__ import annotations

from typing import Any

from django import template

from ..visitor import display_name

register = template.Library()


@register.filter
def county_name(county: Any) -> str:
    if county is None:
        return ""
    return display_name(str(county.pk), str(county.name))
