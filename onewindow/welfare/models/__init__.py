"""低保 (最低生活保障): the household file, the district's standards and enrolment in payment.

`household.py` holds the household as the unit of application and of payment (members, income
items, assets); `standard.py` the yearly standards; `enrolment.py` a household's period in payment.
The 审核确认 process (application case, visit, review, notice, confirmation) and the money (rolls,
payments, changes) add their own modules here.
"""

from .enrolment import Enrolment
from .household import Asset, Household, IncomeItem, Member
from .money import BankReturn, CircumstanceReport, HouseholdReview, Payment, PaymentRoll, RegisterChange, RollItem
from .process import Application, Appraisal, CrossCheck, HomeVisit, Objection, PublicNotice
from .standard import Standard

__all__ = [
    "Application",
    "Appraisal",
    "Asset",
    "BankReturn",
    "CircumstanceReport",
    "CrossCheck",
    "Enrolment",
    "HomeVisit",
    "Household",
    "HouseholdReview",
    "IncomeItem",
    "Member",
    "Objection",
    "Payment",
    "PaymentRoll",
    "PublicNotice",
    "RegisterChange",
    "RollItem",
    "Standard",
]
