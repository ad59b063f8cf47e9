"""The dashboard: who may see it, discovery of app stats modules, CSV export."""

from __future__ import annotations

import csv
import datetime
import io

import pytest

from conftest import login
from onewindow.catalog.tests.factories import make_matter
from onewindow.core.stats import Figure, Section, Table

from .. import discovery

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/dashboard/", "/dashboard/export.csv"])
def test_anonymous_is_sent_to_login(client, path):
    r = client.get(path)
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


@pytest.mark.parametrize("path", ["/dashboard/", "/dashboard/export.csv"])
def test_other_roles_are_refused(client, path, citizen, outsider, clerk, approver, township_officer, agent, enterprise_user):
    for user in (citizen, outsider, clerk, approver, township_officer, agent, enterprise_user):
        login(client, user)
        assert client.get(path).status_code == 403, user.username


def test_leader_manager_and_admin_see_the_catalog_figures(client, leader, hall_manager, admin_user, org):
    make_matter(org["BDC"], "不动产转移登记")
    for user in (leader, hall_manager, admin_user):
        login(client, user)
        r = client.get("/dashboard/")
        assert r.status_code == 200
        assert "依申请类政务服务事项" in r.content.decode()


def test_csv_export(client, leader, org):
    make_matter(org["BDC"], "不动产转移登记")
    login(client, leader)
    r = client.get("/dashboard/export.csv")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["板块", "指标", "数值"]
    assert any(row[1:3] == ["依申请类政务服务事项", "1"] for row in rows if len(row) > 2)


def test_discovery_finds_catalog_and_skips_apps_without_stats():
    labels = [label for label, _fn in discovery.providers()]
    assert "catalog" in labels
    assert "portal" not in labels and "core" not in labels


def test_a_failing_provider_does_not_take_the_page_down(monkeypatch, client, leader):
    def broken(*, user, params):
        raise RuntimeError("boom")

    def fine(*, user, params):
        return [Section(key="x", title="测试板块", figures=[Figure("指标", 7)], tables=[Table(["a"], [[1]])], order=1)]

    monkeypatch.setattr(discovery, "providers", lambda: [("broken", broken), ("fine", fine)])
    login(client, leader)
    body = client.get("/dashboard/").content.decode()
    assert "测试板块" in body and "该模块统计暂不可用" in body


def test_params_are_parsed():
    params = discovery.parse_params({"date_from": "2021-05-01", "date_to": "2021-05-31", "x": "1"})
    assert params == {"date_from": datetime.date(2021, 5, 1), "date_to": datetime.date(2021, 5, 31), "x": "1"}
    assert discovery.parse_params({"date_from": "junk"}) == {}
    assert discovery.parse_params({"date_from": "2021-06-01", "date_to": "2021-05-01"}) == {}
