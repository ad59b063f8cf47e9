from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .fieldcrypto.fields import BlindIndexField, EncryptedCharField, EncryptedManager


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class PublicModel(TimeStampedModel):
    """A model addressed by a UUID in URLs, never by its primary key."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True


class AuditEntry(models.Model):
    """Append-only record of every state change, written in the same transaction as the change."""

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人")
    )
    action = models.CharField(_("动作"), max_length=64, db_index=True)
    target_type = models.CharField(_("对象类型"), max_length=64)
    target_id = models.CharField(_("对象标识"), max_length=64)
    data = models.JSONField(_("数据"), default=dict, blank=True)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        indexes = [models.Index(fields=["target_type", "target_id"])]
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_type}:{self.target_id}"


class AuditSeal(models.Model):
    """One link of the audit log's hash chain (core/auditchain.py): the entry's canonical text
    hashed with the previous link's digest, so that changing, removing or reordering an entry
    breaks every later link. Written by the sealing sweep, never by the request that made the
    entry, so audited writes do not queue on one chain head."""

    seq = models.PositiveBigIntegerField(unique=True)
    entry = models.OneToOneField(AuditEntry, on_delete=models.PROTECT, related_name="seal")
    digest = models.CharField(max_length=64)
    sealed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("审计日志封印")
        verbose_name_plural = _("审计日志封印")

    def __str__(self) -> str:
        return f"#{self.seq} {self.digest[:12]}"


class AuditChainHead(models.Model):
    """The single row the sealing sweep locks: the chain's last link and the rolling verification
    cursor (the whole chain is re-verified piece by piece, so old tampering is found too)."""

    last_seq = models.PositiveBigIntegerField(default=0)
    last_digest = models.CharField(max_length=64, default="0" * 64)
    last_entry_id = models.PositiveBigIntegerField(default=0)
    verified_upto = models.PositiveBigIntegerField(default=0)
    broken_at = models.PositiveBigIntegerField(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    # After the audit administrator purged entries older than the retention period
    # (`manage.py purge_audit`), the chain starts after link `base_seq`, whose digest is kept here.
    base_seq = models.PositiveBigIntegerField(default=0)
    base_digest = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("审计链状态")
        verbose_name_plural = _("审计链状态")

    def __str__(self) -> str:
        return f"#{self.last_seq}"


class WorkCalendarDay(models.Model):
    """One calendar day and whether government offices work on it.

    Seeded from chinesecalendar (holidays and 调休 make-up workdays); administrators add a new year's
    official schedule here when the State Council publishes it. Deadlines are computed only from
    this table so that a missing year is a clear error rather than a library's guess.
    """

    date = models.DateField(_("日期"), primary_key=True)
    is_workday = models.BooleanField(_("工作日"))
    holiday_name = models.CharField(_("节假日"), max_length=64, blank=True)
    source = models.CharField(_("来源"), max_length=32, default="chinesecalendar")

    class Meta:
        verbose_name = _("工作日历")
        verbose_name_plural = _("工作日历")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'workday' if self.is_workday else 'rest'}"


class Notification(TimeStampedModel):
    """Outbox row. Written in the business transaction; delivered by the worker after commit."""

    class Channel(models.TextChoices):
        SMS = "sms", _("短信")
        EMAIL = "email", _("电子邮件")
        SITE = "site", _("站内消息")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    # A phone number (or an address / user name): encrypted at rest like every number
    # (core/fieldcrypto/); the worker reads it decrypted when it sends.
    recipient = EncryptedCharField(_("接收方"), max_length=254, index_field="recipient_hash")
    recipient_hash = BlindIndexField(source="recipient")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    subject = models.CharField(_("主题"), max_length=200, blank=True)
    body = models.TextField(_("内容"))
    kind = models.CharField(_("类别"), max_length=64, blank=True, db_index=True)
    # Lets a caller make a notification idempotent (e.g. one reminder per booking and kind).
    dedupe_key = models.CharField(max_length=128, null=True, blank=True, unique=True)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    objects = EncryptedManager()

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.channel}:{self.recipient} {self.subject}"


class RateLimitHit(models.Model):
    """Hits of one rate-limit key in one fixed window. Counted by a conditional UPDATE (or the
    first INSERT) in the database, so every web worker shares one count and two concurrent
    requests can never both take the last hit."""

    key = models.CharField(max_length=160)
    window_start = models.DateTimeField()
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("限流计数")
        verbose_name_plural = _("限流计数")
        constraints = [models.UniqueConstraint(fields=["key", "window_start"], name="uniq_ratelimit_window")]
        indexes = [models.Index(fields=["window_start"], name="ratelimit_window_idx")]

    def __str__(self) -> str:
        return f"{self.key} {self.window_start:%H:%M} {self.hits}"


class UnownedWork(models.Model):
    """Waiting work that nobody holds, as the last ownership sweep found it (core.ownership). The
    supervisor's page lists these; a row goes away when its work finds an owner or stops waiting."""

    key = models.CharField(max_length=120, unique=True)
    # The action and the reason in the source language (msgids): pages show them translated.
    action = models.CharField(_("待办事项"), max_length=20)
    subject = models.CharField(_("对象"), max_length=200)
    reason = models.CharField(_("原因"), max_length=200)
    url = models.CharField(max_length=200, blank=True)
    first_seen = models.DateTimeField(_("首次发现"))
    last_seen = models.DateTimeField(_("最近发现"))

    class Meta:
        verbose_name = _("无人负责的待办")
        verbose_name_plural = _("无人负责的待办")
        ordering = ["first_seen", "id"]

    def __str__(self) -> str:
        return f"{self.subject}: {self.reason}"


class RollupMark(models.Model):
    """How far a rollup (figures kept per day and month) has read its source's event log: the
    highest event id already counted. Its row lock also keeps two refreshes of one rollup apart."""

    name = models.CharField(max_length=32, primary_key=True)
    last_id = models.BigIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("统计汇总进度")
        verbose_name_plural = _("统计汇总进度")

    def __str__(self) -> str:
        return f"{self.name}: {self.last_id}"


class ServiceHeartbeat(models.Model):
    """The last sign of life of a background process: one row per DB worker (`worker:<id>`) and one
    for the scheduler. Written every few seconds by the process itself (core.health.beat); read by
    the health endpoints and by the sweep that recovers tasks whose worker died."""

    key = models.CharField(max_length=80, primary_key=True)
    kind = models.CharField(max_length=16, db_index=True)
    beat_at = models.DateTimeField(db_index=True)
    started_at = models.DateTimeField()
    pid = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("后台进程心跳")
        verbose_name_plural = _("后台进程心跳")

    def __str__(self) -> str:
        return f"{self.key} {self.beat_at:%Y-%m-%d %H:%M:%S}"


class UploadQuota(models.Model):
    """Bytes of uploaded files stored for one user, against `ONEWINDOW_UPLOAD_QUOTA_MB`. Charged
    by a conditional UPDATE (core/uploads.charge_quota), in the transaction that stores the file."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    bytes_used = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("上传空间")
        verbose_name_plural = _("上传空间")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.bytes_used}"
