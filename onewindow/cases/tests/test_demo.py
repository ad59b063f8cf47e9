"""The cases demo step: builds the real-estate routes and cases through the services, tolerates a
catalog without the other demo matters, and changes nothing when run twice."""

from __future__ import annotations

from typing import Any

from onewindow.cases import demo
from onewindow.cases.models import Case, RouteVersion
from onewindow.core.demo import DemoContext


def test_demo_builds_and_is_idempotent(
    estate_bundle: Any,
    citizen: Any,
    clerk: Any,
    approver: Any,
    approver_sw: Any,
    approver_bdc: Any,
    admin_user: Any,
    leader: Any,
    agent: Any,
) -> None:
    estate_bundle.code = demo.ESTATE_BUNDLE
    estate_bundle.save(update_fields=["code"])
    ctx = DemoContext(quiet=True)
    demo.build(ctx)
    routes = RouteVersion.objects.filter(bundle=estate_bundle).order_by("number")
    assert [r.status for r in routes] == ["retired", "published"]
    by_key = {c.form_data.get("demo_key"): c for c in Case.objects.all()}  # forms are encrypted: read them
    complete = by_key["estate-complete"]
    assert complete.status == Case.Status.DELIVERED and complete.is_joint
    assert complete.steps.filter(status="approved").count() == 3
    half = by_key["estate-parallel"]
    assert sorted(half.steps.values_list("status", flat=True)) == ["approved", "open", "open"]
    before = (Case.objects.count(), RouteVersion.objects.count())
    demo.build(ctx)
    assert (Case.objects.count(), RouteVersion.objects.count()) == before
