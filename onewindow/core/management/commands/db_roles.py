"""Print (or run) the SQL that sets up the PostgreSQL roles of a production database.

    manage.py db_roles --owner onewindow_owner --app onewindow_app [--execute]

- The owner role owns the schema and its tables; migrations and the audit administrator's
  `purge_audit` run as the owner.
- The application role (web, worker, scheduler) logs in, is not a superuser, creates nothing, and
  has only SELECT, INSERT, UPDATE and DELETE on the tables — and on the audit tables only SELECT and
  INSERT: it cannot change or delete an audit entry or seal, nor disable the append-only triggers
  (only an owner can), so the audit log is append-only for it twice over.
- Default privileges give the application role the same rights on tables that later migrations
  create (run migrations as the owner).

Run the printed SQL as a superuser once, set the application role's password, and give the web
processes a DATABASE_URL with the application role.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

AUDIT_TABLES = ("core_auditentry", "core_auditseal")
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def role_sql(*, owner: str, app: str, schema: str = "public") -> list[str]:
    for name in (owner, app, schema):
        if not _NAME.match(name):
            raise ValueError(f"not a plain role or schema name: {name!r}")
    return [
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{owner}') THEN "
        f"CREATE ROLE {owner} LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB; END IF; END $$",
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{app}') THEN "
        f"CREATE ROLE {app} LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB NOINHERIT; END IF; END $$",
        f"REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA {schema} TO {app}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {app}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {app}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO {app}",
        *(f"REVOKE UPDATE, DELETE, TRUNCATE ON {schema}.{t} FROM {app}" for t in AUDIT_TABLES),
    ]


class Command(BaseCommand):
    help = "Print the SQL creating the owner and the application roles (PostgreSQL); --execute runs it."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--owner", default="onewindow_owner")
        parser.add_argument("--app", default="onewindow_app")
        parser.add_argument("--execute", action="store_true", help="run it now (as a superuser)")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("database roles are for PostgreSQL")
        try:
            statements = role_sql(owner=options["owner"], app=options["app"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        for sql in statements:
            self.stdout.write(sql + ";")
            if options["execute"]:
                with connection.cursor() as cur:
                    cur.execute(sql)
