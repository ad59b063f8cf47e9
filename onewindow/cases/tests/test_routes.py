"""Route versions: drafting, publishing (critical path within the committed limit), copying,
comparison (the F6 saving), the admin pages and who may use them."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.cases import routes
from onewindow.cases.models import RouteVersion
from onewindow.core.errors import PermissionDenied, ValidationFailed
from onewindow.core.testing import run_concurrently

SERIAL = "serial"


def _stages(org: Any, parallel: bool) -> list[dict[str, Any]]:
    steps = [
        {"department": org["ZJJ"], "name": "网签备案审核", "limit_days": 3},
        {"department": org["SW"], "name": "核税", "limit_days": 3},
        {"department": org["BDC"], "name": "登簿", "limit_days": 5},
    ]
    if parallel:
        return [{"name": "并联审批", "steps": steps}]
    return [{"name": s["name"], "steps": [s]} for s in steps]


def test_draft_publish_and_compare(estate_bundle: Any, org: Any, admin_user: Any, approver: Any) -> None:
    with pytest.raises(PermissionDenied) as denied:
        routes.route_draft_create(actor=approver, name="x", stages=_stages(org, False), bundle=estate_bundle)
    assert denied.value.code == "permission_denied"
    v1 = routes.route_draft_create(actor=admin_user, name="串联", stages=_stages(org, False), bundle=estate_bundle)
    v2 = routes.route_draft_create(actor=admin_user, name="并联", stages=_stages(org, True), bundle=estate_bundle)
    assert (v1.number, v2.number) == (1, 2)
    routes.route_publish(route=v1, actor=admin_user)
    routes.route_publish(route=v2, actor=admin_user)
    v1.refresh_from_db()
    assert v1.status == RouteVersion.Status.RETIRED  # one published version at a time
    cmp = routes.compare(v1, v2)
    assert cmp["a"].serial_depth == 3 and cmp["b"].serial_depth == 1
    assert cmp["a"].critical_days == 11 and cmp["b"].critical_days == 5 and cmp["saving_days"] == 6
    assert len(cmp["b"].materials) == 4  # merged, de-duplicated list
    copy = routes.route_copy_as_draft(route=v2, actor=admin_user)
    assert copy.status == "draft" and routes.summarize(copy).step_count == 3


def test_critical_path_must_fit_committed_limit(matter_zjj: Any, org: Any, admin_user: Any) -> None:
    too_long = routes.route_draft_create(
        actor=admin_user,
        name="长",
        matter=matter_zjj.matter,
        stages=[
            {"name": "a", "steps": [{"department": org["ZJJ"], "name": "审查", "limit_days": 8}]},
            {"name": "b", "steps": [{"department": org["ZJJ"], "name": "公示", "limit_days": 5, "kind": "public_notice"}]},
        ],
    )
    with pytest.raises(ValidationFailed) as exc:
        routes.route_publish(route=too_long, actor=admin_user)
    assert exc.value.code == "route_too_long"
    with pytest.raises(ValidationFailed) as invalid:
        routes.route_draft_create(actor=admin_user, name="空", matter=matter_zjj.matter, stages=[{"name": "a", "steps": []}])
    assert invalid.value.code == "route_empty_stage"


def test_admin_pages(client: Any, estate_bundle: Any, parallel_route: Any, admin_user: Any, clerk: Any) -> None:
    client.force_login(clerk)
    assert client.get("/admin/cases/routeversion/").status_code == 302
    client.force_login(admin_user)
    assert client.get("/admin/cases/routeversion/").status_code == 200
    assert client.get(f"/admin/cases/routeversion/{parallel_route.pk}/change/").status_code == 200
    resp = client.post("/admin/cases/routeversion/", {"action": "copy_as_draft", "_selected_action": [parallel_route.pk]})
    assert resp.status_code == 302
    assert RouteVersion.objects.filter(status="draft").count() == 1


def test_admin_adds_a_draft_with_stages(client: Any, estate_bundle: Any, parallel_route: Any, admin_user: Any, org: Any) -> None:
    client.force_login(admin_user)
    data = {
        "name": "新流程",
        "bundle": estate_bundle.pk,
        "matter": "",
        "note": "",
        "stages-TOTAL_FORMS": "1",
        "stages-INITIAL_FORMS": "0",
        "stages-MIN_NUM_FORMS": "0",
        "stages-MAX_NUM_FORMS": "1000",
        "stages-0-order": "1",
        "stages-0-name": "并联",
    }
    resp = client.post("/admin/cases/routeversion/add/", data)
    assert resp.status_code == 302, resp.content.decode()[:3000]
    draft = RouteVersion.objects.get(name="新流程")
    assert draft.number == 2 and draft.status == "draft" and draft.stages.count() == 1
    stage = draft.stages.get()
    resp = client.post(
        f"/admin/cases/routestage/{stage.pk}/change/",
        {
            "route": draft.pk,
            "order": 1,
            "name": "并联",
            "steps-TOTAL_FORMS": "1",
            "steps-INITIAL_FORMS": "0",
            "steps-MIN_NUM_FORMS": "0",
            "steps-MAX_NUM_FORMS": "1000",
            "steps-0-sort_order": "0",
            "steps-0-department": org["BDC"].pk,
            "steps-0-name": "登记",
            "steps-0-kind": "review",
            "steps-0-limit_days": "5",
        },
    )
    assert resp.status_code == 302, resp.content.decode()[:3000]
    assert routes.summarize(draft).critical_days == 5
    # published versions are read-only in the admin
    assert client.post(f"/admin/cases/routeversion/{parallel_route.pk}/change/", {"name": "x"}).status_code == 403


def test_numbers_never_reused_after_a_draft_is_deleted(estate_bundle: Any, org: Any, admin_user: Any) -> None:
    # With numbers taken from a count, deleting v1 made the next draft "2" again: an IntegrityError.
    v1 = routes.route_draft_create(actor=admin_user, name="a", stages=_stages(org, False), bundle=estate_bundle)
    v2 = routes.route_draft_create(actor=admin_user, name="b", stages=_stages(org, False), bundle=estate_bundle)
    v1.delete()
    v3 = routes.route_draft_create(actor=admin_user, name="c", stages=_stages(org, True), bundle=estate_bundle)
    assert (v2.number, v3.number) == (2, 3)


@pytest.mark.django_db(transaction=True)
def test_concurrent_drafts_get_distinct_numbers(estate_bundle: Any, org: Any, admin_user: Any) -> None:
    # On PostgreSQL the parent row lock and the counter's UPDATE are what keep these apart; on SQLite
    # writes are serialised anyway, so only the PostgreSQL run can catch a missing lock.
    def draft(i: int) -> int:
        return routes.route_draft_create(actor=admin_user, name=f"d{i}", stages=_stages(org, False), bundle=estate_bundle).number

    results = run_concurrently(draft, 6)
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert sorted(r for r in results if isinstance(r, int)) == [1, 2, 3, 4, 5, 6]
