"""A roll line's household and enrolment become one composite foreign key on PostgreSQL.

PostgreSQL checks a foreign key with one query and one row lock per inserted row; a roll line
carried three (roll, household, enrolment), and at a million households the checks were about half
of the roll's time (docs/welfare.md, "Benchmark"). (enrolment_id, household_id) -> the enrolment's
unique (id, household_id) is one check for both columns and stricter than the two it replaces: the
line's household must be its enrolment's. The enrolment's single-column index on the lines goes
too (nothing looks lines up by their enrolment; enrolments are never deleted).

Django cannot declare a composite key: the fields are `db_constraint=False` and the key is added
here, on PostgreSQL only (SQLite cannot add a constraint to a table, and its table rebuilds would
drop one made by hand). Adding it validates the existing lines."""

from __future__ import annotations

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

ADD = (
    "ALTER TABLE welfare_rollitem ADD CONSTRAINT welfare_item_enrolment_household"
    " FOREIGN KEY (enrolment_id, household_id) REFERENCES welfare_enrolment (id, household_id)"
    " DEFERRABLE INITIALLY DEFERRED"
)
DROP = "ALTER TABLE welfare_rollitem DROP CONSTRAINT IF EXISTS welfare_item_enrolment_household"


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ADD)


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0014_case_unit_received_idx"),
        ("welfare", "0009_roll_line_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="rollitem",
            name="enrolment",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="welfare.enrolment",
                verbose_name="在保记录",
            ),
        ),
        migrations.AlterField(
            model_name="rollitem",
            name="household",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="welfare.household",
                verbose_name="家庭",
            ),
        ),
        migrations.AddConstraint(
            model_name="enrolment",
            constraint=models.UniqueConstraint(fields=("id", "household"), name="welfare_enrolment_id_household"),
        ),
        migrations.RunPython(forwards, backwards),
    ]
