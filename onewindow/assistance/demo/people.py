"""The points, their agents, the residents of each village and their mandates (with the signature
image they share)."""

from __future__ import annotations

import datetime
import hashlib
import io

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from onewindow.accounts.demo import resident_id
from onewindow.accounts.models import County, OrgUnit, Role, RoleAssignment, User
from onewindow.catalog.models import Delegation, Matter
from onewindow.core.demo import DEMO_PASSWORD, DemoContext
from onewindow.core.demo.people import person_name
from onewindow.core.tenancy import for_county
from onewindow.core.uploads import private_storage

from ..models import AgentPoint, Mandate
from ..services.mandates import mandate_text
from ._common import DELEGATED_MATTERS, FAVOURITES, MONTHS, OPENED_ON, OTHER_MATTERS, SIGNATURE_FILE, TZ, Held, keep_timestamps


@transaction.atomic
def build_points(ctx: DemoContext) -> None:
    # The district's villages (F15: 121 points): the other demo counties have none, also when
    # load_demo runs again after they exist (docs/tenancy.md, Demo).
    villages = for_county(OrgUnit.objects.all(), County.default())
    villages = villages.filter(kind__in=[OrgUnit.Kind.VILLAGE, OrgUnit.Kind.COMMUNITY]).select_related("parent")
    have = set(AgentPoint.objects.values_list("village_id", flat=True))
    rng = ctx.rng("assistance.points")
    new = []
    for v in villages.order_by("path"):
        phone = f"1397960{rng.randint(0, 9999):04d}"  # drawn for every village so the stream never shifts
        if v.pk in have:
            continue
        committee = "居民委员会" if v.kind == OrgUnit.Kind.COMMUNITY else "村民委员会"
        new.append(
            AgentPoint(
                village=v,
                name=f"{v.name}代办点",
                address=f"{v.parent.name if v.parent else ''}{v.name}{committee}便民服务室",
                phone=phone,
                opened_on=OPENED_ON,
            )
        )
    AgentPoint.objects.bulk_create(new)
    ctx.say(f"  agent points: {AgentPoint.objects.count()}")


def points_in_order() -> list[AgentPoint]:
    return list(AgentPoint.objects.select_related("village", "village__parent").order_by("village__path"))


def build_agents(ctx: DemoContext) -> dict[int, User]:
    """One agent per point: the persona where it already serves, a village cadre elsewhere. One
    password hash for all (the documented demo password), computed once."""
    rng = ctx.rng("assistance.agents")
    password = make_password(DEMO_PASSWORD)
    existing = {
        a.org_unit_id or 0: a.user
        for a in RoleAssignment.objects.filter(role=Role.AGENT, org_unit__isnull=False).select_related("user")
    }
    new_users: list[User] = []
    for p in points_in_order():
        name = person_name(rng)
        if p.village_id in existing:
            continue
        new_users.append(
            User(
                username=f"agent_{p.village.code.lower().replace('-', '_')}",
                password=password,
                display_name=name,
                phone=f"1387960{p.pk % 10000:04d}",
                home_unit=p.village,
            )
        )
    User.objects.bulk_create(new_users, ignore_conflicts=True)
    users = {u.username: u for u in User.objects.filter(username__in=[u.username for u in new_users])}
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(user=users[u.username], role=Role.AGENT, org_unit_id=u.home_unit_id) for u in new_users],
        ignore_conflicts=True,
    )
    rsj = OrgUnit.objects.filter(code="RSJ").first()
    if rsj is not None and not User.objects.filter(username="clerk_rsj").exists():
        clerk = User.objects.create(username="clerk_rsj", password=password, display_name="黄建平", phone="13979601234")
        RoleAssignment.objects.create(user=clerk, role=Role.APPROVER, org_unit=rsj)
    return {
        a.org_unit_id or 0: a.user
        for a in RoleAssignment.objects.filter(role=Role.AGENT, org_unit__isnull=False).select_related("user")
    }


def build_residents(ctx: DemoContext) -> dict[int, list[User]]:
    """Residents registered in each village (5 to 10 per point), older people mostly; the
    persona citizen (刘秀英, 值夏社区) is one of them."""
    rng = ctx.rng("assistance.residents")
    taken = set(User.objects.exclude(id_number=None).values_list("id_number", flat=True))
    unusable = make_password(None)
    new: list[User] = []
    seq = 0
    for p in points_in_order():
        for _i in range(rng.randint(5, 10)):
            while True:
                seq += 1
                birth = datetime.date(1938, 1, 1) + datetime.timedelta(days=rng.randint(0, 365 * 35))
                number = resident_id(f"{birth:%Y%m%d}", 500 + seq % 499)
                if number not in taken:
                    break
            taken.add(number)
            new.append(
                User(
                    username=f"r{seq:05d}",
                    password=unusable,
                    display_name=person_name(rng),
                    id_type=User.IdType.RESIDENT,
                    id_number=number,
                    phone=f"1357960{seq:04d}",
                    home_unit=p.village,
                )
            )
    User.objects.bulk_create(new)
    made = list(User.objects.filter(username__in=[u.username for u in new]))
    RoleAssignment.objects.bulk_create([RoleAssignment(user=u, role=Role.CITIZEN) for u in made])
    out: dict[int, list[User]] = {}
    for u in made:
        if u.home_unit_id is not None:  # each made above lives in a village
            out.setdefault(u.home_unit_id, []).append(u)
    citizen = User.objects.filter(username="citizen").exclude(home_unit=None).first()
    if citizen is not None and citizen.home_unit_id is not None:
        out.setdefault(citizen.home_unit_id, []).insert(0, citizen)
    return out


