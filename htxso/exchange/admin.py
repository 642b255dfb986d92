"""The synonym catalogue of imports in the admin (system administrators): each change audited."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from htxso.core.audit import record, snapshot

from . import synonyms
from .models import Synonym


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    list_display = ("text", "kind", "layout", "column", "value")
    list_filter = ("kind", "layout", "column")
    search_fields = ("text",)

    def save_model(self, request: HttpRequest, obj: Synonym, form: Any, change: bool) -> None:
        before = snapshot(Synonym.objects.get(pk=obj.pk)) if change and obj.pk else None
        super().save_model(request, obj, form, change)
        record(request.user, "update" if change else "create", obj, before, snapshot(obj))
        synonyms.forget()

    def delete_model(self, request: HttpRequest, obj: Synonym) -> None:
        record(request.user, "delete", obj, snapshot(obj), None)
        super().delete_model(request, obj)
        synonyms.forget()

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            record(request.user, "delete", obj, snapshot(obj), None)
        super().delete_queryset(request, queryset)
        synonyms.forget()
