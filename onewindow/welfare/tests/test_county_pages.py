"""The public 低保 pages and the counties (docs/tenancy.md, "Public pages and the county picker";
docs/welfare.md): with a notice running in each of two counties (青原区's 刘*英, proposed through the
process; 吉州区's 郭**, the isolation fixture's), the list of villages is the visitor's chosen
county's; a village's page (and its printable version) of the other county still opens by its link
and says whose it is; an objection from a visitor who chose the other county is the notice's own
(its case, its township's); a certificate of the other county checks and names its county."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import OrgUnit, User
from onewindow.catalog.models import Matter
from onewindow.core.tests.counties import B
from onewindow.welfare.models import Application, Enrolment, PublicNotice
from onewindow.welfare.process import review

from .test_process import file_at_counter, visit

pytestmark = pytest.mark.django_db

A = "360803"
HEADING = '<span class="wf-county">吉州区</span>兴桥镇兴桥村'


@pytest.fixture
def two_notices(
    frozen: Any, dibao: Matter, officer: User, citizen: User, org: dict[str, OrgUnit], b_rows: dict[str, Any]
) -> dict[str, Any]:
    User.objects.filter(pk=citizen.pk).update(home_unit=org["ZXSQ"])
    citizen.refresh_from_db()
    # The shared citizen (刘秀英, the same person as the process tests' resident) applies in 青原区.
    app = file_at_counter(officer, citizen, dibao)
    visit(app, officer)
    review.propose_approval(application=app, actor=officer)
    return {"a": PublicNotice.objects.get(application=app), "b": b_rows["notice"], "b_rows": b_rows}


def _page(client: Client, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code)
    return response.content.decode()


def test_the_list_is_the_chosen_countys(client: Client, two_notices: dict[str, Any]) -> None:
    a_village, b_village = two_notices["a"].village, two_notices["b"].village
    page = _page(client, reverse("welfare:notices"))
    assert "青原区最低生活保障公示" in page and a_village.code in page and b_village.code not in page
    page = _page(client, reverse("welfare:notices") + f"?county={B}")
    assert "吉州区最低生活保障公示" in page and b_village.code in page and a_village.code not in page
    page = _page(client, reverse("welfare:notices") + "?county=000000")
    assert "没有这个区县" in page and b_village.code in page  # refused: the choice stays 吉州区
    client.cookies["django_language"] = "en"
    assert "Jizhou District: minimum living allowance notices" in _page(client, reverse("welfare:notices"))


def test_another_countys_village_page_opens_and_says_whose(client: Client, two_notices: dict[str, Any]) -> None:
    url = reverse("welfare:village_notices", args=[two_notices["b"].village.code])
    page = _page(client, url)  # the visitor is in 青原区 (the default)
    assert "郭**" in page and "这是吉州区的公示" in page and f'href="?county={B}"' in page and HEADING in page
    client.cookies["django_language"] = "en"
    english = html.unescape(_page(client, url))
    assert "This notice is Jizhou District's" in english and "minimum living allowance notices</h1>" in english
    client.cookies["django_language"] = "zh-hans"
    printable = _page(client, url + "?print=1")
    assert "郭**" in printable and HEADING in printable and "这是吉州区的公示" not in printable
    # In its own county the page does not say so.
    own = _page(client, reverse("welfare:village_notices", args=[two_notices["a"].village.code]))
    assert "刘*英" in own and "这是" not in own.split("<h1")[0].split("<main")[-1]


def test_an_objection_is_the_notices_own_county(client: Client, two_notices: dict[str, Any]) -> None:
    a_notice = two_notices["a"]
    _page(client, reverse("welfare:notices") + f"?county={B}")  # the visitor chose 吉州区
    response = client.post(reverse("welfare:lodge_objection", args=[a_notice.uuid]), {"text": "家中有车"})
    assert response.status_code == 200 and "已转青原区" in response.content.decode()
    a_notice.refresh_from_db()
    assert a_notice.outcome == PublicNotice.Outcome.OBJECTED
    objection = a_notice.objections.get()
    assert objection.text == "家中有车" and objection.notice.village.county_id == A
    # The case that must be looked at again is 青原区's (its township's work), not 吉州区's.
    assert a_notice.application.case.department.county_id == A
    assert two_notices["b"].objections.count() == 1  # the fixture's own, nothing added
    assert client.session["ow_county"] == B  # the visitor's choice is left as it was


def test_another_countys_certificate_checks_and_names_its_county(client: Client, two_notices: dict[str, Any]) -> None:
    b = two_notices["b_rows"]
    Application.objects.filter(pk=b["application"].pk).update(certificate_number="JZ2026001", certificate_code="ABC123")
    Enrolment.objects.filter(household=b["household"]).update(case=b["application"].case)
    url = reverse("welfare:certificate_check") + "?n=JZ2026001&c=ABC123"
    page = _page(client, url)
    assert "兴桥镇" in page and "这是吉州区发放的低保证" in page and "吉州区" in page.split('id="certificate-result"')[1]
    page = _page(client, url + f"&county={B}")
    assert "这是吉州区发放的低保证" not in page and "兴桥镇" in page
    api = client.get("/api/v1/welfare/process/certificates/check?n=JZ2026001&c=ABC123")
    assert api.status_code == 200 and api.json()["county"] == "吉州区" and api.json()["county_code"] == B
    assert client.get(reverse("welfare:certificate_check") + "?n=JZ2026001&c=WRONG").status_code == 404
