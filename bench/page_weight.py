"""Page weight: bytes transferred for the home page and a service guide, first visit (the HTML and
every static file it links, each compressed as the browser asks: `Accept-Encoding: gzip, br`) and
repeat visit (hashed static files are cached `immutable`, so only the HTML), with the production
settings (DEBUG=0, whitenoise's compressed manifest storage after `collectstatic`, HTML gzip).

Own throw-away database (SQLite in its own var directory; PostgreSQL when DATABASE_URL is set,
named by --db-name) with the demo district's organisation and catalog.

    .venv/bin/python bench/page_weight.py
"""

from __future__ import annotations

import argparse
import io
import os
import re
import secrets
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hygiene

OPTS = hygiene.begin("page_weight", "bench_pages")
os.environ.update(DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="testserver,127.0.0.1")

import django  # noqa: E402

django.setup()

from django.db import connection, connections  # noqa: E402

AIM_BYTES = 50 * 1024
ASSET = re.compile(r"""(?:href|src)=["'](/static/[^"'?#]+)""")


def fetch(client: object, path: str) -> tuple[int, int, dict[str, str]]:
    """(bytes on the wire, bytes unpacked, headers) of one GET asking for gzip or brotli."""
    # Over HTTPS, as in production: with DEBUG=0 the settings redirect plain HTTP (SECURE_SSL_REDIRECT),
    # so a plain request measured a 301, not the page.
    r = client.get(path, HTTP_ACCEPT_ENCODING="gzip, br", secure=True)  # type: ignore[attr-defined]
    assert r.status_code == 200, (path, r.status_code)
    body = b"".join(r.streaming_content) if r.streaming else r.content
    raw = len(body)
    if r.get("Content-Encoding") == "gzip":
        import gzip

        raw = len(gzip.decompress(body))
    elif r.get("Content-Encoding") == "br":
        raw = -1  # brotli is not in the standard library; the wire size is what counts
    return len(body), raw, dict(r.items())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    hygiene.add_common(ap, "bench_pages")
    ap.parse_args()

    from django.core.management import call_command
    from django.test import Client

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        from onewindow.accounts.demo import build_org
        from onewindow.catalog import demo as catalog_demo
        from onewindow.catalog.models import Matter
        from onewindow.core.demo import DemoContext

        ctx = DemoContext(out=io.StringIO(), quiet=True)
        build_org(ctx)
        catalog_demo.build(ctx)
        call_command("collectstatic", "--no-input", verbosity=0)
        guide = Matter.objects.filter(is_listed=True, search_name__contains="不动产转移登记").order_by("code").first()
        assert guide is not None
        client = Client()
        pages = [("home page", "home page", "/"), ("service guide", f"service guide {guide.code}", f"/catalog/m/{guide.code}/")]
        print(f"database: {connection.vendor}; DEBUG=0; static storage: compressed manifest (collectstatic run)")
        print(
            f"{'page':<34} {'HTML wire':>9} {'HTML raw':>9} {'assets':>6} {'assets wire':>11} {'first visit':>11} {'repeat':>7}"
        )
        for short, label, path in pages:
            html_wire, html_raw, headers = fetch(client, path)
            html = client.get(path, secure=True).content.decode()
            assets = sorted(set(ASSET.findall(html)))
            wire = 0
            not_immutable = []
            for a in assets:
                n, _raw, h = fetch(client, a)
                wire += n
                if "immutable" not in h.get("Cache-Control", ""):
                    not_immutable.append(a)
            first = html_wire + wire
            print(
                f"{label:<34} {html_wire:>9,} {html_raw:>9,} {len(assets):>6} {wire:>11,} {first:>11,} {html_wire:>7,}"
                f"   HTML Content-Encoding: {headers.get('Content-Encoding', 'none')}"
            )
            if not_immutable:
                print(f"    static files without an immutable cache header: {not_immutable}")
            hygiene.result(
                f"{short} transferred, first visit",
                first / 1024,
                "KB",
                aim="< 50 KB",
                met=first < AIM_BYTES and not not_immutable,
                note=f"HTML {html_wire:,} B gzip of {html_raw:,} B + {len(assets)} static files {wire:,} B",
            )
    finally:
        connections.close_all()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
