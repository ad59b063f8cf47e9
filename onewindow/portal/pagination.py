"""One pagination shape for every list of the citizen API: {items, count, page, pages}."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

from ninja import Field, Schema

MAX_PAGE_SIZE = 100


class PageParams(Schema):
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE)


def paginate(qs: Any, params: PageParams, render: Callable[[Any], Any]) -> dict[str, Any]:
    count = qs.count() if hasattr(qs, "count") and not isinstance(qs, list) else len(qs)
    start = (params.page - 1) * params.page_size
    items: Iterable[Any] = qs[start : start + params.page_size]
    return {
        "items": [render(x) for x in items],
        "count": count,
        "page": params.page,
        "pages": max(1, math.ceil(count / params.page_size)),
    }
