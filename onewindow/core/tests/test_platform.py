"""Cross-cutting behaviour of the platform: audit in transactions, the outbox, error shape,
production checks, languages."""

import io
import json

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from onewindow.core.audit import audit
from onewindow.core.checks import refuse_development_secrets
from onewindow.core.models import AuditEntry, Notification
from onewindow.core.notify import deliver, deliver_pending, notify


@pytest.mark.django_db(transaction=True)
def test_audit_refuses_to_run_outside_a_transaction(org):
    with pytest.raises(RuntimeError):
        audit(actor=None, action="x", target=org["gov"])


@pytest.mark.django_db
def test_audit_rolls_back_with_the_change(org):
    before = AuditEntry.objects.count()
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        audit(actor=None, action="x", target=org["gov"])
        1 / 0  # noqa: B018 - the change fails after the audit row was written
    assert AuditEntry.objects.count() == before


@pytest.mark.django_db(transaction=True)
def test_notification_is_enqueued_only_after_commit(monkeypatch):
    enqueued = []
    monkeypatch.setattr("onewindow.core.notify._enqueue", lambda pk: enqueued.append(pk))
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        notify(channel="sms", recipient="13900000000", body="x")
        1 / 0  # noqa: B018
    assert enqueued == [] and not Notification.objects.exists()
    with transaction.atomic():
        n = notify(channel="sms", recipient="13900000000", body="hello")
    assert enqueued == [n.pk]


@pytest.mark.django_db
def test_notification_dedupe_key_sends_once():
    with transaction.atomic():
        assert notify(channel="sms", recipient="1", body="a", dedupe_key="k1") is not None
        assert notify(channel="sms", recipient="1", body="a", dedupe_key="k1") is None
    assert Notification.objects.filter(dedupe_key="k1").count() == 1


class _Broken:
    def send(self, notification):
        raise ConnectionError("gateway down")


@pytest.mark.django_db
def test_failed_delivery_is_recorded_and_retried_later(settings):
    settings.ONEWINDOW_SMS_BACKEND = "onewindow.core.tests.test_platform._Broken"
    n = Notification.objects.create(channel="sms", recipient="1", body="x")
    assert deliver(n.pk) is False
    n.refresh_from_db()
    assert n.status == Notification.Status.FAILED and "gateway down" in n.last_error and n.attempts == 1
    # Backoff: not retried immediately by the sweep.
    assert deliver_pending() == 0
    settings.ONEWINDOW_SMS_BACKEND = "onewindow.core.notify.LogBackend"
    Notification.objects.filter(pk=n.pk).update(next_attempt_at=None)
    assert deliver_pending() == 1
    n.refresh_from_db()
    assert n.status == Notification.Status.SENT and n.sent_at


def test_production_refuses_the_development_secret():
    with override_settings(DEBUG=False):
        assert [e.id for e in refuse_development_secrets()] == ["onewindow.E001"]
    with override_settings(DEBUG=False, SECRET_KEY="x" * 50, ALLOWED_HOSTS=["*"]):
        assert [e.id for e in refuse_development_secrets()] == ["onewindow.E002"]
    with override_settings(DEBUG=False, SECRET_KEY="x" * 50, ALLOWED_HOSTS=["gov.example"]):
        assert refuse_development_secrets() == []


@pytest.mark.django_db
def test_home_is_chinese_by_default_and_english_on_switch(client):
    page = client.get("/").content.decode()
    assert 'lang="zh-CN"' in page and "办事指南" in page
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert 'lang="en"' in page and "Service guide" in page and "中文" in page


@pytest.mark.django_db
def test_api_docs_and_spec_are_served(client):
    assert client.get("/api/v1/docs").status_code == 200
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["info"]["title"].startswith("OneWindow")
    assert client.get("/api/docs").status_code == 302


@pytest.mark.django_db
def test_unknown_api_route_is_a_404_not_a_500(client):
    assert client.get("/api/v1/no-such-thing").status_code == 404


@pytest.mark.django_db
def test_load_demo_is_idempotent_for_the_organisation():
    from onewindow.accounts.models import OrgUnit, User

    call_command("load_demo", "--only", "accounts", verbosity=0)
    counts = (OrgUnit.objects.count(), User.objects.count())
    call_command("load_demo", "--only", "onewindow.accounts.demo", verbosity=0)
    assert (OrgUnit.objects.count(), User.objects.count()) == counts
    assert OrgUnit.objects.filter(kind="department").count() == 32
    assert OrgUnit.objects.filter(kind__in=["village", "community"]).count() == 121


@pytest.mark.django_db
def test_an_english_browser_still_gets_chinese_pages_until_it_switches(client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-CN"' in page
    client.cookies["django_language"] = "en"
    assert 'lang="en"' in client.get("/").content.decode()


@pytest.mark.django_db
def test_the_api_follows_accept_language(client):
    body = client.get("/api/v1/no-such-thing", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert body  # 404 either way; the language only matters for messages
    response = client.get("/api/v1/openapi.json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.headers["Content-Language"] == "en"


def _echo(request):
    from django.http import JsonResponse

    body = json.loads(request.body) if request.content_type == "application/json" else {}
    return JsonResponse({"get": dict(request.GET.items()), "post": dict(request.POST.items()), "json": body})


def test_nul_characters_are_taken_out_of_every_kind_of_request_data(rf):
    from onewindow.core.middleware import StripNulMiddleware

    mw = StripNulMiddleware(_echo)
    got = json.loads(mw(rf.get("/x", {"q": "a\x00b"})).content)
    assert got["get"] == {"q": "ab"}
    got = json.loads(mw(rf.post("/x", {"name": "张\x00三"})).content)
    assert got["post"] == {"name": "张三"}
    got = json.loads(mw(rf.post("/x", {"name": "a\x00", "f": io.BytesIO(b"\x00binary")})).content)
    assert got["post"] == {"name": "a"}
    got = json.loads(
        mw(rf.post("/x", data=json.dumps({"a": ["x\x00"], "b\x00": {"c": "\x00"}}), content_type="application/json")).content
    )
    assert got["json"] == {"a": ["x"], "b": {"c": ""}}


@pytest.mark.django_db
def test_a_nul_in_the_path_is_not_found(client):
    assert client.get("/catalog/m/abc%00def/").status_code == 404
