"""Counties as tenants: the one rule that scopes a model's rows to a county (docs/tenancy.md).

A model with county data names the lookup from itself to the county once, as a class attribute
(`county_lookup = "department__county"`); every read of a county's rows goes through
`for_county(qs, county)`, never the lookup again. A function rather than a manager method: some of
these models have their own manager already (the hall's tickets encrypt fields), and a generated
manager would hide the models' types from the type checker. Core knows no app: the county is whatever the lookup reaches (accounts.County).

`TENANCY` names the models that deliberately carry no county (province-wide people and shared
reference data) and those of apps not scoped yet; `core/tests/test_tenancy_models.py` fails for a
model that is in neither list and declares no lookup, so a new table cannot forget the question.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Q


@dataclass(frozen=True)
class Via:
    """A county lookup through a plain id column (the roll-up tables keep ids, not foreign keys,
    so that a rebuild never cascades): the rows whose `column` is the id of a `model` row (an
    "app_label.ModelName") that reaches the county through `lookup`. Read as `column IN (SELECT
    id FROM <model> WHERE <lookup> = county)`: the small unit or service point table, so the roll-up
    keeps its `(column, day)` indexes."""

    column: str
    model: str
    lookup: str


def county_q(model: type[models.Model], county: Any) -> Q:
    """The condition `for_county` filters `model` by, for reads that take a Q (core.rollups.summed).
    Only for a lookup that is one path or a `Via` (alternatives need a subquery of the model)."""
    lookup = county_lookup(model)
    code = getattr(county, "pk", county)
    if county is None:
        raise ValueError("county_q needs a county")
    if isinstance(lookup, Via):
        ids = apps.get_model(lookup.model)._default_manager.filter(**{lookup.lookup: code}).values("pk")
        return Q(**{f"{lookup.column}__in": ids})
    if isinstance(lookup, str):
        return Q(**{lookup: code})
    raise TypeError(f"{model._meta.label} has no single county_lookup")


def for_county(qs: Any, county: Any) -> Any:
    """The rows of `qs` that belong to `county` (a County or its code). `None` is refused: "every
    county" is a decision the caller makes by not calling this (accounts.tenancy.scoped does)."""
    if county is None:
        raise ValueError("for_county needs a county")
    lookup = county_lookup(qs.model)
    if lookup is None:
        raise TypeError(f"{qs.model._meta.label} has no county_lookup")
    code = getattr(county, "pk", county)
    if isinstance(lookup, str | Via):
        return qs.filter(county_q(qs.model, code))
    # Alternatives (a route of a matter or of a bundle; a bundle with or without its lead
    # department), some across to-many joins: matched in a subquery so no row comes twice.
    match = Q()
    for each in lookup:
        match |= Q(**{each: code})
    return qs.filter(pk__in=qs.model._default_manager.filter(match).values("pk"))


def county_lookup(model: type[models.Model]) -> str | tuple[str, ...] | Via | None:
    return getattr(model, "county_lookup", None)


# Models without a county lookup, by "app_label.modelname", with the reason. `province_wide`:
# deliberately none. `not_yet`: county data of the apps of later slices (docs/tenancy.md, State).
TENANCY: dict[str, dict[str, str]] = {
    "province_wide": {
        "accounts.user": "people apply in any county; staff are bound to one county by their roles",
        "accounts.enterprise": "enterprises apply in any county",
        "accounts.enterprisehandler": "who acts for an enterprise, province-wide",
        "accounts.loginfailure": "sign-in throttling by name and address, before any county is known",
        "accounts.apitoken": "a person's token",
        "accounts.privacyconsent": "a person's consent to the platform's notice",
        "accounts.phonecode": "a person's SMS code",
        "accounts.passwordhistory": "a person's past password hashes",
        "appointments.weeklyquota": "a person's bookings of a week, counted by ID number in every county's halls (the anti-scalper limit is per person)",
        "catalog.lifeevent": "the province's list of life events, shared by every county's catalog",
        "catalog.searchsynonym": "search synonyms, shared",
        "catalog.standardmatter": "the province's standard catalog; counties' matters implement its entries",
        "core.workcalendarday": "the national working-day calendar (a county's days over it: accounts.CalendarOverride, which has a county_lookup)",
        "core.auditentry": "one hash chain for the deployment; read only by the audit administrator",
        "core.auditchainhead": "the audit chain's head",
        "core.auditseal": "the audit chain's seals",
        "core.rollupmark": "bookkeeping of the rollup refresh",
        "dashboard.regionreader": "a province's or city's reader: above the counties, their roll-ups only (docs/tenancy.md)",
        "core.ratelimithit": "rate limits by address",
        "core.serviceheartbeat": "the deployment's processes",
        "core.uploadquota": "a person's upload quota",
        "core.notification": "a message to a person (its subject carries the county)",
        "core.unownedwork": "the sweep's list; each row names the thing (not yet split by county)",
        "materials.libraryitem": "a person's or an enterprise's documents, reused in any county's applications",
        "materials.applicationdraft": "an applicant's own draft, read only by them; it becomes the county's case on submit",
        "ratings.invitation": "a person's single-use rating link, found by its token; the rating it makes takes the unit's county",
        "auth.group": "Django's permission groups (三员分立 duties)",
        "auth.permission": "Django's permissions",
        "admin.logentry": "Django admin's log (the platform's tool)",
        "contenttypes.contenttype": "Django's model registry",
        "sessions.session": "sign-in sessions",
        "otp_totp.totpdevice": "a person's second factor",
        "django_tasks_database.dbtaskresult": "the task queue",
    },
    "not_yet": {},
}
