"""schemathesis over the OpenAPI spec of the citizen and enterprise API (accounts, materials,
portal, filings): generated requests, signed in with a bearer token, never get a server error and
every response matches the documented schema, status code and content type. Bounded: a few
examples per operation, the whole run well under a minute."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from onewindow.accounts import services as account_services
from onewindow.config.wsgi import application

MINE = r"^/api/v1/(accounts|materials|portal|filings)/"

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).include(path_regex=MINE)


@pytest.fixture
def wsgi_keeps_connection() -> Any:
    """The WSGI handler closes the database connection after each request; inside a test's
    transaction that would close the test's own connection (Django's test client disconnects the
    same signal handlers)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(wsgi_keeps_connection: Any, settings: Any, org: Any) -> str:
    """A citizen with a token, and one online matter and one filing matter to aim at. Built
    cheaply (fast hasher, no calendar seeding): this fixture runs once per operation."""
    from conftest import make_user
    from onewindow.accounts.demo import resident_id
    from onewindow.accounts.models import Role
    from onewindow.portal.testing import COMMITMENT, make_online_matter

    citizen = make_user("citizen", Role.CITIZEN, id_number=resident_id("19560312", 228), display_name="刘秀英")
    make_online_matter(org["XZSP"])
    make_online_matter(
        org["XZSP"],
        code="BA-1",
        name="企业复工经营备案",
        audience="enterprise",
        kind="filing",
        form_schema=[],
        commitment_text=COMMITMENT,
    )
    _token, secret = account_services.api_token_create(user=citizen, name="schemathesis")
    return secret


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_conforms_to_its_spec(case: Any, token: str) -> None:
    # Every other built-in check runs (server errors, status codes, content types, response
    # schemas, negative data rejected, auth not ignored). "Schema-valid data accepted" cannot
    # hold for a government API: checksums, real-name rules and ownership are not expressible in
    # JSON Schema, so a well-formed request may be refused - with a documented 4xx and the
    # {code, message, fields} shape, which the response-schema check verifies.
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, excluded_checks=[positive_data_acceptance])
