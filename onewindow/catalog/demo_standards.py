"""The province's standard catalog in the demo (docs/tenancy.md, "The province's standard catalog"):
one entry for each matter the demo's counties share (the specifications `demo_counties` takes, three
per department), every county's matter of that specification linked to it, and one revision by
the province (a new legal basis) waiting as a draft in each implementing county — what a county's
catalog administrator finds on /catalog/manage/ the morning after the province changes an entry.

The entries are written by the province's operator (`admin`, whose role names no unit). Runs with
or without the extra counties (DEMO_COUNTIES): the entries then have 青原区's implementation
only. Idempotent."""

from __future__ import annotations

from onewindow.accounts.models import User
from onewindow.core.demo import DemoContext

from .demo.specs import matter_specs
from .demo_counties import DEPARTMENTS, MATTERS_PER_DEPARTMENT
from .models import Matter, StandardMatter
from .services import matter_link_standard, standard_create, standard_revise
from .services.codes import TYPE_CODES

# The entry the province revises in the demo (its first), and how.
REVISION_NOTE = "设定依据更新为修订后的条文（演示：省级事项库修订下发至各县区）"


def _shared_specs(seed: int) -> list[dict[str, object]]:
    chosen: dict[str, int] = {}
    shared = []
    wanted = {short for short, _name in DEPARTMENTS}
    for spec in matter_specs(seed):
        if spec.dept not in wanted or chosen.get(spec.dept, 0) >= MATTERS_PER_DEPARTMENT:
            continue
        chosen[spec.dept] = chosen.get(spec.dept, 0) + 1
        shared.append({k: spec.extra[k] for k in StandardMatter.BASIC_FIELDS})
    return shared


def build(ctx: DemoContext) -> None:
    operator = User.objects.filter(username="admin").first()  # the platform's (province's) administrator
    linked = 0
    first: StandardMatter | None = None
    for n, basic in enumerate(_shared_specs(ctx.seed), start=1):
        code = f"360000-{TYPE_CODES[str(basic['matter_type'])]}-{n:05d}"
        standard = StandardMatter.objects.filter(basic_code=code).first()
        if standard is None:
            standard = standard_create(actor=operator, basic_code=code, **basic)
        first = first or standard
        candidates = Matter.objects.filter(
            search_name=basic["name"], standard__isnull=True, current_version__status="published"
        ).select_related("current_version", "department")
        for matter in candidates:
            v = matter.current_version
            if v is not None and all(getattr(v, k) == basic[k] for k in StandardMatter.BASIC_FIELDS):
                matter_link_standard(matter=matter, standard=standard, actor=None)
                linked += 1
    if first is not None and first.revision == 1 and first.matters.exists():
        standard_revise(
            standard=first,
            actor=operator,
            expected_revision=1,
            note=REVISION_NOTE,
            legal_basis=f"{first.legal_basis}（2026年修订）",
        )
    ctx.say(f"  province standard catalog: {StandardMatter.objects.count()} entries, {linked} matters newly linked")
