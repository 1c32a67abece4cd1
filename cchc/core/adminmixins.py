"""Admin edits go through the audit trail too."""

from typing import Any

from django.contrib import admin

from .audit import log_action, model_values


class AuditedAdmin(admin.ModelAdmin):
    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        before = model_values(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else {}
        super().save_model(request, obj, form, change)
        action = f"{obj._meta.model_name}.{'change' if change else 'add'}"
        log_action(obj, action, actor=request.user, before=before, after=model_values(obj))

    def delete_model(self, request: Any, obj: Any) -> None:
        log_action(
            obj, f"{obj._meta.model_name}.delete", actor=request.user, before=model_values(obj)
        )
        super().delete_model(request, obj)
