"""The server's entry points freeze the startup heap (onewindow/config/startup.py: a generation-2
collection over ~450,000 startup objects stalled a request by ~100 ms)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("module", ["onewindow.config.wsgi", "onewindow.config.asgi"])
def test_entry_point_freezes_the_loaded_application(module: str) -> None:
    code = (
        f"import gc, sys, time; import {module}; "
        "t = time.perf_counter(); gc.collect(); ms = (time.perf_counter() - t) * 1000; "
        "print(gc.get_freeze_count(), 'django.urls' in sys.modules and bool(__import__('django.urls').urls.get_resolver().url_patterns), ms)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "onewindow.config.settings", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)  # noqa: S603 - our own interpreter and a fixed script
    frozen, urls_loaded, _ms = out.stdout.split()
    # The application and its URLconf are in the permanent generation, so a full collection
    # no longer walks them.
    assert int(frozen) > 100_000
    assert urls_loaded == "True"
