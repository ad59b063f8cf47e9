"""SQLite: a covering index (is_listed, search_text, code) so counting matches and finding a
page's keys in search order read the narrow index instead of every row of catalog_matter.
PostgreSQL uses the trigram indexes of 0004 instead. Only speed depends on this index: if a later
table rebuild drops it, search still works."""

from django.db import migrations

from onewindow.catalog.migrations._sqlite_search_index import create, drop


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_trigram_search")]

    operations = [migrations.RunPython(create, drop)]
