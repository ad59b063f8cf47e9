"""Real application forms for the demo catalog, written the way 实施清单 application forms are:
an applicant block (a person or an enterprise, with an optional agent), then what this matter
asks about (the property, the household, the licence, the tax period...).

`form_for(name, dept, audience)` builds a matter's `form_schema` from families chosen by the
matter's department and name; `material_links(...)` says which of its materials the form (or the
platform's verified identity / enterprise data) already provides. Labels and help are Chinese
with English beside them (catalog data; the pages show the reader's language).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from onewindow.catalog import formschema

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


# --- what each kind of matter asks about -----------------------------------------------------------

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


def property_fields(name: str) -> list[S]:
    fields = [PROPERTY_NO, LOCATION, AREA, USAGE]
    if "首次" in name:
        fields = [LOCATION, AREA, USAGE, f("project_name", "项目（小区）名称", "Project (estate) name", max_length=100)]
    out = section("不动产情况", "The property", fields)
    if "转移" in name or "买卖" in name or "过户" in name:
        out += section(
            "转让方（卖方）",
            "Seller",
            [
                f("seller_name", "转让方姓名（名称）", "Seller's name", max_length=100),
                f("seller_id", "转让方公民身份号码", "Seller's ID number", "id_number"),
            ],
        ) + section(
            "交易情况",
            "The transaction",
            [
                f(
                    "transfer_reason",
                    "转移原因",
                    "Reason for transfer",
                    "choice",
                    choices=(
                        ["买卖", "赠与", "继承", "法院判决", "其他"],
                        ["Sale", "Gift", "Inheritance", "Court ruling", "Other"],
                    ),
                ),
                f("price", "成交价格", "Price", "number", min=0, max=10**10, unit=("元", "yuan"), required=False),
                f("contract_no", "合同（网签）编号", "Contract (online filing) number", required=False, max_length=40),
                f(
                    "ownership",
                    "共有方式",
                    "Ownership",
                    "choice",
                    choices=(["单独所有", "共同共有", "按份共有"], ["Sole", "Joint", "In shares"]),
                ),
            ],
        )
    elif "抵押" in name:
        out += section(
            "抵押情况",
            "The mortgage",
            [
                f("mortgagee", "抵押权人（贷款银行）", "Mortgagee (lending bank)", max_length=100),
                f("debt_amount", "被担保主债权数额", "Secured amount", "number", min=1, max=10**10, unit=("元", "yuan")),
                f("debt_start", "债务履行期限起", "Debt term from", "date"),
                f("debt_end", "债务履行期限止", "Debt term until", "date"),
            ],
        )
    elif "查封" in name or "解封" in name or "法院" in name:
        out += section(
            "法律文书",
            "Court documents",
            [
                f("court", "作出文书的机关", "Issuing court or authority", max_length=100),
                f("document_no", "文书编号", "Document number", max_length=60),
            ],
        )
    elif "异议" in name:
        out += section("异议事项", "The objection", [f("objection", "异议事项及理由", "What is objected to and why", "textarea")])
    else:
        out += section("登记事项", "The registration", [f("reason", "申请登记的原因", "Reason for the registration", "textarea")])
    return out


def household_fields(name: str) -> list[S]:
    """户籍: the person concerned, what changes, when."""
    fields = [
        f("subject_name", "当事人姓名", "Person concerned", max_length=40),
        f("subject_id", "当事人公民身份号码", "Their ID number", "id_number"),
        f("registered_address", "户籍地址", "Registered (hukou) address", "address"),
        f(
            "relation",
            "申报人与当事人关系",
            "Your relation to them",
            "choice",
            choices=(
                ["本人", "配偶", "子女", "父母", "其他亲属", "其他"],
                ["Self", "Spouse", "Child", "Parent", "Other relative", "Other"],
            ),
        ),
    ]
    if "死亡" in name:
        fields += [
            f("event_date", "死亡日期", "Date of death", "date", not_future=True),
            f("certificate_no", "死亡医学证明（推断书）编号", "Death certificate number", max_length=40),
        ]
    else:
        fields += [
            f("event_date", "变动发生日期", "Date of the change", "date", not_future=True),
            f("reason", "申报事由", "Reason", "textarea", help=("简单说明为什么办理", "Say briefly why")),
        ]
    return section("户籍事项", "Household registration", fields)


def id_card_fields(name: str) -> list[S]:
    return section(
        "证件情况",
        "The card",
        [
            f(
                "card_reason",
                "办理原因",
                "Reason",
                "choice",
                choices=(["遗失", "被盗", "损坏", "有效期满", "其他"], ["Lost", "Stolen", "Damaged", "Expired", "Other"]),
            ),
            f("lost_date", "遗失（发现）日期", "Date lost or noticed", "date", not_future=True, required=False),
        ],
    )


def permit_fields(name: str) -> list[S]:
    """An activity or an item to be permitted (events, firearms, internet cafés...)."""
    return section(
        "申请事项",
        "What is applied for",
        [
            f(
                "subject",
                "申请事项名称",
                "What is applied for",
                max_length=100,
                help=("如活动名称、场所名称", "e.g. the event or premises name"),
            ),
            f("place", "地点", "Place", "address"),
            f("start_date", "开始日期", "Start date", "date"),
            f("scale", "规模（人数、数量）", "Scale (people, items)", "number", min=1, max=10**6),
            f("description", "情况说明", "Description", "textarea"),
        ],
    )


LICENCE_VARIANTS = ("新办", "变更", "延续", "注销")


def licence_fields(name: str) -> list[S]:
    """A licence and its sub-items: 新办 / 变更 / 延续 / 注销."""
    licence_no = f("licence_no", "许可证编号", "Licence number", max_length=60)
    if "变更" in name:
        fields = [licence_no, f("change_items", "变更事项及变更前后内容", "What changes, before and after", "textarea")]
    elif "延续" in name:
        fields = [
            licence_no,
            f("licence_expiry", "原许可证有效期至", "Current licence valid until", "date"),
            f("no_violations", "有效期内是否存在违法违规行为", "Any violations during the validity?", "yesno"),
        ]
    elif "注销" in name:
        fields = [
            licence_no,
            f(
                "cancel_reason",
                "注销原因",
                "Reason for cancellation",
                "choice",
                choices=(
                    ["有效期届满未延续", "主动申请注销", "单位依法终止", "其他"],
                    ["Expired", "Voluntary", "Organisation dissolved", "Other"],
                ),
            ),
        ]
    else:
        fields = [
            f("premises", "经营（生产）场所", "Business premises", "address"),
            f("premises_area", "场所面积", "Premises area", "number", min=1, max=10**6, unit=("平方米", "m²")),
            f("scope", "申请许可的项目（经营范围）", "Activities applied for", "textarea"),
            f("staff", "从业人员数", "Staff", "number", min=1, max=10**6, unit=("人", "people")),
        ]
    return section("许可事项", "The licence", fields)


def tax_fields(name: str) -> list[S]:
    return section(
        "申报信息",
        "Declaration",
        [
            f("period_start", "税款所属期起", "Tax period from", "date"),
            f("period_end", "税款所属期止", "Tax period until", "date"),
            f("tax_base", "计税依据（金额）", "Taxable amount", "number", min=0, max=10**12, unit=("元", "yuan")),
            f("bank_account", "缴税银行账号", "Bank account for payment", max_length=30, required=False),
        ],
    )


def social_fields(name: str) -> list[S]:
    """人社: the insured person, their employer, and what is claimed."""
    fields = [
        f("social_card_no", "社会保障卡号", "Social security card number", max_length=20, required=False),
        f("employer", "工作单位", "Employer", max_length=100, required=False),
    ]
    if "技能" in name:
        fields += [
            f("occupation", "申报职业（工种）", "Occupation", max_length=60),
            f(
                "level",
                "申报等级",
                "Level applied for",
                "choice",
                choices=(
                    ["五级/初级工", "四级/中级工", "三级/高级工", "二级/技师", "一级/高级技师"],
                    ["Level 5", "Level 4", "Level 3", "Level 2 (technician)", "Level 1 (senior technician)"],
                ),
            ),
            f("years", "从事本职业年限", "Years in this occupation", "number", min=0, max=60, unit=("年", "years")),
        ]
    elif "遗属" in name or "一次性" in name or "待遇" in name:
        fields += [
            f("deceased_name", "参保人（逝者）姓名", "Insured person (deceased)", max_length=40, required="遗属" in name),
            f("event_date", "待遇发生日期", "Date of the event", "date", not_future=True),
            f("bank_name", "收款银行", "Bank", max_length=60),
            f("bank_account", "银行账号", "Account number", max_length=30),
        ]
    elif "就业" in name:
        fields += [f("start_date", "入职（创业）日期", "Start date", "date", not_future=True)]
    else:
        fields += [f("reason", "申请事由", "Reason", "textarea")]
    return section("社会保险与就业", "Social insurance and employment", fields)


INSURANCE_TYPES = (
    ["城乡居民医保", "职工医保", "灵活就业人员医保"],
    ["Residents' scheme", "Employees' scheme", "Flexible workers' scheme"],
)


def medical_fields(name: str) -> list[S]:
    fields = [f("insurance_type", "参保类型", "Insurance scheme", "choice", choices=INSURANCE_TYPES)]
    if "转移" in name:
        fields += [
            f("from_region", "转出地", "Moving from (city, province)", max_length=60),
            f("to_region", "转入地", "Moving to", max_length=60),
        ]
    elif "报销" in name or "救助" in name or "待遇" in name:
        fields += [
            f("hospital", "就诊医院", "Hospital", max_length=100),
            f("visit_start", "就诊日期", "Date of treatment", "date", not_future=True),
            f("total_cost", "医疗费用总额", "Total cost", "number", min=0, max=10**8, unit=("元", "yuan")),
            f("bank_account", "收款银行账号", "Bank account for the payment", max_length=30),
        ]
    elif "共济" in name:
        fields += [
            f("family_name", "共济家庭成员姓名", "Family member's name", max_length=40),
            f("family_id", "共济家庭成员公民身份号码", "Their ID number", "id_number"),
            f(
                "family_relation",
                "与本人关系",
                "Relation to you",
                "choice",
                choices=(["配偶", "父母", "子女"], ["Spouse", "Parent", "Child"]),
            ),
        ]
    else:
        fields += [
            f("reason", "申请事由", "Reason", "textarea", help=("例如：开具证明用于办理什么", "e.g. what the certificate is for"))
        ]
    return section("医疗保障", "Medical insurance", fields)


def fund_fields(name: str) -> list[S]:
    fields = [f("fund_account", "住房公积金个人账号", "Housing fund account number", max_length=20, required="设立" not in name)]
    if "贷款" in name:
        fields += [
            f("loan_amount", "申请贷款金额", "Loan amount", "number", min=10000, max=10**7, unit=("元", "yuan")),
            f("loan_years", "贷款年限", "Loan term", "number", min=1, max=30, unit=("年", "years")),
            LOCATION,
            f("house_price", "购房总价", "Purchase price", "number", min=1, max=10**9, unit=("元", "yuan")),
        ]
    elif "提取" in name:
        fields += [
            f("amount", "提取金额", "Amount", "number", min=1, max=10**7, unit=("元", "yuan")),
            f("bank_account", "收款银行账号", "Bank account", max_length=30),
        ]
    else:
        fields += [f("employer", "缴存单位", "Employer paying in", max_length=100), f("reason", "申请事由", "Reason", "textarea")]
    return section("住房公积金", "Housing provident fund", fields)


def assistance_fields(name: str) -> list[S]:
    """社会救助: the household's situation (the 家庭收入及财产情况说明 in form)."""
    return section(
        "家庭情况",
        "The household",
        [
            f("household_size", "家庭共同生活人口", "People in the household", "number", min=1, max=20, unit=("人", "people")),
            f(
                "household_income",
                "家庭月总收入",
                "Household income per month",
                "number",
                min=0,
                max=10**6,
                unit=("元", "yuan"),
                help=("工资、经营、养老金等全家每月收入之和", "All members' wages, business and pension income together"),
            ),
            f(
                "hardship",
                "主要困难情形",
                "Main hardship",
                "choice",
                choices=(
                    ["因病", "因残", "因灾", "因学", "缺乏劳动力", "其他"],
                    ["Illness", "Disability", "Disaster", "Schooling costs", "No one able to work", "Other"],
                ),
            ),
            f(
                "property_desc",
                "家庭财产情况",
                "Household property",
                "textarea",
                help=("房屋、车辆、存款等", "Housing, vehicles, savings"),
            ),
            f("bank_account", "救助金收款账号", "Bank account for payments", max_length=30),
        ],
    )


