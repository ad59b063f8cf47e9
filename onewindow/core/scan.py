"""Malware scan of uploaded files, pluggable (`ONEWINDOW_UPLOAD_SCANNER`):

- `auto` (default): ClamAV's daemon when its socket answers (`CLAMD_SOCKET`, or `CLAMD_HOST` and
  `CLAMD_PORT`), else the `clamscan` program when installed, else no scan.
- `clamd`, `clamscan`, `none`, or the dotted path of a class with `scan(data: bytes) -> str`
  (the threat's name, "" when clean) and a `name` attribute.

A scanner that is configured but fails (daemon down, program error) refuses the file rather than
letting it through. System check `onewindow.W022` states in production that nothing scans.
"""

from __future__ import annotations

import os
import shutil
import socket
import struct
import subprocess
from functools import lru_cache
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from .errors import ValidationFailed

CHUNK = 64 * 1024


class Scanner(Protocol):
    name: str

    def scan(self, data: bytes) -> str: ...


class ScanUnavailable(Exception):
    pass


class NoScanner:
    name = "none"

    def scan(self, data: bytes) -> str:
        return ""


class ClamdScanner:
    """clamd's INSTREAM command over its UNIX or TCP socket (no client library needed)."""

    name = "clamd"

    def __init__(self, socket_path: str = "", host: str = "", port: int = 3310, timeout: float = 30) -> None:
        self.socket_path, self.host, self.port, self.timeout = socket_path, host, port, timeout

    def _connect(self) -> socket.socket:
        if self.socket_path:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(self.timeout)
            sock.connect(self.socket_path)
            return sock
        return socket.create_connection((self.host, self.port), timeout=self.timeout)

    def ping(self) -> bool:
        try:
            with self._connect() as sock:
                sock.sendall(b"zPING\0")
                return sock.recv(16).startswith(b"PONG")
        except OSError:
            return False

    def scan(self, data: bytes) -> str:
        try:
            with self._connect() as sock:
                sock.sendall(b"zINSTREAM\0")
                for i in range(0, len(data), CHUNK):
                    chunk = data[i : i + CHUNK]
                    sock.sendall(struct.pack("!L", len(chunk)) + chunk)
                sock.sendall(struct.pack("!L", 0))
                reply = b""
                while not reply.endswith(b"\0"):
                    part = sock.recv(4096)
                    if not part:
                        break
                    reply += part
        except OSError as exc:
            raise ScanUnavailable(f"clamd: {exc}") from exc
        text = reply.rstrip(b"\0").decode(errors="replace")  # "stream: OK" / "stream: Eicar-Test FOUND"
        if text.endswith("FOUND"):
            return text.split(":", 1)[-1].strip()[: -len("FOUND")].strip() or "malware"
        if text.endswith("OK"):
            return ""
        raise ScanUnavailable(f"clamd: {text}")


class ClamscanScanner:
    """The `clamscan` program reading the file from standard input (slow: it loads the signatures
    for every file; use clamd in production)."""

    name = "clamscan"

    def __init__(self, program: str = "clamscan") -> None:
        self.program = program

    def scan(self, data: bytes) -> str:
        try:
            done = subprocess.run(  # noqa: S603 - fixed program, no shell
                [self.program, "--no-summary", "--infected", "-"], input=data, capture_output=True, timeout=120
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ScanUnavailable(f"clamscan: {exc}") from exc
        if done.returncode == 0:
            return ""
        if done.returncode == 1:
            line = done.stdout.decode(errors="replace").strip().splitlines()[-1:] or ["malware FOUND"]
            return line[0].split(":", 1)[-1].replace("FOUND", "").strip() or "malware"
        raise ScanUnavailable(f"clamscan exit {done.returncode}: {done.stderr.decode(errors='replace')[:200]}")


def _clamd_from_env() -> ClamdScanner:
    return ClamdScanner(
        socket_path=os.environ.get("CLAMD_SOCKET", "" if os.environ.get("CLAMD_HOST") else "/var/run/clamav/clamd.ctl"),
        host=os.environ.get("CLAMD_HOST", ""),
        port=int(os.environ.get("CLAMD_PORT", "3310")),
    )


@lru_cache(maxsize=4)
def _build(spec: str) -> Scanner:
    if spec == "none":
        return NoScanner()
    if spec == "clamd":
        return _clamd_from_env()
    if spec == "clamscan":
        return ClamscanScanner()
    if spec == "auto":
        clamd = _clamd_from_env()
        if clamd.ping():
            return clamd
        program = shutil.which("clamscan")
        return ClamscanScanner(program) if program else NoScanner()
    scanner: Scanner = import_string(spec)()
    return scanner


def scanner() -> Scanner:
    return _build(getattr(settings, "ONEWINDOW_UPLOAD_SCANNER", "auto"))


def scan_file(file: Any) -> str:
    """The threat found in `file` ("" when clean); the read position is restored. A scanner that
    cannot answer refuses the upload (translated), it never waves the file through."""
    active = scanner()
    if isinstance(active, NoScanner):
        return ""
    pos = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    data = file.read()
    file.seek(pos)
    try:
        return active.scan(data)
    except ScanUnavailable:
        import logging

        logging.getLogger("onewindow.scan").exception("malware scanner %s unavailable", active.name)
        raise ValidationFailed(_("病毒检查暂时不可用，请稍后再上传。"), code="upload_scan_unavailable") from None
