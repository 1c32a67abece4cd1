from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils import timezone

from cchc.core.audit import log_action, model_values
from cchc.core.errors import Invalid

from . import services
from .models import AccessEvent, MaintenanceWindow


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
class AccessEventAdmin(admin.ModelAdmin):
    list_display = ["at", "kind", "username", "address", "agent"]
    list_filter = ["kind"]
    search_fields = ["username", "address"]
    date_hierarchy = "at"

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
