"""告知承诺备案 by an agent for a resident (or the resident's enterprise), under a mandate: filed in
the resident's name, the agent and point recorded, notices to both; refusals store nothing; the
page and the API (outsiders refused)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from conftest import login, make_user
from onewindow.accounts.demo import resident_id
from onewindow.accounts.models import Enterprise, EnterpriseHandler
from onewindow.assistance import services
from onewindow.assistance.models import AgentApplication
from onewindow.catalog.models import Matter, MatterVersion
from onewindow.catalog.tests.factories import make_matter
from onewindow.core.errors import ApplicationError
from onewindow.core.models import Notification
from onewindow.filings.models import Filing
from onewindow.filings.services import text_hash

from .conftest import record

pytestmark = pytest.mark.django_db
TEXT = "本人承诺：所填信息真实、准确、完整，符合相关条件；如有不实，愿承担相应法律责任。"


def _filing_matter(code: str, name: str, dept: Any, *, agent_eligible: bool = True) -> Matter:
    return make_matter(
        dept,
        name,
        code=code,
        matter_type=MatterVersion.MatterType.OTHER_POWER,
        kind=MatterVersion.Kind.FILING,
        statutory_days=1,
        committed_days=1,
        on_one_window=False,
        online_depth=MatterVersion.OnlineDepth.INFORMATION,
        agent_eligible=agent_eligible,
        commitment_text=TEXT,
        materials=[],
    )


@pytest.fixture
def filings(depts: Any, calendar: Any) -> dict[str, Matter]:
    return {
        "farm": _filing_matter("NYNC-901", "家庭农场名录登记", depts["RSJ"]),
        "not_eligible": _filing_matter("SCJG-901", "食品小摊贩备案", depts["RSJ"], agent_eligible=False),
    }


def _file(agent: Any, resident: Any, matter: Matter, **kw: Any) -> AgentApplication:
    args: dict[str, Any] = {
        "signer_name": resident.display_name,
        "signer_id_number": resident.id_number,
        "text_sha256": text_hash(TEXT),
        "read_to_resident": True,
    }
    args.update(kw)
    return services.agent_file_filing(actor=agent, resident=resident, matter=matter, **args)


def _nothing_stored() -> None:
    assert not Filing.objects.exists() and not AgentApplication.objects.exists()


def test_filed_in_the_residents_name(mandate: Any, agent: Any, resident: Any, filings: Any, points: Any) -> None:
    app = _file(agent, resident, filings["farm"])
    f = app.filing
    assert f is not None and f.number and f.applicant == resident and f.signer_name == resident.display_name
    assert (app.kind, app.agent, app.point, app.mandate, app.matter) == (
        "filing",
        agent,
        points["ZXSQ"],
        mandate,
        filings["farm"],
    )
    assert Notification.objects.filter(user=resident, kind="assistance.filing").exists()
    assert Notification.objects.filter(recipient=points["ZXSQ"].phone, kind="assistance.filing").exists()


def test_for_the_residents_enterprise(mandate: Any, agent: Any, resident: Any, citizen: Any, filings: Any) -> None:
    ent = Enterprise.objects.create(name="张桂英家庭农场", uscc="92360803MA35XXXX1A")
    with pytest.raises(ApplicationError) as exc:  # the resident does not handle it
        _file(agent, resident, filings["farm"], enterprise=ent)
    assert exc.value.code == "not_enterprise_handler"
    _nothing_stored()
    EnterpriseHandler.objects.create(enterprise=ent, user=resident)
    app = _file(agent, resident, filings["farm"], enterprise=ent)
    assert app.filing is not None and app.filing.enterprise == ent


@pytest.mark.parametrize(
    "refusal", ["no_mandate", "not_agent_eligible", "other_village", "not_read_to_resident", "signer_mismatch", "text_changed"]
)
def test_refusals_store_nothing(refusal: str, agent: Any, other_agent: Any, resident: Any, filings: Any, points: Any) -> None:
    if refusal != "no_mandate":
        record(agent, points["ZXSQ"], resident)
    actor, matter, kw = agent, filings["farm"], dict[str, Any]()
    if refusal == "not_agent_eligible":
        matter = filings["not_eligible"]
    elif refusal == "other_village":
        actor = other_agent
    elif refusal == "not_read_to_resident":
        kw = {"read_to_resident": False}
    elif refusal == "signer_mismatch":
        kw = {"signer_id_number": resident_id("19900101", 111)}
    elif refusal == "text_changed":
        kw = {"text_sha256": "0" * 64}
    with pytest.raises(ApplicationError) as exc:
        _file(actor, resident, matter, **kw)
    assert exc.value.code == refusal
    _nothing_stored()


# --- page and API ---------------------------------------------------------------------------------


def test_page(client: Client, mandate: Any, agent: Any, resident: Any, filings: Any) -> None:
    login(client, agent)
    r = client.get("/assistance/filing/", {"resident": str(mandate.uuid), "matter": str(filings["farm"].uuid)})
    assert r.status_code == 200 and TEXT in r.content.decode()
    assert [m.code for m in r.context["matters"]] == ["NYNC-901"]  # agent-eligible filing matters only
    data = {
        "resident": str(mandate.uuid),
        "matter": str(filings["farm"].uuid),
        "signer_name": resident.display_name,
        "signer_id_number": resident.id_number,
        "text_sha256": text_hash(TEXT),
    }
    r = client.post("/assistance/filing/", data)  # not read to the resident
    assert r.status_code == 422 and r.context["errors"]["code"] == "not_read_to_resident"
    _nothing_stored()
    r = client.post("/assistance/filing/", {**data, "matter": str(filings["not_eligible"].uuid), "read_to_resident": "on"})
    assert r.context["errors"]["code"] == "not_agent_eligible"
    _nothing_stored()
    r = client.post("/assistance/filing/", {**data, "read_to_resident": "on"})
    app = AgentApplication.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/assistance/applications/{app.uuid}/"
    assert app.filing is not None and str(app.filing.number) in client.get(r["Location"]).content.decode()


def test_page_without_mandate_and_outsiders(
    client: Client, agent: Any, points: Any, outsider: Any, resident: Any, filings: Any
) -> None:
    login(client, agent)
    data = {
        "id_number": resident.id_number,
        "matter": str(filings["farm"].uuid),
        "signer_name": resident.display_name,
        "signer_id_number": resident.id_number,
        "text_sha256": text_hash(TEXT),
        "read_to_resident": "on",
    }
    r = client.post("/assistance/filing/", data)
    assert r.status_code == 403 and r.context["errors"]["code"] == "no_mandate"
    login(client, outsider)
    assert client.get("/assistance/filing/").status_code == 403
    assert client.post("/assistance/filing/", data).status_code == 403
    _nothing_stored()


def test_api(client: Client, mandate: Any, agent: Any, outsider: Any, resident: Any, filings: Any) -> None:
    body = {
        "mandate": str(mandate.uuid),
        "matter": str(filings["farm"].uuid),
        "signer_name": resident.display_name,
        "signer_id_number": resident.id_number,
        "text_sha256": text_hash(TEXT),
        "read_to_resident": True,
    }
    url = "/api/v1/assistance/filings"
    assert client.post(url, body, content_type="application/json").status_code == 401
    login(client, outsider)
    assert client.post(url, body, content_type="application/json").status_code in (403, 404)
    _nothing_stored()
    login(client, agent)
    r = client.post(url, {**body, "matter": str(filings["not_eligible"].uuid)}, content_type="application/json")
    assert r.status_code in (403, 422) and r.json()["code"] == "not_agent_eligible"
    r = client.post(url, {**body, "read_to_resident": False}, content_type="application/json")
    assert r.status_code == 422 and r.json()["code"] == "not_read_to_resident"
    _nothing_stored()
    r = client.post(url, body, content_type="application/json")
    assert r.status_code == 201, r.content
    out = r.json()
    assert out["kind"] == "filing" and out["filing_number"] == Filing.objects.get().number and out["resident_name"] == "张桂英"
    # A resident of another village, with a mandate recorded before they moved away.
    other = make_user("moved", "citizen", id_number=resident_id("19520101", 14), home_unit=resident.home_unit)
    m = record(agent, mandate.point, other)
    type(other).objects.filter(pk=other.pk).update(home_unit=None)
    r = client.post(
        url,
        {**body, "mandate": str(m.uuid), "signer_name": other.display_name, "signer_id_number": other.id_number},
        content_type="application/json",
    )
    assert r.status_code == 403 and r.json()["code"] == "other_village"
    assert Filing.objects.count() == 1
