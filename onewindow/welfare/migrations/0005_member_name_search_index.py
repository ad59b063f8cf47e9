"""The register's name search on PostgreSQL: a partial index of the members in payment on
(name COLLATE "C", household), walked in order by `selectors_money._by_name`. PostgreSQL only (SQLite
has no "C" collation; its register is small): the operation does nothing elsewhere."""

from __future__ import annotations

from typing import Any

from django.db import migrations

CREATE = (
    'CREATE INDEX IF NOT EXISTS welfare_member_name_c ON welfare_member ((name COLLATE "C"), household_id)'
    " WHERE in_payment"
)
DROP = "DROP INDEX IF EXISTS welfare_member_name_c"


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("welfare", "0004_bank_return_and_change_standard")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
