"""Materials the applicant is never asked to upload because the platform already has them
(数据跑路): the online application form whose fields capture the document, the applicant's
real-name verified identity, an enterprise's verified registration.

The link lives in the catalog (`MaterialRequirement.provided_by` and `form_fields`, versioned with
the matter); this module answers, for one application, whether a line is covered and why. The
online apply flow, the case engine's `missing_requirements` (so acceptance, the intake checklist
and the supplement notice) and the pages all ask it, so they never disagree.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from .models import MaterialRequirement, ProvidedBy


def _filled(value: Any) -> bool:
    return value not in (None, "") and str(value).strip() != ""


def provided_online(
    req: MaterialRequirement, *, form_data: dict[str, Any] | None, applicant: Any = None, enterprise: Any = None
) -> str:
    """Why `req` needs no upload for this application (a translated sentence), or "" if it does.

    - form: every field the catalog names for it is filled in the application form (a line
      without named fields stands for the whole form: any filled value);
    - identity: the applicant's identity number was verified by real-name registration;
    - enterprise: the application is filed for an enterprise whose registration is verified.
    """
    kind = req.provided_by
    if kind == ProvidedBy.FORM:
        data = form_data or {}
        names = [n for n in (req.form_fields or []) if isinstance(n, str)]
        if (names and all(_filled(data.get(n)) for n in names)) or (not names and any(_filled(v) for v in data.values())):
            return str(_("已在申请表中在线填写，无需上传"))
    elif kind == ProvidedBy.IDENTITY:
        if applicant is not None and getattr(applicant, "id_number", None) and getattr(applicant, "verified_at", None):
            return str(_("已通过实名认证核验身份，无需上传"))
    elif kind == ProvidedBy.ENTERPRISE and enterprise is not None and getattr(enterprise, "verified_at", None):
        return str(_("平台已有企业登记信息，无需上传"))
    return ""


def never_uploaded(req: MaterialRequirement) -> bool:
    """A line the form itself stands for: its content is corrected by editing the form's fields,
    so a supplement notice asks for those fields, never for a file."""
    return req.provided_by == ProvidedBy.FORM