def organisation_fields(name: str) -> list[S]:
    """民政 registrations of organisations (社会团体, 养老机构...)."""
    return section(
        "机构情况",
        "The organisation",
        [
            f("org_name", "机构名称", "Organisation name", max_length=100),
            f("org_address", "住所", "Address", "address"),
            f("sponsor", "业务主管单位", "Supervising authority", max_length=100, required="社会团体" in name),
            f("members", "会员（床位）数", "Members (or beds)", "number", min=1, max=10**6),
            f("funds", "注册资金", "Registered funds", "number", min=0, max=10**9, unit=("万元", "10k yuan"), required=False),
        ],
    )


def place_name_fields(name: str) -> list[S]:
    return section(
        "地名信息",
        "The place name",
        [
            f(
                "category",
                "地名类别",
                "Kind of name",
                "choice",
                choices=(
                    ["道路街巷", "居民区", "建筑物", "桥梁", "其他"],
                    ["Road or street", "Residential area", "Building", "Bridge", "Other"],
                ),
            ),
            f("proposed_name", "拟用名称", "Proposed name", max_length=40),
            f("place", "地理位置", "Location", "address"),
            f("rationale", "命名（更名）理由", "Reason for the name", "textarea"),
        ],
    )


def enterprise_registration_fields(name: str) -> list[S]:
    return section(
        "企业信息",
        "The enterprise",
        [
            f("proposed_name", "企业（字号）名称", "Enterprise name", max_length=100),
            f(
                "ent_type",
                "企业类型",
                "Type",
                "choice",
                choices=(
                    ["有限责任公司", "个人独资企业", "合伙企业", "个体工商户"],
                    ["Limited liability company", "Sole proprietorship", "Partnership", "Individual business"],
                ),
            ),
            f("capital", "注册资本（出资额）", "Registered capital", "number", min=0, max=10**8, unit=("万元", "10k yuan")),
            f("scope", "经营范围", "Business scope", "textarea"),
            f("employees", "从业人数", "Staff", "number", min=0, max=10**6, unit=("人", "people")),
        ],
    )


