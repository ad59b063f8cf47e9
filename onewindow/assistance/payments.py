"""Pluggable payment backend for fees collected at the point.

There is no real gateway: `LocalBackend` records cash taken at the counter and transfers the agent
has seen arrive, and gives each a reference. A real backend (a bank's or the tax bureau's
collection interface) implements the same two calls and is named in
ONEWINDOW_ASSISTANCE["payment_backend"].
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Protocol

from django.utils.module_loading import import_string

from .policy import policy


@dataclass(frozen=True)
class PaymentResult:
    reference: str


class PaymentBackend(Protocol):
    def collect(self, *, method: str, amount_fen: int, receipt_number: str) -> PaymentResult: ...

    def refund(self, *, method: str, amount_fen: int, receipt_number: str, original_reference: str) -> PaymentResult: ...


class LocalBackend:
    """Cash and transfers recorded locally; the reference is a random token tied to the receipt."""

    def collect(self, *, method: str, amount_fen: int, receipt_number: str) -> PaymentResult:
        return PaymentResult(reference=f"LOCAL-{method.upper()}-{secrets.token_hex(6)}")

    def refund(self, *, method: str, amount_fen: int, receipt_number: str, original_reference: str) -> PaymentResult:
        return PaymentResult(reference=f"LOCAL-REFUND-{secrets.token_hex(6)}")


def backend() -> PaymentBackend:
    chosen: PaymentBackend = import_string(policy().payment_backend)()
    return chosen
