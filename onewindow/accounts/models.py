from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onewindow.core.fieldcrypto.fields import BlindIndexField, EncryptedCharField, EncryptedQuerySet
from onewindow.core.identity import is_residence_permit, mask
from onewindow.core.models import PublicModel, TimeStampedModel


class County(models.Model):
    """A county (区县), the tenant of the platform: it owns its org tree and, through it, its
    catalog, hall, staff and their data (docs/tenancy.md). Keyed by its 6-digit administrative
    division code, which starts its matter codes."""

    code = models.CharField(_("行政区划代码"), max_length=6, primary_key=True)
    name = models.CharField(_("名称"), max_length=50)
    # The city (地级市) above it: the grouping of the city roll-ups.
    city_code = models.CharField(_("所属市代码"), max_length=6)
    # The letters that start its case numbers (QY20261207…), unique so a number names its county.
    case_prefix = models.CharField(_("办件编号前缀"), max_length=4, unique=True)

    county_lookup = "pk"

    class Meta:
        verbose_name = _("区县")
        verbose_name_plural = _("区县")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{6}$"), name="county_code_six_digits"),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def default(cls) -> County:
        """The deployment's first county (setting ONEWINDOW_REGION_CODE): the county of a tree
        created without one. Created on first use so a fresh database needs no fixture."""
        from django.conf import settings

        code = settings.ONEWINDOW_REGION_CODE
        county = cls.objects.filter(pk=code).first()
        if county is None:
            county, _created = cls.objects.get_or_create(
                pk=code,
                defaults={"name": DEFAULT_COUNTY_NAMES.get(code, code), "city_code": code[:4] + "00", "case_prefix": "QY"},
            )
        return county


# The name of the default county when the database creates it (the demo's district).
DEFAULT_COUNTY_NAMES = {"360803": "青原区"}

# County code -> case number prefix, read once per process: every case filed needs it, and a
# county's prefix never changes (emptied when a county is saved, accounts/apps.py).
_CASE_PREFIXES: dict[str, str] = {}


def case_prefix(county_code: str) -> str:
    prefix = _CASE_PREFIXES.get(county_code)
    if prefix is None:
        prefix = County.objects.filter(pk=county_code).values_list("case_prefix", flat=True).first() or "QY"
        _CASE_PREFIXES[county_code] = prefix
    return prefix


def forget_case_prefixes(**_kwargs: object) -> None:
    _CASE_PREFIXES.clear()


