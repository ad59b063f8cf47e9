"""The demo's 921 matters as specifications: their names (names.py), the departments' laws, the
materials, and the flags drawn so that the catalog's figures come out (F3, F8, F9, F12, F14, F15).
Nothing is written here."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from typing import Any

from onewindow.accounts.demo import DEPARTMENTS

from ..models import MatterVersion
from .names import COUNTS, ENTERPRISE_DEPARTMENTS, NAMES, VARIANTS

TOTAL_MATTERS = 921


NOT_ON_ONE_WINDOW = 16  # 905 of 921 on the one-window platform (F3)


ONLINE_CAPABLE = 866  # 94% of 921 (F8)


MOBILE = 215  # F9


OFF_HOURS = 272  # F12


TOWNSHIP_LEVEL = 74  # + 25 delegated = 99 per township, "nearly 100" (F14)


DELEGATED_MAY_2021 = 25  # F14


DELEGATION_DATE = datetime.date(2021, 5, 20)


DIBAO_DELEGATION_DATE = datetime.date(2019, 7, 1)  # 低保 approval delegated earlier (F13)


HOURS = "周一至周五 8:30-12:00、14:30-17:30；午间、周末及法定节假日可预约延时错时服务"


LAWS: dict[str, str] = {
    "XZSP": "《中华人民共和国行政许可法》《江西省相对集中行政许可权改革试点方案》",
    "FGW": "《企业投资项目核准和备案管理条例》《政府投资条例》",
    "JTJ": "《中华人民共和国教育法》《教师资格条例》",
    "GA": "《中华人民共和国户口登记条例》《中华人民共和国护照法》《中华人民共和国居民身份证法》",
    "MZJ": "《婚姻登记条例》《社会救助暂行办法》《江西省最低生活保障办法》",
    "RSJ": "《中华人民共和国社会保险法》《中华人民共和国就业促进法》",
    "ZRZY": "《中华人民共和国土地管理法》《中华人民共和国城乡规划法》",
    "BDC": "《不动产登记暂行条例》《不动产登记暂行条例实施细则》",
    "ZJJ": "《城市房地产开发经营管理条例》《建筑工程施工许可管理办法》",
    "SCJG": "《中华人民共和国市场主体登记管理条例》《中华人民共和国食品安全法》",
    "YBJ": "《中华人民共和国社会保险法》《医疗保障基金使用监督管理条例》",
    "SW": "《中华人民共和国税收征收管理法》《中华人民共和国契税法》",
    "CLH": "《中华人民共和国残疾人保障法》《中华人民共和国残疾人证管理办法》",
    "GJJ": "《住房公积金管理条例》",
    "WJW": "《医疗机构管理条例》《中华人民共和国母婴保健法》",
}


M = dict[str, Any]


def _m(name: str, key: str = "", form: str = "original", need: str = "required", qty: int = 1, cond: str = "") -> M:
    return {"name": name, "shared_key": key, "form": form, "need": need, "quantity": qty, "condition_text": cond}


ID_CARD = _m("申请人居民身份证", "id_card")


HOUSEHOLD = _m("居民户口簿", "household_register")


MARRIAGE = _m("婚姻状况证明（结婚证或离婚证）", "marriage_cert", need="conditional", cond="已婚或离异的")


PROPERTY = _m("不动产权证书（房屋所有权证）", "property_cert")


SALE_CONTRACT = _m("房屋买卖合同", "sale_contract")


LICENCE = _m("营业执照", "business_licence", form="copy")


LEGAL_REP = _m("法定代表人身份证明", "legal_rep_id", form="copy")


PROXY = _m("授权委托书及经办人身份证", "authorization", need="conditional", cond="委托他人办理的")


PHOTO = _m("近期免冠彩色照片", "photo", qty=2)


BANK = _m("本人银行账户（社会保障卡）", "bank_account", form="copy")


PREMISES = _m("住所（经营场所）使用证明", "premises", form="copy")


ARTICLES = _m("公司章程", "articles")


NAMED_MATERIALS: dict[str, list[M]] = {
    "商品房买卖合同网签备案": [ID_CARD, SALE_CONTRACT, MARRIAGE, _m("购房资格承诺书", "purchase_commitment"), PROXY],
    "存量房交易纳税申报": [ID_CARD, SALE_CONTRACT, PROPERTY, MARRIAGE, _m("房屋计税价格评估表", "valuation", form="copy"), PROXY],
    "不动产转移登记": [
        _m("不动产登记申请书", ""),
        ID_CARD,
        PROPERTY,
        SALE_CONTRACT,
        _m("契税完税凭证", "tax_receipt", form="electronic"),
        MARRIAGE,
    ],
    "企业设立登记": [
        _m("公司登记（备案）申请书", ""),
        LEGAL_REP,
        ARTICLES,
        PREMISES,
        _m("股东主体资格证明", "shareholder_ids", form="copy"),
    ],
    "印章刻制备案": [LICENCE, LEGAL_REP, _m("印章印模", "", form="electronic")],
    "新办纳税人涉税事项办理": [LICENCE, LEGAL_REP, _m("银行开户许可（基本存款账户信息）", "bank_account_ent", form="copy")],
    "用人单位医疗保险参保登记": [LICENCE, LEGAL_REP, _m("职工花名册", "staff_roster", form="electronic")],
    "用人单位社会保险登记": [LICENCE, LEGAL_REP, _m("职工花名册", "staff_roster", form="electronic")],
    "企业复工经营备案": [
        LICENCE,
        _m("疫情防控承诺书（网上签署）", "", form="electronic"),
        _m("复工疫情防控方案", "", form="electronic"),
    ],
    "最低生活保障（低保）审批": [
        _m("最低生活保障申请书", ""),
        ID_CARD,
        HOUSEHOLD,
        _m("家庭经济状况核对授权书", "econ_authorization"),
        _m("家庭收入及财产情况说明", ""),
        _m("残疾人证或重大疾病诊断证明", "", form="copy", need="conditional", cond="家庭成员残疾或患重病的"),
    ],
    "残疾人证办理": [ID_CARD, HOUSEHOLD, PHOTO, _m("残疾评定表（指定医院出具）", "")],
    "结婚登记": [
        _m("双方居民身份证", "id_card"),
        _m("双方户口簿", "household_register"),
        _m("双方近期半身免冠合影照片", "photo", qty=3),
    ],
    "普通护照签发": [ID_CARD, _m("出入境证件申请表（现场采集照片）", "")],
    "社会保险费代缴": [ID_CARD, _m("社会保障卡或银行账户", "bank_account", form="copy"), PROXY],
    "城乡居民医疗保险参保登记": [ID_CARD, HOUSEHOLD],
    "城乡居民基本医疗保险参保缴费": [ID_CARD, PROXY],
}


CITIZEN_POOL = [
    HOUSEHOLD,
    PHOTO,
    BANK,
    MARRIAGE,
    PROXY,
    _m("相关证明材料", "", form="copy", need="conditional", cond="按实际情形提供"),
]


ENTERPRISE_POOL = [PROXY, PREMISES, _m("相关资质证明", "", form="copy"), _m("场地平面图", "", form="copy"), ARTICLES]


FORCED_OFFLINE = {
    "结婚登记",
    "离婚登记",
    "撤销婚姻登记",
    "普通护照签发",
    "往来港澳通行证签发",
    "往来台湾通行证签发",
    "居民身份证申领",
}


FORCED_ONLINE = {
    "企业复工经营备案",
    "社会保险费代缴",
    "城乡居民基本医疗保险参保缴费",
    "残疾人证办理",
    "企业设立登记",
    "存量房交易纳税申报",
}


FORCED_OFF_HOURS = {
    "普通护照签发",
    "往来港澳通行证签发",
    "结婚登记",
    "企业设立登记",
    "商品房买卖合同网签备案",
    "存量房交易纳税申报",
    "社会保险费代缴",
}


OFF_HOURS_DEPARTMENTS = ["RSJ", "GJJ", "SCJG", "MZJ", "GA", "ZJJ", "SW", "XZSP"]


FORCED_AGENT = {
    "社会保险费代缴",
    "城乡居民基本医疗保险参保缴费",
    "残疾人证办理",
    "城乡居民医疗保险费缴纳",
    "城乡居民养老保险费缴纳",
    # The seed: village agents apply for 低保 for residents who cannot (the welfare app's process).
    "最低生活保障（低保）审批",
}


@dataclass
class Spec:
    index: int
    dept: str
    name: str
    type: str
    flags: str
    level: str = MatterVersion.Level.DISTRICT
    on_one_window: bool = True
    online_depth: int = 3
    on_mobile: bool = False
    off_hours: bool = False
    agent: bool = False
    delegated: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


TYPES = {
    "XK": MatterVersion.MatterType.LICENCE,
    "QR": MatterVersion.MatterType.CONFIRMATION,
    "GF": MatterVersion.MatterType.PAYMENT,
    "JL": MatterVersion.MatterType.AWARD,
    "CJ": MatterVersion.MatterType.ADJUDICATION,
    "QT": MatterVersion.MatterType.OTHER_POWER,
    "GG": MatterVersion.MatterType.PUBLIC_SERVICE,
}


def matter_specs(seed: int) -> list[Spec]:
    """The 921 matters and their flags, decided without touching the database (deterministic)."""
    rng = random.Random(f"{seed}:catalog.matters")
    specs: list[Spec] = []
    for code, _name, _short in DEPARTMENTS:
        items: list[tuple[str, str, str]] = []
        for line in NAMES[code]:
            parts = line.split()
            flags = parts[2] if len(parts) > 2 else ""
            if "*" in flags:
                items += [(parts[0], f"{parts[1]}（{v}）", flags) for v in VARIANTS]
            else:
                items.append((parts[0], parts[1], flags))
        for t, name, flags in items[: COUNTS[code]]:
            specs.append(Spec(index=len(specs), dept=code, name=name, type=t, flags=flags))
    assert len(specs) == TOTAL_MATTERS, len(specs)

    def pick(pool: list[Spec], n: int) -> set[int]:
        chosen = rng.sample(pool, min(n, len(pool)))
        return {s.index for s in chosen}

    township = pick([s for s in specs if "T" in s.flags], TOWNSHIP_LEVEL)
    delegated = pick([s for s in specs if "D" in s.flags and s.index not in township], DELEGATED_MAY_2021)
    off_window = pick([s for s in specs if "N" in s.flags], NOT_ON_ONE_WINDOW)
    for s in specs:
        if s.index in township:
            s.level = MatterVersion.Level.TOWNSHIP
        s.delegated = s.index in delegated
        s.on_one_window = s.index not in off_window

    # Online: every matter is on the online hall (depth >= 1); 866 can be done online (depth >= 3).
    forced_off = [s for s in specs if s.name in FORCED_OFFLINE]
    pool = [s for s in specs if s.dept != "YBJ" and s.name not in FORCED_ONLINE and s.name not in FORCED_OFFLINE]
    offline = {s.index for s in forced_off} | pick(pool, TOTAL_MATTERS - ONLINE_CAPABLE - len(forced_off))
    for s in specs:
        s.online_depth = rng.choice([1, 2]) if s.index in offline else rng.choice([3, 4, 4])

    # Mobile (赣服通): all 22 medical-insurance matters, then citizen-facing online matters first.
    mobile = {s.index for s in specs if s.dept == "YBJ"}
    online = [s for s in specs if s.index not in offline and s.dept != "YBJ"]
    citizen_first = [s for s in online if s.dept not in ENTERPRISE_DEPARTMENTS]
    others = [s for s in online if s.dept in ENTERPRISE_DEPARTMENTS]
    rng.shuffle(citizen_first)
    rng.shuffle(others)
    for s in citizen_first + others:
        if len(mobile) >= MOBILE:
            break
        mobile.add(s.index)
    for s in specs:
        s.on_mobile = s.index in mobile
        if s.on_mobile:
            s.online_depth = 4

    # Off-hours booking: the seed's list first (medical and social insurance, real estate, passports,
    # business and marriage registration), among matters accepted at a window.
    at_window = [s for s in specs if s.on_one_window]
    ordered = [s for s in at_window if s.dept in ("YBJ", "BDC") or s.name in FORCED_OFF_HOURS]
    preferred = [s for s in at_window if s.dept in OFF_HOURS_DEPARTMENTS and s not in ordered]
    rest = [s for s in at_window if s not in ordered and s not in preferred]
    rng.shuffle(preferred)
    rng.shuffle(rest)
    for s in (ordered + preferred + rest)[:OFF_HOURS]:
        s.off_hours = True

    # Agent service (帮你办, F15): township-level citizen matters, the citizen services and benefits
    # delegated to the townships in May 2021 (F14: a village agent files them and the township
    # takes them in, 足不出镇), and the seed's named ones.
    for s in specs:
        citizen_kind = s.type in ("GF", "GG", "QR") and s.dept not in ENTERPRISE_DEPARTMENTS
        s.agent = s.name in FORCED_AGENT or (
            citizen_kind and (s.level == MatterVersion.Level.TOWNSHIP or (s.delegated and _audience(s) == "citizen"))
        )

    for s in specs:
        s.extra = _version_fields(s, rng)
    return specs


def _audience(s: Spec) -> str:
    enterprise_words = ("企业", "单位", "公司", "经营", "机构", "资质", "项目", "工程", "纳税人")
    if s.dept in ENTERPRISE_DEPARTMENTS or any(w in s.name for w in enterprise_words):
        return "enterprise"
    if s.dept in ("SW", "GJJ") or s.name.startswith("个体工商户"):
        return "both"
    return "citizen"


def _version_fields(s: Spec, rng: random.Random) -> dict[str, Any]:
    t = TYPES[s.type]
    if ("备案" in s.name and s.type == "QT") or s.name == "企业复工经营备案":
        kind = MatterVersion.Kind.FILING
    elif s.type in ("GG", "QR", "QT") and (rng.random() < 0.45 or s.dept == "SW"):
        kind = MatterVersion.Kind.INSTANT
    else:
        kind = MatterVersion.Kind.COMMITTED
    statutory = {
        "XK": 20,
        "QR": rng.choice([10, 15, 20, 30]),
        "GF": rng.choice([10, 20, 30]),
        "JL": 30,
        "CJ": 60,
        "QT": rng.choice([5, 10, 20]),
        "GG": rng.choice([1, 5, 10]),
    }[s.type]
    if s.name == "最低生活保障（低保）审批":
        statutory, kind = 30, MatterVersion.Kind.COMMITTED
    if kind == MatterVersion.Kind.COMMITTED:
        committed = max(1, round(statutory * rng.uniform(0.25, 0.6)))
        if s.name == "最低生活保障（低保）审批":
            committed = 25
    else:
        committed = 0
    if s.online_depth >= 4:
        visits = 0
    elif s.online_depth == 3:
        visits = 0 if rng.random() < 0.6 else 1
    else:
        visits = 1
    audience = _audience(s)
    fee_required, fee, fee_basis = False, "", ""
    if s.name in ("普通护照签发", "往来港澳通行证签发", "往来台湾通行证签发"):
        fee_required, fee = True, "护照120元/本；通行证60元/本；签注15元/次"
        fee_basis = "《国家发展改革委 财政部关于降低因私普通护照等出入境证件收费标准的通知》（发改价格规〔2019〕914号）"
    elif s.dept == "BDC" and "登记" in s.name and "查询" not in s.name:
        fee_required, fee = True, "住宅类80元/件，非住宅类550元/件；小微企业免收"
        fee_basis = "《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》（发改价格规〔2016〕2559号）"
    law = LAWS.get(s.dept, "《中华人民共和国行政许可法》" if s.type == "XK" else "国家和江西省有关规定")
    if audience == "enterprise":
        conditions = "申请单位依法设立，申请材料齐全、符合法定形式，符合本事项的法定条件。"
    else:
        conditions = "申请人符合本事项规定的条件，申请材料齐全、符合法定形式；可由村（社区）代办员代为申请。"
    handling_place = (
        "各乡镇（街道）便民服务中心" if s.level == MatterVersion.Level.TOWNSHIP else "青原区行政服务中心（青原区青原大道）"
    )
    form_schema = [
        {"name": "contact_phone", "label": "联系电话", "type": "text", "required": True},
        {"name": "reason", "label": "申请事由", "type": "textarea", "required": False},
    ]
    commitment = ""
    if kind == MatterVersion.Kind.FILING:
        commitment = (
            "本单位（本人）承诺：所填报信息和提交材料真实、准确、完整，已知晓并将遵守相关规定；如有不实，愿承担相应法律责任。"
        )
    if s.name == "企业复工经营备案":
        commitment = "本单位承诺：落实疫情防控主体责任，建立员工健康监测和登记制度，配备必要防护物资，如实报告异常情况。"
        form_schema = [
            {"name": "employees", "label": "复工人数", "type": "number", "required": True},
            {"name": "resume_date", "label": "复工日期", "type": "date", "required": True},
            {"name": "contact_phone", "label": "防疫联系人电话", "type": "text", "required": True},
        ]
    return {
        "name": s.name,
        "matter_type": t,
        "kind": kind,
        "statutory_days": statutory,
        "committed_days": committed,
        "max_visits": visits,
        "fee_required": fee_required,
        "fee_description": fee,
        "fee_basis": fee_basis,
        "conditions": conditions,
        "legal_basis": law,
        "handling_level": s.level,
        "on_one_window": s.on_one_window,
        "online_depth": s.online_depth,
        "on_mobile": s.on_mobile,
        "off_hours_bookable": s.off_hours,
        "agent_eligible": s.agent,
        "audience": audience,
        "commitment_text": commitment,
        "form_schema": form_schema,
        "consult_phone": f"0796-{8200000 + (s.index % 97) * 11:07d}",
        "complaint_phone": "12345",
        "handling_place": handling_place,
        "handling_hours": HOURS,
    }


def _materials(s: Spec, rng: random.Random) -> list[M]:
    if s.name in NAMED_MATERIALS:
        return [dict(m) for m in NAMED_MATERIALS[s.name]]
    enterprise = s.extra["audience"] == "enterprise"
    form = _m(f"《{s.name}》申请表", "")
    base = [form, LEGAL_REP] if enterprise else [form, ID_CARD]
    if enterprise and "设立" not in s.name and "筹建" not in s.name:
        base.append(LICENCE)
    if not enterprise and ("房" in s.name or "不动产" in s.name):
        base.append(PROPERTY)
    pool = [m for m in (ENTERPRISE_POOL if enterprise else CITIZEN_POOL) if m not in base]
    extra = rng.randint(0, max(0, 6 - len(base)))
    if s.extra["kind"] == MatterVersion.Kind.INSTANT:
        extra = min(extra, 1)
    chosen = base + rng.sample(pool, min(extra, len(pool)))
    return [dict(m) for m in chosen[:6]]
