"""The matter catalog (政务服务事项目录 / 实施清单).

A `Matter` is the stable identity (code, owning department, where it is accepted); everything the
implementation list says about it lives in a `MatterVersion`. Versions are drafted, then published;
a published version is immutable (enforced in `MatterVersion.save` and by the services), and cases
point at the version they started on, so re-engineering a matter never rewrites history.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from onewindow.core.models import PublicModel, TimeStampedModel

# Depth of online handling (网上办理深度). Depth >= ONLINE_CAPABLE_DEPTH counts as "网上可办" (F8).
ONLINE_CAPABLE_DEPTH = 3


class LifeEvent(TimeStampedModel):
    """A life or business event (出生, 结婚, 开办企业...) used to browse the catalog."""

    code = models.SlugField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    audience = models.CharField(
        _("对象"), max_length=12, choices=[("citizen", _("个人")), ("enterprise", _("法人"))], default="citizen"
    )
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("主题事件")
        verbose_name_plural = _("主题事件")
        ordering = ["audience", "sort_order"]

    def __str__(self) -> str:
        return self.name


class Matter(PublicModel):
    code = models.CharField(_("事项编码"), max_length=40, unique=True)
    department = models.ForeignKey(
        "accounts.OrgUnit", on_delete=models.PROTECT, related_name="matters", verbose_name=_("实施部门")
    )
    service_area = models.ForeignKey(
        "hall.ServiceArea", null=True, blank=True, on_delete=models.SET_NULL, related_name="matters", verbose_name=_("受理服务区")
    )
    life_events = models.ManyToManyField(LifeEvent, blank=True, related_name="matters", verbose_name=_("主题事件"))
    # The latest published version; None until the first publication.
    # The province's standard entry this matter implements (省级事项基本目录), if any: its basic
    # fields are the standard's, the rest (时限承诺, 材料, 收费, 地点…) the county's.
    standard = models.ForeignKey(
        "StandardMatter",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="matters",
        verbose_name=_("省级基本目录事项"),
    )
    current_version = models.OneToOneField(
        "MatterVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("现行版本")
    )
    # The last version number handed out. Advanced by an UPDATE under the matter's row lock, so
    # numbering never reads max(number) (every matter is created with version 1).
    version_counter = models.PositiveIntegerField(default=1, editable=False)
    # Search keys of the current version, denormalised on publish (name, full pinyin, initials).
    search_name = models.CharField(max_length=200, blank=True, db_index=True)
    search_pinyin = models.CharField(max_length=800, blank=True)
    search_initials = models.CharField(max_length=200, blank=True, db_index=True)
    # One lowercase haystack "name|pinyin|initials", so a term is one LIKE over one narrow table
    # instead of three, and `is_listed` (current version published) spares the version join.
    search_text = models.CharField(max_length=1200, blank=True)
    is_listed = models.BooleanField(default=False, db_index=True)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "department__county"

    class Meta:
        verbose_name = _("政务服务事项")
        verbose_name_plural = _("政务服务事项")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.search_name}"


class MatterVersion(PublicModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        RETIRED = "retired", _("已停用")

    class MatterType(models.TextChoices):
        LICENCE = "licence", _("行政许可")
        CONFIRMATION = "confirmation", _("行政确认")
        PAYMENT = "payment", _("行政给付")
        AWARD = "award", _("行政奖励")
        ADJUDICATION = "adjudication", _("行政裁决")
        OTHER_POWER = "other_power", _("其他行政权力")
        PUBLIC_SERVICE = "public_service", _("公共服务")

    class Kind(models.TextChoices):
        INSTANT = "instant", _("即办件")
        COMMITTED = "committed", _("承诺件")
        FILING = "filing", _("告知承诺备案")

    class Level(models.TextChoices):
        DISTRICT = "district", _("区级")
        TOWNSHIP = "township", _("乡镇（街道）级")
        VILLAGE = "village", _("村（社区）级")

    class OnlineDepth(models.IntegerChoices):
        OFFLINE = 0, _("仅窗口办理")
        INFORMATION = 1, _("网上咨询、查询")
        PRE_REVIEW = 2, _("网上预审")
        ONLINE_ACCEPT = 3, _("网上受理")
        FULLY_ONLINE = 4, _("全程网办")

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    name = models.CharField(_("事项名称"), max_length=200)
    matter_type = models.CharField(_("事项类型"), max_length=16, choices=MatterType.choices)
    kind = models.CharField(_("办件类型"), max_length=10, choices=Kind.choices)
    statutory_days = models.PositiveIntegerField(_("法定办结时限（工作日）"))
    committed_days = models.PositiveIntegerField(_("承诺办结时限（工作日）"))
    max_visits = models.PositiveSmallIntegerField(_("到现场次数"), default=1)
    fee_required = models.BooleanField(_("是否收费"), default=False)
    fee_description = models.TextField(_("收费标准"), blank=True)
    fee_basis = models.TextField(_("收费依据"), blank=True)
    conditions = models.TextField(_("受理条件"), blank=True)
    legal_basis = models.TextField(_("设定依据"), blank=True)
    handling_level = models.CharField(_("行使层级"), max_length=10, choices=Level.choices, default=Level.DISTRICT)
    on_one_window = models.BooleanField(_("部署至一窗平台"), default=False)
    online_depth = models.PositiveSmallIntegerField(
        _("网上办理深度"), choices=OnlineDepth.choices, default=OnlineDepth.INFORMATION
    )
    on_mobile = models.BooleanField(_("赣服通可办"), default=False)
    off_hours_bookable = models.BooleanField(_("可预约延时错时服务"), default=False)
    agent_eligible = models.BooleanField(_("可代办"), default=False)
    audience = models.CharField(
        _("服务对象"),
        max_length=12,
        choices=[("citizen", _("自然人")), ("enterprise", _("法人")), ("both", _("自然人、法人"))],
        default="citizen",
    )
    commitment_text = models.TextField(_("告知承诺书"), blank=True)
    # The application form, as data: [{"name":..., "label":..., "type": "text|number|date|choice|textarea", "required": bool, "choices": [...]}]
    form_schema = models.JSONField(_("申请表字段"), default=list, blank=True)
    # 网上预审: the department checks an online application before the front desk accepts it
    # (cases.prereview). Part of the implementation list, so versioned with the form.
    online_prereview = models.BooleanField(_("网上预审"), default=False)
    consult_phone = models.CharField(_("咨询电话"), max_length=32, blank=True)
    complaint_phone = models.CharField(_("监督投诉电话"), max_length=32, blank=True)
    handling_place = models.CharField(_("办理地点"), max_length=200, blank=True)
    handling_hours = models.CharField(_("办理时间"), max_length=200, blank=True)
    change_note = models.TextField(_("修订说明"), blank=True)
    # For a matter that implements a province standard: the standard's revision whose basic fields
    # this version carries (publishing a version of an older revision is refused).
    standard_revision = models.PositiveIntegerField(_("基本目录修订号"), null=True, blank=True, editable=False)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "matter__department__county"

    class Meta:
        verbose_name = _("事项版本")
        verbose_name_plural = _("事项版本")
        ordering = ["matter", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["matter", "number"], name="uniq_matter_version_number"),
            models.CheckConstraint(condition=Q(committed_days__lte=F("statutory_days")), name="committed_within_statutory"),
            # At most one draft per matter, so two editors cannot fork the next version.
            models.UniqueConstraint(fields=["matter"], condition=Q(status="draft"), name="one_draft_per_matter"),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"

    @property
    def is_online_capable(self) -> bool:
        return self.online_depth >= ONLINE_CAPABLE_DEPTH

    @property
    def is_zero_trip(self) -> bool:
        return self.max_visits == 0

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Published versions are immutable: the only change allowed is retiring one.
        if self.pk:
            stored = MatterVersion.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored in (self.Status.PUBLISHED, self.Status.RETIRED) and not getattr(self, "_allow_retire", False):
                from .errors import VersionImmutable

                raise VersionImmutable()
        super().save(*args, **kwargs)


class StandardMatter(PublicModel):
    """An entry of the province's standard catalog (省级政务服务事项基本目录): the basic code and
    the basic fields that every county's implementation of the matter carries unchanged. A change
    here is a new revision, which reaches each implementing county as a new draft version of its
    matter for its catalog administrator to publish (catalog/services/standards.py). Province-wide:
    no county owns it."""

    # The fields a county may not change in its implementation (the rest are its implementation list).
    BASIC_FIELDS = ("name", "matter_type", "legal_basis", "statutory_days")

    basic_code = models.CharField(_("基本编码"), max_length=40, unique=True)
    revision = models.PositiveIntegerField(_("修订号"), default=1)
    name = models.CharField(_("事项名称"), max_length=200)
    matter_type = models.CharField(_("事项类型"), max_length=16, choices=MatterVersion.MatterType.choices)
    legal_basis = models.TextField(_("设定依据"), blank=True)
    statutory_days = models.PositiveIntegerField(_("法定办结时限（工作日）"))
    revision_note = models.TextField(_("修订说明"), blank=True)
    # 取消: the province takes the entry out of its catalog from a date (services/standards.py,
    # standard_retire). The row stays: the counties' matters and their cases still name it.
    retired_on = models.DateField(_("取消生效日期"), null=True, blank=True)
    retire_reason = models.TextField(_("取消原因"), blank=True)

    class Meta:
        verbose_name = _("省级基本目录事项")
        verbose_name_plural = _("省级基本目录事项")
        ordering = ["basic_code"]

    def __str__(self) -> str:
        return f"{self.basic_code} {self.name}"

    def basic(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.BASIC_FIELDS}


class ProvidedBy(models.TextChoices):
    NONE = "", _("需提交")
    FORM = "form", _("在线填写的申请表")
    IDENTITY = "identity", _("实名认证的身份信息")
    ENTERPRISE = "enterprise", _("已认证的企业登记信息")


class MaterialRequirement(TimeStampedModel):
    class Form(models.TextChoices):
        ORIGINAL = "original", _("原件")
        COPY = "copy", _("复印件")
        ELECTRONIC = "electronic", _("电子件")

    class Need(models.TextChoices):
        REQUIRED = "required", _("必须")
        CONDITIONAL = "conditional", _("容缺/情形")

    version = models.ForeignKey(MatterVersion, on_delete=models.CASCADE, related_name="materials")
    name = models.CharField(_("材料名称"), max_length=200)
    form = models.CharField(_("材料形式"), max_length=12, choices=Form.choices, default=Form.ORIGINAL)
    quantity = models.PositiveSmallIntegerField(_("份数"), default=1)
    need = models.CharField(_("必要性"), max_length=12, choices=Need.choices, default=Need.REQUIRED)
    condition_text = models.CharField(_("适用情形"), max_length=200, blank=True)
    template = models.FileField(_("空白表格/示范文本"), upload_to="templates/", blank=True)
    # Same key across matters = same document; bundles merge on it and the material library reuses it.
    shared_key = models.SlugField(_("共享材料标识"), max_length=64, blank=True)
    accepts = models.CharField(_("允许的文件类型"), max_length=32, default="pdf,image")
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    # What the platform already has instead of an upload: the online application form (its
    # `form_fields` capture the document's whole content), the applicant's verified identity,
    # or the enterprise's verified registration. Such a line is never asked for as an upload
    # (apply flow, intake checklist, supplement notices); see catalog.prefilled.
    provided_by = models.CharField(_("免于提交（平台已有）"), max_length=12, choices=ProvidedBy.choices, blank=True, default="")
    form_fields = models.JSONField(_("对应申请表字段"), default=list, blank=True)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "version__matter__department__county"

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["version", "sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class Bundle(PublicModel):
    """一件事: several matters applied for together with one form and one merged material list."""

    code = models.CharField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    service_area = models.ForeignKey("hall.ServiceArea", null=True, blank=True, on_delete=models.SET_NULL, related_name="bundles")
    # 牵头部门: decides and concludes a joint case; when empty, the department of the first matter.
    lead_department = models.ForeignKey(
        "accounts.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_bundles",
        verbose_name=_("牵头部门"),
    )
    matters: models.ManyToManyField[Matter, BundleItem] = models.ManyToManyField(
        Matter, through="BundleItem", related_name="bundles"
    )
    is_active = models.BooleanField(_("启用"), default=True)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = ("lead_department__county", "items__matter__department__county")

    class Meta:
        verbose_name = _("一件事")
        verbose_name_plural = _("一件事")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class BundleItem(models.Model):
    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="items")
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="+")
    sort_order = models.PositiveSmallIntegerField(default=0)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "matter__department__county"

    class Meta:
        ordering = ["bundle", "sort_order"]
        constraints = [models.UniqueConstraint(fields=["bundle", "matter"], name="uniq_bundle_matter")]

    def __str__(self) -> str:
        return f"{self.bundle_id}:{self.matter_id}"


class Delegation(PublicModel):
    """赋权: a district matter handed down to townships (F13, F14)."""

    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="delegations", verbose_name=_("事项"))
    township = models.ForeignKey(
        "accounts.OrgUnit", on_delete=models.PROTECT, related_name="delegations", verbose_name=_("承接乡镇（街道）")
    )
    effective_on = models.DateField(_("生效日期"))
    document = models.CharField(_("赋权文件"), max_length=200, blank=True)
    revoked_on = models.DateField(_("收回日期"), null=True, blank=True)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "matter__department__county"

    class Meta:
        verbose_name = _("赋权事项")
        verbose_name_plural = _("赋权事项")
        constraints = [models.UniqueConstraint(fields=["matter", "township", "effective_on"], name="uniq_delegation")]


class MatterCodeSequence(models.Model):
    """The next sequence number of matter codes per department and matter type.

    Codes are numbered by incrementing this row inside the creating transaction (a row lock on
    PostgreSQL, the write lock on SQLite), so two concurrent creations never get the same number.
    """

    department = models.ForeignKey("accounts.OrgUnit", on_delete=models.CASCADE, related_name="+")
    type_code = models.CharField(max_length=4)
    last_value = models.PositiveIntegerField(default=0)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "department__county"

    class Meta:
        verbose_name = _("事项编码序号")
        verbose_name_plural = _("事项编码序号")
        constraints = [models.UniqueConstraint(fields=["department", "type_code"], name="uniq_matter_code_sequence")]

    def __str__(self) -> str:
        return f"{self.department_id}-{self.type_code}: {self.last_value}"


class SearchSynonym(TimeStampedModel):
    """A common name people search with (社保卡, 户口) and the catalog's own words for it
    (社会保障卡; 户籍, 落户). Edited by the catalog administrator in the admin; the catalog search
    (`selectors.search_matters`) looks for a matter under any of the words."""

    term = models.CharField(_("群众常用说法"), max_length=32, unique=True)
    words = models.CharField(_("事项中的规范用语"), max_length=200, help_text=_("用逗号或顿号分隔，例如：社会保障卡、社保"))

    class Meta:
        verbose_name = _("搜索同义词")
        verbose_name_plural = _("搜索同义词")
        ordering = ["term"]

    def __str__(self) -> str:
        return f"{self.term} → {self.words}"

    def word_list(self) -> list[str]:
        import re

        return [w for w in (p.strip().lower() for p in re.split(r"[,，、;；\s]+", self.words)) if w and w != self.term.lower()]
