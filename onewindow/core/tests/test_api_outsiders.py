"""Every operation of the API, called by an outsider: the matrix is the OpenAPI schema itself, so a
new operation is in it the day it is added.

- Nobody signed in: every operation answers 401, except those public by design (PUBLIC, each with
  its reason): those answer without a sign-in, and never with a server error.
- A signed-in citizen with no role and nothing of their own (the `outsider` persona) is refused
  every operation (401 for a device token they do not have, 403, or 404 for another's object),
  except the operations that answer the caller's own things or what their roles reach (OWN, each
  with its reason): those may answer, but what they list is empty for the outsider. A few answer
  422 before they look at the caller (VALIDATED_FIRST, each with its reason). Never a 5xx.

Requests are built from the operation's own parameters (path ids, required query values, a body
made from its body model), so the caller gets past the input checks to the permission checks.
The apps' own tests call each operation with real objects of another person (e.g.
`assistance/tests/test_api.py`, `welfare/tests/test_money_api.py`); this matrix makes sure none is
forgotten."""

from __future__ import annotations

import datetime
import json
import uuid
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from onewindow.config.api import api

SCHEMA = api.get_openapi_schema(path_prefix="/api/v1/")
OPERATIONS = sorted((method, path) for path, ops in SCHEMA["paths"].items() for method in ops)
V1 = "/api/v1"

PUBLIC: dict[tuple[str, str], str] = {
    ("get", "/accounts/privacy-notice"): "the privacy notice is read before registering",
    ("post", "/accounts/register"): "self-service registration",
    ("post", "/accounts/register/enterprise"): "self-service registration of an enterprise",
    ("post", "/accounts/token"): "signing in (username and password) issues the token",
    ("post", "/accounts/sms-code"): "the SMS code for signing in or resetting a password",
    ("post", "/accounts/token/sms"): "signing in with an SMS code issues the token",
    ("post", "/accounts/password/reset"): "resetting a forgotten password with an SMS code",
    ("get", "/catalog/matters"): "the service catalog is public",
    ("get", "/catalog/matters/{code}"): "the service catalog is public",
    ("get", "/catalog/bundles"): "the service catalog is public",
    ("get", "/catalog/bundles/{code}"): "the service catalog is public",
    ("get", "/portal/matters"): "what can be applied for online is public",
    ("get", "/filings/matters"): "the commitment texts are public",
    ("get", "/cases/progress"): "progress lookup by case number and check code (both printed on the receipt)",
    ("get", "/hall/points"): "kiosks, boards and phones read the hall without a sign-in (numbers only)",
    ("get", "/hall/points/{point_uuid}/areas"): "kiosks, boards and phones read the hall (waiting counts)",
    ("get", "/hall/points/{point_uuid}/calls"): "the display board (numbers and windows only)",
    ("get", "/hall/tickets/{ticket_uuid}"): "following one's own ticket by its unguessable id",
    ("get", "/appointments/matters"): "bookable matters are public",
    ("get", "/appointments/matters/{matter}/places"): "where a matter can be booked is public",
    ("get", "/appointments/matters/{matter}/places/{area}/availability"): "free places are public",
    ("get", "/appointments/overview"): "free places per point and day are public",
    ("get", "/appointments/links/{token}"): "the SMS's signed link manages one booking without an account",
    ("post", "/appointments/links/{token}/cancel"): "the SMS's signed link",
    ("post", "/appointments/links/{token}/reschedule"): "the SMS's signed link",
    ("get", "/welfare/process/notices/{village_code}"): "the 公示 is public by law (names masked)",
    ("post", "/welfare/process/notices/{uuid}/objections"): "anyone may object to a 公示",
    ("get", "/welfare/process/certificates/check"): "checking a certificate's number and code",
    ("get", "/welfare/figures"): "the public 低保 figures (no personal data)",
    ("get", "/ratings/options"): "the rating form's levels and tags",
    ("get", "/ratings/link/{token}"): "the signed rating link (no login)",
    ("post", "/ratings/link/{token}"): "rating through the signed link (no login)",
    ("post", "/ratings/respond/{token}"): "answering a follow-up through its signed link (no login)",
    ("get", "/ratings/results"): "the public monthly rating results",
}

OWN: dict[tuple[str, str], str] = {
    ("get", "/accounts/me"): "the caller's own account",
    ("put", "/accounts/me/care-mode"): "the caller's own setting",
    ("post", "/accounts/me/phone/verify/send"): "a code to the caller's own phone",
    ("get", "/accounts/enterprises"): "the enterprises the caller handles",
    ("get", "/cases/"): "the caller's own cases (staff: the ones they may see)",
    ("get", "/cases/queue"): "the steps of the caller's departments",
    ("get", "/cases/prereview/queue"): "the cases waiting for the caller's departments' pre-review",
    ("get", "/appointments/bookings"): "the caller's own bookings",
    ("get", "/materials/library"): "the caller's own materials",
    ("get", "/materials/issued"): "the certificates issued to the caller",
    ("get", "/materials/drafts"): "the caller's own drafts",
    ("get", "/filings/filings"): "the caller's own filings",
    ("get", "/assistance/mandates"): "an agent: the point's mandates; anyone else: their own",
    ("get", "/assistance/forwardings"): "paper materials addressed to the caller's units",
    ("get", "/assistance/batches"): "hand-over batches of the caller's point or department",
    ("get", "/welfare/process/applications"): "the applications the caller's roles reach",
    ("get", "/ratings/rateable"): "the services delivered to the caller",
    ("get", "/ratings/ratings"): "the caller's own ratings",
    ("get", "/portal/cases"): "the caller's own cases",
    ("get", "/portal/notifications"): "the caller's own notifications",
}

