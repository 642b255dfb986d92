"""Agencies (reference data: focal points, addresses) and directives in the admin (system
administrators): each change audited. Tasks and reports are written through the services
(pages, API), so the admin shows them read-only."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from htxso.core.audit import record

from .models import Agency, Directive, ProgressReport, Task
from .services import snap


class AuditedAdmin(admin.ModelAdmin):
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = snap(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None
        super().save_model(request, obj, form, change)
        record(request.user, "update" if change else "create", obj, before, snap(obj))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        record(request.user, "delete", obj, snap(obj), None)
        super().delete_model(request, obj)


@admin.register(Agency)
class AgencyAdmin(AuditedAdmin):
    list_display = ("name", "kind", "code", "email")
    list_filter = ("kind",)
    search_fields = ("name", "code")


@admin.register(Directive)
class DirectiveAdmin(AuditedAdmin):
    list_display = ("number", "issued_on", "issuer", "public")
    search_fields = ("number", "subject")
    exclude = ("version", "created_by")


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Task)
class TaskAdmin(ReadOnly):
    list_display = ("title", "assignee", "effective_due_on", "completed_on")
    list_select_related = ("assignee",)
    raw_id_fields = ("directive",)


@admin.register(ProgressReport)
class ProgressReportAdmin(ReadOnly):
    list_display = ("task", "submitted_on", "percent", "state")
    raw_id_fields = ("task",)
