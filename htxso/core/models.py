"""Users, the audit log and administrative units (current 34/3,321; legacy 63-province tree)."""

from django.contrib.auth.models import AbstractUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from .roles import NATIONAL_ROLES, Role
from .scoping import Kind, Scope, ScopedQuerySet


class User(AbstractUser):
    role = models.CharField(_("vai trò"), max_length=32, choices=Role.choices, default=Role.PUBLIC)
    province = models.ForeignKey(
        "core.Province",
        verbose_name=_("tỉnh/thành phố"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    # The commune a commune officer works for (its registration office).
    commune = models.ForeignKey(
        "core.Commune",
        verbose_name=_("xã/phường"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The organisation a cooperative manager runs and the person a member is: ids of registry
    # rows, read by scoping everywhere (`user.organisation_id`, `user.person_id`). Core knows no
    # domain app, so they are plain columns here and the registry, which owns the rows, adds the
    # foreign keys in the database (registry/user_links.py, migration registry/0006).
    organisation_id = models.BigIntegerField(_("tổ chức"), null=True, blank=True, db_index=True)
    person_id = models.BigIntegerField(_("cá nhân"), null=True, blank=True, db_index=True)
    # Login throttling (core/lockout.py): consecutive failures, and when the lock began (it
    # lifts itself after a time that grows with the failures, or an officer lifts it).
    failed_logins = models.PositiveIntegerField(_("số lần đăng nhập sai"), default=0)
    last_failed_login_at = models.DateTimeField(
        _("lần đăng nhập sai gần nhất"), null=True, blank=True
    )
    locked_at = models.DateTimeField(_("khóa lúc"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    @property
    def is_national(self) -> bool:
        return self.is_superuser or self.role in NATIONAL_ROLES


# How an audit entry's action reads on the pages (an unknown action shows as stored).
ACTION_LABELS = {
    "create": _("Tạo mới"),
    "update": _("Cập nhật"),
    "update_contact": _("Cập nhật thông tin liên hệ"),
    "change_status": _("Đổi tình trạng"),
    "end": _("Chấm dứt tư cách thành viên"),
    "delete": _("Xóa"),
    "import": _("Nhập từ tệp"),
    "import_update": _("Cập nhật khi nhập từ tệp"),
    "import_create": _("Tạo mới khi nhập từ tệp"),
    "export": _("Xuất dữ liệu"),
    "reveal": _("Xem đầy đủ dữ liệu cá nhân"),
    "identity_mismatch": _("Thông tin nhận dạng không khớp"),
    "submit": _("Nộp báo cáo"),
    "approve": _("Duyệt báo cáo"),
    "return": _("Trả lại báo cáo"),
    "reopen": _("Mở lại báo cáo"),
    "release": _("Công bố số liệu"),
    "import_commit": _("Ghi dữ liệu nhập từ tệp"),
    "import_rerun": _("Chạy lại lần nhập từ tệp"),
    "issue_token": _("Cấp khóa API"),
    "revoke_token": _("Thu hồi khóa API"),
    "login": _("Đăng nhập"),
    "signup": _("Đăng ký tài khoản"),
    "activate": _("Kích hoạt tài khoản"),
    "logout": _("Đăng xuất"),
    "login_failed": _("Đăng nhập không thành công"),
    "login_blocked_ip": _("Chặn địa chỉ đăng nhập"),
    "lock": _("Khóa tài khoản"),
    "unlock": _("Mở khóa tài khoản"),
    "password_change": _("Đổi mật khẩu"),
    "password_set": _("Đặt mật khẩu"),
    "otp_enrol": _("Đăng ký xác thực hai lớp"),
    "otp_reset": _("Đặt lại xác thực hai lớp"),
    "search": _("Tra cứu"),
    "generate": _("Sinh dữ liệu mẫu"),
    "generate_reports": _("Sinh báo cáo mẫu"),
    "load_units": _("Nạp đơn vị hành chính"),
    "load_reference": _("Nạp danh mục"),
    "load_reporting": _("Nạp biểu mẫu báo cáo"),
    "reset_demo_user": _("Đặt lại tài khoản mẫu"),
}


class AuditEntry(models.Model):
    """Append-only: who changed what, when, with the values before and after."""

    at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    request_id = models.CharField(_("mã yêu cầu"), max_length=64, blank=True)
    action = models.CharField(_("thao tác"), max_length=32)
    object_type = models.CharField(_("loại đối tượng"), max_length=64)
    object_id = models.CharField(_("mã đối tượng"), max_length=64)
    object_repr = models.CharField(_("đối tượng"), max_length=255)
    before = models.JSONField(_("trước"), null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(_("sau"), null=True, blank=True, encoder=DjangoJSONEncoder)

    # The whole log: national roles. The trail of one object is shown through that object's
    # `audit_scope` (an organisation's history to its editors, a person's watchers…).
    scope = Scope(Kind.AUDIT)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("nhật ký thay đổi")
        verbose_name_plural = _("nhật ký thay đổi")
        indexes = [
            models.Index(fields=["object_type", "object_id", "at"]),
            # A user's entries of one action since a time: the identity-mismatch budget.
            models.Index(fields=["actor", "action", "at"], name="audit_actor_action_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))


class Province(models.Model):
    """Current provincial unit (34 since 1/7/2025), codes from Decision 19/2025/QĐ-TTg."""

    code = models.CharField(_("mã"), max_length=2, primary_key=True)
    name = models.CharField(_("tên"), max_length=100)
    short_name = models.CharField(_("tên ngắn"), max_length=80)
    division_type = models.CharField(_("loại"), max_length=40)
    codename = models.SlugField(max_length=80, unique=True)
    latitude = models.FloatField(_("vĩ độ"), null=True, blank=True)
    longitude = models.FloatField(_("kinh độ"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("tỉnh/thành phố")
        verbose_name_plural = _("tỉnh/thành phố")

    def __str__(self) -> str:
        return self.name


class Commune(models.Model):
    """Current commune-level unit (xã, phường, đặc khu); there is no district level since 2025."""

    code = models.CharField(_("mã"), max_length=5, primary_key=True)
    province = models.ForeignKey(
        Province,
        verbose_name=_("tỉnh/thành phố"),
        on_delete=models.PROTECT,
        related_name="communes",
    )
    name = models.CharField(_("tên"), max_length=100)
    division_type = models.CharField(_("loại"), max_length=20)
    search_key = models.CharField(max_length=100, db_index=True)
    latitude = models.FloatField(_("vĩ độ"), null=True, blank=True)
    longitude = models.FloatField(_("kinh độ"), null=True, blank=True)
    area_km2 = models.FloatField(_("diện tích (km²)"), null=True, blank=True)

    class Meta:
        ordering = ["province_id", "name"]
        verbose_name = _("xã/phường")
        verbose_name_plural = _("xã/phường")

    def __str__(self) -> str:
        return self.name


class LegacyProvince(models.Model):
    """One of the 63 provinces before 1/7/2025. CCCD numbers still use these codes."""

    code = models.CharField(_("mã"), max_length=2, primary_key=True)
    name = models.CharField(_("tên"), max_length=100)
    current_province = models.ForeignKey(
        Province,
        verbose_name=_("nay thuộc"),
        on_delete=models.PROTECT,
        related_name="legacy_provinces",
    )
    latitude = models.FloatField(_("vĩ độ"), null=True, blank=True)
    longitude = models.FloatField(_("kinh độ"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("tỉnh cũ (trước 7/2025)")
        verbose_name_plural = _("tỉnh cũ (trước 7/2025)")

    def __str__(self) -> str:
        return self.name


class LegacyDistrict(models.Model):
    code = models.CharField(_("mã"), max_length=3, primary_key=True)
    province = models.ForeignKey(LegacyProvince, on_delete=models.PROTECT, related_name="districts")
    name = models.CharField(_("tên"), max_length=100)
    latitude = models.FloatField(_("vĩ độ"), null=True, blank=True)
    longitude = models.FloatField(_("kinh độ"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("huyện cũ (trước 7/2025)")
        verbose_name_plural = _("huyện cũ (trước 7/2025)")

    def __str__(self) -> str:
        return self.name


class LegacyCommune(models.Model):
    """A pre-2025 commune and the current commune(s) it became.

    Most old communes went whole into one new commune; a split one lists several successors,
    one of them the default that `vietnamadminunits` picks when no street locates the address.
    """

    code = models.CharField(_("mã"), max_length=5, primary_key=True)
    district = models.ForeignKey(LegacyDistrict, on_delete=models.PROTECT, related_name="communes")
    name = models.CharField(_("tên"), max_length=100)
    latitude = models.FloatField(_("vĩ độ"), null=True, blank=True)
    longitude = models.FloatField(_("kinh độ"), null=True, blank=True)
    current_commune = models.ForeignKey(
        Commune,
        verbose_name=_("nay thuộc (mặc định)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="legacy_communes",
    )
    successors = models.ManyToManyField(Commune, related_name="+", blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("xã cũ (trước 7/2025)")
        verbose_name_plural = _("xã cũ (trước 7/2025)")

    def __str__(self) -> str:
        return self.name

    @property
    def is_split(self) -> bool:
        return self.successors.count() > 1


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 hash of the secret is stored; revoked, never deleted."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("tên"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("hết hạn"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("khóa API")
        verbose_name_plural = _("khóa API")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"


class TombstoneQuerySet(ScopedQuerySet):
    """The same scope as the deleted rows had (memberships: see Membership.visible_to)."""


class Tombstone(models.Model):
    """A deleted record, so systems that sync with `updated_since` also learn of deletions.

    It keeps the deleted row's scope (province, organisation, person ids) so it is shown
    only to those who could see the row itself.
    """

    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    deleted_at = models.DateTimeField(auto_now_add=True)
    province_id = models.CharField(max_length=2, blank=True, db_index=True)
    organisation_id = models.BigIntegerField(null=True, blank=True)
    person_id = models.BigIntegerField(null=True, blank=True)

    scope = Scope(
        Kind.PERSONAL, province="province_id", organisation="organisation_id", person="person_id"
    )
    objects = TombstoneQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["object_type", "deleted_at", "id"], name="tombstone_sync")]

    def __str__(self) -> str:
        return f"{self.object_type} {self.object_id} deleted {self.deleted_at:%Y-%m-%d}"


class ListPreference(models.Model):
    """The columns a signed-in user chose for one list of the UI kit (`core/lists.py`); an
    anonymous visitor's choice lives in their session instead."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="list_preferences")
    list_name = models.CharField(_("danh sách"), max_length=40)
    columns = models.JSONField(_("các cột"), default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("cột đã chọn của danh sách")
        verbose_name_plural = _("cột đã chọn của các danh sách")
        constraints = [
            models.UniqueConstraint(fields=["user", "list_name"], name="list_preference_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.list_name}"


class Stamp(models.Model):
    """A write version (`core.stamps`): a random value per scope, changed inside every write
    that a cached page of that scope reads, in the write's own transaction."""

    scope = models.CharField(max_length=32, primary_key=True)
    n = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.scope}: {self.n}"
