"""A county's 好差评 clocks in the admin (the county's system administrator sees their county's row
only: accounts/admin_scope.py). Writes go through ratings.county_rules (validated, audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .conf import COUNTY_KEYS
from .county_rules import county_rules_set
from .models import CountyRules


@admin.register(CountyRules)
class CountyRulesAdmin(admin.ModelAdmin[CountyRules]):
    list_display = ["county", *COUNTY_KEYS]
    fields = ["county", *COUNTY_KEYS]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["county"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # clear a field to go back to the deployment's value

    def save_model(self, request: HttpRequest, obj: CountyRules, form: Any, change: bool) -> None:
        county_rules_set(county=obj.county, actor=request.user, **{k: getattr(obj, k) for k in COUNTY_KEYS})
