"""One class per component name in the API's OpenAPI schema. django-ninja files every model an
operation uses (body, query and path schemas, responses, the models nested in them) under
`components.schemas` by its class name, and a second class of the same name silently overwrites
the first: the published schema then describes the wrong body or answer for one of the two. The
test walks every operation of the real API and fails on two different classes sharing a name."""

from __future__ import annotations

import enum
import typing
from collections import defaultdict
from typing import Any

from ninja import NinjaAPI, Schema
from pydantic import BaseModel, create_model

from onewindow.config.api import api
from onewindow.core.apikit import page_of


def _classes_in(annotation: Any) -> typing.Iterator[type]:
    """The models and enums an annotation names, through list[...], X | None, dict[..., ...]."""
    if isinstance(annotation, type) and issubclass(annotation, (BaseModel, enum.Enum)):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from _classes_in(arg)


def _walk(model: type, named: dict[str, set[type]], seen: set[type], top: bool) -> None:
    if model in seen:
        return
    seen.add(model)
    # Ninja's own wrappers (the response's `response` field, the grouped params of an operation)
    # are inlined, never filed as components; the models in their fields are.
    if not top:
        named[model.__name__].add(model)
    if issubclass(model, BaseModel):
        for field in model.model_fields.values():
            for cls in _classes_in(field.annotation):
                _walk(cls, named, seen, top=False)


def component_classes(of: NinjaAPI) -> dict[str, set[type]]:
    """Every component name of the API's schema and the classes filed under it."""
    named: dict[str, set[type]] = defaultdict(set)
    seen: set[type] = set()
    for bound_router in of._get_bound_routers():
        for path_view in bound_router.path_operations.values():
            for operation in path_view.operations:
                if not operation.include_in_schema:
                    continue
                for model in operation.models:
                    _walk(model, named, seen, top=True)
                for model in operation.response_models.values():
                    if isinstance(model, type):
                        _walk(model, named, seen, top=True)
    return named


def _where(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def collisions(of: NinjaAPI) -> dict[str, list[str]]:
    return {name: sorted(_where(cls) for cls in classes) for name, classes in component_classes(of).items() if len(classes) > 1}


def test_no_two_schema_classes_share_a_component_name() -> None:
    found = collisions(api)
    assert found == {}, f"{len(found)} component names used by more than one class: {found}"


def test_the_walk_finds_every_component_of_the_schema() -> None:
    # The walk above is only as good as its reach: it must name every component ninja files.
    components = set(api.get_openapi_schema(path_prefix="/api/v1/")["components"]["schemas"])
    assert components <= set(component_classes(api))


def _twin(field: str) -> type[Schema]:
    """A class named StepOut in its own module, as two apps' api modules would each declare one."""
    fields: dict[str, Any] = {field: (str, ...)}
    twin: type[Schema] = create_model("StepOut", __base__=Schema, __module__=f"probe.{field}", **fields)
    return twin


def test_the_check_catches_two_classes_under_one_name_nested_and_paged() -> None:
    probe = NinjaAPI(urls_namespace="probe_schema_names")
    first, second = _twin("decision"), _twin("opinion")

    # Built at run time: the nested type is a value here, not a name an annotation could resolve.
    nested: Any = list[first] | None  # type: ignore[valid-type]
    case_out: Any = create_model("CaseOut", __base__=Schema, steps=(nested, None))

    @probe.get("/cases/{uuid}", response=case_out)
    def case(request: Any, uuid: str) -> Any:
        return {}

    @probe.get("/steps", response=page_of(second))
    def steps(request: Any) -> Any:
        return {}

    assert collisions(probe) == {"StepOut": ["probe.decision.StepOut", "probe.opinion.StepOut"]}
