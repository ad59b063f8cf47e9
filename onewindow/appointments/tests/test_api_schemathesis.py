"""schemathesis over the appointments API: generated requests (signed in with a citizen's bearer
token, and a kiosk token header where the operation wants one) never get a server error, and every
response matches the documented schema, status code and content type. A few examples per
operation."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from onewindow.accounts import services as account_services
from onewindow.config.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).include(path_regex=r"^/api/v1/appointments/")


@pytest.fixture
def wsgi_keeps_connection() -> Any:
    """The WSGI handler closes the database connection after each request; inside a test's
    transaction that would close the test's own connection."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(wsgi_keeps_connection: Any, verified_citizen: Any, matters: Any) -> str:
    _token, secret = account_services.api_token_create(user=verified_citizen, name="schemathesis")
    return secret


@pytest.mark.django_db
@pytest.mark.usefixtures("clock")
@schema.parametrize()
@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_conforms_to_its_spec(case: Any, token: str) -> None:
    # Well-formed requests may still be refused (ownership, capacity, the booking window): with a
    # documented 4xx and the {code, message, fields} shape, which the response-schema check verifies.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}", "X-Kiosk-Token": "no-such-kiosk"}, excluded_checks=[positive_data_acceptance]
    )
