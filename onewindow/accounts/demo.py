"""Demo organisation of 青原区 (Qingyuan District, Ji'an, Jiangxi) and one persona per role."""

from __future__ import annotations

import base64

from django.db import transaction
from stdnum.cn import ric, uscc

from onewindow.core.demo import DEMO_PASSWORD, DemoContext

from . import duties
from .models import STAFF_ROLES, Enterprise, EnterpriseHandler, OrgUnit, Role, RoleAssignment, User

REGION = "360803"  # 吉安市青原区 administrative division code

# The 32 departments that own application-based matters (F3). Codes are stable; the catalog demo
# maps them to service areas (10 in themed areas, 22 in the comprehensive area, F4).
DEPARTMENTS: list[tuple[str, str, str]] = [
    ("XZSP", "青原区行政审批局", "行政审批局"),
    ("FGW", "青原区发展和改革委员会", "发改委"),
    ("JTJ", "青原区教育体育局", "教体局"),
    ("KGJ", "青原区科学技术和工业信息化局", "科工局"),
    ("GA", "吉安市公安局青原分局", "公安分局"),
    ("MZJ", "青原区民政局", "民政局"),
    ("SFJ", "青原区司法局", "司法局"),
    ("CZJ", "青原区财政局", "财政局"),
    ("RSJ", "青原区人力资源和社会保障局", "人社局"),
    ("ZRZY", "吉安市自然资源局青原分局", "自然资源局"),
    ("BDC", "青原区不动产登记中心", "不动产登记中心"),
    ("STHJ", "吉安市生态环境局青原分局", "生态环境局"),
    ("ZJJ", "青原区住房和城乡建设局", "住建局"),
    ("JTYS", "青原区交通运输局", "交通运输局"),
    ("SLJ", "青原区水利局", "水利局"),
    ("NYNC", "青原区农业农村局", "农业农村局"),
    ("SWJ", "青原区商务局", "商务局"),
    ("WGLJ", "青原区文化广电新闻出版旅游局", "文广新旅局"),
    ("WJW", "青原区卫生健康委员会", "卫健委"),
    ("TYJR", "青原区退役军人事务局", "退役军人事务局"),
    ("YJJ", "青原区应急管理局", "应急管理局"),
    ("SCJG", "青原区市场监督管理局", "市场监管局"),
    ("YBJ", "青原区医疗保障局", "医保局"),
    ("CGJ", "青原区城市管理局", "城管局"),
    ("LYJ", "青原区林业局", "林业局"),
    ("TJJ", "青原区统计局", "统计局"),
    ("SW", "国家税务总局吉安市青原区税务局", "税务局"),
    ("CLH", "青原区残疾人联合会", "残联"),
    ("GJJ", "吉安市住房公积金管理中心青原办事处", "公积金办事处"),
    ("QXJ", "青原区气象局", "气象局"),
    ("XFJY", "青原区消防救援大队", "消防救援大队"),
    ("RFB", "青原区人民防空办公室", "人防办"),
]

# Townships and subdistricts with their number of villages / communities: 121 in all (F15).
TOWNSHIPS: list[tuple[str, str, str, int]] = [
    ("HDJD", "河东街道", OrgUnit.Kind.SUBDISTRICT, 12),
    ("BJJD", "滨江街道", OrgUnit.Kind.SUBDISTRICT, 10),
    ("TYZ", "天玉镇", OrgUnit.Kind.TOWNSHIP, 15),
    ("ZXZ", "值夏镇", OrgUnit.Kind.TOWNSHIP, 19),
    ("XXZ", "新圩镇", OrgUnit.Kind.TOWNSHIP, 14),
    ("FTZ", "富滩镇", OrgUnit.Kind.TOWNSHIP, 13),
    ("FTIZ", "富田镇", OrgUnit.Kind.TOWNSHIP, 18),
    ("WPX", "文陂乡", OrgUnit.Kind.TOWNSHIP, 10),
    ("DGX", "东固畲族乡", OrgUnit.Kind.TOWNSHIP, 10),
]

# Real names where the seed gives them (值夏社区, F11); the rest are built from common place-name
# syllables, deterministically.
_FIRST = "东西南北上下新老大小前后中高长石桥塘坪岭坑陂源田山江湖洲溪竹枫松柏桂梅兰禾丰安和平富康永"
_SECOND = "头村坊塘岭背坑口洲田湾桥岗岸溪源边冲垅"


