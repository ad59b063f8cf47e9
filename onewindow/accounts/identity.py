"""实名核验 at a window, and reclaiming an identity number registered by someone else.

Under the offline real-name backend nobody is verified online (accounts/realname.py); the person
shows the identity document at a window and the clerk marks the account verified. The same step
answers the theft case: when the number on the document is held by another account (someone
registered it first), the clerk's verification moves it to the owner's account - the other account
loses the number and its verification and is told by SMS; both changes are audited with the clerk
as actor and the statement that the document was checked.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.core.audit import audit
from onewindow.core.errors import PermissionDenied, ValidationFailed
from onewindow.core.identity import is_residence_permit, mask, validate_resident_id

from .models import Role, User

WINDOW_ROLES = (Role.CLERK, Role.TOWNSHIP_OFFICER, Role.HALL_MANAGER)


def may_verify_at_window(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and any(user.has_role(r) for r in WINDOW_ROLES))


def identity_verify_at_window(
    *, clerk: User, username: str, display_name: str, id_number: str, document_checked: bool, ip: str | None = None
) -> tuple[User, User | None]:
    """Mark `username`'s account verified as the holder of `id_number` (document seen by `clerk`).
    Returns the account and the account the number was taken from, if any."""
    from . import passwords

    if not may_verify_at_window(clerk):
        raise PermissionDenied()
    problems: dict[str, list[Any]] = {}
    if not document_checked:
        problems["document_checked"] = [_("请先核对本人身份证原件。")]
    if not (display_name or "").strip():
        problems["display_name"] = [_("请填写姓名。")]
    number = ""
    try:
        number = validate_resident_id(id_number)
    except ValidationFailed as exc:
        problems["id_number"] = [exc.message]
    if problems:
        raise ValidationFailed(_("请检查填写的内容。"), fields=problems)
    with transaction.atomic():
        person = User.objects.select_for_update().filter(username=(username or "").strip(), is_active=True).first()
        if person is None or passwords.is_policy_subject(person):
            msg = _("没有这个群众账号，请核对用户名。")
            raise ValidationFailed(msg, fields={"username": [msg]})
        holder = User.objects.select_for_update().filter(id_number=number).exclude(pk=person.pk).first()
        if holder is not None:
            User.objects.filter(pk=holder.pk).update(id_number=None, id_type="", verified_at=None)
            audit(
                actor=clerk,
                action="user.id_reclaimed",
                target=holder,
                data={"to": person.username, "id": mask(number), "document_checked": True, "ip": ip},
            )
            if holder.phone:
                _tell_holder(holder)
        previous = person.id_number
        person.id_number = number
        person.id_type = User.IdType.PERMIT if is_residence_permit(number) else User.IdType.RESIDENT
        person.display_name = display_name.strip()
        person.verified_at = timezone.now()
        person.save(update_fields=["id_number", "id_type", "display_name", "verified_at"])
        audit(
            actor=clerk,
            action="user.verify_at_window",
            target=person,
            data={
                "id": mask(number),
                "document_checked": True,
                "reclaimed_from": holder.username if holder else None,
                "replaced_own": bool(previous and previous != number),
                "ip": ip,
            },
        )
    return person, holder


def _tell_holder(holder: User) -> None:
    from onewindow.core.models import Notification
    from onewindow.core.notify import notify

    body = str(
        _(
            "【%(site)s】经窗口核验证件本人身份，您账号上登记的身份证号码已由证件本人收回，您的账号不再是实名账号。如有疑问，请携带身份证到政务服务中心窗口咨询。"
        )
    ) % {"site": settings.ONEWINDOW_SITE_NAME}
    notify(channel=Notification.Channel.SMS, recipient=holder.phone, body=body, user=holder, kind="id_reclaimed")
