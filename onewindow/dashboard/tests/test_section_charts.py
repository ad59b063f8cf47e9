"""Every section of the dashboard has its charts, each with a table view and a sentence for screen
readers, drawn from the figures the section computes (not typed in)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.utils.html import escape

from conftest import login
from onewindow.catalog.models import Matter

from .conftest import MAY

pytestmark = pytest.mark.django_db


def test_each_section_has_charts_with_table_and_text(client: Any, leader: Any, cases: Any) -> None:
    login(client, leader)
    r = client.get(f"/dashboard/?{MAY}")
    body = r.content.decode()
    payload = json.loads(body.split('id="dash-charts" type="application/json">')[1].split("</script>")[0])
    by_key = {s.key: s for s in r.context["sections"]}
    for key in ("catalog", "appointments", "filings", "ratings", "townships", "cases", "hall"):
        if key not in by_key:
            continue
        assert by_key[key].charts, key
        for c in by_key[key].charts:
            assert c.text and c.title, c.key
            assert f'data-chart="{c.key}"' in body and c.key in payload
            # The table view, in the page: one row per category (or one saying there is no data).
            assert str(c.body) in body and str(c.body).count("<tr>") == max(1, len(c.categories)), c.key
            for name in c.categories:
                assert f"<td>{escape(name)}" in str(c.body) or f">{escape(name)}</a></td>" in str(c.body), (c.key, name)
    assert {"catalog", "appointments", "filings", "ratings", "townships"} <= set(by_key)


def test_catalog_chart_counts_the_matters(client: Any, leader: Any, cases: Any) -> None:
    login(client, leader)
    r = client.get("/dashboard/")
    catalog = next(s for s in r.context["sections"] if s.key == "catalog")
    chart = next(c for c in catalog.charts if c.key == "catalog-channels")
    published = Matter.objects.filter(current_version__status="published")
    values = dict(zip(chart.categories, chart.series[0][1], strict=True))
    assert values["一窗受理"] == published.filter(current_version__on_one_window=True).count()
    assert values["赣服通可办"] == published.filter(current_version__on_mobile=True).count()
    assert values["零跑腿"] == published.filter(current_version__max_visits=0).count()


def test_townships_chart_drills_into_the_township(client: Any, leader: Any, cases: Any, org: Any) -> None:
    login(client, leader)
    r = client.get(f"/dashboard/?{MAY}")
    towns = next(s for s in r.context["sections"] if s.key == "townships")
    chart = towns.charts[0]
    i = chart.categories.index("值夏镇")
    assert chart.links[i] == "township=ZXZ" and chart.hrefs[i].endswith("township=ZXZ")
    assert f'<a href="{escape(chart.hrefs[i])}">值夏镇</a>' in str(chart.body)
    assert towns.tables[0].links[i] == "township=ZXZ"


def test_appointments_chart_drills_into_a_point(hall_manager: Any, org: Any, cases: Any) -> None:
    import datetime

    from onewindow.appointments.stats import sections

    [sec] = sections(user=hall_manager, params={"date_from": datetime.date(2026, 5, 1), "date_to": datetime.date(2026, 5, 31)})
    kinds = next(c for c in sec.charts if c.key == "appointments-kinds")
    assert kinds.categories == [row[0] for row in sec.tables[0].rows]
    points = next(c for c in sec.charts if c.key == "appointments-points")
    assert points.categories == [row[0] for row in sec.tables[1].rows]
