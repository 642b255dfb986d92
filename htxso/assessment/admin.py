from django.contrib import admin

from .models import AdviserAssignment, Classification, DxAssessment, RuleSet


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    """Rule sets are loaded as data (`htxso load_rule_set`, validated); read-only here."""

    list_display = ("code", "kind", "applies_from", "created_at")
    readonly_fields = ("kind", "code", "name", "applies_from", "definition", "created_at")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Classification)
class ClassificationAdmin(admin.ModelAdmin):
    list_display = ("organisation", "year", "status", "total", "grade")
    list_filter = ("year", "status", "grade")
    raw_id_fields = ("organisation", "decided_by")

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False  # the round's writes go through its services (audit, registry, tallies)


@admin.register(AdviserAssignment)
class AdviserAssignmentAdmin(admin.ModelAdmin):
    list_display = ("adviser", "organisation", "since")
    raw_id_fields = ("adviser", "organisation", "assigned_by")

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(DxAssessment)
class DxAssessmentAdmin(admin.ModelAdmin):
    list_display = ("organisation", "assessed_on", "overall_level")
    raw_id_fields = ("organisation", "created_by")

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
