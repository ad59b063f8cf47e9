"""QR codes (segno): PNG for PDFs, SVG for pages."""

from __future__ import annotations

import io

import segno


def qr_png(data: str, *, scale: int = 6) -> bytes:
    out = io.BytesIO()
    segno.make(data, error="m", micro=False).save(out, kind="png", scale=scale, border=2)
    return out.getvalue()


def qr_svg(data: str, *, scale: int = 4) -> str:
    out = io.BytesIO()
    segno.make(data, error="m", micro=False).save(out, kind="svg", scale=scale, border=2, xmldecl=False, svgns=True)
    return out.getvalue().decode()
