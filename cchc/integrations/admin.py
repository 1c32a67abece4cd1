"""The outbox for administrators: what waits, what was delivered, the dead-letter list and its
replay, and the delivery figures per system above the list."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks_db.models import DBTaskResult

from cchc.core.audit import log_action
from cchc.dossiers.constants import Action

from . import outbox
from .models import MessageStatus, OutboxMessage

# The worker's own task rows are plumbing: the outbox below is what administrators act on.
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)


@admin.action(description=gettext_lazy("Gửi lại (đưa trở lại hàng đợi)"))
def replay(modeladmin: Any, request: Any, queryset: Any) -> None:
    dead = list(queryset.filter(status=MessageStatus.DEAD))
    count = outbox.replay(queryset)
    for message in dead:
        log_action(message, "outbox.replay", actor=request.user, before={"status": "dead"})
    messages.success(request, _("Đã đưa %(n)s thông điệp trở lại hàng đợi.") % {"n": count})


SYSTEMS = {
    "dvcqg": gettext_lazy("Cổng Dịch vụ công quốc gia"),
    "notices": gettext_lazy("Thư điện tử, tin nhắn"),
    "payment": gettext_lazy("Cổng thanh toán"),
}
KINDS = {"notices": gettext_lazy("Thông báo"), "refund": gettext_lazy("Hoàn tiền")}


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = (
        "key",
        "system_label",
        "kind_label",
        "status",
        "attempts",
        "next_attempt_at",
        "delivered_at",
        "last_error",
    )
    list_filter = ("system", "status", "kind")
    search_fields = ("key", "ordering_key")
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = [replay]
    change_list_template = "admin/integrations/outboxmessage/change_list.html"

    @admin.display(description=gettext_lazy("hệ thống"), ordering="system")
    def system_label(self, obj: OutboxMessage) -> str:
        return str(SYSTEMS.get(obj.system, obj.system))

    @admin.display(description=gettext_lazy("loại"), ordering="kind")
    def kind_label(self, obj: OutboxMessage) -> str:
        kinds = {**dict(Action.choices), **KINDS}
        return str(kinds.get(obj.kind, obj.kind))

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: Any, extra_context: Any = None) -> Any:
        return super().changelist_view(
            request,
            {
                **(extra_context or {}),
                "metrics": [
                    {**m, "label": SYSTEMS.get(m["system"], m["system"])} for m in outbox.metrics()
                ],
            },
        )
