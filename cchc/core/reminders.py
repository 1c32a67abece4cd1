"""Reminders mailed once per person and occasion, shared by every app that reminds
(plans, indices, feedback)."""

from __future__ import annotations

from typing import Any

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Reminder


def send_once(
    model: type[Reminder],
    owner: dict[str, Any],
    users: list[Any],
    key: str,
    subject: str,
    body: str,
) -> int:
    """Record and mail one reminder per person and key (`model` has a unique user × key);
    a person already told is skipped, and a failing mail server stops no one else."""
    sent = 0
    for user in {u.pk: u for u in users}.values():
        try:
            with transaction.atomic():
                reminder = model._default_manager.create(
                    user=user, key=key, subject=subject[:200], body=body, **owner
                )
        except IntegrityError:
            continue  # already told
        if user.email:
            try:
                send_mail(subject, body, None, [user.email])
                reminder.sent_at = timezone.now()
            except Exception as exc:  # a failed mail server must not stop the others
                reminder.error = str(exc)[:500]
            reminder.save(update_fields=["sent_at", "error"])
        sent += 1
    return sent