def filing_fields(name: str) -> list[S]:
    """Enterprise filings and reports (备案, 年报, 查询...)."""
    if "年度报告" in name or "年报" in name:
        return section(
            "年度报告",
            "Annual report",
            [
                f("year", "报告年度", "Year reported", "number", min=2000, max=2100),
                f("employees", "从业人数", "Staff", "number", min=0, max=10**6, unit=("人", "people")),
                f("revenue", "营业总收入", "Revenue", "number", min=0, max=10**12, unit=("万元", "10k yuan")),
                f("operating", "是否正常经营", "Operating normally?", "yesno"),
            ],
        )
    if "查询" in name:
        return section(
            "查询事项",
            "The search",
            [
                f("query_subject", "查询对象名称", "Name searched", max_length=100),
                f("query_purpose", "查询用途", "Purpose", "textarea"),
            ],
        )
    return section(
        "备案事项",
        "The filing",
        [
            f("subject", "备案对象（产品、设备、场所或合同）", "What is filed", max_length=100),
            f("place", "所在地点", "Location", "address"),
            f("effective_date", "开始（生效）日期", "Start date", "date"),
            f("description", "备案情况说明", "Description", "textarea"),
        ],
    )


def construction_fields(name: str) -> list[S]:
    return section(
        "工程项目",
        "The project",
        [
            f("project_name", "项目名称", "Project name", max_length=100),
            f("project_address", "建设地点", "Location", "address"),
            f("floor_area", "建筑面积", "Floor area", "number", min=1, max=10**7, unit=("平方米", "m²")),
            f("investment", "工程造价（投资额）", "Cost", "number", min=0, max=10**7, unit=("万元", "10k yuan")),
            f("completion", "竣工（计划）日期", "Completion date", "date", required=False),
        ],
    )


