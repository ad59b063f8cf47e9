"""SQLite: trigram full-text indexes (FTS5) of catalog_matter.search_text and code, kept by
triggers, so that catalog search finds a rare term's matters in the index instead of testing
LIKE '%term%' on all of them (100,000 in a province-size catalog). PostgreSQL has its trigram
index since 0004: nothing to do. Details in _sqlite_search_fts."""

from django.db import migrations

from onewindow.catalog.migrations._sqlite_search_fts import create, drop


class Migration(migrations.Migration):
    dependencies = [("catalog", "0012_standard_retire")]

    operations = [migrations.RunPython(create, drop)]
