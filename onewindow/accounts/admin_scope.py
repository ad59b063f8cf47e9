"""The Django admin as a county's administrator sees it (docs/tenancy.md).

The admin is the system administrator's tool for the catalog, the hall's set-up and the accounts.
An administrator whose role is held at a county's root is that county's: every admin list, change
page, delete, autocomplete and foreign-key choice reaches only that county's rows. Rather than a
`get_queryset` in each of the apps' ModelAdmins (one of which someone would forget), the admin's
registry is walked once at start-up, as the 三员分立 guard is (`duties.install_admin_guard`): a
model that names its `county_lookup` is scoped through `tenancy.scoped`, the same rule every
selector uses. The platform's (province's) administrators, whose role names no unit, are not
narrowed. The test walks the registry (cases/tests/test_isolation_admin.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.admin import RelatedOnlyFieldListFilter

from onewindow.core.tenancy import county_lookup

from .tenancy import scoped


def _scoped_queryset(method: Callable[..., Any]) -> Callable[..., Any]:
    def get_queryset(request: Any) -> Any:
        return scoped(method(request), request.user)

    return get_queryset


def _scoped_choices(method: Callable[..., Any]) -> Callable[..., Any]:
    """A select of related rows (a matter's department, a window's area): the county's only, so a
    form cannot point one county's row at another's."""

    def formfield(db_field: Any, request: Any, **kwargs: Any) -> Any:
        field = method(db_field, request, **kwargs)
        related = getattr(db_field, "related_model", None)
        if field is not None and related is not None and county_lookup(related) is not None and hasattr(field, "queryset"):
            field.queryset = scoped(field.queryset, request.user)
        return field

    return formfield


def _scoped_filters(method: Callable[..., Any], model: Any) -> Callable[..., Any]:
    """A list filter on a related county model (a matter list filtered by department) offers the
    related rows of the scoped list only, not every county's units."""

    def get_list_filter(request: Any) -> Any:
        found = []
        for entry in method(request):
            if isinstance(entry, str) and "__" not in entry:
                field = model._meta.get_field(entry)
                related = getattr(field, "related_model", None)
                if related is not None and county_lookup(related) is not None:
                    entry = (entry, RelatedOnlyFieldListFilter)
            found.append(entry)
        return found

    return get_list_filter


def _scope(model_admin: Any, model: Any) -> None:
    if county_lookup(model) is not None:
        model_admin.get_queryset = _scoped_queryset(model_admin.get_queryset)
        if hasattr(model_admin, "get_list_filter"):
            model_admin.get_list_filter = _scoped_filters(model_admin.get_list_filter, model)
    model_admin.formfield_for_foreignkey = _scoped_choices(model_admin.formfield_for_foreignkey)
    model_admin.formfield_for_manytomany = _scoped_choices(model_admin.formfield_for_manytomany)


class _ScopedInlines:
    """Inlines are instantiated per request from their classes: wrap the instances as they are made."""

    def __init__(self, method: Callable[..., Any]) -> None:
        self.method = method

    def __call__(self, request: Any, obj: Any = None) -> Any:
        inlines = self.method(request, obj)
        for inline in inlines:
            if not getattr(inline, "_ow_county_scoped", False):
                _scope(inline, inline.model)
                inline._ow_county_scoped = True
        return inlines


def install_admin_scope(site: Any = None) -> None:
    """Scope every registered ModelAdmin (and its inlines) to the asker's county. Idempotent."""
    from django.contrib import admin

    site = site or admin.site
    for model, model_admin in site._registry.items():
        if getattr(model_admin, "_ow_county_scoped", False):
            continue
        _scope(model_admin, model)
        model_admin.get_inline_instances = _ScopedInlines(model_admin.get_inline_instances)
        model_admin._ow_county_scoped = True
