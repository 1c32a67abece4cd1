"""Mail and SMS notices to applicants and officers, delivered by the worker through the outbox
(never inside the request that causes them)."""

from __future__ import annotations

from typing import Any

from django.apps import apps

from cchc.core.reminders import mail_reminders
from cchc.dossiers.notify import send_notifications

from .. import outbox
from ..models import OutboxMessage

SYSTEM = "notices"


def on_notifications_queued(sender: Any, *, ids: list[int], **_kw: Any) -> bool:
    """One outbox message for the notices a change wrote (a fresh key: no ordering needed)."""
    if not ids:
        return True
    outbox.post(
        system=SYSTEM,
        ordering_key=f"n{min(ids)}",
        kind="notices",
        payload={"notifications": sorted(ids)},
        sequence=1,
    )
    return True


def deliver(message: OutboxMessage) -> dict[str, Any]:
    errors = send_notifications(list(message.payload.get("notifications", [])))
    if errors:
        raise outbox.DeliveryError("; ".join(errors)[:500])
    return {"sent": len(message.payload.get("notifications", []))}


REMINDERS = "reminders"


def on_reminders_queued(sender: Any, *, model: Any, ids: list[int], **_kw: Any) -> bool:
    """The daily reminders' mails: one outbox message per batch, in the batch's transaction."""
    outbox.post(
        system=REMINDERS,
        ordering_key=f"{model._meta.label_lower}:{min(ids)}",
        kind="reminders",
        payload={"model": model._meta.label_lower, "ids": sorted(ids)},
        sequence=1,
    )
    return True


def deliver_reminders(message: OutboxMessage) -> dict[str, Any]:
    model = apps.get_model(message.payload["model"])
    errors = mail_reminders(model, list(message.payload.get("ids", [])))
    if errors:
        raise outbox.DeliveryError("; ".join(errors)[:500])
    return {"sent": len(message.payload.get("ids", []))}