def housing_contract_fields(name: str) -> list[S]:
    """商品房网签 / 物业合同: the contract being filed."""
    return section(
        "合同信息",
        "The contract",
        [
            f("project_name", "项目（小区）名称", "Project (estate) name", max_length=100),
            LOCATION,
            AREA,
            f("price", "合同总价", "Contract price", "number", min=0, max=10**10, unit=("元", "yuan")),
            f("contract_date", "合同签订日期", "Date signed", "date", not_future=True),
            f(
                "payment",
                "付款方式",
                "Payment",
                "choice",
                choices=(
                    ["一次性付款", "商业贷款", "公积金贷款", "组合贷款"],
                    ["In full", "Bank loan", "Housing fund loan", "Combined loan"],
                ),
            ),
        ],
    )


def property_tax_fields(name: str) -> list[S]:
    """存量房交易纳税申报: the property and what decides the tax (契税, 个税 exemptions)."""
    return section(
        "计税信息",
        "For the tax",
        [
            PROPERTY_NO,
            LOCATION,
            AREA,
            f("price", "成交价格", "Price", "number", min=0, max=10**10, unit=("元", "yuan")),
            f("first_home", "是否购房家庭唯一住房", "Is it the buyer's family's only home?", "yesno"),
            f(
                "years_held",
                "卖方持有年限",
                "Years the seller held it",
                "choice",
                choices=(["不满二年", "满二年不满五年", "满五年"], ["Under 2 years", "2 to 5 years", "Over 5 years"]),
            ),
        ],
    )


