from django.contrib import admin
from django.db import models

from .models import Membership, Organisation, Person, StatusChange


class ReadOnlyStatusInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    can_delete = False
    fields = ("effective_on", "status", "reason", "document_no", "recorded_by")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    """Staff browse here; changes go through the services (pages and API), which audit them."""

    list_display = ("name", "kind", "tax_code", "province", "status", "members_count")
    list_filter = ("kind", "status", "is_agricultural", "province")
    search_fields = ("tax_code", "search_key")
    raw_id_fields = ("commune",)
    show_full_result_count = False
    list_select_related = ("province",)
    inlines = [ReadOnlyStatusInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_search_results(self, request, queryset, search_term):
        from .filters import search

        return search(queryset, search_term), False


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("full_name", "birth_year", "gender", "province")
    search_fields = ("=cccd",)
    show_full_result_count = False
    readonly_fields = [f.name for f in Person._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return Person.objects.visible_to(request.user)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("organisation", "person", "member_organisation", "kind", "joined_on", "left_on")
    list_filter = ("kind",)
    raw_id_fields = ("organisation", "person", "member_organisation")
    show_full_result_count = False
    readonly_fields = [f.name for f in Membership._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return Membership.objects.visible_to(request.user)
