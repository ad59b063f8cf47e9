"""The hall's raw SQL names every column: a field added to Ticket or TicketEvent is either written by
the hot path's INSERTs or deliberately left to NULL / its database default."""

from __future__ import annotations

import pytest
from django.db.models import NOT_PROVIDED

from onewindow.hall.models import Ticket, TicketEvent
from onewindow.hall.services import sql


def test_every_ticket_field_is_inserted_or_left_out_on_purpose() -> None:
    fields = {f.name: f for f in Ticket._meta.concrete_fields}
    inserted, left_out = set(sql.TICKET_VALUES), set(sql.TICKET_LEFT_OUT)
    assert not inserted & left_out
    assert inserted | left_out == set(fields), f"not covered: {sorted(set(fields) - inserted - left_out)}"
    for name in left_out:
        f = fields[name]
        # What the INSERT leaves out must be something the database fills on its own.
        assert f.primary_key or f.null or f.db_default is not NOT_PROVIDED, (
            f"{name} is left out of the INSERT but has no database default"
        )


@pytest.mark.parametrize("statement", ["_PG_ISSUE", "_TICKET_INSERT", "_PG_KIOSK_ISSUE"])
def test_each_ticket_insert_names_every_inserted_column(statement: str) -> None:
    text = getattr(sql, statement)
    column = {f.name: f.column for f in Ticket._meta.concrete_fields}
    columns = ", ".join(str(column[name]) for name in sql.TICKET_VALUES)
    assert f"INSERT INTO hall_ticket ({columns})" in text


def test_event_inserts_name_every_event_column() -> None:
    columns = ", ".join(f.column for f in TicketEvent._meta.concrete_fields if not f.primary_key)
    for statement in ("_PG_ISSUE", "_PG_KIOSK_ISSUE", "_EVENT_INSERT", "_PG_FINISH_CURRENT", "_PG_CLAIM", "_PG_FINISH_AND_CLAIM"):
        text = getattr(sql, statement)
        assert f"INSERT INTO hall_ticketevent ({columns})" in text, statement
        assert text.count("INSERT INTO hall_ticketevent (") == text.count(f"INSERT INTO hall_ticketevent ({columns})")
    with pytest.raises(AssertionError, match="leaves out"):
        sql._event_insert({"ticket": "id", "kind": "'called'"})


def test_the_claim_returns_every_ticket_column() -> None:
    for statement in ("_PG_CLAIM", "_PG_FINISH_AND_CLAIM"):
        assert f"RETURNING {sql.TICKET_COLUMNS}" in getattr(sql, statement)
    assert len(sql._TICKET_ATTNAMES) == len(Ticket._meta.concrete_fields)
