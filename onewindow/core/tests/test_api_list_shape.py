"""One list shape for the whole API: every GET operation that answers a collection answers the shape
of `core/apikit.py` (page, page_size, count, pages, items) and takes `page` and `page_size`. The
test walks the OpenAPI schema of the real API, so a new operation returning a bare list (or a
hand-built `{"items": ...}` without the page fields) fails the suite."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI, Query, Schema

from onewindow.config.api import api
from onewindow.core.apikit import PageParams, page_of, paginate

SHAPE = {"page", "page_size", "count", "pages", "items"}


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def list_shape_faults(schema: dict[str, Any]) -> tuple[list[str], int]:
    """The GET operations whose answer is a collection not in the list shape, and how many
    collections were checked."""
    faults: list[str] = []
    checked = 0
    for path, operations in schema["paths"].items():
        op = operations.get("get")
        # Status keys are ints in ninja's schema object, strings once it is JSON.
        ok = op and (op["responses"].get(200) or op["responses"].get("200"))
        if not ok:
            continue
        content = ok.get("content", {}).get("application/json")
        if content is None:
            continue  # a file, a PDF, a CSV
        body = _resolve(schema, content["schema"])
        where = f"GET {path}"
        if body.get("type") == "array":
            checked += 1
            faults.append(f"{where}: a bare list")
            continue
        props = body.get("properties", {})
        if "items" not in props:
            continue
        checked += 1
        if missing := SHAPE - set(props):
            faults.append(f"{where}: items without {sorted(missing)}")
        params = {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
        if missing := {"page", "page_size"} - params:
            faults.append(f"{where}: takes no {sorted(missing)}")
    return faults, checked


def test_every_collection_of_the_api_answers_the_list_shape() -> None:
    faults, checked = list_shape_faults(api.get_openapi_schema(path_prefix="/api/v1/"))
    assert faults == []
    # The walk saw the API's collections (about fifty), so an empty fault list means something.
    assert checked >= 40


class _Thing(Schema):
    name: str


def test_the_check_catches_a_bare_list_and_a_home_made_page() -> None:
    probe = NinjaAPI(urls_namespace="probe_list_shape")

    @probe.get("/bare", response=list[_Thing])
    def bare(request: Any) -> Any:
        return []

    class HomeMade(Schema):
        items: list[_Thing]
        total: int

    @probe.get("/home-made", response=HomeMade)
    def home_made(request: Any) -> Any:
        return {"items": [], "total": 0}

    @probe.get("/paged", response=page_of(_Thing))
    def paged(request: Any, params: Query[PageParams]) -> Any:
        return paginate([], params, lambda t: t)

    faults, checked = list_shape_faults(probe.get_openapi_schema(path_prefix=""))
    assert checked == 3
    assert faults == [
        "GET /bare: a bare list",
        "GET /home-made: items without ['count', 'page', 'page_size', 'pages']",
        "GET /home-made: takes no ['page', 'page_size']",
    ]


def test_paginate_answers_the_shape() -> None:
    page = paginate(list(range(45)), PageParams(page=3, page_size=20), lambda n: n * 2)
    assert page == {"items": [80, 82, 84, 86, 88], "count": 45, "page": 3, "page_size": 20, "pages": 3}
    assert set(page_of(_Thing).model_fields) == SHAPE
