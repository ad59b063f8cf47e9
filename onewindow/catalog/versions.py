"""Which matter versions a bundle (一件事) is applied for with: one function for the pages, the API
and the services, so a page never offers a bundle the service would refuse."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import ValidationFailed

from .models import Bundle, MatterVersion


def bundle_versions(bundle: Bundle) -> list[MatterVersion]:
    """Each item's matter at its published current version, in the bundle's order. A matter that is
    not published (never, or retired) makes the whole bundle unavailable: ValidationFailed
    `bundle_incomplete`; a bundle without matters is `bundle_empty`."""
    versions = []
    for item in bundle.items.select_related("matter__current_version", "matter__department").order_by("sort_order"):
        version = item.matter.current_version
        if version is None or version.status != MatterVersion.Status.PUBLISHED:
            raise ValidationFailed(_("“一件事”中有事项尚未发布，暂不能申请。"), code="bundle_incomplete")
        # The version's matter is the item's, already read: callers reach `version.matter`
        # (and its department) without one more query per matter.
        version.matter = item.matter
        versions.append(version)
    if not versions:
        raise ValidationFailed(_("该“一件事”没有包含事项。"), code="bundle_empty")
    return versions


def bundle_is_available(bundle: Bundle) -> bool:
    """Whether `bundle_versions` would give the bundle's versions (it is active and complete)."""
    if not bundle.is_active:
        return False
    try:
        bundle_versions(bundle)
    except ValidationFailed:
        return False
    return True
