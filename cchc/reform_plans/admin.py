from django.contrib import admin

from cchc.core.adminmixins import AuditedAdmin

from .models import Plan, PlanTask, ReformArea, ReportingPeriod, Target
from .services import compute_due


@admin.register(ReformArea)
class ReformAreaAdmin(AuditedAdmin):
    list_display = ["order", "code", "name"]
    list_display_links = ["name"]


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0
    fields = ["order", "name", "target_value", "unit", "method", "metric", "lead_agency"]
    autocomplete_fields = ["lead_agency"]


@admin.register(Plan)
class PlanAdmin(AuditedAdmin):
    list_display = ["year", "title", "issuing_agency", "decision_number", "status"]
    list_filter = ["year", "status"]
    search_fields = ["title", "decision_number"]
    autocomplete_fields = ["issuing_agency", "implements"]
    filter_horizontal = ["areas"]
    inlines = [TargetInline]
    # status changes go through the plan page (issue, close), each audited
    readonly_fields = ["status"]


@admin.register(PlanTask)
class PlanTaskAdmin(AuditedAdmin):
    list_display = ["plan", "code", "lead_agency", "deadline_kind", "due_date"]
    list_filter = ["plan"]
    search_fields = ["code", "content"]
    autocomplete_fields = ["lead_agency", "co_agencies", "parent"]
    readonly_fields = ["due_date"]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]

        obj.due_date = compute_due(obj)
        super().save_model(request, obj, form, change)


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(AuditedAdmin):
    """The office adds ad hoc periods and moves filing deadlines here."""

    list_display = ["plan", "title", "kind", "start", "end", "deadline"]
    list_filter = ["plan", "kind"]
