from django.contrib import admin

from cchc.core.adminmixins import AuditedAdmin

from .models import CalendarOverride, WorkingSchedule


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(AuditedAdmin):
    list_display = ["date", "kind", "name", "reference", "province"]
    list_filter = ["kind"]
    date_hierarchy = "date"


@admin.register(WorkingSchedule)
class WorkingScheduleAdmin(AuditedAdmin):
    list_display = ["province", "name", "start_month", "start_day", "end_month", "end_day"]
