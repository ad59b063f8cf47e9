"""A test that expects a domain error names the error it is about: every `pytest.raises` of an
ApplicationError (or one of its subclasses) in the tests is followed by a check of the error's
`.code` (`assert exc.value.code == ...`) or of the fields it names (`exc.value.fields`), or
carries `match=`. The class alone passes for any refusal of the same family: a PermissionDenied
for the wrong reason, a ValidationFailed of another field."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import onewindow
import onewindow.config.api
from onewindow.core.errors import ApplicationError


def _error_names() -> set[str]:
    names, todo = set(), [ApplicationError]
    while todo:
        cls = todo.pop()
        names.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return names


def unchecked_raises(source: str, errors: set[str]) -> list[int]:
    """Lines of `with pytest.raises(<an ApplicationError>)` whose function never checks the
    caught error's code or fields (nor passes `match=`)."""
    lines = []
    for fn in ast.walk(ast.parse(source)):
        if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        body = ast.unparse(fn)
        for node in ast.walk(fn):
            if not isinstance(node, ast.With):
                continue
            for item in node.items:
                call = item.context_expr
                if not (isinstance(call, ast.Call) and ast.unparse(call.func) == "pytest.raises" and call.args):
                    continue
                if ast.unparse(call.args[0]).rsplit(".", 1)[-1] not in errors:
                    continue
                if any(k.arg == "match" for k in call.keywords):
                    continue
                var = item.optional_vars.id if isinstance(item.optional_vars, ast.Name) else None
                if var is None or not re.search(rf"\b{var}\.value\.(code|fields)\b", body):
                    lines.append(node.lineno)
    return lines


def test_every_expected_domain_error_has_its_code_checked() -> None:
    errors = _error_names()
    root = Path(onewindow.__file__).parent
    found = {
        f"{path.relative_to(root)}:{line}"
        for path in sorted(root.glob("*/tests/**/*.py"))
        for line in unchecked_raises(path.read_text(encoding="utf-8"), errors)
    }
    assert sorted(found) == []


def test_the_scan_sees_a_class_only_check() -> None:
    source = """
def test_a():
    with pytest.raises(Conflict):
        f()
    with pytest.raises(Conflict) as exc:
        f()
    assert exc.value.code == "slot_full"
    with pytest.raises(NotFound, match="x"):
        f()
    with pytest.raises(ZeroDivisionError):
        f()
"""
    assert unchecked_raises(source, {"Conflict", "NotFound"}) == [3]
