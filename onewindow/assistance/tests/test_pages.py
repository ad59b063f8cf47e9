"""The pages: each one works for its persona and refuses an outsider (a citizen who is no agent)
and anonymous visitors; forms re-render with the refusal and store nothing."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from conftest import login
from onewindow.assistance import services
from onewindow.assistance.models import AgentApplication, HandoverBatch, LedgerEntry, Mandate
from onewindow.cases.models import Case

from .conftest import signature_png
from .test_applications import file_case

pytestmark = pytest.mark.django_db


def data_url(ink: bool = True) -> str:
    return "data:image/png;base64," + base64.b64encode(signature_png(ink).read()).decode()


AGENT_PAGES = ["home", "mandates", "mandate_new", "apply", "till"]


@pytest.mark.parametrize("name", AGENT_PAGES)
def test_agent_pages_render(client: Client, agent: Any, points: Any, mandate: Any, name: str) -> None:
    login(client, agent)
    response = client.get(reverse(f"assistance:{name}"))
    assert response.status_code == 200, response.content[:500]


@pytest.mark.parametrize("name", [*AGENT_PAGES, "township", "incoming", "reconciliation", "my_mandates"])
def test_anonymous_is_sent_to_login(client: Client, name: str, db: Any) -> None:
    response = client.get(reverse(f"assistance:{name}"))
    assert response.status_code == 302 and "/accounts/login" in response["Location"]


@pytest.mark.parametrize("name", [*AGENT_PAGES, "township", "incoming", "reconciliation"])
def test_outsider_refused(client: Client, outsider: Any, points: Any, name: str) -> None:
    login(client, outsider)
    assert client.get(reverse(f"assistance:{name}")).status_code == 403


def test_outsider_cannot_see_objects(
    client: Client, outsider: Any, agent: Any, other_agent: Any, mandate: Mandate, resident: Any, matters: Any, points: Any
) -> None:
    app = file_case(agent, resident, matters["disability"])
    entry = services.collect(
        actor=agent, point=points["ZXSQ"], resident=resident, kind="medical", method="cash", amount="1", period="2027"
    )
    for who in (outsider, other_agent):
        login(client, who)
        for url in [
            reverse("assistance:mandate", args=[mandate.uuid]),
            reverse("assistance:mandate_file", args=[mandate.uuid, "signature"]),
            reverse("assistance:application", args=[app.uuid]),
            reverse("assistance:receipt", args=[entry.uuid]),
            reverse("assistance:my_mandate", args=[mandate.uuid]),
        ]:
            assert client.get(url).status_code in (403, 404), url


def test_record_mandate_on_screen(client: Client, agent: Any, points: Any, matters: Any, resident: Any) -> None:
    login(client, agent)
    form = {
        "id_number": resident.id_number,
        "scope": "named",
        "matters": [str(matters["disability"].uuid), str(matters["medical"].uuid)],
        "valid_from": "2026-04-01",
        "valid_until": "2027-03-31",
        "method": "on_screen",
        "id_checked": "on",
        "signature": data_url(),
    }
    response = client.post(reverse("assistance:mandate_new"), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    m = Mandate.objects.get()
    assert m.status == "active" and set(m.matters.all()) == {matters["disability"], matters["medical"]}
    page = client.get(response["Location"]).content.decode()
    assert m.text_sha256 in page
    png = client.get(reverse("assistance:mandate_file", args=[m.uuid, "signature"]))
    assert png.status_code == 200 and png["Cache-Control"] == "no-store"


def test_record_mandate_refusal_rerenders(client: Client, agent: Any, points: Any, matters: Any, resident: Any) -> None:
    login(client, agent)
    form = {
        "id_number": resident.id_number,
        "scope": "all",
        "method": "on_screen",
        "id_checked": "on",
        "signature": data_url(False),
    }
    response = client.post(reverse("assistance:mandate_new"), form)
    assert response.status_code == 422
    assert "请签名" in response.content.decode()
    assert not Mandate.objects.exists()


def test_new_resident_registered_in_the_points_village(client: Client, agent: Any, points: Any, matters: Any, org: Any) -> None:
    from onewindow.accounts.demo import resident_id
    from onewindow.accounts.models import User

    login(client, agent)
    number = resident_id("19500505", 101)
    form = {"id_number": number, "display_name": "钟老伯", "phone": "13900000077", "scope": "all", "method": "phone"}
    response = client.post(reverse("assistance:mandate_new"), form)
    assert response.status_code == 302
    user = User.objects.get(id_number=number)
    assert user.home_unit == org["ZXSQ"] and not user.has_usable_password()
    assert Mandate.objects.get().status == "awaiting_resident"


def test_file_case_page_and_follow_through(
    client: Client, agent: Any, mandate: Mandate, matters: Any, resident: Any, clerk: Any
) -> None:
    login(client, agent)
    matter = matters["disability"]
    reqs = list(matter.current_version.materials.all())
    url = reverse("assistance:apply")
    assert "居民身份证" in client.get(url, {"resident": str(mandate.uuid), "matter": str(matter.uuid)}).content.decode()
    data = {"resident": str(mandate.uuid), "matter": str(matter.uuid), "deliver_at_point": "on"}
    data.update({f"paper_{r.pk}": "on" for r in reqs})
    response = client.post(url, data)
    assert response.status_code == 302
    app = AgentApplication.objects.get()
    assert app.case is not None
    assert app.case.channel == "agent" and app.forwarding.items == [r.name for r in reqs]
    response = client.post(reverse("assistance:application", args=[app.uuid]), {"action": "send", "carrier": "胡桂兰"})
    assert response.status_code == 302
    app.forwarding.refresh_from_db()
    assert app.forwarding.sent_at is not None
    # The accepting unit signs for them.
    login(client, clerk)
    page = client.get(reverse("assistance:incoming")).content.decode()
    assert app.case.number in page
    client.post(reverse("assistance:incoming"), {"forwarding": str(app.forwarding.uuid)})
    app.forwarding.refresh_from_db()
    assert app.forwarding.received_by == clerk


def test_refused_filing_rerenders_and_stores_nothing(client: Client, agent: Any, mandate: Mandate, matters: Any) -> None:
    login(client, agent)
    services.mandate_revoke(actor=mandate.resident, mandate=mandate)
    response = client.post(
        reverse("assistance:apply"), {"resident": str(mandate.uuid), "matter": str(matters["disability"].uuid)}
    )
    # The revoked mandate's resident is no longer offered: nothing is filed.
    assert response.status_code == 200
    assert not Case.objects.exists()


def test_till_page_collect_reverse_close(client: Client, agent: Any, mandate: Mandate, points: Any) -> None:
    login(client, agent)
    url = reverse("assistance:till")
    bad = client.post(
        url,
        {
            "action": "collect",
            "resident": str(mandate.uuid),
            "kind": "medical",
            "method": "cash",
            "amount": "-3",
            "period": "2027",
        },
    )
    assert bad.status_code == 422 and not LedgerEntry.objects.exists()
    client.post(
        url,
        {
            "action": "collect",
            "resident": str(mandate.uuid),
            "kind": "medical",
            "method": "cash",
            "amount": "380",
            "period": "2027",
        },
    )
    e = LedgerEntry.objects.get()
    pdf = client.get(reverse("assistance:receipt", args=[e.uuid]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    client.post(url, {"action": "reverse", "entry": str(e.uuid), "reason": "录错"})
    assert LedgerEntry.objects.count() == 2
    unbalanced = client.post(url, {"action": "close", "counted_cash": "5"})
    assert unbalanced.status_code == 422
    client.post(url, {"action": "close", "counted_cash": "0"})
    assert e.till.__class__.objects.get().status == "closed"
    assert "日结" in client.get(url).content.decode()


def test_receipt_verification_is_public(client: Client, agent: Any, mandate: Mandate, points: Any, resident: Any) -> None:
    e = services.collect(
        actor=agent, point=points["ZXSQ"], resident=resident, kind="medical", method="cash", amount="380", period="2027"
    )
    ok = client.get(reverse("assistance:receipt_verify"), {"n": e.number, "c": e.check_code})
    assert ok.status_code == 200 and "380.00" in ok.content.decode() and resident.display_name not in ok.content.decode()
    assert client.get(reverse("assistance:receipt_verify"), {"n": e.number, "c": "WRONG1"}).status_code == 404


def test_batches_page(client: Client, agent: Any, mandate: Mandate, points: Any, resident: Any, depts: Any) -> None:
    from conftest import make_user

    services.collect(
        actor=agent, point=points["ZXSQ"], resident=resident, kind="medical", method="cash", amount="380", period="2027"
    )
    services.till_close(actor=agent, point=points["ZXSQ"], day=__import__("datetime").date(2026, 4, 1), counted_cash="380")
    login(client, agent)
    client.post(reverse("assistance:batches"), {"action": "prepare", "kind": "medical"})
    batch = HandoverBatch.objects.get()
    ybj = make_user("ybj", "approver", depts["YBJ"])
    login(client, ybj)
    assert batch.number in client.get(reverse("assistance:batches")).content.decode()
    client.post(reverse("assistance:batches"), {"action": "hand_over", "batch": str(batch.uuid)})
    batch.refresh_from_db()
    assert batch.status == "handed_over"


def test_resident_revokes_in_me(client: Client, resident: Any, mandate: Mandate) -> None:
    login(client, resident)
    assert mandate.number in client.get(reverse("assistance:my_mandates")).content.decode()
    client.post(reverse("assistance:my_mandate", args=[mandate.uuid]), {"action": "revoke", "reason": "x"})
    mandate.refresh_from_db()
    assert mandate.status == "revoked"


def test_resident_confirms_from_phone(client: Client, resident: Any, agent: Any, points: Any, matters: Any) -> None:
    from .conftest import record

    m = record(agent, points["ZXSQ"], resident, method="phone", signature=None, id_checked=False)
    login(client, resident)
    client.post(reverse("assistance:my_mandate", args=[m.uuid]), {"action": "confirm", "text_sha256": m.text_sha256})
    m.refresh_from_db()
    assert m.status == "active"


def test_township_view(client: Client, township_officer: Any, agent: Any, mandate: Mandate, resident: Any, matters: Any) -> None:
    file_case(agent, resident, matters["disability"])
    login(client, township_officer)
    page = client.get(reverse("assistance:township")).content.decode()
    assert "值夏社区代办点" in page and "富滩村代办点" not in page


def test_reconciliation_page(client: Client, agent: Any, mandate: Mandate, points: Any, resident: Any) -> None:
    services.collect(
        actor=agent, point=points["ZXSQ"], resident=resident, kind="medical", method="cash", amount="380", period="2027"
    )
    login(client, agent)
    page = client.get(reverse("assistance:reconciliation"), {"from": "2026-04-01", "to": "2026-04-30"}).content.decode()
    assert "380.00" in page and "相符" in page
