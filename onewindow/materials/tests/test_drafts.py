"""Online application drafts: resumable, asks only for what is missing, one-tap reuse, one case
per draft even under concurrent submits, and never visible to anyone else."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.cases.models import Case
from onewindow.core.errors import Conflict, NotFound, ValidationFailed
from onewindow.core.testing import run_concurrently
from onewindow.materials import selectors, services
from onewindow.materials.models import ApplicationDraft
from onewindow.portal.testing import make_online_matter, pdf_file, png_file

pytestmark = pytest.mark.django_db


def ready_draft(matter: Any, user: Any) -> ApplicationDraft:
    services.library_upload(actor=user, file=png_file(), name="居民身份证", shared_key="id_card")
    d = services.draft_start(applicant=user, matter=matter)
    d = services.draft_confirm_conditions(draft=d, actor=user, confirmed=True)
    d = services.draft_save_form(draft=d, actor=user, data={"address": "值夏镇值夏村1号", "members": "3"})
    d, n = services.draft_reuse_all(draft=d, actor=user)
    assert n == 1
    key = next(r.key for r in selectors.missing_materials(d))
    return services.draft_upload(draft=d, actor=user, key=key, file=pdf_file())


def test_start_resumes_the_same_draft(online_matter: Any, citizen: Any) -> None:
    a = services.draft_start(applicant=citizen, matter=online_matter)
    b = services.draft_start(applicant=citizen, matter=online_matter)
    assert a.pk == b.pk and a.step == ApplicationDraft.Step.CONDITIONS


def test_flow_asks_only_for_what_is_missing_and_submits(online_matter: Any, citizen: Any) -> None:
    item = services.library_upload(actor=citizen, file=png_file(), name="居民身份证", shared_key="id_card")
    d = services.draft_start(applicant=citizen, matter=online_matter)
    with pytest.raises(ValidationFailed) as invalid:
        services.draft_save_form(draft=d, actor=citizen, data={"address": "x"})  # conditions first
    assert invalid.value.code == "conditions_first"
    d = services.draft_confirm_conditions(draft=d, actor=citizen, confirmed=True)
    with pytest.raises(ValidationFailed) as err:
        services.draft_save_form(draft=d, actor=citizen, data={"address": "", "members": "many"})
    assert set(err.value.fields) == {"address", "members"}
    d = services.draft_save_form(draft=d, actor=citizen, data={"address": "值夏镇1号", "members": "2"})
    assert d.form_data == {"address": "值夏镇1号", "members": 2} and d.step == ApplicationDraft.Step.MATERIALS
    reqs = selectors.draft_requirements(d)
    assert [len(r.offers) for r in reqs] == [1, 0]  # the ID card is offered from the library
    d, n = services.draft_reuse_all(draft=d, actor=citizen)
    assert n == 1
    missing = selectors.missing_materials(d)
    assert [r.name for r in missing] == ["参保登记表"]
    with pytest.raises(ValidationFailed) as err:
        services.draft_to_review(draft=d, actor=citizen)
    assert err.value.code == "materials_missing"
    with pytest.raises(ValidationFailed) as invalid:  # the form requirement accepts PDF only
        services.draft_upload(draft=d, actor=citizen, key=missing[0].key, file=png_file())
    assert invalid.value.code == "upload_wrong_type"
    d = services.draft_upload(draft=d, actor=citizen, key=missing[0].key, file=pdf_file())
    d = services.draft_to_review(draft=d, actor=citizen)
    case = services.draft_submit(draft=d, actor=citizen)
    assert case.channel == "online" and case.applicant == citizen and case.form_data["address"] == "值夏镇1号"
    names = set(case.materials.values_list("storage_name", flat=True))
    assert item.storage_name in names and len(names) == 2  # the library file itself, not a re-upload
    d.refresh_from_db()
    assert d.status == ApplicationDraft.Status.SUBMITTED and d.case_uuid == case.uuid
    with pytest.raises(NotFound) as gone:
        selectors.draft_for(citizen, d.uuid)
    assert gone.value.code == "not_found"


def test_offline_and_filing_matters_are_refused(org: Any, citizen: Any) -> None:
    offline = make_online_matter(org["XZSP"], code="OFF-1", online_depth=2)
    with pytest.raises(ValidationFailed) as err:
        services.draft_start(applicant=citizen, matter=offline)
    assert err.value.code == "not_online"
    filing = make_online_matter(org["XZSP"], code="BA-1", kind="filing", commitment_text="x")
    with pytest.raises(ValidationFailed) as invalid:
        services.draft_start(applicant=citizen, matter=filing)
    assert invalid.value.code == "is_filing"


def test_enterprise_matter_needs_an_enterprise_the_user_handles(org: Any, citizen: Any, enterprise_user: Any) -> None:
    matter = make_online_matter(org["XZSP"], code="ENT-1", audience="enterprise")
    with pytest.raises(ValidationFailed) as invalid:
        services.draft_start(applicant=enterprise_user, matter=matter)
    assert invalid.value.code == "enterprise_required"
    ent = enterprise_user.enterprise_roles.get().enterprise
    d = services.draft_start(applicant=enterprise_user, matter=matter, enterprise=ent)
    assert d.enterprise == ent
    from onewindow.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied) as denied:
        services.draft_start(applicant=citizen, matter=matter, enterprise=ent)
    assert denied.value.code == "permission_denied"


def test_outsider_never_sees_or_changes_a_draft(client: Any, online_matter: Any, citizen: Any, outsider: Any) -> None:
    from conftest import login

    d = services.draft_start(applicant=citizen, matter=online_matter)
    with pytest.raises(NotFound) as missing:
        selectors.draft_for(outsider, d.uuid)
    assert missing.value.code == "not_found"
    with pytest.raises(NotFound) as missing:
        services.draft_confirm_conditions(draft=d, actor=outsider, confirmed=True)
    assert missing.value.code == "not_found"
    # Nor can an outsider's draft borrow the citizen's library item.
    item = services.library_upload(actor=citizen, file=png_file(), name="居民身份证", shared_key="id_card")
    od = services.draft_start(applicant=outsider, matter=online_matter)
    key = selectors.draft_requirements(od)[0].key
    with pytest.raises(NotFound) as missing:
        services.draft_attach(draft=od, actor=outsider, key=key, source="library", ref=str(item.uuid))
    assert missing.value.code == "not_found"
    login(client, outsider)
    for step in ["", "conditions/", "form/", "materials/", "review/"]:
        assert client.get(f"/apply/d/{d.uuid}/{step}").status_code == 404
    assert client.post(f"/apply/d/{d.uuid}/abandon/").status_code == 404
    assert client.post(f"/apply/d/{d.uuid}/conditions/", {"confirmed": "1"}).status_code == 404
    d.refresh_from_db()
    assert d.status == ApplicationDraft.Status.OPEN and not d.conditions_confirmed


def test_abandoned_draft_cannot_be_changed(online_matter: Any, citizen: Any) -> None:
    d = services.draft_start(applicant=citizen, matter=online_matter)
    services.draft_abandon(draft=d, actor=citizen)
    with pytest.raises(Conflict) as conflict:
        services.draft_confirm_conditions(draft=d, actor=citizen, confirmed=True)
    assert conflict.value.code == "draft_closed"
    assert services.draft_start(applicant=citizen, matter=online_matter).pk != d.pk


@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_file_one_case(online_matter: Any, citizen: Any) -> None:
    d = ready_draft(online_matter, citizen)
    d = services.draft_to_review(draft=d, actor=citizen)

    def submit(_i: int) -> Any:
        fresh = ApplicationDraft.objects.get(pk=d.pk)
        return services.draft_submit(draft=fresh, actor=citizen)

    results = run_concurrently(submit, 4)
    cases = [r for r in results if isinstance(r, Case)]
    assert len(cases) == 1, results
    assert all(isinstance(r, Conflict) for r in results if not isinstance(r, Case))
    assert Case.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_starts_share_one_draft(online_matter: Any, citizen: Any) -> None:
    results = run_concurrently(lambda _i: services.draft_start(applicant=citizen, matter=online_matter).pk, 4)
    assert len(set(results)) == 1, results
    assert ApplicationDraft.objects.count() == 1


def test_bundle_application_merges_materials_and_forms(org: Any, citizen: Any, calendar_2026: Any) -> None:
    """一件事: one form (the matters' fields merged), one material list merged on shared_key."""
    from onewindow.catalog.models import Bundle, BundleItem

    a = make_online_matter(org["ZJJ"], code="B-A", name="存量房网签备案")
    b = make_online_matter(
        org["BDC"],
        code="B-B",
        name="房屋转移登记",
        form_schema=[
            {"name": "address", "label": "房屋坐落", "type": "text", "required": True},
            {"name": "area", "label": "建筑面积", "type": "number", "required": True},
        ],
    )
    bundle = Bundle.objects.create(code="estate", name="二手房转移登记一件事")
    BundleItem.objects.create(bundle=bundle, matter=a, sort_order=0)
    BundleItem.objects.create(bundle=bundle, matter=b, sort_order=1)
    assert bundle in selectors.online_bundles()
    services.library_upload(actor=citizen, file=png_file(), name="居民身份证", shared_key="id_card")
    d = services.draft_start(applicant=citizen, bundle=bundle)
    assert [f["name"] for f in selectors.draft_schema(d)] == ["address", "members", "area"]
    reqs = selectors.draft_requirements(d)
    assert [r.key for r in reqs].count("id_card") == 1 and len(reqs) == 3  # ID card once, two forms
    d = services.draft_confirm_conditions(draft=d, actor=citizen, confirmed=True)
    with pytest.raises(ValidationFailed) as err:
        services.draft_save_form(draft=d, actor=citizen, data={"address": "x"})
    assert "area" in err.value.fields
    d = services.draft_save_form(draft=d, actor=citizen, data={"address": "河东街道1号", "area": "89.5"})
    d, n = services.draft_reuse_all(draft=d, actor=citizen)
    assert n == 1
    for r in selectors.missing_materials(d):
        d = services.draft_upload(draft=d, actor=citizen, key=r.key, file=pdf_file())
    case = services.draft_submit(draft=d, actor=citizen)
    assert case.bundle == bundle and case.is_joint and case.materials.count() == 3
    assert case.form_data == {"address": "河东街道1号", "area": 89.5}


def test_inactive_or_partly_offline_bundle_is_refused(org: Any, citizen: Any) -> None:
    from onewindow.catalog.models import Bundle, BundleItem

    a = make_online_matter(org["ZJJ"], code="C-A")
    b = make_online_matter(org["BDC"], code="C-B", online_depth=1)
    bundle = Bundle.objects.create(code="mixed", name="混合一件事")
    BundleItem.objects.create(bundle=bundle, matter=a, sort_order=0)
    BundleItem.objects.create(bundle=bundle, matter=b, sort_order=1)
    with pytest.raises(ValidationFailed) as err:
        services.draft_start(applicant=citizen, bundle=bundle)
    assert err.value.code == "not_online"
