from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from htxso.core.admin_site import ListedLookupsOnly
from htxso.core.audit import record
from htxso.core.personal import masked

from .models import Membership, Organisation, Person, StatusChange


class ReadOnlyStatusInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    can_delete = False
    fields = ("effective_on", "status", "reason", "document_no", "recorded_by")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Organisation | None = None) -> bool:
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

    def has_change_permission(self, request: HttpRequest, obj: Organisation | None = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Organisation | None = None) -> bool:
        return False

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Organisation], search_term: str
    ) -> tuple[QuerySet[Organisation], bool]:
        from .filters import search

        return search(queryset, search_term), False


def person_page_link(person: Person | None) -> str:
    """The person's page in the application: the one place to reveal their data (logged)."""
    if person is None:
        return "—"
    url = reverse("registry:person", args=[person.pk])
    return format_html('<a href="{}">{}</a>', url, _("Trang cá nhân (xem đầy đủ có ghi nhật ký)"))


@admin.register(Person)
class PersonAdmin(ListedLookupsOnly, admin.ModelAdmin):
    """Personal data masked as on the pages; no reveal here (see `page`). Searching by the exact
    CCCD finds a person without showing the number."""

    list_display = ("full_name", "birth_year", "gender", "province")
    search_fields = ("=cccd",)
    show_full_result_count = False

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Person], search_term: str
    ) -> tuple[QuerySet[Person], bool]:
        # Looking a person up by CCCD is a use of personal data: on record, the number masked.
        if search_term.strip():
            shown = masked("cccd", search_term.strip())
            about = ("registry.person", f"CCCD {shown}")
            record(request.user, "search", None, None, {"cccd": shown}, about=about)
        return super().get_search_results(request, queryset, search_term)

    fields = (
        "full_name",
        "gender",
        "birth_year",
        "province",
        "commune",
        "masked_cccd",
        "masked_birth_date",
        "masked_phone",
        "masked_email",
        "masked_address",
        "masked_legacy_address",
        "page",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    @admin.display(description=_("số CCCD"))
    def masked_cccd(self, obj: Person) -> str:
        return masked("cccd", obj.cccd) or "—"

    @admin.display(description=_("ngày sinh"))
    def masked_birth_date(self, obj: Person) -> str:
        return masked("birth_date", obj.birth_date) or "—"

    @admin.display(description=_("điện thoại"))
    def masked_phone(self, obj: Person) -> str:
        return masked("phone", obj.phone) or "—"

    @admin.display(description=_("thư điện tử"))
    def masked_email(self, obj: Person) -> str:
        return masked("email", obj.email) or "—"

    @admin.display(description=_("địa chỉ"))
    def masked_address(self, obj: Person) -> str:
        return masked("address", obj.address) or "—"

    @admin.display(description=_("địa chỉ cũ (trước 7/2025)"))
    def masked_legacy_address(self, obj: Person) -> str:
        return masked("legacy_address", obj.legacy_address) or "—"

    @admin.display(description=_("Xem đầy đủ"))
    def page(self, obj: Person) -> str:
        return person_page_link(obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Person | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Person | None = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Person]:
        return Person.objects.visible_to(request.user)


@admin.register(Membership)
class MembershipAdmin(ListedLookupsOnly, admin.ModelAdmin):
    list_display = ("organisation", "person", "member_organisation", "kind", "joined_on", "left_on")
    list_filter = ("kind",)
    raw_id_fields = ("organisation", "person", "member_organisation")
    show_full_result_count = False
    readonly_fields = [*(f.name for f in Membership._meta.fields), "person_page"]

    @admin.display(description=_("Xem đầy đủ"))
    def person_page(self, obj: Membership) -> str:
        return person_page_link(obj.person)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Membership | None = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        return Membership.objects.visible_to(request.user)
