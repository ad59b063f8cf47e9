"""The dashboard's statements per page: each rollup is brought up to date once per page however many
sections read it, and the page stays within its count (bench/dashboard_statements.py shows where
each goes; docs/dashboard.md lists them). A new section's reads raise the ceiling on purpose."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import login

from .conftest import MAY

pytestmark = pytest.mark.django_db

# The district leader's page with every section (the test settings' apps), measured 2026-12-07: 48
# on SQLite (58 before the rollups were checked once per page and the counts merged); PostgreSQL
# adds serial_reads' SET and RESET. Plus one since counties (docs/tenancy.md): the asker's roles
# with their units' county (accounts.tenancy.role_rows), read once per request; the catalog's
# figures are the asker's county's. Plus one for the header, which names the county whose
# services the pages show (accounts/visitor.py: a primary-key read of the county).
CEILING = 50 + (2 if connection.vendor == "postgresql" else 0)


def test_the_page_checks_each_rollup_once_and_stays_within_its_statements(client: Any, leader: Any, cases: Any) -> None:
    login(client, leader)
    assert client.get(f"/dashboard/?{MAY}").status_code == 200  # the first view counts what is new
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"/dashboard/?{MAY}").status_code == 200
    sql = [q["sql"] for q in ctx.captured_queries]
    marks = [s for s in sql if '"core_rollupmark"."last_id"' in s]
    assert len([s for s in marks if "cases_caseevent" in s]) == 1, marks  # cases and the agents' section
    assert len([s for s in marks if "hall_ticketevent" in s]) == 1, marks
    assert len(sql) <= CEILING, "\n".join(sql)
