"""Every operation of /api/v1/assistance/ is called here; each refuses anonymous callers and
outsiders (a citizen who is no agent of the point); errors come as {code, message, fields}."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from conftest import login, make_user
from onewindow.assistance import services
from onewindow.assistance.models import AgentApplication, HandoverBatch, LedgerEntry, Mandate
from onewindow.cases import services as case_services
from onewindow.cases.models import Case

from .test_pages import data_url

pytestmark = pytest.mark.django_db
API = "/api/v1/assistance"


def post(client: Client, path: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(API + path, data or {}, content_type="application/json")


def test_openapi_lists_the_operations(client: Client) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    paths = [p for p in spec["paths"] if p.startswith(API)]
    assert len(paths) >= 20, paths


def test_mandate_lifecycle(client: Client, agent: Any, points: Any, resident: Any, matters: Any) -> None:
    login(client, agent)
    body = {
        "id_number": resident.id_number,
        "all_eligible": False,
        "matters": [str(matters["disability"].uuid)],
        "valid_from": "2026-04-01",
        "valid_until": "2027-03-31",
        "method": "on_screen",
        "id_checked": True,
        "signature": data_url(),
    }
    r = post(client, "/mandates", body)
    assert r.status_code == 201, r.content
    m = r.json()
    assert m["status"] == "active" and m["matters"] == ["CLH-001"] and len(m["text_sha256"]) == 64
    assert client.get(f"{API}/mandates").json()["items"][0]["number"] == m["number"]
    assert client.get(f"{API}/mandates/{m['uuid']}").status_code == 200
    bad = post(client, "/mandates", {**body, "matters": [str(matters["not_eligible"].uuid)]})
    assert bad.status_code == 422 and bad.json()["code"] == "not_agent_eligible"
    # The resident sees it and revokes it.
    login(client, resident)
    assert [x["uuid"] for x in client.get(f"{API}/mandates").json()["items"]] == [m["uuid"]]
    r = post(client, f"/mandates/{m['uuid']}/revoke", {"reason": "不需要了"})
    assert r.json()["status"] == "revoked"


def test_phone_confirmation_and_countersign(
    client: Client, agent: Any, points: Any, resident: Any, matters: Any, settings: Any
) -> None:
    settings.ONEWINDOW_ASSISTANCE = {"countersign_required": True}
    login(client, agent)
    body = {
        "id_number": resident.id_number,
        "all_eligible": True,
        "valid_from": "2026-04-01",
        "valid_until": "2026-12-31",
        "method": "phone",
    }
    m = post(client, "/mandates", body).json()
    assert m["status"] == "awaiting_resident"
    login(client, resident)
    r = post(client, f"/mandates/{m['uuid']}/confirm", {"text_sha256": m["text_sha256"]})
    assert r.json()["status"] == "awaiting_countersign"
    login(client, agent)
    r = post(client, f"/mandates/{m['uuid']}/countersign", {"countersigner_name": "王村长", "signature": data_url()})
    assert r.status_code == 200 and r.json()["status"] == "active"


def test_paper_scan_as_data_url(client: Client, agent: Any, points: Any, resident: Any, matters: Any) -> None:
    import base64

    login(client, agent)
    scan = "data:application/pdf;base64," + base64.b64encode(b"%PDF-1.4\n%%EOF\n").decode()
    body = {
        "id_number": resident.id_number,
        "all_eligible": True,
        "valid_from": "2026-04-01",
        "valid_until": "2026-12-31",
        "method": "paper",
        "id_checked": True,
        "signature": scan,
    }
    assert post(client, "/mandates", body).json()["status"] == "active"
    fake = "data:application/pdf;base64," + base64.b64encode(b"not a pdf").decode()
    r = post(client, "/mandates", {**body, "signature": fake})
    assert r.status_code == 422 and r.json()["code"] == "upload_wrong_type"


def test_case_filing_forwarding_delivery_follow_up(
    client: Client, agent: Any, mandate: Mandate, matters: Any, clerk: Any, depts: Any, resident: Any
) -> None:
    matter = matters["disability"]
    reqs = [r.pk for r in matter.current_version.materials.all()]
    login(client, agent)
    r = post(
        client, "/cases", {"mandate": str(mandate.uuid), "matter": str(matter.uuid), "paper": reqs, "deliver_at_point": True}
    )
    assert r.status_code == 201, r.content
    a = r.json()
    assert a["kind"] == "case" and a["case_status"] == "submitted" and a["forwarding_due_on"] == "2026-04-07"
    again = post(client, "/cases", {"mandate": str(mandate.uuid), "matter": str(matter.uuid)})
    assert again.status_code == 409 and again.json()["code"] == "already_filed"
    refused = post(client, "/cases", {"mandate": str(mandate.uuid), "matter": str(matters["not_eligible"].uuid)})
    assert refused.status_code == 422 and refused.json()["code"] == "not_agent_eligible"
    assert [x["uuid"] for x in client.get(f"{API}/applications").json()["items"]] == [a["uuid"]]
    assert client.get(f"{API}/applications/{a['uuid']}").json()["case_number"] == a["case_number"]
    assert post(client, f"/applications/{a['uuid']}/forward", {"carrier": "胡桂兰"}).json()["forwarding_sent_at"]
    wb = client.get(f"{API}/workbench").json()
    assert wb["residents"][0]["open_cases"] == [a["case_number"]] and (wb["to_forward"], wb["in_transit"]) == (0, 1)
    # The accepting unit signs for the materials, accepts and concludes.
    login(client, clerk)
    fwds = client.get(f"{API}/forwardings").json()["items"]
    assert [f["case_number"] for f in fwds] == [a["case_number"]]
    assert post(client, f"/forwardings/{fwds[0]['uuid']}/receive").json()["received_at"]
    case = Case.objects.get()
    approver = make_user("approver_clh", "approver", depts["CLH"])
    case = case_services.case_accept(case=case, actor=clerk)
    for step in case.steps.filter(status="open"):
        case_services.step_approve(step=step, actor=approver)
    case_services.case_decide(case=case, actor=approver, approved=True)
    case_services.case_conclude(case=case, actor=clerk)
    login(client, agent)
    r = post(client, f"/applications/{a['uuid']}/deliver", {"signature": data_url()})
    assert r.status_code == 200 and r.json()["case_status"] == "delivered"
    r = post(client, f"/applications/{a['uuid']}/follow-up", {"method": "phone", "satisfaction": 5})
    assert r.json()["follow_up_satisfaction"] == 5
    bad = post(client, f"/applications/{a['uuid']}/follow-up", {"method": "phone", "satisfaction": 9})
    assert bad.status_code in (409, 422)


def test_booking(client: Client, agent: Any, mandate: Mandate, matters: Any, org: Any) -> None:
    from onewindow.appointments.models import SessionKind, SessionRule, Slot
    from onewindow.appointments.scheduling import ensure_slots
    from onewindow.appointments.selectors import slot_ref
    from onewindow.catalog.models import Matter
    from onewindow.hall.models import ServiceArea, ServicePoint

    hall = ServicePoint.objects.create(org_unit=org["ZXZ"], code="ZXZBM", name="值夏镇便民服务中心")
    area = ServiceArea.objects.create(
        point=hall, code="ZXZ1", name="便民服务区", theme=ServiceArea.Theme.TOWNSHIP, ticket_prefix="Z"
    )
    SessionRule.objects.create(
        area=area,
        kind=SessionKind.REGULAR,
        weekdays="01234",
        start=datetime.time(9),
        end=datetime.time(12),
        slot_minutes=30,
        capacity=2,
    )
    Matter.objects.filter(pk=matters["medical"].pk).update(service_area=area)
    ensure_slots([area.pk], datetime.date(2026, 4, 1), datetime.date(2026, 4, 8))
    slot = Slot.objects.filter(area=area, date=datetime.date(2026, 4, 2)).order_by("starts_at").first()
    assert slot is not None
    login(client, agent)
    r = post(client, "/bookings", {"mandate": str(mandate.uuid), "matter": str(matters["medical"].uuid), "slot": slot_ref(slot)})
    assert r.status_code == 201, r.content
    assert r.json()["booking_code"]


def test_ledger_operations(client: Client, agent: Any, mandate: Mandate, depts: Any) -> None:
    login(client, agent)
    base = {"mandate": str(mandate.uuid), "kind": "medical", "method": "cash", "period": "2027"}
    for amount in ("0", "-380", "abc", "1.999"):
        r = post(client, "/collections", {**base, "amount": amount})
        assert r.status_code == 422 and r.json()["code"] == "bad_amount", amount
    assert not LedgerEntry.objects.exists()
    e = post(client, "/collections", {**base, "amount": "380"}).json()
    assert e["amount_fen"] == 38000 and "receipts/verify" in e["verify_url"]
    e2 = post(client, "/collections", {**base, "amount": "200", "method": "transfer"}).json()
    rev = post(client, f"/collections/{e2['uuid']}/reverse", {"reason": "重复"})
    assert rev.status_code == 201 and rev.json()["amount_fen"] == -20000
    rr = post(client, f"/collections/{rev.json()['uuid']}/reverse", {"reason": "x"})
    assert rr.status_code == 422 and rr.json()["code"] == "reversal_of_reversal"
    pdf = client.get(f"{API}/collections/{e['uuid']}/receipt")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    t = client.get(f"{API}/till").json()
    assert (t["cash_fen"], t["transfer_fen"], t["replay_matches"], len(t["entries"])) == (38000, 0, True, 3)
    assert post(client, "/till/close", {"counted_cash": "379"}).json()["code"] == "till_unbalanced"
    assert post(client, "/till/close", {"counted_cash": "380"}).json()["status"] == "closed"
    closed = post(client, "/collections", {**base, "amount": "1"})
    assert closed.status_code == 422 and closed.json()["code"] == "till_closed"
    b = post(client, "/batches", {"kind": "medical"})
    assert b.status_code == 201 and b.json()["total_fen"] == 38000
    assert client.get(f"{API}/batches").json()["items"][0]["number"] == b.json()["number"]
    ybj = make_user("ybj", "approver", depts["YBJ"])
    login(client, ybj)
    assert post(client, f"/batches/{b.json()['uuid']}/hand-over").json()["status"] == "handed_over"
    again = post(client, f"/batches/{b.json()['uuid']}/hand-over")
    assert again.status_code == 409 and again.json()["code"] == "already_handed_over"
    login(client, agent)
    rec = client.get(f"{API}/reconciliation", {"start": "2026-04-01", "end": "2026-04-30"}).json()
    assert rec["total_fen"] == 38000 and rec["unbalanced"] == 0 and rec["bad_batches"] == []


def test_township(client: Client, township_officer: Any, agent: Any, mandate: Mandate, resident: Any, matters: Any) -> None:
    from .test_applications import file_case

    file_case(agent, resident, matters["disability"])
    login(client, township_officer)
    rows = client.get(f"{API}/township").json()["items"]
    assert [(r["village_code"], r["applications"], r["open_cases"]) for r in rows] == [("ZXZ-V01", 1, 1)]


OPERATIONS = [
    (
        "post",
        "/mandates",
        {
            "id_number": "{rid}",
            "all_eligible": True,
            "valid_from": "2026-04-01",
            "valid_until": "2026-12-31",
            "method": "on_screen",
            "id_checked": True,
            "signature": "{sig}",
        },
    ),
    ("get", "/mandates", None),
    ("get", "/mandates/{m}", None),
    ("post", "/mandates/{m}/confirm", {"text_sha256": "x"}),
    ("post", "/mandates/{m}/countersign", {"countersigner_name": "x", "signature": "{sig}"}),
    ("post", "/mandates/{m}/revoke", {}),
    ("post", "/cases", {"mandate": "{m}", "matter": "{matter}"}),
    ("post", "/bookings", {"mandate": "{m}", "matter": "{matter}", "slot": "ZH~202604020900"}),
    ("get", "/applications", None),
    ("get", "/applications/{a}", None),
    ("post", "/applications/{a}/forward", {}),
    ("get", "/forwardings", None),
    ("post", "/forwardings/{f}/receive", None),
    ("post", "/applications/{a}/deliver", {"signature": "{sig}"}),
    ("post", "/applications/{a}/follow-up", {"method": "phone", "satisfaction": 5}),
    ("get", "/workbench", None),
    ("get", "/township", None),
    ("post", "/collections", {"mandate": "{m}", "kind": "medical", "method": "cash", "amount": "1", "period": "2027"}),
    ("post", "/collections/{e}/reverse", {"reason": "x"}),
    ("get", "/collections/{e}/receipt", None),
    ("get", "/till", None),
    ("post", "/till/close", {"counted_cash": "1"}),
    ("post", "/batches", {"kind": "medical"}),
    ("get", "/batches", None),
    ("post", "/batches/{b}/hand-over", None),
    ("get", "/reconciliation?start=2026-04-01&end=2026-04-30", None),
]


@pytest.fixture
def objects(agent: Any, mandate: Mandate, resident: Any, matters: Any, points: Any, depts: Any) -> dict[str, str]:
    from .test_applications import file_case

    app = file_case(agent, resident, matters["disability"])
    e = services.collect(
        actor=agent, point=points["ZXSQ"], resident=resident, kind="medical", method="cash", amount="5", period="2027"
    )
    services.till_close(actor=agent, point=points["ZXSQ"], day=datetime.date(2026, 4, 1), counted_cash="5")
    b = services.batch_prepare(actor=agent, point=points["ZXSQ"], kind="medical")
    return {
        "m": str(mandate.uuid),
        "matter": str(matters["disability"].uuid),
        "a": str(app.uuid),
        "f": str(app.forwarding.uuid),
        "e": str(e.uuid),
        "b": str(b.uuid),
        "rid": resident.id_number,
        "sig": data_url(),
    }


def _call(client: Client, method: str, path: str, body: Any, objects: dict[str, str]) -> Any:
    path = path.format(**objects)
    if method == "get":
        return client.get(API + path)
    data = {k: (v.format(**objects) if isinstance(v, str) else v) for k, v in (body or {}).items()}
    return post(client, path, data)


@pytest.mark.parametrize(("method", "path", "body"), OPERATIONS)
def test_anonymous_refused(client: Client, objects: dict[str, str], method: str, path: str, body: Any) -> None:
    assert _call(client, method, path, body, objects).status_code == 401


@pytest.mark.parametrize(("method", "path", "body"), OPERATIONS)
def test_outsider_refused(client: Client, outsider: Any, objects: dict[str, str], method: str, path: str, body: Any) -> None:
    login(client, outsider)
    response = _call(client, method, path, body, objects)
    if path == "/mandates" and method == "get":  # an outsider lists their own mandates: none
        assert response.json()["items"] == []
        return
    if path == "/forwardings":  # nothing addressed to them
        assert response.json()["items"] == []
        return
    if path == "/batches" and method == "get":
        assert response.json()["items"] == []
        return
    assert response.status_code in (403, 404), (path, response.status_code, response.content[:200])
    assert Mandate.objects.count() == 1 and AgentApplication.objects.count() == 1
    assert HandoverBatch.objects.get().status == "prepared"
