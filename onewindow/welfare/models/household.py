from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onewindow.core.fieldcrypto.fields import BlindIndexField, EncryptedCharField, EncryptedManager
from onewindow.core.models import PublicModel, TimeStampedModel

from .standard import AreaKind


class Household(PublicModel):
    """A household: the unit that applies for 低保 and is paid (2021 rules art. 6; the article
    numbers of the 2021 审核确认办法 in this app are unverified, see docs/welfare.md).

    It exists from the first application; `status` says where it stands in the register. Members,
    income items and assets hang below it. Personal data: read only through `welfare.selectors`,
    which audits every read of a household file.
    """

    class Status(models.TextChoices):
        APPLYING = "applying", _("申请中")
        IN_PAYMENT = "in_payment", _("在保")
        REFUSED = "refused", _("未获批准")
        SUSPENDED = "suspended", _("暂停发放")
        EXITED = "exited", _("已退出")

    class ReviewClass(models.TextChoices):
        """How often the household is reviewed (动态管理): the rules tie it to how stable its
        circumstances are; the district may set the months per class."""

        STABLE = "stable", _("A类（每年复核）")
        MEDIUM = "medium", _("B类（每半年复核）")
        CHANGING = "changing", _("C类（每季度复核）")

    number = models.CharField(_("家庭编号"), max_length=24, unique=True)
    township = models.ForeignKey("accounts.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("乡镇（街道）"))
    village = models.ForeignKey("accounts.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("村（社区）"))
    area_kind = models.CharField(_("城乡"), max_length=8, choices=AreaKind.choices)
    address = models.CharField(_("住址"), max_length=200)
    phone = EncryptedCharField(_("联系电话"), max_length=20, blank=True, index_field="phone_hash")
    phone_hash = BlindIndexField(source="phone")
    # The applicant's account when the head applied online or an agent applied for them.
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="welfare_households",
        verbose_name=_("申请人账号"),
    )
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.APPLYING, db_index=True)
    review_class = models.CharField(_("复核类别"), max_length=10, choices=ReviewClass.choices, default=ReviewClass.STABLE)
    monthly_amount_fen = models.PositiveIntegerField(_("月保障金（分）"), default=0)
    next_review_on = models.DateField(_("下次复核日期"), null=True, blank=True)
    # The account the allowance is paid into (社会化发放 through a bank, 社会救助暂行办法 art. 12).
    bank_account = models.CharField(_("银行账号"), max_length=32, blank=True)

    objects = EncryptedManager()

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "township__county"

    class Meta:
        verbose_name = _("低保家庭")
        verbose_name_plural = _("低保家庭")
        ordering = ["number"]
        indexes = [
            models.Index(fields=["township", "status"]),
            models.Index(fields=["next_review_on"], name="welfare_hh_next_review", condition=Q(status="in_payment")),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def head(self) -> Member | None:
        return self.members.filter(relationship=Member.Relationship.HEAD).first()


class Member(TimeStampedModel):
    """One person of a household. A person is in payment in one household at most: the partial
    unique constraint on the ID number while `in_payment` holds it (not a check before insert)."""

    class Relationship(models.TextChoices):
        HEAD = "head", _("户主")
        SPOUSE = "spouse", _("配偶")
        CHILD = "child", _("子女")
        PARENT = "parent", _("父母")
        GRANDCHILD = "grandchild", _("孙子女")
        SIBLING = "sibling", _("兄弟姐妹")
        OTHER = "other", _("其他")

    class Labour(models.TextChoices):
        FULL = "full", _("有劳动能力")
        PARTIAL = "partial", _("部分丧失劳动能力")
        NONE = "none", _("无劳动能力")

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members", verbose_name=_("家庭"))
    name = models.CharField(_("姓名"), max_length=50)
    id_number = EncryptedCharField(_("身份证号"), max_length=18, index_field="id_number_hash")
    id_number_hash = BlindIndexField(source="id_number", db_index=True)
    relationship = models.CharField(_("与户主关系"), max_length=12, choices=Relationship.choices)
    labour = models.CharField(_("劳动能力"), max_length=8, choices=Labour.choices, default=Labour.FULL)
    disabled = models.BooleanField(_("残疾"), default=False)
    seriously_ill = models.BooleanField(_("重病"), default=False)
    student = models.BooleanField(_("在校学生"), default=False)
    in_payment = models.BooleanField(_("在保"), default=False)

    objects = EncryptedManager()

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "household__township__county"

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        ordering = ["household", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_hash"], condition=Q(in_payment=True), name="welfare_member_in_one_household"
            ),
            models.UniqueConstraint(fields=["household", "id_number_hash"], name="welfare_member_once_per_household"),
        ]
        # Register search by name is a prefix match; the pattern opclass lets PostgreSQL use the
        # index for LIKE '王%' under any collation (other databases ignore the opclass).
        indexes = [models.Index(fields=["name"], name="welfare_member_name", opclasses=["varchar_pattern_ops"])]

    def __str__(self) -> str:
        return self.name


class IncomeItem(TimeStampedModel):
    """A monthly income of one member (wages, pensions, farming, transfers), in fen."""

    class Kind(models.TextChoices):
        WAGE = "wage", _("工资性收入")
        BUSINESS = "business", _("经营净收入")
        PROPERTY = "property", _("财产净收入")
        TRANSFER = "transfer", _("转移净收入")
        OTHER = "other", _("其他收入")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="incomes", verbose_name=_("成员"))
    kind = models.CharField(_("收入类型"), max_length=10, choices=Kind.choices)
    monthly_fen = models.PositiveIntegerField(_("月收入（分）"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "member__household__township__county"

    class Meta:
        verbose_name = _("收入")
        verbose_name_plural = _("收入")


class Asset(TimeStampedModel):
    """An asset of one member (deposits, vehicles, housing beyond one home), valued in fen."""

    class Kind(models.TextChoices):
        DEPOSIT = "deposit", _("存款及理财")
        VEHICLE = "vehicle", _("机动车辆")
        HOUSING = "housing", _("房产")
        BUSINESS = "business", _("经营性资产")
        OTHER = "other", _("其他")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="assets", verbose_name=_("成员"))
    kind = models.CharField(_("财产类型"), max_length=10, choices=Kind.choices)
    value_fen = models.PositiveBigIntegerField(_("价值（分）"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "member__household__township__county"

    class Meta:
        verbose_name = _("财产")
        verbose_name_plural = _("财产")