VALIDATED_FIRST: dict[tuple[str, str], str] = {
    ("post", "/accounts/me/phone/verify"): "the caller's own phone: a wrong code is the only refusal",
    ("post", "/materials/drafts"): "anyone signed in may start a draft; the matter must exist",
    ("post", "/ratings/ratings"): "anyone signed in may rate a service delivered to them; the subject must exist",
    ("post", "/welfare/process/applications"): "anyone signed in may apply for themselves; the ID number is checked first",
    ("post", "/welfare/rolls"): "the township code is resolved before the roll service checks the caller's scope",
}


def test_the_lists_name_operations_that_exist() -> None:
    known = {(m, p.removeprefix(V1)) for m, p in OPERATIONS}
    assert set(PUBLIC) <= known and set(OWN) <= known and set(VALIDATED_FIRST) <= known
    assert not set(PUBLIC) & set(OWN) and len(OPERATIONS) > 200


def _resolve(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = defs[node["$ref"].rsplit("/", 1)[1]]
    return node


def _example(node: dict[str, Any], defs: dict[str, Any]) -> Any:
    """A value of the JSON schema `node` that passes type checks: the default, else the first
    choice, else a plain value of its type."""
    node = _resolve(node, defs)
    if "default" in node:
        return node["default"]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in node:
            return _example(next(n for n in node[key] if _resolve(n, defs).get("type") != "null"), defs)
    if "enum" in node:
        return node["enum"][0]
    kind, fmt = node.get("type"), node.get("format", "")
    if kind == "object" or "properties" in node:
        return {k: _example(v, defs) for k, v in node.get("properties", {}).items()}
    if kind == "array":
        return []
    if kind in ("integer", "number"):
        return max(1, node.get("minimum", 1))
    if kind == "boolean":
        return True
    return {
        "uuid": str(uuid.uuid4()),
        "date": datetime.date.today().isoformat(),
        "time": "09:00:00",
        "date-time": datetime.datetime.now().isoformat(),
        "binary": None,
    }.get(fmt, "x" * max(1, node.get("minLength", 1)))


def _routers(prefix: str, router: Any) -> Any:
    yield prefix, router
    for child_prefix, child, *_tags in router._routers:
        yield from _routers(prefix + child_prefix, child)


def _ninja_operation(method: str, path: str) -> Any:
    for top_prefix, top in api._routers:
        for prefix, router in _routers(top_prefix, top):
            for sub, view in router.path_operations.items():
                for op in view.operations:
                    if method.upper() in op.methods and f"{V1}/{prefix}/{sub}".replace("//", "/").replace("//", "/") == path:
                        return op
    raise LookupError(path)


def _json_body(method: str, path: str) -> Any:
    """The body from the operation's own body model (the OpenAPI components of two apps' same-named
    schemas can overwrite each other; the model cannot)."""
    for model in _ninja_operation(method, path).models:
        if getattr(model, "__ninja_param_source__", "") == "body":
            schema = model.model_json_schema()
            defs = schema.get("$defs", {})
            props = schema["properties"]
            # One body parameter is the body itself (django-ninja flattens it).
            return _example(next(iter(props.values())), defs) if len(props) == 1 else _example(schema, defs)
    return {}


def call(client: Client, method: str, path: str) -> Any:
    op = SCHEMA["paths"][path][method]
    url, query = path, {}
    for param in op.get("parameters", []):
        value = _example(param["schema"], SCHEMA["components"]["schemas"])
        if param["in"] == "path":
            url = url.replace("{" + param["name"] + "}", str(value))
        elif param["in"] == "query" and param.get("required"):
            query[param["name"]] = value
    content = op.get("requestBody", {}).get("content", {})
    if method == "get":
        return client.get(url, query)
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    if "application/json" in content:
        return client.generic(method.upper(), url, json.dumps(_json_body(method, path)), "application/json")
    if content:
        form = _example(next(iter(content.values()))["schema"], SCHEMA["components"]["schemas"])
        data = {
            k: (SimpleUploadedFile("scan.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, "image/png") if v is None else v)
            for k, v in form.items()
        }
        return getattr(client, method)(url, data)
    return client.generic(method.upper(), url)


def _key(method: str, path: str) -> tuple[str, str]:
    return method, path.removeprefix(V1)


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_nobody_signed_in(client: Client, method: str, path: str) -> None:
    response = call(client, method, path)
    assert response.status_code < 500, response.content[:300]
    if _key(method, path) in PUBLIC:
        assert response.status_code != 401
    else:
        assert response.status_code == 401, response.content[:300]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), [op for op in OPERATIONS if _key(*op) not in PUBLIC])
def test_an_outsider(client: Client, outsider: Any, method: str, path: str) -> None:
    client.force_login(outsider)
    response = call(client, method, path)
    status, key = response.status_code, _key(method, path)
    assert status < 500, response.content[:300]
    if key in OWN:
        body = response.json() if response.content else {}
        assert status < 300 and body.get("items", []) == [], response.content[:300]
    elif key in VALIDATED_FIRST:
        assert status == 422, response.content[:300]
    else:
        assert status in (401, 403, 404), response.content[:300]
        # 401 only where the session is no way in (a device token, a bearer token): the outsider is
        # signed in, so a session operation must answer them and refuse.
        session = any("Session" in name for scheme in SCHEMA["paths"][path][method].get("security", []) for name in scheme)
        assert not (status == 401 and session), response.content[:300]
