"""赋权 batches, their revocation, and the district's supervision of delegated work.

A `DelegationBatch` is drafted by a district officer (matters, receiving townships, effective date,
legal basis, training and hand-over documents) and published once: publishing creates one
`catalog.Delegation` per matter and township, which `cases.routing` then uses to send new cases to
the township. A `DelegationRevocation` records why and by whom one matter was taken back from one
township (it sets `Delegation.revoked_on`). A `SupervisionReview` is a township case drawn by the
district department for review, with its recorded result.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.core.models import PublicModel


def default_county() -> str:
    """The deployment's first county (a single-county deployment names none)."""
    from onewindow.accounts.models import County

    return County.default().pk


class DelegationBatch(PublicModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")

    # The county whose district departments hand the powers down: a draft names no matter or
    # township yet, so the batch carries its owner (docs/tenancy.md).
    county = models.ForeignKey(
        "accounts.County", on_delete=models.PROTECT, related_name="+", default=default_county, verbose_name=_("区县")
    )
    title = models.CharField(_("批次名称"), max_length=200)
    legal_basis = models.TextField(_("赋权依据（文件名称、文号）"))
    effective_on = models.DateField(_("生效日期"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    note = models.TextField(_("说明"), blank=True)
    matters = models.ManyToManyField("catalog.Matter", blank=True, related_name="+", verbose_name=_("赋权事项"))
    townships = models.ManyToManyField("accounts.OrgUnit", blank=True, related_name="+", verbose_name=_("承接乡镇（街道）"))
    # Filled when the batch is published: one per matter and township.
    delegations = models.ManyToManyField("catalog.Delegation", blank=True, related_name="batches", verbose_name=_("赋权记录"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("起草人")
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("发布人")
    )

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "county"

    class Meta:
        verbose_name = _("赋权批次")
        verbose_name_plural = _("赋权批次")
        ordering = ["-effective_on", "-created_at"]

    def __str__(self) -> str:
        return self.title


class BatchDocument(PublicModel):
    """A document of a batch, in private storage: the training material and the hand-over list the
    township receives with the power, or the decision itself."""

    class Kind(models.TextChoices):
        DECISION = "decision", _("赋权文件")
        TRAINING = "training", _("业务培训材料")
        HANDOVER = "handover", _("交接清单")

    batch = models.ForeignKey(DelegationBatch, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("文件名"), max_length=200)
    storage_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "batch__county"

    class Meta:
        verbose_name = _("赋权批次文件")
        verbose_name_plural = _("赋权批次文件")
        ordering = ["batch", "kind", "id"]

    def __str__(self) -> str:
        return self.name


class DelegationRevocation(PublicModel):
    """Why one matter was taken back from one township (at most once per delegation)."""

    delegation = models.OneToOneField("catalog.Delegation", on_delete=models.PROTECT, related_name="revocation")
    revoked_on = models.DateField(_("收回日期"))
    reason = models.TextField(_("收回理由"))
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人")
    )

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "delegation__township__county"

    class Meta:
        verbose_name = _("收回赋权")
        verbose_name_plural = _("收回赋权")
        ordering = ["-revoked_on"]


class SupervisionReview(PublicModel):
    """A township case of a delegated matter drawn by the district department for review."""

    class Result(models.TextChoices):
        PENDING = "pending", _("待评查")
        COMPLIANT = "compliant", _("规范")
        ISSUES = "issues", _("存在问题")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="supervision_reviews")
    department = models.ForeignKey("accounts.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("监管部门"))
    township = models.ForeignKey("accounts.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("承办乡镇"))
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    result = models.CharField(_("评查结果"), max_length=10, choices=Result.choices, default=Result.PENDING, db_index=True)
    finding = models.TextField(_("评查意见"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("评查人")
    )
    reviewed_at = models.DateTimeField(_("评查时间"), null=True, blank=True)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "township__county"

    class Meta:
        verbose_name = _("抽查评查")
        verbose_name_plural = _("抽查评查")
        ordering = ["-created_at"]
        constraints = [
            # A case is drawn at most once by a department, even when two officers draw at once.
            models.UniqueConstraint(fields=["case", "department"], name="uniq_review_case_department"),
        ]
