"""The building blocks of the demo's application forms: a field with its Chinese and English
labels, a section, and the blocks every form starts or ends with (the applicant, a person or an
enterprise with an optional agent; how the result is delivered)."""

from __future__ import annotations

from typing import Any

S = dict[str, Any]


def f(name: str, zh: str, en: str, kind: str = "text", required: bool = True, **kw: Any) -> S:
    field: S = {"name": name, "label": zh, "label_en": en, "type": kind, "required": required}
    if "help" in kw:
        field["help"], field["help_en"] = kw.pop("help")
    if "choices" in kw:
        field["choices"], field["choices_en"] = kw.pop("choices")
    if "unit" in kw:
        field["unit"], field["unit_en"] = kw.pop("unit")
    field.update(kw)
    return field


def section(zh: str, en: str, fields: list[S]) -> list[S]:
    return [{**x, "section": zh, "section_en": en} for x in fields]


AGENT_WHEN = {"field": "has_agent", "equals": "yes"}


MAIL_WHEN = {"field": "delivery", "equals": "邮寄送达"}


def person_block() -> list[S]:
    return section(
        "申请人",
        "Applicant",
        [
            f("applicant_name", "姓名", "Full name", max_length=40),
            f(
                "applicant_id",
                "公民身份号码",
                "Resident ID number",
                "id_number",
                help=("身份证上的18位号码，最后一位可能是X", "The 18 characters on the ID card; the last may be X"),
            ),
            f(
                "applicant_phone",
                "联系电话",
                "Phone",
                "phone",
                help=("办理进度会发短信到这个号码", "Progress messages go to this number"),
            ),
            f(
                "applicant_address",
                "现住址",
                "Current address",
                "address",
                help=("写到门牌号或村组", "Down to the house number or village group"),
            ),
        ],
    ) + section(
        "代理人",
        "Agent",
        [
            f("has_agent", "是否委托他人代为办理", "Does someone apply on your behalf?", "yesno"),
            f("agent_name", "代理人姓名", "Agent's name", when=AGENT_WHEN, max_length=40),
            f("agent_id", "代理人公民身份号码", "Agent's ID number", "id_number", when=AGENT_WHEN),
            f("agent_phone", "代理人联系电话", "Agent's phone", "phone", when=AGENT_WHEN),
        ],
    )


def enterprise_block(*, new: bool = False) -> list[S]:
    return section(
        "申请单位",
        "Applicant organisation",
        [
            f(
                "ent_name",
                "单位名称",
                "Organisation name",
                max_length=100,
                help=("与营业执照上的名称一致", "As on the business licence"),
            ),
            f(
                "ent_uscc",
                "统一社会信用代码",
                "Unified social credit code",
                "uscc",
                required=not new,
                help=(
                    ("新设立的企业登记后自动生成，可不填", "A new enterprise gets it at registration: leave empty")
                    if new
                    else ("营业执照上的18位代码", "The 18-character code on the business licence")
                ),
            ),
            f("legal_rep_name", "法定代表人（负责人）", "Legal representative", max_length=40),
            f("ent_address", "住所（经营场所）", "Registered address", "address"),
            f("contact_name", "经办人", "Contact person", max_length=40),
            f("contact_phone", "经办人联系电话", "Contact phone", "phone"),
        ],
    )


def delivery_block() -> list[S]:
    return section(
        "结果领取",
        "Receiving the result",
        [
            f(
                "delivery",
                "结果领取方式",
                "How to receive the result",
                "choice",
                choices=(["窗口领取", "邮寄送达", "电子证照"], ["At the window", "By post", "Electronic certificate"]),
            ),
            f("mail_address", "邮寄地址", "Postal address", "address", when=MAIL_WHEN),
        ],
    )


# Fields several families ask for (the property a matter is about).
PROPERTY_NO = f(
    "property_no",
    "不动产权证书号（房产证号）",
    "Property certificate number",
    max_length=60,
    help=("证书首页的编号，如：赣（2021）青原区不动产权第0001234号", "The number on the certificate's first page"),
)
LOCATION = f(
    "location", "不动产坐落", "Property address", "address", help=("证书上写的坐落地址", "The address on the certificate")
)
AREA = f("area", "建筑面积", "Floor area", "number", min=1, max=100000, unit=("平方米", "m²"))
USAGE = f(
    "usage",
    "用途",
    "Use",
    "choice",
    choices=(["住宅", "商业", "办公", "工业", "其他"], ["Housing", "Commercial", "Office", "Industrial", "Other"]),
)
