"""好差评 of a 低保 decision: the household rates the township's 审核确认 once it is decided
(confirmed or refused). It replaces the generic case rating for these cases, so one service is
rated once; the township answers for it, and nobody who worked on the file may rate it."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from onewindow.ratings.adapters import CaseAdapter
from onewindow.ratings.models import Kind
from onewindow.ratings.subjects import Subject

from ..models.process import Application

_LIST_LIMIT = 30


class WelfareDecisionAdapter:
    kind = Kind.WELFARE_DECISION

    def _qs(self) -> Any:
        return Application.objects.filter(stage__in=[Application.Stage.APPROVED, Application.Stage.REFUSED]).select_related(
            "case__applicant",
            "case__department",
            "case__intake_unit",
            "case__matter_version__matter__service_area",
            "case__bundle__service_area",
            "confirmed_by",
            "proposed_by",
        )

    def _subject(self, a: Application) -> Subject:
        base = CaseAdapter()._subject(a.case)
        workers = set(base.delivered_by)
        workers |= {u for u in (a.filed_by_id, a.agent_id, a.proposed_by_id, a.confirmed_by_id) if u}
        workers |= set(a.visits.values_list("recorded_by_id", flat=True))
        workers.discard(a.case.applicant_id)
        served = a.confirmed_at or a.case.concluded_at or a.proposed_at or a.updated_at
        return Subject(
            kind=self.kind,
            uuid=a.uuid,
            label=f"{a.case.title}（{a.case.number}）"[:200],
            mode=base.mode,
            unit=a.case.department,
            served_at=served,
            person=a.case.applicant,
            person_name=base.person_name,
            person_phone=base.person_phone,
            staff=a.confirmed_by or a.proposed_by or base.staff,
            window=base.window,
            area=base.area,
            matter=base.matter,
            delivered_by=frozenset(w for w in workers if w is not None),
        )

    def resolve(self, subject_uuid: uuid.UUID) -> Subject | None:
        a = self._qs().filter(uuid=subject_uuid).first()
        return self._subject(a) if a is not None else None

    def served_for(self, user: Any, since: datetime.datetime) -> list[Subject]:
        rows = [self._subject(a) for a in self._qs().filter(case__applicant=user).order_by("-updated_at")[:_LIST_LIMIT]]
        return [s for s in rows if s.served_at is not None and s.served_at >= since]
