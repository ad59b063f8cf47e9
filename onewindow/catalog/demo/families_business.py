"""What a matter about property, permits and enterprises asks about, by family: real estate and its
taxes, housing contracts, construction, permits and licences, tax, organisations and place names,
enterprise registration, filings, seals, new taxpayers, employers' insurance. Mostly data: each
function returns the sections of its form."""

from __future__ import annotations

from .formblocks import AREA, LOCATION, PROPERTY_NO, USAGE, S, f, section


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
