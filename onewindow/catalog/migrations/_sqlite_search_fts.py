"""The SQLite-only trigram index of catalog search (see 0013): an FTS5 table over
catalog_matter.search_text with the trigram tokenizer, so that a search for a rare term of three
characters or more (结婚登记, jhdj) reads the index instead of every matter's search_text.

External content: the FTS table stores only the index, the text stays in catalog_matter; three
triggers keep the index in step with every INSERT, UPDATE of search_text and DELETE. Dropping
catalog_matter drops the triggers, and SQLite's migrations rebuild a table to alter it (a new
table copied, the old one dropped): a migration that alters catalog_matter on SQLite must call
`create` again afterwards, as 0006 does for the covering index (test_search_fts checks that the
migrated database has the triggers). Search reads the table by name (catalog.search.SQLITE_FTS).

Needs SQLite >= 3.34 built with FTS5 (Debian 11's and later); the migration stops otherwise."""

from typing import Any

TABLE = "catalog_matter_search_fts"
TRIGGERS = {
    f"{TABLE}_insert": (
        f"AFTER INSERT ON catalog_matter BEGIN INSERT INTO {TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END"
    ),
    # Only when the text changes: saving a matter rewrites every column, usually the same text.
    f"{TABLE}_update": (
        f"AFTER UPDATE OF search_text ON catalog_matter WHEN old.search_text IS NOT new.search_text BEGIN "
        f"INSERT INTO {TABLE}({TABLE}, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
        f"INSERT INTO {TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END"
    ),
    # An external-content index forgets a row by being told its old text (exactly as indexed).
    f"{TABLE}_delete": (
        f"AFTER DELETE ON catalog_matter BEGIN "
        f"INSERT INTO {TABLE}({TABLE}, rowid, search_text) VALUES ('delete', old.id, old.search_text); END"
    ),
}


def create(apps: Any, schema_editor: Any) -> None:
    """Create (or re-create after a table rebuild) the index and its triggers and fill it from
    catalog_matter. Idempotent."""
    if schema_editor.connection.vendor != "sqlite":
        return
    version = tuple(schema_editor.connection.Database.sqlite_version_info)
    if version < (3, 34, 0):
        raise RuntimeError(f"catalog search needs SQLite >= 3.34 with FTS5 (the trigram tokenizer); this is {version}")
    schema_editor.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5"
        "(search_text, content='catalog_matter', content_rowid='id', tokenize='trigram')"
    )
    for name, body in TRIGGERS.items():
        schema_editor.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
    # The whole index again from catalog_matter: right whatever the triggers missed before.
    schema_editor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')")


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    for name in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
    schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")
