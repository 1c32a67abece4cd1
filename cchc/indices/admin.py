from django.contrib import admin

from cchc.core.adminmixins import AuditedAdmin

from .models import (
    Criterion,
    Framework,
    NationalComponent,
    NationalIndex,
    NationalResult,
    SurveyElement,
    SurveyInstrument,
    SurveyQuestion,
    SurveyRound,
)


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = [
        "code",
        "parent",
        "order",
        "name",
        "max_score",
        "method",
        "metric",
        "survey_element",
        "evidence_required",
        "bands",
    ]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return obj is None or obj.status == "draft"

    has_add_permission = has_change_permission
    has_delete_permission = has_change_permission


@admin.register(Framework)
class FrameworkAdmin(AuditedAdmin):
    list_display = ["title", "year", "agency_kind", "status"]
    list_filter = ["year", "agency_kind", "status"]
    readonly_fields = ["status", "published_at", "finalised_at"]
    inlines = [CriterionInline]

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        """A published framework is frozen: only its deadline and survey round move."""
        if obj is not None and obj.status != "draft":
            editable = {"self_deadline", "survey_round"}
            return [f.name for f in obj._meta.concrete_fields if f.name not in editable]
        return self.readonly_fields


class QuestionInline(admin.TabularInline):
    model = SurveyQuestion
    extra = 0


@admin.register(SurveyElement)
class SurveyElementAdmin(AuditedAdmin):
    list_display = ["name", "instrument", "order"]
    inlines = [QuestionInline]


class ElementInline(admin.TabularInline):
    model = SurveyElement
    extra = 0


@admin.register(SurveyInstrument)
class SurveyInstrumentAdmin(AuditedAdmin):
    list_display = ["name", "formula", "satisfied_from", "min_responses"]
    inlines = [ElementInline]


@admin.register(SurveyRound)
class SurveyRoundAdmin(AuditedAdmin):
    list_display = ["title", "start", "end", "status"]
    readonly_fields = ["status", "sample_seed", "frame", "published_at", "results"]


class ComponentInline(admin.TabularInline):
    model = NationalComponent
    extra = 0


@admin.register(NationalResult)
class NationalResultAdmin(AuditedAdmin):
    list_display = ["index", "year", "province_name", "score", "rank", "source"]
    list_filter = ["index", "year"]
    inlines = [ComponentInline]


admin.site.register(NationalIndex, AuditedAdmin)
