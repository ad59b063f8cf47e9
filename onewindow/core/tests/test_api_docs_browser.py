"""/api/v1/docs renders on an offline intranet: Swagger UI comes from the project's own static
files (django-ninja's, "ninja" in INSTALLED_APPS), not from a CDN."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import BROWSER_MARKS

pytestmark = BROWSER_MARKS


@pytest.mark.django_db(transaction=True)
def test_api_docs_render_with_no_request_to_another_host(walker: Any) -> None:
    w = walker("api-docs", 1280)
    # Swagger UI's own words are English on purpose (a developers' tool): only the host and the
    # rendering are checked here, not the walk's language rule.
    w.page.goto(f"{w.base_url}/api/v1/docs")
    w.page.wait_for_selector(".swagger-ui .info .title", timeout=60000)
    w.page.wait_for_selector(".swagger-ui .opblock-tag", timeout=60000)  # the operations, from openapi.json
    w.page.wait_for_load_state("networkidle")
    assert w.foreign == []
    assert "/static/ninja/" in w.page.content()
    w.screenshot("rendered")
