"""The SQLite-only covering index of catalog search (see 0005). Shared by the migrations that
must re-create it after SQLite rebuilds the catalog_matter table."""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS catalog_matter_listed_text ON catalog_matter (is_listed, search_text, code)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP INDEX IF EXISTS catalog_matter_listed_text")