def seal_fields(name: str) -> list[S]:
    return section(
        "印章刻制",
        "Seals",
        [
            f(
                "seal_kinds",
                "刻制印章",
                "Seals to make",
                "choice",
                choices=(
                    ["公章", "公章、财务专用章", "公章、财务专用章、发票专用章"],
                    ["Official seal", "Official and finance seals", "Official, finance and invoice seals"],
                ),
            ),
            f("seal_count", "印章枚数", "Number of seals", "number", min=1, max=10, unit=("枚", "seals")),
        ],
    )


def new_taxpayer_fields(name: str) -> list[S]:
    return section(
        "涉税信息",
        "Tax set-up",
        [
            f(
                "taxpayer_type",
                "纳税人类型",
                "Taxpayer type",
                "choice",
                choices=(["小规模纳税人", "一般纳税人"], ["Small-scale taxpayer", "General taxpayer"]),
            ),
            f("accountant_name", "财务负责人", "Chief accountant", max_length=40),
            f("accountant_phone", "财务负责人电话", "Accountant's phone", "phone"),
            f("invoice_needed", "是否申领发票", "Do you need invoices?", "yesno"),
        ],
    )


def employer_insurance_fields(name: str) -> list[S]:
    return section(
        "参保信息",
        "Staff insurance",
        [
            f("insured_count", "参保职工人数", "Employees to insure", "number", min=1, max=10**5, unit=("人", "people")),
            f("insured_from", "参保起始日期", "Insured from", "date"),
            f("payroll_account", "缴费银行账号", "Bank account for contributions", max_length=30),
        ],
    )


def general_fields(name: str) -> list[S]:
    return section(
        "申请事项",
        "What is applied for",
        [
            f(
                "subject",
                "申请事项",
                "What you apply for",
                max_length=100,
                help=("用一句话写清楚要办什么", "One sentence: what you need"),
            ),
            f("reason", "申请事由", "Reason", "textarea"),
        ],
    )


# (department codes or "*", name keywords or (), builder); the first that fits is used.
FAMILIES: list[tuple[tuple[str, ...], tuple[str, ...], Any]] = [
    (("SW",), ("存量房", "契税"), property_tax_fields),
    (("SW",), ("新办纳税人",), new_taxpayer_fields),
    (("GA",), ("印章",), seal_fields),
    (("YBJ", "RSJ"), ("用人单位",), employer_insurance_fields),
    (("BDC",), (), property_fields),
    (("ZJJ",), ("网签", "买卖合同", "物业"), housing_contract_fields),
    (("ZJJ", "ZRZY", "FGW", "RFB", "XFJY"), ("工程", "竣工", "施工", "建设", "项目", "验收"), construction_fields),
    (("GA",), ("户口", "户籍", "迁移", "出生登记"), household_fields),
    (("GA",), ("身份证",), id_card_fields),
    (("*",), ("许可", "核准", "审批", "资格认定", "审核"), licence_fields),
    (("GA", "WGLJ", "TYJR", "JTJ", "YJJ", "CGJ"), (), permit_fields),
    (("SW",), (), tax_fields),
    (("RSJ",), (), social_fields),
    (("YBJ",), (), medical_fields),
    (("GJJ",), (), fund_fields),
    (("MZJ",), ("救助", "低保", "供养", "补贴", "临时"), assistance_fields),
    (("MZJ",), ("地名",), place_name_fields),
    (("MZJ",), ("登记", "备案", "机构"), organisation_fields),
    (("SCJG", "XZSP"), ("设立", "开办"), enterprise_registration_fields),
    (("*",), ("备案", "年度报告", "查询", "登记"), filing_fields),
]


