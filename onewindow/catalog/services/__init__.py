"""Writes of the catalog: matters and their versions, bundles, delegations.

Every function is keyword-only, runs in one transaction and writes an audit row in it. A published
version is never changed: editing a matter means drafting a new version from the published one
and publishing that; cases keep pointing at the version they started on.

Split by theme (codes: a matter's code and search keys; validation: the fields a version carries
and their checks; matters: matters and versions; bundles: bundles and delegations); import from
here.
"""

from .bundles import bundle_create, delegation_create
from .codes import CODE_RE, REGION_CODE, TYPE_CODES, matter_code, search_keys, search_text
from .matters import (
    MatterInput,
    matter_bulk_create,
    matter_create,
    matter_draft_create,
    matter_draft_update,
    matter_placement_update,
    matter_publish,
    matter_retire,
)
from .standards import (
    is_province_operator,
    matter_implement,
    matter_link_standard,
    standard_create,
    standard_retire,
    standard_revise,
    withdraw_retired,
)
from .validation import MATERIAL_FIELDS, VERSION_FIELDS

__all__ = [
    "CODE_RE",
    "MATERIAL_FIELDS",
    "REGION_CODE",
    "TYPE_CODES",
    "VERSION_FIELDS",
    "MatterInput",
    "bundle_create",
    "delegation_create",
    "is_province_operator",
    "matter_bulk_create",
    "matter_code",
    "matter_create",
    "matter_draft_create",
    "matter_draft_update",
    "matter_implement",
    "matter_link_standard",
    "matter_placement_update",
    "matter_publish",
    "matter_retire",
    "search_keys",
    "search_text",
    "standard_create",
    "standard_retire",
    "standard_revise",
    "withdraw_retired",
]
