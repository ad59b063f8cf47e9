"""What every benchmark does the same way: its own database name (`--db-name`) and its own var
directory (`--var-dir`, default a fresh temporary folder removed at exit), the machine's load
(`uptime`) printed at start and at end, and its headline figures printed as `BENCH-RESULT` lines
that `bench/all` gathers into one table.

`begin()` must run before `django.setup()`: it sets TEST_DB_NAME and ONEWINDOW_VAR_DIR.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
from typing import Any

RESULT_TAG = "BENCH-RESULT"


def uptime() -> str:
    """The machine's load as `uptime` prints it (the load average over 1, 5 and 15 minutes)."""
    try:
        out = subprocess.run(
            ["uptime"], capture_output=True, text=True, timeout=5, env={**os.environ, "TZ": "UTC"}
        ).stdout.strip()
        if out:
            return out
    except (OSError, subprocess.SubprocessError):
        pass
    a, b, c = os.getloadavg()
    return f"load average: {a:.2f}, {b:.2f}, {c:.2f}"


def add_common(parser: argparse.ArgumentParser, default_db: str) -> None:
    """`--db-name` and `--var-dir`, so the bench's own parser accepts what `begin` already read."""
    parser.add_argument("--db-name", default=default_db, help=f"name of the throw-away database (default {default_db})")
    parser.add_argument("--var-dir", default="", help="var directory (default: a fresh temporary folder, removed at exit)")


def own_var_dir(name: str, given: str = "") -> str:
    """Point ONEWINDOW_VAR_DIR at `given`, or at a fresh temporary folder removed at exit."""
    if given:
        os.makedirs(given, exist_ok=True)
        var_dir = given
    else:
        var_dir = tempfile.mkdtemp(prefix=f"ow-bench-{name}-{os.getpid()}-")
        atexit.register(shutil.rmtree, var_dir, ignore_errors=True)
    os.environ["ONEWINDOW_VAR_DIR"] = var_dir
    return var_dir


def begin(name: str, default_db: str) -> argparse.Namespace:
    """Read `--db-name` / `--var-dir` from the command line, point TEST_DB_NAME and
    ONEWINDOW_VAR_DIR at them, print the load, and arrange the var folder's removal and the final
    load line at exit. On SQLite the database is a file `<db-name>.sqlite3` in the var folder."""
    parser = argparse.ArgumentParser(add_help=False)
    add_common(parser, default_db)
    opts, _ = parser.parse_known_args()
    var_dir = opts.var_dir = own_var_dir(name, opts.var_dir)
    on_pg = os.environ.get("DATABASE_URL", "").startswith("postgres")
    os.environ["TEST_DB_NAME"] = opts.db_name if on_pg else f"{opts.db_name}.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    print(f"[{name}] start: {uptime()}", flush=True)
    print(f"[{name}] database {opts.db_name} ({'PostgreSQL' if on_pg else 'SQLite'}), var directory {var_dir}", flush=True)
    atexit.register(lambda: print(f"[{name}] end: {uptime()}", flush=True))
    return opts


def result(
    measure: str,
    figure: float,
    unit: str,
    *,
    aim: str = "",
    met: bool | None = None,
    ratio: float | None = None,
    note: str = "",
) -> None:
    """One headline figure for `bench/all`'s table (also readable as it stands)."""
    row: dict[str, Any] = {"measure": measure, "figure": round(figure, 2), "unit": unit, "aim": aim, "met": met}
    if ratio is not None:
        row["ratio"] = round(ratio, 2)
    if note:
        row["note"] = note
    print(f"{RESULT_TAG} {json.dumps(row, ensure_ascii=False)}", flush=True)
    sys.stdout.flush()
