from django.contrib import admin

from cchc.core.adminmixins import AuditedAdmin

from .models import (
    AdministrativeArea,
    Agency,
    AgencySuccession,
    AreaSuccession,
    AutonomyRecord,
    Counter,
    Desk,
    OpeningPeriod,
    QualityCertification,
    StaffingRecord,
)


@admin.register(AdministrativeArea)
class AreaAdmin(AuditedAdmin):
    list_display = ["code", "name", "level", "parent", "valid_from", "valid_to"]
    list_filter = ["level", "province"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent", "province"]


class SuccessionInline(admin.TabularInline):
    model = AgencySuccession
    fk_name = "predecessor"
    extra = 0
    autocomplete_fields = ["successor"]


class QmsInline(admin.TabularInline):
    model = QualityCertification
    extra = 0


class AutonomyInline(admin.TabularInline):
    model = AutonomyRecord
    extra = 0


class StaffingInline(admin.TabularInline):
    model = StaffingRecord
    extra = 0


@admin.register(Agency)
class AgencyAdmin(AuditedAdmin):
    list_display = ["name", "kind", "area", "eid_code", "valid_from", "valid_to"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name", "eid_code"]
    autocomplete_fields = ["area", "parent"]
    inlines = [SuccessionInline, QmsInline, AutonomyInline, StaffingInline]


class CounterInline(admin.TabularInline):
    model = Counter
    extra = 0
    autocomplete_fields = ["agency"]


class OpeningInline(admin.TabularInline):
    model = OpeningPeriod
    extra = 0


@admin.register(Desk)
class DeskAdmin(AuditedAdmin):
    list_display = ["name", "kind", "agency", "valid_from", "valid_to"]
    list_filter = ["kind"]
    search_fields = ["name"]
    autocomplete_fields = ["agency", "area"]
    inlines = [CounterInline, OpeningInline]


@admin.register(AreaSuccession)
class AreaSuccessionAdmin(AuditedAdmin):
    list_display = ["predecessor", "successor", "effective_on", "legal_basis"]
    autocomplete_fields = ["predecessor", "successor"]
