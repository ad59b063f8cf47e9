"""schemathesis over the ratings API: generated requests (a citizen's bearer token, device headers
that match nothing) never get a server error, and every response matches the documented schema,
status code and content type. A few examples per operation."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from onewindow.accounts import services as account_services
from onewindow.config.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).include(path_regex=r"^/api/v1/ratings/")


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
def token(wsgi_keeps_connection: Any, world: Any, citizen: Any) -> str:
    _token, secret = account_services.api_token_create(user=citizen, name="schemathesis")
    return secret


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_conforms_to_its_spec(case: Any, token: str) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}", "X-Kiosk-Token": "no-such-kiosk", "X-Pad-Token": "no-such-pad"},
        excluded_checks=[positive_data_acceptance],
    )
