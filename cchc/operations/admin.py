from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from cchc.core.adminmixins import RecordAdmin
from cchc.core.audit import log_action, model_values
from cchc.core.errors import Invalid

from . import merger, services
from .models import AccessEvent, MaintenanceWindow, MergerImport


class MaintenanceForm(forms.ModelForm):
    class Meta:
        model = MaintenanceWindow
        fields = ["starts_at", "ends_at", "reason", "cancelled_at"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        window = MaintenanceWindow(
            starts_at=data.get("starts_at"),
            ends_at=data.get("ends_at"),
            reason=data.get("reason", ""),
            announced_at=self.instance.announced_at or timezone.now(),
        )
        if window.starts_at and window.ends_at and not data.get("cancelled_at"):
            try:
                services.check_window(window)
            except Invalid as exc:
                raise ValidationError(exc.details) from exc
        return data


@admin.register(MaintenanceWindow)
class MaintenanceWindowAdmin(admin.ModelAdmin):
    form = MaintenanceForm
    list_display = ["starts_at", "ends_at", "reason", "announced_at", "cancelled_at"]
    readonly_fields = ["announced_at", "created_by"]

    def save_model(self, request: Any, obj: MaintenanceWindow, form: Any, change: bool) -> None:
        before = model_values(MaintenanceWindow.objects.get(pk=obj.pk)) if change else {}
        if not change:
            obj.announced_at, obj.created_by = timezone.now(), request.user
        super().save_model(request, obj, form, change)
        log_action(
            obj,
            "maintenance.change" if change else "maintenance.announce",
            actor=request.user,
            before=before,
            after=model_values(obj),
        )
        services.forget_windows()


@admin.register(AccessEvent)
class AccessEventAdmin(RecordAdmin):
    list_display = ["at", "kind", "username", "address", "agent"]
    list_filter = ["kind"]
    search_fields = ["username", "address"]
    date_hierarchy = "at"


@admin.register(MergerImport)
class MergerImportAdmin(RecordAdmin):
    """The reports of `import_merged_system` (checklist item 42)."""

    list_display = ["started_at", "system", "dry_run", "applied", "carried", "refused"]
    list_filter = ["applied", "dry_run"]
    search_fields = ["system"]
    fields = ["system", "file_names", "dry_run", "applied", "figures", "refusals", "created_by"]
    readonly_fields = fields

    @admin.display(description=_("Tệp đã đọc"))
    def file_names(self, obj: MergerImport) -> str:
        return ", ".join(obj.files)

    @admin.display(description=_("Số lượng"))
    def figures(self, obj: MergerImport) -> str:
        return format_html_join(mark_safe("<br>"), "{}: {}", merger.count_lines(obj.counts))

    @admin.display(description=_("Dòng bị từ chối"))
    def refusals(self, obj: MergerImport) -> str:
        lines = [(merger.problem_line(p),) for p in obj.problems]
        return format_html_join(mark_safe("<br>"), "{}", lines) if lines else "—"

    @admin.display(description=_("Hồ sơ chuyển sang"))
    def carried(self, obj: MergerImport) -> int:
        return int(obj.counts.get("dossiers_created", 0))

    @admin.display(description=_("Dòng bị từ chối"))
    def refused(self, obj: MergerImport) -> int:
        return int(obj.counts.get("rows_refused", 0))
