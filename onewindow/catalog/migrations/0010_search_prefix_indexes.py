"""Prefix indexes for the ranked tiers of matter search (`catalog.search`): the exact name and the
name prefix (search_text), the pinyin and initials prefixes (search_pinyin, search_initials) of
listed matters. PostgreSQL: partial b-tree indexes with varchar_pattern_ops, which serve LIKE 'x%'
whatever the database's collation. SQLite: the covering index of 0005 serves search_text; two more
for pinyin and initials (the search adds a range beside the LIKE, which SQLite's LIKE ... ESCAPE
cannot use). Only speed depends on them."""

from django.db import migrations

COLUMNS = ["search_text", "search_pinyin", "search_initials"]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for column in COLUMNS:
        name = f"catalog_matter_listed_{column}_prefix"
        if vendor == "postgresql":
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON catalog_matter ({column} varchar_pattern_ops, code) WHERE is_listed"
            )
        elif vendor == "sqlite" and column != "search_text":
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON catalog_matter (is_listed, {column}, code)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor in ("postgresql", "sqlite"):
        for column in COLUMNS:
            schema_editor.execute(f"DROP INDEX IF EXISTS catalog_matter_listed_{column}_prefix")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0009_search_synonyms")]

    operations = [migrations.RunPython(create, drop)]
