"""PostgreSQL: trigram (pg_trgm) GIN indexes so that catalog search's LIKE '%term%' uses an index
instead of scanning every matter (100,000 in a province-size catalog). SQLite: nothing to do.

If the extension cannot be created (no privilege), the migration logs a warning and search keeps
working without the index."""

import logging

from django.db import migrations, transaction

logger = logging.getLogger(__name__)

INDEXES = [
    ("catalog_matter_search_text_trgm", "search_text"),
    ("catalog_matter_search_name_trgm", "search_name"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            with schema_editor.connection.cursor() as cur:
                cur.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                for name, column in INDEXES:
                    cur.execute(f"CREATE INDEX IF NOT EXISTS {name} ON catalog_matter USING gin ({column} gin_trgm_ops)")
    except Exception as exc:  # no privilege to create the extension: search still works, unindexed
        logger.warning("catalog: trigram indexes not created (%s)", exc)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cur:
        for name, _column in INDEXES:
            cur.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_search_text")]

    operations = [migrations.RunPython(create, drop)]
