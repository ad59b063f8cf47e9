"""告知承诺备案: instant filing on a signed commitment.

A `Filing` is complete the moment the applicant signs: the exact commitment text is copied into
the row with its SHA-256, the signer's name and (masked) ID, and the time. The filing number is
derived from the database-assigned primary key, so numbers never collide (no max()+1).

A spot check (事后核查, `SpotCheck`) that finds a false commitment revokes the filing and writes a
`CommitmentBreach` against the applicant (the enterprise when filed for one, else the person);
while a breach is not cleared by an administrator the applicant cannot file on commitment again.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onewindow.core.fieldcrypto.fields import EncryptedJSONField
from onewindow.core.models import PublicModel


class Filing(PublicModel):
    class Status(models.TextChoices):
        ACTIVE = "active", _("已备案")
        REVOKED = "revoked", _("已撤销")

    number = models.CharField(_("备案编号"), max_length=24, unique=True, null=True, blank=True)
    matter_version = models.ForeignKey(
        "catalog.MatterVersion", on_delete=models.PROTECT, related_name="filings", verbose_name=_("事项版本")
    )
    department = models.ForeignKey(
        "accounts.OrgUnit", on_delete=models.PROTECT, related_name="filings", verbose_name=_("备案部门")
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="filings", verbose_name=_("申请人")
    )
    enterprise = models.ForeignKey(
        "accounts.Enterprise", null=True, blank=True, on_delete=models.PROTECT, related_name="filings", verbose_name=_("企业")
    )
    title = models.CharField(_("事项"), max_length=200)
    # Encrypted at rest like a case's form (core/fieldcrypto/fields.EncryptedJSONField).
    form_data = EncryptedJSONField(_("备案信息"), default=dict, blank=True)
    signer_name = models.CharField(_("签署人"), max_length=64)
    signer_id_masked = models.CharField(_("签署人证件号"), max_length=18)
    commitment_text = models.TextField(_("承诺书全文"))
    text_sha256 = models.CharField(_("承诺书摘要 SHA-256"), max_length=64)
    signed_at = models.DateTimeField(_("签署时间"), db_index=True)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoke_reason = models.TextField(_("撤销原因"), blank=True)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "department__county"

    class Meta:
        verbose_name = _("备案")
        verbose_name_plural = _("备案")
        ordering = ["-signed_at", "-id"]
        indexes = [models.Index(fields=["matter_version", "signed_at"])]

    def __str__(self) -> str:
        return f"{self.number or '-'} {self.title}"


class SpotCheck(PublicModel):
    class Result(models.TextChoices):
        CONSISTENT = "consistent", _("承诺属实")
        FALSE = "false", _("虚假承诺")

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="spot_checks")
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("核查人"))
    result = models.CharField(_("核查结果"), max_length=12, choices=Result.choices)
    note = models.TextField(_("核查记录"), blank=True)
    checked_at = models.DateTimeField(_("核查时间"))

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "filing__department__county"

    class Meta:
        verbose_name = _("事后核查")
        verbose_name_plural = _("事后核查")
        ordering = ["-checked_at"]


class CommitmentBreach(PublicModel):
    """A false commitment recorded against a person or an enterprise (失信记录)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="commitment_breaches"
    )
    enterprise = models.ForeignKey(
        "accounts.Enterprise", null=True, blank=True, on_delete=models.PROTECT, related_name="commitment_breaches"
    )
    filing = models.OneToOneField(Filing, on_delete=models.PROTECT, related_name="breach")
    recorded_at = models.DateTimeField(_("记录时间"))
    cleared_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    cleared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    clear_reason = models.TextField(_("解除理由"), blank=True)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "filing__department__county"

    class Meta:
        verbose_name = _("虚假承诺记录")
        verbose_name_plural = _("虚假承诺记录")
        ordering = ["-recorded_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(enterprise__isnull=True))
                | (Q(user__isnull=True) & Q(enterprise__isnull=False)),
                name="breach_one_party",
            )
        ]