def demo_signature() -> tuple[str, str]:
    """One demo signature image, stored privately once, shared by the demo's signed records."""
    storage = private_storage()
    if not storage.exists(SIGNATURE_FILE):
        from django.core.files.base import ContentFile
        from PIL import Image, ImageDraw

        img = Image.new("RGBA", (300, 120), (255, 255, 255, 0))
        ImageDraw.Draw(img).line([(20, 80), (80, 30), (140, 90), (200, 40), (280, 70)], fill=(20, 20, 20, 255), width=4)
        buf = io.BytesIO()
        img.save(buf, format="PNG")
        storage.save(SIGNATURE_FILE, ContentFile(buf.getvalue()))
    with storage.open(SIGNATURE_FILE, "rb") as f:
        return SIGNATURE_FILE, hashlib.sha256(f.read()).hexdigest()


def eligible_matters() -> tuple[list[Matter], list[int], list[Matter]]:
    """The matters the demo files (with their weight), and among them the delegated ones."""
    matters = list(
        Matter.objects.filter(current_version__agent_eligible=True, current_version__status="published")
        .select_related("current_version", "department", "service_area__point__org_unit")
        .prefetch_related("current_version__materials")
        .order_by("code")
    )
    # The seed's named matters, then a fixed handful of the other agent-eligible ones (subsidies,
    # certifications): what a village point files in practice.
    weight = dict(FAVOURITES)
    named = [m for m in matters if m.current_version and m.current_version.name in weight]
    # 低保 goes through the welfare app's own process (household, survey, notice), never bulk rows.
    others = [m for m in matters if m not in named and "低保" not in m.search_name]
    # The matters delegated to the townships (F14) go in too: their agent cases are taken in and
    # decided by the township, the others by the district.
    delegated_pks = set(Delegation.objects.filter(matter__in=others).values_list("matter_id", flat=True))
    delegated = [m for m in others if m.pk in delegated_pks][:DELEGATED_MATTERS]
    others = [m for m in others if m.pk not in delegated_pks]
    others = others[:: max(1, len(matters) // OTHER_MATTERS)][:OTHER_MATTERS]
    chosen = named + delegated + others
    return chosen, [weight.get(m.current_version.name if m.current_version else "", 1) for m in chosen], delegated


def build_mandates(ctx: DemoContext, residents: dict[int, list[User]], agents: dict[int, User]) -> list[Held]:
    rng = ctx.rng("assistance.mandates")
    today = timezone.localdate()
    sig_file, sig_sha = demo_signature()
    matters, _weights, _delegated = eligible_matters()
    favourites = [m for m in matters if m.current_version and m.current_version.name in dict(FAVOURITES)]
    rows: list[Mandate] = []
    scopes: list[list[Matter]] = []
    held_points: list[AgentPoint] = []
    i = 0
    for p in points_in_order():
        agent = agents.get(p.village_id)
        if agent is None:
            continue
        for r in residents.get(p.village_id, []):
            i += 1
            start = today - datetime.timedelta(days=rng.randint(20, 30 * MONTHS + 20))
            until = start + datetime.timedelta(days=rng.choice([365, 730, 1095]) - 1)
            all_eligible = rng.random() < 0.6 or not favourites
            scope = [] if all_eligible else rng.sample(favourites, k=min(len(favourites), rng.randint(1, 3)))
            text = mandate_text(
                point=p, resident=r, matters=scope, all_eligible=all_eligible, valid_from=start, valid_until=until
            )
            signed = datetime.datetime.combine(start, datetime.time(9, rng.randint(0, 59)), tzinfo=TZ)
            revoked = rng.random() < 0.03
            rows.append(
                Mandate(
                    number=f"WT{start:%Y%m%d}D{i:06d}",
                    point=p,
                    resident=r,
                    all_eligible=all_eligible,
                    valid_from=start,
                    valid_until=until,
                    method=rng.choice([Mandate.Method.ON_SCREEN] * 4 + [Mandate.Method.PAPER]),
                    status=Mandate.Status.REVOKED if revoked else Mandate.Status.ACTIVE,
                    text=text,
                    text_sha256=hashlib.sha256(text.encode()).hexdigest(),
                    signature_file=sig_file,
                    signature_sha256=sig_sha,
                    recorded_by=agent,
                    id_checked=True,
                    signed_at=signed,
                    revoked_at=signed + datetime.timedelta(days=rng.randint(5, 15)) if revoked else None,
                    revoked_by=r if revoked else None,
                    revoke_reason="本人已能自行办理" if revoked else "",
                    created_at=signed,
                )
            )
            scopes.append(scope)
            held_points.append(p)
    with keep_timestamps(Mandate):
        Mandate.objects.bulk_create(rows)
    saved = list(
        Mandate.objects.filter(number__in=[m.number for m in rows])
        .select_related("resident__home_unit__parent")
        .order_by("number")
    )
    by_number = {m.number: m for m in saved}
    through = Mandate.matters.through
    through.objects.bulk_create(
        [through(mandate_id=by_number[m.number].pk, matter_id=x.pk) for m, scope in zip(rows, scopes, strict=True) for x in scope]
    )
    return [Held(by_number[m.number], p, s) for m, p, s in zip(rows, held_points, scopes, strict=True)]
