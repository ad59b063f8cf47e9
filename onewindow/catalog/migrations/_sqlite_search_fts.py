"""The SQLite-only trigram indexes of catalog search (see 0013): FTS5 tables with the trigram
tokenizer over catalog_matter.search_text and over catalog_matter.code, so that a search for a
rare term of three characters or more (结婚登记, jhdj, a code fragment 3601) reads an index
instead of every matter's text. One table per column: the region code's trigrams are in every
code, and a table of both columns would make every search of digits read them.

External content: a table stores only the index, the text stays in catalog_matter; three
triggers keep the indexes in step with every INSERT, UPDATE of search_text or code, and DELETE.
Dropping catalog_matter drops the triggers, and SQLite's migrations rebuild a table to alter it
(a new table copied, the old one dropped): a migration that alters catalog_matter on SQLite must
call `create` again afterwards, as 0006 does for the covering index (test_search_fts checks that
the migrated database has the triggers). Search reads the tables by name (catalog.search.SQLITE_FTS).

Needs SQLite >= 3.34 built with FTS5 (Debian 11's and later); the migration stops otherwise."""

from typing import Any

# column of catalog_matter -> its index
TABLES = {"search_text": "catalog_matter_search_fts", "code": "catalog_matter_code_fts"}


def _add(row: str) -> str:
    return " ".join(f"INSERT INTO {t}(rowid, {c}) VALUES ({row}.id, {row}.{c});" for c, t in TABLES.items())


def _forget(row: str) -> str:
    # An external-content index forgets a row by being told its old text (exactly as indexed).
    return " ".join(f"INSERT INTO {t}({t}, rowid, {c}) VALUES ('delete', {row}.id, {row}.{c});" for c, t in TABLES.items())


TRIGGERS = {
    "catalog_matter_fts_insert": f"AFTER INSERT ON catalog_matter BEGIN {_add('new')} END",
    # Only when a text changes: saving a matter rewrites every column, usually the same text.
    "catalog_matter_fts_update": (
        "AFTER UPDATE OF search_text, code ON catalog_matter "
        "WHEN old.search_text IS NOT new.search_text OR old.code IS NOT new.code "
        f"BEGIN {_forget('old')} {_add('new')} END"
    ),
    "catalog_matter_fts_delete": f"AFTER DELETE ON catalog_matter BEGIN {_forget('old')} END",
}


def create(apps: Any, schema_editor: Any) -> None:
    """Create (or re-create after a table rebuild) the indexes and their triggers and fill them
    from catalog_matter. Idempotent."""
    if schema_editor.connection.vendor != "sqlite":
        return
    version = tuple(schema_editor.connection.Database.sqlite_version_info)
    if version < (3, 34, 0):
        raise RuntimeError(f"catalog search needs SQLite >= 3.34 with FTS5 (the trigram tokenizer); this is {version}")
    for column, table in TABLES.items():
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {table} USING fts5"
            f"({column}, content='catalog_matter', content_rowid='id', tokenize='trigram')"
        )
    for name, body in TRIGGERS.items():
        schema_editor.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
    # The whole index again from catalog_matter: right whatever the triggers missed before.
    for table in TABLES.values():
        schema_editor.execute(f"INSERT INTO {table}({table}) VALUES ('rebuild')")


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    for name in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
    for table in TABLES.values():
        schema_editor.execute(f"DROP TABLE IF EXISTS {table}")