def family_of(name: str, dept: str) -> Any:
    for depts, words, builder in FAMILIES:
        if ("*" in depts or dept in depts) and (not words or any(w in name for w in words)):
            return builder
    return general_fields


def form_for(*, name: str, dept: str, audience: str) -> list[S]:
    """The matter's application form: applicant block, then the matter's own sections."""
    new = any(w in name for w in ("设立", "开办", "新办", "印章刻制", "用人单位"))
    applicant = enterprise_block(new=new) if audience == "enterprise" else person_block()
    # The 低保 application's form is the household's situation, whatever words its name holds.
    own = assistance_fields(name) if name == "最低生活保障（低保）审批" else family_of(name, dept)(name)
    schema = applicant + own
    if any(w in name for w in ("许可", "登记", "认定", "证")) and "注销" not in name:
        schema += delivery_block()
    return schema


# Materials whose content the form captures entirely, by name: the fields standing in for them.
FORM_CAPTURES: dict[str, tuple[str, ...]] = {
    "家庭收入及财产情况说明": ("household_size", "household_income", "property_desc"),
    "最低生活保障申请书": ("applicant_name", "applicant_id", "household_size", "household_income", "hardship"),
}


def required_names(schema: list[S]) -> list[str]:
    return [x["name"] for x in schema if x.get("required") and not x.get("when")]


def material_links(material: dict[str, Any], schema: list[S], audience: str) -> dict[str, Any]:
    """provided_by / form_fields for one material of a matter with this form."""
    names = {x["name"] for x in schema}
    name = str(material.get("name", ""))
    captured = FORM_CAPTURES.get(name)
    if captured and set(captured) <= names:
        return {"provided_by": "form", "form_fields": list(captured)}
    if not material.get("shared_key") and ("申请表" in name or "申请书" in name):
        return {"provided_by": "form", "form_fields": required_names(schema)}
    if material.get("shared_key") == "id_card" and audience != "enterprise" and "双方" not in name:
        return {"provided_by": "identity", "form_fields": []}
    if material.get("shared_key") == "business_licence":
        return {"provided_by": "enterprise", "form_fields": []}
    return {"provided_by": "", "form_fields": []}


def example_values(schema: list[dict[str, Any]] | None, *, known: dict[str, Any] | None = None) -> dict[str, Any]:
    """Plausible values that pass `validate` for any schema (demo data and tests): `known` values
    first (a person's name, ID number, phone), then one value per type."""
    from stdnum.cn import ric, uscc

    today = timezone.localdate()
    person_id = "36080319800101123" + ric.calc_check_digit("360803198001011230")
    ent_body = "91360803MA0000001"
    samples: dict[str, Any] = {
        "text": "演示数据",
        "textarea": "演示数据",
        "address": "青原区河东街道青原大道88号",
        "phone": "13907960000",
        "id_number": person_id,
        "uscc": ent_body + uscc.calc_check_digit(ent_body),
        "yesno": formschema.NO,
    }
    out: dict[str, Any] = {}
    for f in formschema.fields_of(schema, fill_default=False):
        if known and f.name in known:
            out[f.name] = known[f.name]
        elif f.type == "number":
            low = f.min if f.min is not None else Decimal(1)
            out[f.name] = int(max(low, min(Decimal(1), f.max if f.max is not None else Decimal(1))))
        elif f.type == "date":
            out[f.name] = (today if f.not_past else today - datetime.timedelta(days=30)).isoformat()
        elif f.type == "choice":
            out[f.name] = f.choices[0]
        else:
            value = samples.get(f.type, "演示数据")
            out[f.name] = value[: f.max_length] if f.max_length and isinstance(value, str) else value
    return out
