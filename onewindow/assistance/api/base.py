"""The agent service API's router and what its resources share: the caller's point, the matters
named in a request, the resident of a mandate."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest
from ninja import Router

from onewindow.accounts.models import User
from onewindow.catalog.models import Matter
from onewindow.core.apikit import actor
from onewindow.core.errors import NotFound, PermissionDenied

from .. import access
from ..models import AgentPoint, Mandate

router = Router(tags=["assistance"])


def _point(request: HttpRequest) -> AgentPoint:
    point = access.point_of(actor(request))
    if point is None:
        raise PermissionDenied()
    return point


def _matters(uuids: list[UUID]) -> list[Matter]:
    found = list(Matter.objects.filter(uuid__in=uuids).select_related("current_version"))
    if len(found) != len(set(uuids)):
        raise NotFound()
    return found


def _resident_of_mandate(point: AgentPoint, mandate_uuid: UUID) -> User:
    m = Mandate.objects.filter(uuid=mandate_uuid, point=point).select_related("resident").first()
    if m is None:
        raise NotFound()
    return m.resident