class OrgUnit(PublicModel):
    """A node of the organisation tree: district > department / township > village.

    `path` is a materialised path so a subtree is one indexed prefix query; role scoping ("an
    approver of 住建局 sees 住建局's cases") is built on it. Its segments are the codes from the
    root down, after the county's code ("360803/QY/ZJJ/"): a code is unique in its county only
    (issue 17: 吉州区 has its own "ZJJ"), so the county's code keeps every path, and every prefix
    query on it, inside one county.
    """

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("区人民政府")
        DEPARTMENT = "department", _("部门")
        TOWNSHIP = "township", _("乡镇")
        SUBDISTRICT = "subdistrict", _("街道")
        VILLAGE = "village", _("行政村")
        COMMUNITY = "community", _("社区")

    # Unique per county (constraint below): look a unit up by its county and code, never by code.
    code = models.CharField(_("编码"), max_length=32)
    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=32, blank=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("上级")
    )
    path = models.CharField(max_length=255, unique=True, editable=False)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    # The county whose tree this unit is in (its root's); set by org_unit_create, never changed.
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="units", verbose_name=_("区县"))

    county_lookup = "county"

    class Meta:
        verbose_name = _("组织机构")
        verbose_name_plural = _("组织机构")
        ordering = ["path"]
        constraints = [models.UniqueConstraint(fields=["county", "code"], name="orgunit_code_per_county")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_township_level(self) -> bool:
        return self.kind in (self.Kind.TOWNSHIP, self.Kind.SUBDISTRICT)

    @property
    def is_village_level(self) -> bool:
        return self.kind in (self.Kind.VILLAGE, self.Kind.COMMUNITY)


if TYPE_CHECKING:
    # The stubs' plugin cannot type a from_queryset() base of Django's generic UserManager: mypy
    # sees Django's manager of User, whose querysets are EncryptedQuerySets.
    class UserManager(DjangoUserManager["User"]):
        def get_queryset(self) -> EncryptedQuerySet[User]: ...

else:

    class UserManager(DjangoUserManager.from_queryset(EncryptedQuerySet)):
        """Django's user manager (create_user, natural keys) whose bulk writes keep the number
        hashes in step (core/fieldcrypto/fields.EncryptedQuerySet)."""


class User(AbstractUser):
    """Anyone who signs in: citizens, enterprise handlers and staff.

    The identity number is stored for real-name checks and matching; it is only ever shown through
    `masked_id_number`.
    """

    class IdType(models.TextChoices):
        RESIDENT = "resident", _("居民身份证")
        PERMIT = "permit", _("港澳台居民居住证")

        @classmethod
        def of_number(cls, number: str) -> User.IdType:
            """The document a valid 18-digit number belongs to: 81/82/83 (区域码 810000 / 820000 /
            830000) are Hong Kong, Macao and Taiwan residence permits, every other a resident ID.
            Every place that registers a person (online, the front desk, a village agent) asks here."""
            return cls.PERMIT if is_residence_permit(number) else cls.RESIDENT

    display_name = models.CharField(_("姓名"), max_length=64, blank=True)
    # ID and phone numbers are encrypted at rest; equality lookups compare the keyed hashes
    # (onewindow/core/fieldcrypto/), so `filter(id_number=...)` works as before.
    phone = EncryptedCharField(_("手机号"), max_length=20, blank=True, index_field="phone_hash")
    phone_hash = BlindIndexField(source="phone")
    # Set when the person proved they hold `phone` with an SMS code. Only a verified phone signs in
    # by SMS code or resets the password, and one phone is verified for one account at most.
    phone_verified_at = models.DateTimeField(_("手机验证时间"), null=True, blank=True)
    id_type = models.CharField(_("证件类型"), max_length=16, choices=IdType.choices, blank=True)
    id_number = EncryptedCharField(_("证件号码"), max_length=18, null=True, blank=True, index_field="id_number_hash")
    id_number_hash = BlindIndexField(source="id_number", null=True, unique=True)
    verified_at = models.DateTimeField(_("实名认证时间"), null=True, blank=True)
    care_mode = models.BooleanField(_("关怀模式"), default=False)
    # 户籍所在村（社区）: decides which township handles a delegated matter (就近办) and which
    # village agent point may apply for the person (帮你办). Empty for people of other counties.
    home_unit = models.ForeignKey(
        OrgUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="residents",
        verbose_name=_("户籍所在村（社区）"),
        limit_choices_to={"kind__in": ["village", "community"]},
    )

    objects: ClassVar[UserManager] = UserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.UniqueConstraint(
                fields=["phone_hash"], condition=Q(phone_verified_at__isnull=False), name="uniq_verified_phone"
            )
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def masked_id_number(self) -> str:
        return mask(self.id_number or "")

    @property
    def home_township(self) -> OrgUnit | None:
        """The township (or subdistrict) of the person's registered village, if known."""
        return self.home_unit.parent if self.home_unit is not None else None

    @property
    def is_staff_member(self) -> bool:
        """Works for the government (any staff role), as opposed to citizens and enterprises."""
        return self.role_assignments.filter(role__in=[r.value for r in STAFF_ROLES]).exists()

    def role_names(self) -> set[str]:
        return set(self.role_assignments.values_list("role", flat=True))

    def has_role(self, role: str, unit: OrgUnit | None = None) -> bool:
        """True if the user holds `role` at `unit` or at one of its ancestors."""
        qs = self.role_assignments.filter(role=role)
        if unit is None:
            return qs.exists()
        return qs.filter(Q(org_unit__isnull=True) | Q(org_unit__path__in=_ancestor_paths(unit.path))).exists()


def _ancestor_paths(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["".join(p + "/" for p in parts[: i + 1]) for i in range(len(parts))]


class Role(models.TextChoices):
    CITIZEN = "citizen", _("群众")
    ENTERPRISE = "enterprise", _("企业")
    CLERK = "clerk", _("前台受理人员")
    APPROVER = "approver", _("后台审批人员")
    TOWNSHIP_OFFICER = "township_officer", _("乡镇工作人员")
    AGENT = "agent", _("村级代办员")
    HALL_MANAGER = "hall_manager", _("大厅管理员")
    ADMIN = "admin", _("系统管理员")
    LEADER = "leader", _("领导")
    # 三员分立 (accounts/duties.py): the system administrator is ADMIN above.
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")


STAFF_ROLES = {
    Role.CLERK,
    Role.APPROVER,
    Role.TOWNSHIP_OFFICER,
    Role.AGENT,
    Role.HALL_MANAGER,
    Role.ADMIN,
    Role.LEADER,
    Role.SECURITY_ADMIN,
    Role.AUDIT_ADMIN,
}


class RoleAssignment(TimeStampedModel):
    """A role held at an org unit (and its subtree). Staff roles always name their unit."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("用户"))
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    org_unit = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="role_assignments", verbose_name=_("所属机构")
    )

    # The way to its county (core/tenancy.py); a role naming no unit is the platform's.
    county_lookup = "org_unit__county"

    class Meta:
        verbose_name = _("角色分配")
        verbose_name_plural = _("角色分配")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "org_unit"], name="uniq_role_assignment"),
            models.CheckConstraint(
                condition=Q(role__in=["citizen", "enterprise", "admin", "security_admin", "audit_admin"])
                | Q(org_unit__isnull=False),
                name="staff_role_has_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.get_role_display()} @ {self.org_unit or '-'}"


class Enterprise(PublicModel):
    """An enterprise or sole trader (个体工商户), identified by its unified social credit code."""

    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    legal_representative = models.CharField(_("法定代表人"), max_length=64)
    is_sole_trader = models.BooleanField(_("个体工商户"), default=False)
    verified_at = models.DateTimeField(_("认证时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")

    def __str__(self) -> str:
        return self.name

    @property
    def masked_uscc(self) -> str:
        return mask(self.uscc)


class EnterpriseHandler(TimeStampedModel):
    """A user authorised to act for an enterprise (the legal representative or a handler, 经办人)."""

    class Kind(models.TextChoices):
        LEGAL_REPRESENTATIVE = "legal", _("法定代表人")
        HANDLER = "handler", _("经办人")

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="handlers")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="enterprise_roles")
    kind = models.CharField(_("身份"), max_length=8, choices=Kind.choices, default=Kind.HANDLER)

    class Meta:
        verbose_name = _("企业经办人")
        verbose_name_plural = _("企业经办人")
        constraints = [models.UniqueConstraint(fields=["enterprise", "user"], name="uniq_enterprise_handler")]


class LoginFailure(models.Model):
    """One failed sign-in. Lockout counts the recent rows per username and per client address, so
    the lock survives restarts and holds across worker processes; old rows are purged by a sweep."""

    username = models.CharField(_("用户名"), max_length=150, db_index=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True, db_index=True)
    at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        verbose_name = _("登录失败记录")
        verbose_name_plural = _("登录失败记录")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.username}@{self.ip} {self.at:%Y-%m-%d %H:%M}"


class ApiToken(PublicModel):
    """A bearer token for the mobile app. Only a SHA-256 of the secret is stored; the secret is shown
    once when the token is created."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("用户"))
    name = models.CharField(_("名称"), max_length=64, blank=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("前缀"), max_length=8, editable=False)
    expires_at = models.DateTimeField(_("过期时间"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class PhoneCode(models.Model):
    """An SMS code sent to a phone for one purpose (sign-in, password reset, verifying the number of
    a signed-in account). Only a keyed hash of
    the phone and a hash of the code are stored: neither the table nor the admin shows a number
    with its code. A code is used once, expires, and dies after a few wrong tries (counted by a
    conditional UPDATE, so parallel guesses cannot exceed them)."""

    class Purpose(models.TextChoices):
        LOGIN = "login", _("短信登录")
        RESET = "reset", _("找回密码")
        VERIFY = "verify", _("验证手机号")
        SECOND = "second", _("工作人员二次验证")

    phone_key = models.CharField(max_length=32, db_index=True)
    purpose = models.CharField(_("用途"), max_length=8, choices=Purpose.choices)
    code_hash = models.CharField(max_length=64)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="phone_codes")
    created_at = models.DateTimeField(_("发送时间"), db_index=True)
    expires_at = models.DateTimeField(_("过期时间"))
    attempts = models.PositiveSmallIntegerField(_("错误次数"), default=0)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.created_at:%Y-%m-%d %H:%M}"


class PasswordHistory(models.Model):
    """The hashes of a staff account's earlier passwords (等保: no reuse of the last N) and when
    each was set (expiry). Only staff accounts keep a history (accounts/passwords.py)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history", verbose_name=_("用户"))
    password = models.CharField(_("密码摘要"), max_length=128)
    set_at = models.DateTimeField(_("设置时间"), db_index=True)

    class Meta:
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")
        ordering = ["-set_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} {self.set_at:%Y-%m-%d}"


class PrivacyConsent(models.Model):
    """A person's consent to the privacy notice (个人信息保护告知, PIPL art. 13-17): which version of
    the notice they agreed to, when, and through which channel. Written with the account at
    registration (accounts/consent.py); a later version of the notice adds a row, never rewrites one."""

    class Channel(models.TextChoices):
        WEB = "web", _("网页")
        API = "api", _("接口（移动端）")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="privacy_consents", verbose_name=_("用户"))
    notice_version = models.CharField(_("告知版本"), max_length=32)
    given_at = models.DateTimeField(_("同意时间"))
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)

    class Meta:
        verbose_name = _("个人信息处理同意记录")
        verbose_name_plural = _("个人信息处理同意记录")
        ordering = ["-given_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "notice_version"], name="one_consent_per_notice_version")]

    def __str__(self) -> str:
        return f"{self.user} {self.notice_version} {self.given_at:%Y-%m-%d %H:%M}"


class CalendarOverride(TimeStampedModel):
    """A county's change to the national working calendar (core.WorkCalendarDay) on one day: a rest
    day there (a local festival of an ethnic autonomous area, offices closed by a flood or typhoon
    order) or a working day (a local 调休). Issue 17: a county owns its calendar overrides.

    Here rather than in core, keyed by a code string: the row belongs to a county like every other
    county setting (ratings.CountyRules, welfare.Standard), so the foreign key keeps it to a real
    county, the admin scopes it and its county choice through `county_lookup` as it does the
    others, and core still knows no county model. Core reads the rows through the hook
    `core.calendar_overrides` (accounts/calendar.py), in the same statement as the national table,
    so no clock pays a statement more (core/workdays.py). Written only by
    accounts.calendar.calendar_override_add/_change/_remove (audited; open due dates recomputed)."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="calendar_overrides", verbose_name=_("区县"))
    date = models.DateField(_("日期"))
    is_workday = models.BooleanField(_("工作日"), help_text=_("勾选：该日在本区县上班（调休）；不勾选：该日在本区县休息。"))
    name = models.CharField(_("名称"), max_length=64, help_text=_("如“三月三”“防汛停止办公”“调休上班”。"))
    # The legal basis: the county government's notice, the emergency order. Required by the
    # service (an override moves people's deadlines; someone must be able to say why).
    reason = models.TextField(_("事由及依据"))
    created_by = models.ForeignKey(
        "User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("录入人")
    )

    county_lookup = "county"

    class Meta:
        verbose_name = _("区县工作日历调整")
        verbose_name_plural = _("区县工作日历调整")
        ordering = ["county", "date"]
        constraints = [
            models.UniqueConstraint(fields=["county", "date"], name="calendar_override_one_per_county_day"),
        ]

    def __str__(self) -> str:
        return f"{self.county_id} {self.date} {self.name}"
