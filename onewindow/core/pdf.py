"""PDF documents with Chinese text (fpdf2 + a CJK system font).

The font is found at run time with fontconfig (`fc-match` / `fc-list`), preferring WenQuanYi Micro
Hei, which bin/setup installs (fonts-wqy-microhei). It is a TrueType collection (.ttc); fpdf2 reads
one face of it with `collection_font_number`. The font is embedded (subset) in every PDF, so the
document reads the same on a machine without Chinese fonts. No font found is a clear error.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import subprocess
from dataclasses import dataclass, field

from fpdf import FPDF
from fpdf.fonts import FontFace

# fontTools logs every subsetting step at INFO; keep the application log readable.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT_FAMILY = "cjk"
PREFERRED = ["WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC"]
KNOWN_PATHS = [
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
]


class FontMissing(RuntimeError):
    pass


def _fc(args: list[str]) -> str:
    exe = shutil.which(args[0])
    if exe is None:
        return ""
    try:
        return subprocess.run([exe, *args[1:]], capture_output=True, text=True, timeout=10, check=False).stdout  # noqa: S603
    except (OSError, subprocess.SubprocessError):
        return ""


@functools.cache
def cjk_font_path() -> str:
    """Path of a font file that covers simplified Chinese (env ONEWINDOW_CJK_FONT overrides)."""
    override = os.environ.get("ONEWINDOW_CJK_FONT")
    if override and os.path.exists(override):
        return override
    for family in PREFERRED:
        path = _fc(["fc-match", "-f", "%{file}", f"{family}:lang=zh-cn"]).strip()
        if path and os.path.exists(path) and path.lower().endswith((".ttf", ".ttc", ".otf")) and _covers_chinese(path):
            return path
    for line in _fc(["fc-list", ":lang=zh-cn", "file"]).splitlines():
        path = line.split(":", 1)[0].strip()
        if path.lower().endswith((".ttf", ".ttc")) and os.path.exists(path):
            return path
    for path in KNOWN_PATHS:
        if os.path.exists(path):
            return path
    raise FontMissing("no CJK font found: install fonts-wqy-microhei (bin/setup does) or set ONEWINDOW_CJK_FONT")


def _covers_chinese(path: str) -> bool:
    # fc-match always answers something; make sure the answer really has Chinese glyphs.
    return bool(_fc(["fc-list", ":lang=zh-cn", "file"]).count(path))


@dataclass
class Document:
    """A simple official notice: title, numbered header fields, paragraphs, a table, a QR code."""

    title: str
    number: str = ""
    fields: list[tuple[str, str]] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    table_head: list[str] = field(default_factory=list)
    table_rows: list[list[str]] = field(default_factory=list)
    issuer: str = ""
    issued_on: str = ""
    qr_url: str = ""
    qr_caption: str = ""


def new_pdf() -> FPDF:
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_font(FONT_FAMILY, "", cjk_font_path(), collection_font_number=0)
    pdf.set_font(FONT_FAMILY, size=11)
    pdf.set_margins(20, 18, 20)
    return pdf


def render(doc: Document) -> bytes:
    pdf = new_pdf()
    pdf.set_title(doc.title)
    pdf.set_creator("OneWindow")
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_font(FONT_FAMILY, size=20)
    pdf.cell(width, 14, doc.title, align="C", new_x="LMARGIN", new_y="NEXT")
    if doc.number:
        pdf.set_font(FONT_FAMILY, size=10)
        pdf.cell(width, 7, doc.number, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(FONT_FAMILY, size=11)
    for label, value in doc.fields:
        pdf.cell(38, 8, f"{label}：")
        pdf.multi_cell(width - 38, 8, value or "—", new_x="LMARGIN", new_y="NEXT")
    if doc.fields:
        pdf.ln(2)
    for para in doc.paragraphs:
        pdf.multi_cell(width, 7, para, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    if doc.table_head:
        cols = len(doc.table_head)
        first = 12
        rest = (width - first) / max(cols - 1, 1)
        widths = [first] + [rest] * (cols - 1)
        with pdf.table(
            col_widths=widths,
            text_align="LEFT",
            line_height=7,
            headings_style=FontFace(emphasis=None, fill_color=(235, 235, 235)),
        ) as table:
            head = table.row()
            for cell in doc.table_head:
                head.cell(cell)
            for row_values in doc.table_rows:
                row = table.row()
                for cell in row_values:
                    row.cell(cell or "—")
        pdf.ln(4)
    if doc.qr_url:
        from .qr import qr_png

        y = pdf.get_y() + 2
        if y > pdf.h - 70:
            pdf.add_page()
            y = pdf.get_y()
        import io

        pdf.image(io.BytesIO(qr_png(doc.qr_url)), x=pdf.l_margin, y=y, w=32, h=32)
        pdf.set_xy(pdf.l_margin + 36, y + 8)
        pdf.set_font(FONT_FAMILY, size=9)
        pdf.multi_cell(width - 36, 5, doc.qr_caption or doc.qr_url, new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(y + 34)
    pdf.set_font(FONT_FAMILY, size=11)
    if doc.issuer:
        pdf.ln(6)
        pdf.cell(width, 8, doc.issuer, align="R", new_x="LMARGIN", new_y="NEXT")
    if doc.issued_on:
        pdf.cell(width, 8, doc.issued_on, align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
