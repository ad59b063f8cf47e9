"""The personal material library (材料库) and application drafts.

A `LibraryItem` is a document an applicant holds (ID card scan, business licence...) stored once
and reused by every application whose requirement carries the same `shared_key` (数据跑路). Items
belong to a person or to an enterprise (then every handler of it may use them). Certificates the
platform itself issued are not copied here: they are read live from concluded cases (see
selectors.issued_documents) and trusted without re-upload.

An `ApplicationDraft` is an online application in progress, kept on the server so the applicant can
continue on another device; it becomes a case on submit.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onewindow.core.fieldcrypto.fields import EncryptedJSONField
from onewindow.core.models import PublicModel


class LibraryItem(PublicModel):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="library_items",
        verbose_name=_("所有人"),
    )
    enterprise = models.ForeignKey(
        "accounts.Enterprise",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="library_items",
        verbose_name=_("企业"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("上传人")
    )
    shared_key = models.SlugField(_("共享材料标识"), max_length=64, blank=True, db_index=True)
    name = models.CharField(_("材料名称"), max_length=200)
    storage_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    # Removed by the owner: hidden from the library, the file kept because submitted cases point at it.
    removed_at = models.DateTimeField(_("删除时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("材料库材料")
        verbose_name_plural = _("材料库材料")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(owner__isnull=False) & Q(enterprise__isnull=True))
                | (Q(owner__isnull=True) & Q(enterprise__isnull=False)),
                name="library_item_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ApplicationDraft(PublicModel):
    class Status(models.TextChoices):
        OPEN = "open", _("填写中")
        SUBMITTED = "submitted", _("已提交")
        ABANDONED = "abandoned", _("已放弃")

    class Step(models.TextChoices):
        CONDITIONS = "conditions", _("条件确认")
        FORM = "form", _("填写申请表")
        MATERIALS = "materials", _("上传材料")
        REVIEW = "review", _("确认提交")

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="application_drafts", verbose_name=_("申请人")
    )
    enterprise = models.ForeignKey(
        "accounts.Enterprise", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("企业")
    )
    matter_version = models.ForeignKey(
        "catalog.MatterVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("事项版本")
    )
    bundle = models.ForeignKey(
        "catalog.Bundle", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("一件事")
    )
    # "<matter|bundle>:<uuid>:<enterprise uuid or ->": one open draft per applicant and subject.
    subject_key = models.CharField(max_length=120)
    title = models.CharField(_("事项"), max_length=200)
    step = models.CharField(_("步骤"), max_length=12, choices=Step.choices, default=Step.CONDITIONS)
    conditions_confirmed = models.BooleanField(default=False)
    # The form as typed so far, encrypted at rest like the case's (core/fieldcrypto/fields.EncryptedJSONField).
    form_data = EncryptedJSONField(default=dict, blank=True)
    # requirement key -> {"source": "library"|"issued", "ref": "<uuid>"}
    materials = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    revision = models.PositiveIntegerField(default=0)
    case_uuid = models.UUIDField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("网上申请草稿")
        verbose_name_plural = _("网上申请草稿")
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "subject_key"], condition=Q(status="open"), name="one_open_draft_per_subject"
            ),
            models.CheckConstraint(
                condition=(Q(matter_version__isnull=False) & Q(bundle__isnull=True))
                | (Q(matter_version__isnull=True) & Q(bundle__isnull=False)),
                name="draft_matter_xor_bundle",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.applicant})"
