"""Admin edits go through the audit trail too, inline rows included."""

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

    def save_formset(self, request: Any, form: Any, formset: Any, change: bool) -> None:
        """Inline rows are logged on the parent's chain: what was added, changed, removed."""
        model = formset.model
        before = {
            f.instance.pk: model_values(model.objects.get(pk=f.instance.pk))
            for f in formset.initial_forms
            if f.instance.pk and model.objects.filter(pk=f.instance.pk).exists()
        }
        removed = [f.instance.pk for f in formset.deleted_forms if f.instance.pk]
        super().save_formset(request, form, formset, change)
        rows: dict[str, Any] = {}
        for obj in formset.new_objects:
            rows[f"added:{obj.pk}"] = {"before": None, "after": model_values(obj)}
        for obj, _fields in formset.changed_objects:
            rows[f"changed:{obj.pk}"] = {"before": before.get(obj.pk), "after": model_values(obj)}
        for pk in removed:
            rows[f"removed:{pk}"] = {"before": before.get(pk), "after": None}
        if rows:
            log_action(
                form.instance,
                f"{form.instance._meta.model_name}.{model._meta.model_name}.inline",
                actor=request.user,
                changes=rows,
            )


class RecordAdmin(admin.ModelAdmin):
    """A record the system writes (access records, import reports, applied decisions): read
    here, never added, changed or deleted by hand."""

    def has_add_permission(self, request: Any, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
