"""Moved to onewindow/core/apikit.py (the one list shape of the whole API); kept importable here."""

from onewindow.core.apikit import MAX_PAGE_SIZE, PageParams, paginate

__all__ = ["MAX_PAGE_SIZE", "PageParams", "paginate"]
