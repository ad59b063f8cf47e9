"""Real-name verification (实名认证), pluggable.

The default `LocalBackend` does what can be done without the province: the checksums and rules of
core.identity. A deployment that can call the province's identity service (公安人口库 / 市场主体库)
points `ONEWINDOW_REALNAME_BACKEND` at a class with the same two methods; nothing else changes.
Backends raise `ValidationFailed` with a translated reason and return the normalised number.

`confirms_identity` says whether a backend's yes means "this person holds this number" (the
province's service) or only "the number is well formed" (the local backend). Only the first marks
an account verified (实名); accounts registered under the local backend are verified by a clerk
who sees the identity document at a window (`accounts/identity.py`). A system check warns when a
production deployment runs the local backend.
"""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import ValidationFailed
from onewindow.core.identity import validate_resident_id, validate_uscc

DEFAULT_BACKEND = "onewindow.accounts.realname.LocalBackend"


class RealNameBackend(Protocol):
    confirms_identity: bool

    def verify_person(self, *, name: str, id_number: str) -> str: ...

    def verify_enterprise(self, *, uscc: str, name: str, legal_representative: str) -> str: ...


class LocalBackend:
    """Offline checks only: the number's checksum, birth date and region; names are not empty.
    It cannot tell who holds a number, so it verifies nobody."""

    confirms_identity = False

    def verify_person(self, *, name: str, id_number: str) -> str:
        if not (name or "").strip():
            raise ValidationFailed(_("请填写姓名。"), code="name_required", fields={"display_name": [_("请填写姓名。")]})
        try:
            return validate_resident_id(id_number)
        except ValidationFailed as exc:
            raise ValidationFailed(exc.message, code=exc.code, fields={"id_number": [exc.message]}) from None

    def verify_enterprise(self, *, uscc: str, name: str, legal_representative: str) -> str:
        if not (name or "").strip():
            raise ValidationFailed(
                _("请填写企业名称。"), code="name_required", fields={"enterprise_name": [_("请填写企业名称。")]}
            )
        try:
            return validate_uscc(uscc)
        except ValidationFailed as exc:
            raise ValidationFailed(exc.message, code=exc.code, fields={"uscc": [exc.message]}) from None


def backend() -> RealNameBackend:
    chosen: RealNameBackend = import_string(getattr(settings, "ONEWINDOW_REALNAME_BACKEND", DEFAULT_BACKEND))()
    return chosen
