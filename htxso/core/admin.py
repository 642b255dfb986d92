import contextlib
import hashlib
import json

from django.contrib import admin, messages
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.auth.admin import UserAdmin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import lockout
from .admin_site import ListedLookupsOnly
from .audit import record, snapshot
from .models import (
    AuditEntry,
    Commune,
    LegacyCommune,
    LegacyDistrict,
    LegacyProvince,
    Province,
    User,
)
from .personal import masked_data
from .twofactor import reset_devices


@admin.register(User)
class HtxUserAdmin(ListedLookupsOnly, UserAdmin):
    list_display = (
        "username",
        "first_name",
        "role",
        "province",
        "is_active",
        "is_staff",
        "locked_at",
    )
    list_filter = ("role", "province", "is_active", "is_staff")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("HTX Số", {"fields": ("role", "province", "organisation_id", "person_id")}),
        (_("Đăng nhập"), {"fields": ("locked_at", "failed_logins", "last_failed_login_at")}),
    )
    # A lock is lifted by the action below (audited), never by editing the fields.
    readonly_fields = ("locked_at", "failed_logins", "last_failed_login_at")
    actions = ["unlock_selected"]

    # Rights are granted here: every change of an account is audited (before/after; the
    # password as a fact, never its hash).
    def save_model(self, request, obj, form, change):
        request._htxso_user_before = _account(User.objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        before = getattr(request, "_htxso_user_before", None)
        record(request.user, "update" if change else "create", user, before, _account(user))

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = User.objects.get(pk=id)
            record(request.user, "password_set", user, None, {"password": "changed"})
        return response

    @admin.action(description=_("Mở khóa các tài khoản đã chọn"))
    def unlock_selected(self, request, queryset):
        lifted = sum(lockout.unlock(request.user, user) for user in queryset)
        self.message_user(request, _("Đã mở khóa: %(n)s.") % {"n": lifted}, messages.SUCCESS)


def _account(user: User) -> dict:
    """What an audit entry keeps of an account: its fields and rights, with the password
    hash replaced by a fingerprint that only tells whether it changed."""
    data = snapshot(user, exclude=("password", "last_login"))
    data["groups"] = sorted(user.groups.values_list("pk", flat=True))
    data["user_permissions"] = sorted(user.user_permissions.values_list("pk", flat=True))
    data["password"] = hashlib.sha256(user.password.encode()).hexdigest()[:8]
    return data


@admin.register(AuditEntry)
class AuditEntryAdmin(ListedLookupsOnly, admin.ModelAdmin):
    """Read-only: the application offers no way to change or delete audit entries. Personal
    fields in the values before and after are shown masked."""

    list_display = ("at", "actor", "action", "object_type", "object_repr", "request_id")
    list_filter = ("action", "object_type")
    search_fields = ("object_repr", "object_id", "request_id")
    date_hierarchy = "at"
    fields = (
        "at",
        "actor",
        "request_id",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "masked_before",
        "masked_after",
    )
    readonly_fields = fields

    @admin.display(description=_("trước"))
    def masked_before(self, obj: AuditEntry) -> str:
        return _json(masked_data(obj.before))

    @admin.display(description=_("sau"))
    def masked_after(self, obj: AuditEntry) -> str:
        return _json(masked_data(obj.after))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "division_type")
    search_fields = ("name", "code")


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "division_type", "province")
    list_filter = ("province",)
    search_fields = ("name", "code", "search_key")


@admin.register(LegacyProvince)
class LegacyProvinceAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "current_province")


@admin.register(LegacyDistrict)
class LegacyDistrictAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "province")
    list_filter = ("province",)


@admin.register(LegacyCommune)
class LegacyCommuneAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "district", "current_commune")
    search_fields = ("name", "code")
    raw_id_fields = ("district", "current_commune")
    filter_horizontal = ()


def _json(data) -> str:
    if data is None:
        return "—"
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, default=str)
    return format_html("<pre>{}</pre>", text)


# django-otp's own device admin shows the secret keys and makes QR codes of them: whoever reads
# a key has the user's second factor. Here devices are listed and removed (audited), nothing more.
with contextlib.suppress(NotRegistered):
    admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(ListedLookupsOnly, admin.ModelAdmin):
    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    list_filter = ("confirmed",)
    search_fields = ("user__username",)
    fields = ("user", "name", "confirmed", "created_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        reset_devices(request.user, obj.user)

    def delete_queryset(self, request, queryset):
        for user in {device.user for device in queryset.select_related("user")}:
            reset_devices(request.user, user)
