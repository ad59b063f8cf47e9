"""core.fastquery: a per-request read compiled once gives the ORM's own answer (converters such as
the encrypted ID number included), refuses shapes it cannot reproduce, and the session store and
the auth backends built on it behave as Django's."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from onewindow.accounts.models import User
from onewindow.core.fastquery import Compiled
from onewindow.core.sessions import SessionStore

pytestmark = pytest.mark.django_db

BY_PK: Compiled[User] = Compiled(User, lambda pk: User._default_manager.filter(pk=pk), -7)


def test_same_row_as_the_orm_with_converters(citizen):
    got = BY_PK.first(citizen.pk)
    want = User.objects.get(pk=citizen.pk)
    assert got is not None
    assert got.pk == want.pk
    assert got.id_number == want.id_number and got.id_number  # decrypted by the field's converter
    assert got.display_name == want.display_name
    assert got.last_login == want.last_login
    assert got._state.adding is False and got._state.db == "default"


def test_missing_row_is_none(db):
    assert BY_PK.first(10**9) is None


def test_one_statement_per_read(citizen):
    BY_PK.first(citizen.pk)
    with CaptureQueriesContext(connection) as ctx:
        BY_PK.first(citizen.pk)
    assert len(ctx.captured_queries) == 1


def test_refuses_what_it_cannot_reproduce(citizen):
    with pytest.raises(TypeError):
        Compiled(User, lambda pk: User.objects.filter(pk=pk), 1.5)  # not int / str
    related = Compiled(User, lambda pk: User.objects.select_related("home_unit").filter(pk=pk), -7)
    with pytest.raises(TypeError):
        related.first(citizen.pk)
    absent = Compiled(User, lambda pk: User.objects.filter(pk=3), -7)  # the sentinel is not a parameter
    with pytest.raises(TypeError):
        absent.first(citizen.pk)
    with pytest.raises(TypeError):
        BY_PK.first(str(citizen.pk))  # a value of another type than the database's form


def test_session_store_reads_valid_and_not_expired(db):
    s = SessionStore()
    s["k"] = "v"
    s.create()
    assert SessionStore(s.session_key).load() == {"k": "v"}
    Session.objects.filter(session_key=s.session_key).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    stale = SessionStore(s.session_key)
    assert stale.load() == {}
    assert stale.session_key is None  # as Django's store: an expired key is dropped
    assert SessionStore("no-such-key-000000000000000000000").load() == {}


def test_signed_in_request_reads_session_and_user_once(client, clerk):
    client.force_login(clerk)
    client.get("/me/")  # the session's first request stores its checks
    with CaptureQueriesContext(connection) as ctx:
        client.get("/me/")
    tables = [q["sql"] for q in ctx.captured_queries]
    assert sum('FROM "django_session"' in q for q in tables) == 1
    assert sum('FROM "accounts_user"' in q and '"accounts_user"."id" =' in q for q in tables) <= 1
