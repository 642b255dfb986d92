"""The admin: system administrators browse applications, their timelines and certificates,
and edit the rules' counters only through the services (every workflow step is a service:
audited, version-checked). Nothing here adds, changes or deletes an application or a
certificate: a certificate is superseded, never deleted; founding members' CCCD are masked."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from htxso.core.admin_site import ListedLookupsOnly
from htxso.core.personal import masked

from .models import Application, Certificate, DossierFile, Event, FoundingMember


class ReadOnly:
    """Browse only: the workflow's writes are the services'."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MemberInline(ReadOnly, admin.TabularInline):
    model = FoundingMember
    extra = 0
    fields = ("full_name", "masked_cccd", "kind", "capital_contributed")
    readonly_fields = fields

    @admin.display(description=_("số CCCD"))
    def masked_cccd(self, member: FoundingMember) -> str:
        return masked("cccd", member.cccd)


class FileInline(ReadOnly, admin.TabularInline):
    model = DossierFile
    extra = 0
    fields = ("document", "filename", "content_kind", "size", "sha256", "uploaded_at")
    readonly_fields = fields


class EventInline(ReadOnly, admin.TabularInline):
    model = Event
    extra = 0
    fields = ("at", "actor", "action", "status", "note")
    readonly_fields = fields


@admin.register(Application)
class ApplicationAdmin(ReadOnly, ListedLookupsOnly, admin.ModelAdmin):
    list_display = ("__str__", "purpose", "kind", "name", "status", "province", "due_on")
    list_filter = ("status", "purpose", "kind", "province")
    search_fields = ("=number",)
    list_select_related = ("province",)
    show_full_result_count = False
    inlines = [MemberInline, FileInline, EventInline]
    exclude = ("applicant", "handled_by", "organisation", "commune", "office_commune")


@admin.register(Certificate)
class CertificateAdmin(ReadOnly, ListedLookupsOnly, admin.ModelAdmin):
    list_display = ("serial", "code", "organisation_name", "issued_at", "superseded_at")
    list_filter = ("superseded_at",)
    search_fields = ("=serial", "=code")
    show_full_result_count = False
    exclude = ("application", "organisation")

    @admin.display(description=_("tên tổ chức"))
    def organisation_name(self, certificate: Certificate) -> str:
        return str(certificate.facts.get("name", ""))