def _village_names(township: str, count: int, subdistrict: bool, rng_seed: str) -> list[str]:
    import random

    rng = random.Random(rng_seed)
    names: list[str] = ["值夏社区"] if township == "值夏镇" else []
    suffix = "社区" if subdistrict else "村"
    while len(names) < count:
        name = rng.choice(_FIRST) + rng.choice(_SECOND if not subdistrict else _FIRST) + suffix
        if name not in names:
            names.append(name)
    return names


def resident_id(birth: str, seq: int) -> str:
    """A checksum-valid 青原区 resident ID for demo personas (birth as YYYYMMDD)."""
    body = f"{REGION}{birth}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def enterprise_uscc(seq: int) -> str:
    """A checksum-valid unified social credit code (91 = enterprise, 360803 = 青原区)."""
    body = f"91{REGION}MA{seq:07d}"[:17]
    body = body.replace("I", "1").replace("O", "0")
    return body + uscc.calc_check_digit(body)


PERSONAS: list[dict[str, str]] = [
    {
        "username": "citizen",
        "name": "刘秀英",
        "role": Role.CITIZEN,
        "unit": "",
        "id": resident_id("19560312", 228),
        "home": "ZXZ-V01",
    },
    {
        "username": "citizen2",
        "name": "王建华",
        "role": Role.CITIZEN,
        "unit": "",
        "id": resident_id("19880921", 415),
        "home": "ZXZ-V02",
    },
    {"username": "enterprise", "name": "陈志强", "role": Role.ENTERPRISE, "unit": "", "id": resident_id("19790605", 137)},
    {"username": "clerk", "name": "周敏", "role": Role.CLERK, "unit": "XZSP", "id": ""},
    {"username": "approver_zjj", "name": "李卫东", "role": Role.APPROVER, "unit": "ZJJ", "id": ""},
    {"username": "approver_sw", "name": "罗晓燕", "role": Role.APPROVER, "unit": "SW", "id": ""},
    {"username": "approver_bdc", "name": "郭文斌", "role": Role.APPROVER, "unit": "BDC", "id": ""},
    {"username": "approver_ybj", "name": "肖丽", "role": Role.APPROVER, "unit": "YBJ", "id": ""},
    {"username": "approver_mzj", "name": "彭海涛", "role": Role.APPROVER, "unit": "MZJ", "id": ""},
    {"username": "township", "name": "曾庆华", "role": Role.TOWNSHIP_OFFICER, "unit": "ZXZ", "id": ""},
    {"username": "agent", "name": "胡桂兰", "role": Role.AGENT, "unit": "ZXZ-V01", "id": ""},
    {"username": "manager", "name": "邓建国", "role": Role.HALL_MANAGER, "unit": "XZSP", "id": ""},
    {"username": "leader", "name": "袁书记", "role": Role.LEADER, "unit": "QY", "id": ""},
    {"username": "admin", "name": "系统管理员", "role": Role.ADMIN, "unit": "", "id": ""},
    # 三员分立 (accounts/duties.py): the security and the audit administrator are other people.
    {"username": "secadmin", "name": "安全管理员", "role": Role.SECURITY_ADMIN, "unit": "", "id": ""},
    {"username": "auditor", "name": "审计管理员", "role": Role.AUDIT_ADMIN, "unit": "", "id": ""},
]

# Every demo staff persona's authenticator holds this key (README: add it to an authenticator app
# as the base32 text DEMO_TOTP_BASE32, or run `manage.py demo_otp_code`). It is public: the demo's
# staff accounts are only as safe as the demo password. A real deployment binds each person's own.
DEMO_TOTP_SECRET = b"onewindow-demo-totp!"
DEMO_TOTP_KEY = DEMO_TOTP_SECRET.hex()
DEMO_TOTP_BASE32 = base64.b32encode(DEMO_TOTP_SECRET).decode()


