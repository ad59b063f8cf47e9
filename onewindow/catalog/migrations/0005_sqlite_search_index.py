"""SQLite: a covering index (is_listed, search_text, code) so counting matches and finding a
page's keys in search order read the narrow index instead of every row of catalog_matter.
PostgreSQL uses the trigram indexes of 0004 instead. Only speed depends on this index: if a later
table rebuild drops it, search still works."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS catalog_matter_listed_text ON catalog_matter (is_listed, search_text, code)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP INDEX IF EXISTS catalog_matter_listed_text")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_trigram_search")]

    operations = [migrations.RunPython(create, drop)]
