from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import (
    AuditEntry,
    Commune,
    LegacyCommune,
    LegacyDistrict,
    LegacyProvince,
    Province,
    User,
)


@admin.register(User)
class HtxUserAdmin(UserAdmin):
    list_display = ("username", "first_name", "role", "province", "is_active", "is_staff")
    list_filter = ("role", "province", "is_active", "is_staff")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("HTX Số", {"fields": ("role", "province", "organisation", "person")}),
    )
    raw_id_fields = ("organisation", "person")


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the application offers no way to change or delete audit entries."""

    list_display = ("at", "actor", "action", "object_type", "object_repr", "request_id")
    list_filter = ("action", "object_type")
    search_fields = ("object_repr", "object_id", "request_id")
    date_hierarchy = "at"

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
