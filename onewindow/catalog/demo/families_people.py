"""What a resident's matter asks about, by family: the household (户籍), the identity card, social
and medical insurance, the housing fund, social assistance (低保 and others), and the general
form of a matter no family fits. Mostly data: each function returns the sections of its form."""

from __future__ import annotations

from .formblocks import LOCATION, S, f, section


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
