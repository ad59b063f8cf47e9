"""Static files and compression: hashed names with far-future caching in production (measured
by bench/page_weight.py after collectstatic), a plain name when the manifest lacks the file, and
HTML compressed for browsers that ask for gzip."""

from __future__ import annotations

import gzip
from typing import Any

from django.test import Client

from onewindow.core.staticstorage import StaticStorage


def test_a_file_missing_from_the_manifest_keeps_its_plain_name(tmp_path: Any) -> None:
    storage = StaticStorage(location=str(tmp_path), base_url="/static/")
    assert storage.url("vendor/htmx.min.js") == "/static/vendor/htmx.min.js"


def test_a_collected_file_gets_a_hashed_name(tmp_path: Any) -> None:
    storage = StaticStorage(location=str(tmp_path), base_url="/static/")
    (tmp_path / "site.css").write_text("body { color: black }\n")
    storage.hashed_files = {}
    assert storage.stored_name("site.css") != "site.css"
    assert storage.stored_name("site.css").startswith("site.") and storage.stored_name("site.css").endswith(".css")


def test_html_is_gzipped_when_the_browser_asks(client: Client, db: Any) -> None:
    r = client.get("/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert r.status_code == 200 and r["Content-Encoding"] == "gzip"
    assert b"<html" in gzip.decompress(r.content)
    plain = client.get("/")
    assert "Content-Encoding" not in plain and b"<html" in plain.content
