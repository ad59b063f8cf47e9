"""What the PostgreSQL benchmarks share: a throw-away database of their own, the machine's load and
timed steps. `use_throwaway` must run before `django.setup()`: it points DATABASE_URL at the new
database."""

from __future__ import annotations

import os
import sys
import time
from typing import Any


def _base_url() -> str:
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    if not url.startswith("postgres"):
        sys.exit("this benchmark needs PostgreSQL: set DATABASE_URL=postgres://…")
    return url


BASE_URL = _base_url()


def admin_sql(sql: str) -> None:
    import psycopg

    with psycopg.connect(BASE_URL, autocommit=True) as conn:
        conn.execute(sql)


def use_throwaway(db_name: str) -> None:
    """(Re)create `db_name` on the server of DATABASE_URL and point DATABASE_URL at it."""
    os.environ["DATABASE_URL"] = BASE_URL.rsplit("/", 1)[0] + "/" + db_name
    admin_sql(f'DROP DATABASE IF EXISTS "{db_name}"')
    admin_sql(f'CREATE DATABASE "{db_name}"')


def use_existing(db_name: str) -> None:
    """Point DATABASE_URL at `db_name` as it is (a database an earlier run kept with --keep)."""
    os.environ["DATABASE_URL"] = BASE_URL.rsplit("/", 1)[0] + "/" + db_name


def drop(db_name: str) -> None:
    admin_sql(f'DROP DATABASE IF EXISTS "{db_name}"')


def load() -> str:
    a, b, c = os.getloadavg()
    return f"load average {a:.2f} {b:.2f} {c:.2f}"


def timed(label: str, fn: Any) -> Any:
    t0 = time.perf_counter()
    out = fn()
    print(f"  {label}: {time.perf_counter() - t0:.1f} s", flush=True)
    return out
