"""告知承诺备案 filed by a village agent for a resident (or an enterprise the resident handles),
under a mandate: the resident is at the point, the agent reads the commitment out, and the
resident confirms their name and ID number on it. The filing is the resident's (the filings app
signs it in their name, same checks and breach bar); the point keeps the record of who filed."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import Enterprise, User
from onewindow.catalog.models import Matter
from onewindow.core.audit import audit
from onewindow.core.errors import PermissionDenied, ValidationFailed
from onewindow.core.notify import notify

from ..models import AgentApplication
from ._common import point_signed
from .applications import _tell_point
from .mandates import mandate_check


def agent_file_filing(
    *,
    actor: User,
    resident: User,
    matter: Matter,
    signer_name: str,
    signer_id_number: str,
    text_sha256: str,
    read_to_resident: bool,
    enterprise: Enterprise | None = None,
    form_data: dict[str, Any] | None = None,
) -> AgentApplication:
    """File for `resident` under a mandate. Refusals (no mandate, not agent-eligible, another
    village, the resident not a handler of the enterprise, a changed text) store nothing."""
    from onewindow.filings.services import filing_sign

    point, mandate = mandate_check(actor=actor, resident=resident, matter=matter)
    if not read_to_resident:
        # The commitment binds the resident: they must have heard or read it at the point.
        raise ValidationFailed(
            _("请先向群众宣读承诺书，并确认群众本人同意。"),
            code="not_read_to_resident",
            fields={"read_to_resident": [_("必填项。")]},
        )
    if enterprise is not None and not enterprise.handlers.filter(user=resident).exists():
        raise PermissionDenied(_("该群众不是这家企业（个体工商户）的经办人。"), code="not_enterprise_handler")
    with transaction.atomic():
        filing = filing_sign(
            applicant=resident,
            matter=matter,
            signer_name=signer_name,
            signer_id_number=signer_id_number,
            text_sha256=text_sha256,
            enterprise=enterprise,
            form_data=form_data,
        )
        application = AgentApplication.objects.create(
            kind=AgentApplication.Kind.FILING,
            point=point,
            agent=actor,
            resident=resident,
            mandate=mandate,
            matter=matter,
            filing=filing,
        )
        audit(
            actor=actor,
            action="assistance.file_filing",
            target=application,
            data={"filing": filing.number, "mandate": mandate.number, "point": point.village.code},
        )
        _tell_point(
            point,
            gettext("%(agent)s已为%(name)s办理“%(title)s”告知承诺备案，备案编号 %(number)s。")
            % {"agent": actor.display_name, "name": resident.display_name, "title": filing.title, "number": filing.number},
            "assistance.filing",
        )
        notify(
            channel="sms" if resident.phone else "site",
            recipient=resident.phone or resident.username,
            user=resident,
            subject=gettext("代办备案"),
            body=point_signed(
                point,
                gettext("%(point)s已受您委托为您办理“%(title)s”告知承诺备案，备案编号 %(number)s。")
                % {"point": point.name, "title": filing.title, "number": filing.number},
            ),
            kind="assistance.filing",
        )
    return application
