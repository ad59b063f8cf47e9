"""The clock of the 低保 审核确认: the whole within 25 working days from acceptance (the district's
promise; the 2021 rules art. 24 allow 30), extended only in special cases to at most 40 (the
rules: 45) with the reason recorded by the township leader (乡镇负责人) himself. Yellow and red
cards come from the cases engine's sweep, as for every case.

The article numbers of the 2021 审核确认办法 cited here are unverified (see docs/welfare.md).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import Role, User
from onewindow.cases import services as case_services
from onewindow.cases.models import Case
from onewindow.core.errors import PermissionDenied, ValidationFailed

from ..models import Application
from . import conf


def extend(*, application: Application, actor: User, days: int, reason: str) -> Case:
    """The township leader extends the application's clock by `days` working days, once."""
    township = application.household.township
    if not (getattr(actor, "is_authenticated", False) and actor.has_role(Role.LEADER, township)):
        raise PermissionDenied(_("延长审核确认期限须由乡镇（街道）负责人登记理由。"))
    case = application.case
    most = conf.EXTENDED_MAX_DAYS - case.committed_days
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= most:
        raise ValidationFailed(
            _("延长期限为 1 至 %(most)s 个工作日（审核确认最长 %(max)s 个工作日）。")
            % {"most": most, "max": conf.EXTENDED_MAX_DAYS},
            fields={"days": [_("超出可延长期限。")]},
            code="extension_too_long",
        )
    return case_services.extension_record(case=case, actor=actor, days=days, reason=reason, approver=actor)
