"""A case's material list and application form, merged over a bundle's matter versions."""

from __future__ import annotations

from typing import Any

from onewindow.catalog import formschema
from onewindow.catalog.models import MaterialRequirement, MatterVersion
from onewindow.catalog.prefilled import never_uploaded, provided_online

from ..models import (
    Case,
    SubmittedMaterial,
)


def case_requirements(case: Case) -> list[MaterialRequirement]:
    """The merged material list: for a bundle, one entry per shared document (shared_key)."""
    if case.matter_version is not None:
        return list(case.matter_version.materials.all())
    return merged_requirements(list(case.bundle_versions.all()))


def merged_form_schema(versions: list[MatterVersion]) -> list[dict[str, Any]]:
    """One application form for a bundle: each field once (by name), the first matter's label."""
    return formschema.merged_schema([v.form_schema or [] for v in versions], fill_default=False)


def case_form_schema(case: Case) -> list[dict[str, Any]]:
    if case.matter_version is not None:
        return list(case.matter_version.form_schema or [])
    return merged_form_schema(list(case.bundle_versions.all()))


def merged_requirements(versions: list[MatterVersion]) -> list[MaterialRequirement]:
    seen: set[str] = set()
    merged: list[MaterialRequirement] = []
    for mv in versions:
        for req in mv.materials.all():
            key = req.shared_key or f"req-{req.pk}"
            if key in seen:
                continue
            seen.add(key)
            merged.append(req)
    return merged


def _validated_form(schema: list[dict[str, Any]], data: dict[str, Any]) -> dict[str, Any]:
    """The form checked against the matter's schema (every error at once, formschema.validate);
    keys the schema does not name are kept as they came (e.g. the demo's markers)."""
    if not schema:
        return data
    names = {f.name for f in formschema.fields_of(schema, fill_default=False)}
    cleaned = formschema.validate(schema, data, fill_default=False)
    return {**{k: v for k, v in data.items() if k not in names}, **cleaned}


def missing_requirements(case: Case) -> list[MaterialRequirement]:
    """Required materials with no acceptable submission (a file or a paper original)."""
    have = set(
        case.materials.exclude(status__in=[SubmittedMaterial.Status.FAULTY, SubmittedMaterial.Status.REPLACED])
        .exclude(requirement__isnull=True)
        .values_list("requirement_id", flat=True)
    )
    keys_have = set(MaterialRequirement.objects.filter(pk__in=have).exclude(shared_key="").values_list("shared_key", flat=True))
    out = []
    for req in case_requirements(case):
        if req.need != MaterialRequirement.Need.REQUIRED:
            continue
        if req.pk in have or (req.shared_key and req.shared_key in keys_have):
            continue
        if provided_online(req, form_data=case.form_data, applicant=case.applicant, enterprise=case.enterprise):
            continue  # the form or the platform already holds it: never asked for as an upload
        out.append(req)
    return out


def uploadable_requirements(case: Case) -> list[MaterialRequirement]:
    """The lines a supplement notice may ask to upload again (not those the form stands for)."""
    return [r for r in case_requirements(case) if not never_uploaded(r)]
