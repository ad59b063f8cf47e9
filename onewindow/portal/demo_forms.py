"""Demo step: real application forms for the matters people use most.

It lives in the portal (an interface app, above the domain apps) because it reads what the cases,
bookings and filings of the demo used and files online applications: the catalog, which those
apps build on, must not import them.

Runs after every step that creates usage (cases, bookings, filings), counts per matter how often
the demo used it (cases, each member matter of a bundle case, bookings, filings), takes the top
`TOP` by that count plus every matter of the two bundles, and publishes for each a new version of
its implementation list with the structured form (`formlib.form_for`), the materials the form or
the platform provides (`formlib.material_links`), and 网上预审 for committed matters. Cases filed
before keep their version; new applications use the new one. Idempotent: a matter whose current
version already has a structured form is left alone.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db import transaction

from onewindow.catalog import formschema
from onewindow.catalog.demo.formlib import form_for, material_links
from onewindow.catalog.models import Bundle, Matter, MatterVersion
from onewindow.catalog.services import matter_draft_create, matter_draft_update, matter_publish
from onewindow.core.demo import DemoContext

TOP = 50
CHANGE_NOTE = "启用结构化申请表（按实施清单申请表要素）；申请表及平台已有信息免于重复提交；承诺件网上申请实行网上预审。"


def demo_usage() -> Counter[int]:
    """How often the demo used each matter: cases (a bundle case counts for each of its
    matters), bookings, commitment filings. Apps that are not installed count nothing."""
    from django.apps import apps

    usage: Counter[int] = Counter()
    if apps.is_installed("onewindow.cases"):
        from onewindow.cases.models import Case

        usage.update(Case.objects.filter(matter_version__isnull=False).values_list("matter_version__matter_id", flat=True))
        usage.update(Case.bundle_versions.through.objects.values_list("matterversion__matter_id", flat=True))
    if apps.is_installed("onewindow.appointments"):
        from onewindow.appointments.models import Booking

        usage.update(Booking.objects.values_list("matter_id", flat=True))
    if apps.is_installed("onewindow.filings"):
        from onewindow.filings.models import Filing

        usage.update(Filing.objects.values_list("matter_version__matter_id", flat=True))
    return usage


def most_used(top: int = TOP) -> list[Matter]:
    """The `top` most used matters, ties broken by code (deterministic)."""
    usage = demo_usage()
    matters = Matter.objects.in_bulk(list(usage))
    ranked = sorted(usage.items(), key=lambda kv: (-kv[1], matters[kv[0]].code))
    return [matters[pk] for pk, _n in ranked[:top]]


def form_matters() -> list[Matter]:
    """The matters that get a real form: the most used ones and every matter of every bundle."""
    chosen = {m.pk: m for m in most_used()}
    for bundle in Bundle.objects.prefetch_related("items__matter"):
        for item in bundle.items.all():
            chosen.setdefault(item.matter_id, item.matter)
    return sorted(chosen.values(), key=lambda m: m.code)


def publish_form(matter: Matter) -> bool:
    """New version of `matter` with its structured form; False when it already has one."""
    current = Matter.objects.select_related("current_version", "department").get(pk=matter.pk).current_version
    if current is None or formschema.is_structured(current.form_schema):
        return False
    with transaction.atomic():
        schema = form_for(name=current.name, dept=matter.department.code, audience=current.audience)
        draft = matter_draft_create(matter=matter, actor=None)
        materials = []
        for m in draft.materials.all():
            row = {
                k: getattr(m, k)
                for k in ("name", "form", "quantity", "need", "condition_text", "shared_key", "accepts", "sort_order")
            }
            materials.append({**row, **material_links(row, schema, current.audience)})
        matter_draft_update(
            version=draft,
            actor=None,
            materials=materials,
            form_schema=schema,
            online_prereview=current.kind == MatterVersion.Kind.COMMITTED and current.is_online_capable,
            change_note=CHANGE_NOTE,
        )
        matter_publish(version=draft, actor=None)
    return True


def _transfer_form(applicant: Any, **changes: Any) -> dict[str, Any]:
    data = {
        "applicant_name": applicant.display_name,
        "applicant_id": applicant.id_number,
        "applicant_phone": applicant.phone,
        "applicant_address": "青原区值夏镇值夏村15号",
        "has_agent": "no",
        "property_no": "赣（2021）青原区不动产权第0001234号",
        "location": "青原区河东街道青原大道88号3栋201室",
        "area": 89.5,
        "usage": "住宅",
        "seller_name": "王建国",
        "seller_id": "360803197001013337",
        "transfer_reason": "买卖",
        "price": 560000,
        "contract_no": "QY2021-000123",
        "ownership": "单独所有",
        "delivery": "窗口领取",
    }
    return {**data, **changes}


def build_prereview_examples(ctx: DemoContext) -> int:
    """Two online applications for the real-estate transfer with its real form, so the 网上预审
    queue and the applicant's fix page have something to show: one waiting for the department,
    one the department returned for a fix (the area does not match the certificate)."""
    from django.core.files.base import ContentFile

    from onewindow.accounts.models import User
    from onewindow.cases import prereview
    from onewindow.cases import services as svc
    from onewindow.cases.demo import _scan_pdf, demo_keys

    matter = Matter.objects.filter(department__code="BDC", search_name="不动产转移登记").select_related("current_version").first()
    people = {u.username: u for u in User.objects.filter(username__in=["citizen", "citizen2", "approver_bdc"])}
    if matter is None or matter.current_version is None or not matter.current_version.online_prereview or len(people) < 3:
        return 0
    version = matter.current_version
    scan = _scan_pdf()
    added = 0
    built = demo_keys()
    for key, username, area in (("prereview-pending", "citizen", 89.5), ("prereview-fix", "citizen2", 8.95)):
        if key in built:
            continue
        applicant = people[username]
        materials = [
            svc.MaterialInput(requirement=r, file=ContentFile(scan, name="scan.pdf"))
            for r in version.materials.all()
            if r.need == "required" and not (r.provided_by == "form" or (r.provided_by == "identity" and applicant.verified_at))
        ]
        case = svc.case_submit(
            applicant=applicant,
            matter_version=version,
            channel="online",
            form_data={**_transfer_form(applicant, area=area), "demo_key": key},
            materials=materials,
            actor=applicant,
        )
        if key == "prereview-fix":
            prereview.prereview_request_fix(
                case=case, actor=people["approver_bdc"], fields={"area": "与不动产权证书记载的 89.5 平方米不符，请核对后修改"}
            )
        added += 1
    return added


def build(ctx: DemoContext) -> None:
    matters = form_matters()
    added = 0
    for i, matter in enumerate(matters, start=1):
        added += publish_form(matter)
        ctx.progress("application forms", i, len(matters))
    ctx.say(f"  forms: {added} matters got a structured application form ({len(matters)} in all: top {TOP} by use + bundles)")
    examples = build_prereview_examples(ctx)
    ctx.say(f"  forms: {examples} online applications in 网上预审 added")