@transaction.atomic
def build_org(ctx: DemoContext) -> OrgUnit:
    from .services import org_unit_create

    gov = OrgUnit.objects.filter(code="QY").first() or org_unit_create(
        code="QY", name="青原区人民政府", kind=OrgUnit.Kind.GOVERNMENT
    )
    for i, (code, name, short) in enumerate(DEPARTMENTS):
        if not OrgUnit.objects.filter(code=code).exists():
            org_unit_create(code=code, name=name, short_name=short, kind=OrgUnit.Kind.DEPARTMENT, parent=gov, sort_order=i)
    done = 0
    total = sum(t[3] for t in TOWNSHIPS)
    for i, (code, name, kind, villages) in enumerate(TOWNSHIPS):
        township = OrgUnit.objects.filter(code=code).first() or org_unit_create(
            code=code, name=name, kind=kind, parent=gov, sort_order=100 + i
        )
        subdistrict = kind == OrgUnit.Kind.SUBDISTRICT
        for j, vname in enumerate(_village_names(name, villages, subdistrict, f"{ctx.seed}:{code}")):
            vcode = f"{code}-V{j + 1:02d}"
            if not OrgUnit.objects.filter(code=vcode).exists():
                vkind = OrgUnit.Kind.COMMUNITY if vname.endswith("社区") else OrgUnit.Kind.VILLAGE
                org_unit_create(code=vcode, name=vname, kind=vkind, parent=township, sort_order=j)
            done += 1
            ctx.progress("villages and communities", done, total)
    return gov


def persona_phone(username: str) -> str:
    """Each persona its own number (verified, so SMS sign-in and password reset work in the demo)."""
    index = next(i for i, p in enumerate(PERSONAS) if p["username"] == username)
    return f"1397960{index + 1:04d}"


@transaction.atomic
def build_personas(ctx: DemoContext) -> None:
    from django.utils import timezone

    for p in PERSONAS:
        if User.objects.filter(username=p["username"]).exists():
            # Databases built before phones were verified: give the persona its own verified number.
            User.objects.filter(username=p["username"], phone_verified_at__isnull=True).update(
                phone=persona_phone(p["username"]),
                phone_verified_at=timezone.now(),
            )
            continue
        user = User.objects.create_user(
            username=p["username"],
            password=DEMO_PASSWORD,
            display_name=p["name"],
            id_number=p["id"] or None,
            id_type=User.IdType.RESIDENT if p["id"] else "",
            phone=persona_phone(p["username"]),
            phone_verified_at=timezone.now(),
            is_staff=p["role"] in duties.ROLE_DUTY,
            is_superuser=p["role"] == Role.ADMIN,
            home_unit=OrgUnit.objects.get(code=p["home"]) if p.get("home") else None,
        )
        unit = OrgUnit.objects.get(code=p["unit"]) if p["unit"] else None
        RoleAssignment.objects.create(user=user, role=p["role"], org_unit=unit)
        if p["role"] in duties.ROLE_DUTY:
            duties.enter_group(user, p["role"])
        if p["role"] in (Role.CITIZEN, Role.ENTERPRISE):
            User.objects.filter(pk=user.pk).update(verified_at=timezone.now())
        if p["role"] == Role.ENTERPRISE:
            RoleAssignment.objects.create(user=user, role=Role.CITIZEN)
            ent, _ = Enterprise.objects.get_or_create(
                uscc=enterprise_uscc(1),
                defaults={"name": "吉安市青原区赣江农业发展有限公司", "legal_representative": p["name"]},
            )
            EnterpriseHandler.objects.get_or_create(
                enterprise=ent, user=user, defaults={"kind": EnterpriseHandler.Kind.LEGAL_REPRESENTATIVE}
            )
    give_demo_authenticators()
    ctx.say(f"  personas: {len(PERSONAS)} (password {DEMO_PASSWORD}; staff authenticator key {DEMO_TOTP_BASE32})")


def give_demo_authenticators() -> int:
    """Every demo staff account without an authenticator gets one holding the demo key, so the
    second factor (accounts/mfa.py) can be passed by anyone who has read the README."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .passwords import is_policy_subject

    made = 0
    staff = User.objects.filter(role_assignments__role__in=[r.value for r in STAFF_ROLES]).distinct()
    for user in staff.exclude(totpdevice__confirmed=True):
        if is_policy_subject(user):
            TOTPDevice.objects.create(user=user, name="demo", key=DEMO_TOTP_KEY, confirmed=True)
            made += 1
    return made


def build(ctx: DemoContext) -> None:
    build_org(ctx)
    build_personas(ctx)
    ctx.say(
        f"  org units: {OrgUnit.objects.filter(kind=OrgUnit.Kind.DEPARTMENT).count()} departments, "
        f"{OrgUnit.objects.filter(kind__in=['township', 'subdistrict']).count()} townships, "
        f"{OrgUnit.objects.filter(kind__in=['village', 'community']).count()} villages and communities"
    )
