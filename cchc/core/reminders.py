"""Reminders mailed once per person and occasion, shared by every app that reminds
(plans, indices, feedback)."""

from __future__ import annotations

from typing import Any

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone

from .models import Reminder

# kwargs: model (the Reminder subclass), ids (rows just written with a mail to send). A
# receiver that takes them (the outbox: the worker mails them) returns True; when none does,
# they are mailed at once.
reminders_queued = Signal()


def send_once(
    model: type[Reminder],
    owner: dict[str, Any],
    users: list[Any],
    key: str,
    subject: str,
    body: str,
) -> int:
    """Record one reminder per person and key (`model` has a unique user × key) and hand the
    mails to the outbox in the same transaction; a person already told is skipped."""
    made: list[Reminder] = []
    with transaction.atomic():
        for user in {u.pk: u for u in users}.values():
            try:
                with transaction.atomic():  # a savepoint: one duplicate spoils nothing else
                    made.append(
                        model._default_manager.create(
                            user=user, key=key, subject=subject[:200], body=body, **owner
                        )
                    )
            except IntegrityError:
                continue  # already told
        ids = [r.pk for r in made if r.user.email]
        taken = ids and any(ok for _r, ok in reminders_queued.send(model, model=model, ids=ids))
    if ids and not taken:
        mail_reminders(model, ids)
    return len(made)


def mail_reminders(model: type[Reminder], ids: list[int]) -> list[str]:
    """Mail the reminders not mailed yet; each one's outcome is recorded on its row. The
    errors, in words (empty when all went)."""
    errors = []
    for reminder in model._default_manager.filter(pk__in=ids, sent_at__isnull=True).select_related(
        "user"
    ):
        try:
            send_mail(reminder.subject, reminder.body, None, [reminder.user.email])
            reminder.sent_at, reminder.error = timezone.now(), ""
        except Exception as exc:  # a failed mail server must not stop the others
            reminder.error = str(exc)[:500]
            errors.append(f"{reminder.pk}: {reminder.error}")
        reminder.save(update_fields=["sent_at", "error"])
    return errors
