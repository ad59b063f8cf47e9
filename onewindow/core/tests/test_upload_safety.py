"""Uploads: PDFs with active content refused, the pluggable malware scan (clamd, clamscan, none),
the per-user storage quota; each a translated error and nothing stored."""

from __future__ import annotations

import io
import os
import socket
import stat
import struct
import threading
import zlib
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from onewindow.core import scan
from onewindow.core.errors import ValidationFailed
from onewindow.core.uploads import UploaderMiddleware, pdf_active_content, private_storage, store_private

PLAIN = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _pdf(body: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("scan.pdf", b"%PDF-1.7\n" + body + b"\n%%EOF\n", content_type="application/pdf")


def _stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture(autouse=True)
def _no_scanner(settings: Any) -> None:
    settings.ONEWINDOW_UPLOAD_SCANNER = "none"


def test_plain_pdfs_pass() -> None:
    from fpdf import FPDF

    doc = FPDF()
    doc.add_page()
    doc.set_font("helvetica", size=12)
    doc.cell(text="receipt")
    assert pdf_active_content(io.BytesIO(bytes(doc.output()))) == []
    assert pdf_active_content(io.BytesIO(PLAIN)) == []


@pytest.mark.parametrize(
    "body",
    [
        b"1 0 obj<</Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>endobj",
        b"1 0 obj<</Type/Catalog/OpenAction<</S/J#61vaScript/JS 5 0 R>>>>endobj",  # #xx escapes
        b"1 0 obj<</Type/Catalog/Names<</EmbeddedFiles 3 0 R>>>>endobj",
        b"1 0 obj<</S/Launch/F(cmd.exe)>>endobj",
        # Hidden in a compressed object stream (PDF 1.5+).
        b"5 0 obj<</Type/ObjStm/N 1/First 4/Filter/FlateDecode>>stream\n"
        + zlib.compress(b"6 0 <</S/JavaScript/JS(x)>>")
        + b"\nendstream endobj",
    ],
)
def test_pdf_with_active_content_refused_and_nothing_stored(db: Any, private_files_in_tmp: Path, body: bytes) -> None:
    with pytest.raises(ValidationFailed) as exc:
        store_private(_pdf(body), folder="t", accepts="pdf")
    assert exc.value.code == "upload_pdf_active"
    assert _stored_files(private_files_in_tmp) == []


class _Found:
    name = "fake"

    def scan(self, data: bytes) -> str:
        return "Eicar-Test-Signature" if b"EICAR" in data else ""


def test_scanner_is_pluggable_and_refuses_infected_files(db: Any, settings: Any, private_files_in_tmp: Path) -> None:
    settings.ONEWINDOW_UPLOAD_SCANNER = f"{__name__}._Found"
    store_private(SimpleUploadedFile("a.pdf", PLAIN), folder="t", accepts="pdf")
    with pytest.raises(ValidationFailed) as exc:
        store_private(SimpleUploadedFile("b.pdf", PLAIN + b"EICAR"), folder="t", accepts="pdf")
    assert exc.value.code == "upload_infected"
    assert len(_stored_files(private_files_in_tmp)) == 1


def _fake_clamd(path: str, verdicts: list[bytes]) -> threading.Thread:
    """A clamd speaking the INSTREAM protocol on a UNIX socket: FOUND when the stream holds EICAR."""
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(4)

    def serve() -> None:
        for _ in range(len(verdicts)):
            conn, _addr = server.accept()
            with conn:
                command = b""
                while not command.endswith(b"\0"):
                    command += conn.recv(1)
                if command == b"zPING\0":
                    conn.sendall(b"PONG\0")
                    continue
                data = b""
                while True:
                    (size,) = struct.unpack("!L", conn.recv(4, socket.MSG_WAITALL))
                    if size == 0:
                        break
                    data += conn.recv(size, socket.MSG_WAITALL)
                conn.sendall(b"stream: Eicar-Test-Signature FOUND\0" if b"EICAR" in data else b"stream: OK\0")
        server.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return thread


def test_clamd_protocol(tmp_path: Path) -> None:
    path = str(tmp_path / "clamd.sock")
    thread = _fake_clamd(path, [b"ping", b"ok", b"found"])
    clamd = scan.ClamdScanner(socket_path=path)
    assert clamd.ping()
    assert clamd.scan(b"x" * 200_000) == ""
    assert clamd.scan(b"%PDF EICAR") == "Eicar-Test-Signature"
    thread.join(5)
    # Down: the upload is refused, never waved through.
    with pytest.raises(scan.ScanUnavailable):
        clamd.scan(b"x")


def test_clamscan_program_and_auto_choice(tmp_path: Path, settings: Any, monkeypatch: Any) -> None:
    program = tmp_path / "clamscan"
    program.write_text("#!/bin/sh\nif grep -q EICAR; then echo 'stdin: Eicar-Test-Signature FOUND'; exit 1; fi\nexit 0\n")
    program.chmod(program.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("CLAMD_SOCKET", str(tmp_path / "no-such.sock"))
    scan._build.cache_clear()
    try:
        active = scan._build("auto")
        assert active.name == "clamscan"
        assert active.scan(b"clean") == "" and active.scan(b"EICAR") == "Eicar-Test-Signature"
        monkeypatch.setenv("PATH", "/nonexistent")
        scan._build.cache_clear()
        assert isinstance(scan._build("auto"), scan.NoScanner)
        # The system check says so in production.
        from onewindow.core.checks import upload_scanner

        settings.ONEWINDOW_UPLOAD_SCANNER = "auto"
        settings.DEBUG = False
        assert [m.id for m in upload_scanner()] == ["onewindow.W022"]
    finally:
        scan._build.cache_clear()


def test_quota_per_user(db: Any, settings: Any, citizen: Any, outsider: Any, private_files_in_tmp: Path) -> None:
    settings.ONEWINDOW_UPLOAD_QUOTA_MB = 1
    big = PLAIN + b"%" + b"0" * 600_000
    store_private(SimpleUploadedFile("1.pdf", big), folder="t", accepts="pdf", owner=citizen)
    with pytest.raises(ValidationFailed) as exc:
        store_private(SimpleUploadedFile("2.pdf", big), folder="t", accepts="pdf", owner=citizen)
    assert exc.value.code == "upload_quota" and "1 MB" in str(exc.value.message)
    assert len(_stored_files(private_files_in_tmp)) == 1
    # Someone else's quota is their own.
    store_private(SimpleUploadedFile("3.pdf", big), folder="t", accepts="pdf", owner=outsider)


def test_quota_charged_to_the_signed_in_uploader(db: Any, settings: Any, citizen: Any) -> None:
    settings.ONEWINDOW_UPLOAD_QUOTA_MB = 1
    request = RequestFactory().post("/")
    request.user = citizen
    big = PLAIN + b"%" + b"0" * 600_000
    results: list[Any] = []

    def view(req: Any) -> Any:
        for name in ("1.pdf", "2.pdf"):
            try:
                results.append(store_private(SimpleUploadedFile(name, big), folder="t", accepts="pdf"))
            except ValidationFailed as exc:
                results.append(exc.code)
        return None

    UploaderMiddleware(view)(request)
    assert results[1] == "upload_quota"
    assert private_storage().exists(results[0])
