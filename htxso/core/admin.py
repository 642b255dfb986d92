import contextlib
import json

from django.contrib import admin, messages
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.auth.admin import UserAdmin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import lockout
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
class HtxUserAdmin(UserAdmin):
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
        ("HTX Số", {"fields": ("role", "province", "organisation", "person")}),
        (_("Đăng nhập"), {"fields": ("locked_at", "failed_logins", "last_failed_login_at")}),
    )
    # A lock is lifted by the action below (audited), never by editing the fields.
    readonly_fields = ("locked_at", "failed_logins", "last_failed_login_at")
    raw_id_fields = ("organisation", "person")
    actions = ["unlock_selected"]

    @admin.action(description=_("Mở khóa các tài khoản đã chọn"))
    def unlock_selected(self, request, queryset):
        lifted = sum(lockout.unlock(request.user, user) for user in queryset)
        self.message_user(request, _("Đã mở khóa: %(n)s.") % {"n": lifted}, messages.SUCCESS)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
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
class TOTPDeviceAdmin(admin.ModelAdmin):
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
