"""The durable outbox (issue 18): a message is a row written in the transaction of the change
that causes it, with a task for the worker in the same transaction (Django's tasks framework,
database backend `django-tasks-db`); the worker delivers, retries with exponential backoff and
sets aside what keeps failing (the dead-letter list administrators see and replay).

Messages that share an ordering key (a dossier's events for one system) are delivered one after
another in their sequence: a message waits while an earlier one is pending or set aside."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Min
from django.tasks import task
from django.utils import timezone

from .models import MessageStatus, OutboxMessage

Handler = Callable[[OutboxMessage], dict[str, Any]]
HANDLERS: dict[str, Handler] = {}


class DeliveryError(Exception):
    """The receiving system did not take the message. `permanent`: retrying cannot help (a
    refusal of the message itself), so it goes to the dead-letter list at once."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def register(system: str, handler: Handler) -> None:
    HANDLERS[system] = handler


def post(
    *,
    system: str,
    ordering_key: str,
    kind: str,
    payload: dict[str, Any],
    key_prefix: str = "",
    dossier: Any = None,
    at: dt.datetime | None = None,
    sequence: int | None = None,
) -> OutboxMessage:
    """Write a message for `system` (inside the caller's transaction) and the worker's task.
    `sequence` is given for a key the caller knows is new."""
    moment = at or timezone.now()
    if sequence is None:
        # The caller holds the lock of what the key orders (the dossier's row, for its
        # events), so the next sequence is read, not counted; the unique constraint refuses
        # any race.
        last = OutboxMessage.objects.filter(system=system, ordering_key=ordering_key).aggregate(
            n=Max("sequence")
        )["n"]
        sequence = (last or 0) + 1
    message = OutboxMessage.objects.create(
        system=system,
        ordering_key=ordering_key,
        sequence=sequence,
        key=f"{key_prefix or f'{system}:{ordering_key}'}:{sequence}",
        kind=kind,
        payload=payload,
        dossier=dossier,
        next_attempt_at=moment,
        created_at=moment,
    )
    deliver_task.enqueue(system, ordering_key)
    return message


def backoff(attempts: int) -> dt.timedelta:
    """The wait before the next attempt: doubling from CCHC_OUTBOX_RETRY_SECONDS, capped."""
    seconds = settings.CCHC_OUTBOX_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(seconds, settings.CCHC_OUTBOX_RETRY_CAP_SECONDS))


def deliver(system: str, ordering_key: str, *, now: dt.datetime | None = None) -> int:
    """Deliver the key's pending messages in sequence, stopping at the first one that is not
    due yet or fails. The number delivered.

    No transaction is held while the other system answers: the next message is claimed (its
    next attempt pushed a lease ahead, so that another worker leaves it alone), sent, then its
    outcome recorded. A worker that dies mid-call leaves the message to be sent again after the
    lease; the receiver takes a replay once (its idempotency key)."""
    handler = HANDLERS.get(system)
    moment = now or timezone.now()
    delivered = 0
    while True:
        message = _claim(system, ordering_key, moment)
        if isinstance(message, dt.datetime):  # the next one is not due yet: come back then
            schedule(system, ordering_key, message)
            return delivered
        if message is None:
            return delivered
        try:
            if handler is None:
                raise DeliveryError(f"no handler for {system}", permanent=True)
            answer = handler(message)
        except DeliveryError as exc:
            _failed(message, exc, moment)
            return delivered
        message.status = MessageStatus.DELIVERED
        message.delivered_at = moment
        message.answer = answer
        message.last_error = ""
        message.save(update_fields=["status", "delivered_at", "answer", "last_error"])
        delivered += 1


LEASE = dt.timedelta(minutes=5)


def _claim(
    system: str, ordering_key: str, moment: dt.datetime
) -> OutboxMessage | dt.datetime | None:
    """The key's first undelivered message, if it is due: its attempt counted, leased; when it
    is not due yet, the moment it will be (a message dated a little ahead, or in its backoff)."""
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update()
            .filter(system=system, ordering_key=ordering_key)
            .exclude(status=MessageStatus.DELIVERED)
            .order_by("sequence")
            .first()
        )
        if message is None or message.status == MessageStatus.DEAD:
            return None  # in order: later messages wait behind a set-aside one
        if message.next_attempt_at > moment:
            return message.next_attempt_at
        message.attempts += 1
        message.next_attempt_at = moment + LEASE
        message.save(update_fields=["attempts", "next_attempt_at"])
    return message


def _failed(message: OutboxMessage, exc: DeliveryError, moment: dt.datetime) -> None:
    message.last_error = str(exc)[:500]
    if exc.permanent or message.attempts >= settings.CCHC_OUTBOX_MAX_ATTEMPTS:
        message.status = MessageStatus.DEAD
    else:
        message.next_attempt_at = moment + backoff(message.attempts)
    with transaction.atomic():
        message.save(update_fields=["last_error", "status", "next_attempt_at"])
        if message.status == MessageStatus.PENDING:
            schedule(message.system, message.ordering_key, message.next_attempt_at)


def schedule(system: str, ordering_key: str, when: dt.datetime) -> None:
    deliver_task.using(run_after=when).enqueue(system, ordering_key)


def sweep(*, now: dt.datetime | None = None, system: str | None = None) -> int:
    """Deliver every key with a message due (what a lost task or a restart left behind)."""
    moment = now or timezone.now()
    due = OutboxMessage.objects.filter(status=MessageStatus.PENDING, next_attempt_at__lte=moment)
    if system:
        due = due.filter(system=system)
    keys = due.order_by().values_list("system", "ordering_key").distinct()
    return sum(deliver(s, k, now=moment) for s, k in list(keys))


def replay(messages: Any, *, now: dt.datetime | None = None) -> int:
    """Put set-aside messages back in the queue (an administrator's action)."""
    moment = now or timezone.now()
    rows = list(messages.filter(status=MessageStatus.DEAD))
    for message in rows:
        message.status = MessageStatus.PENDING
        message.attempts = 0
        message.next_attempt_at = moment
        message.save(update_fields=["status", "attempts", "next_attempt_at"])
        schedule(message.system, message.ordering_key, moment)
    return len(rows)


def metrics() -> list[dict[str, Any]]:
    """Per system: messages by status, how long the oldest pending one has waited (minutes),
    the last delivery."""
    now = timezone.now()
    rows: dict[str, dict[str, Any]] = {}
    for row in OutboxMessage.objects.values("system", "status").annotate(
        n=Count("pk"), oldest=Min("created_at"), last=Max("delivered_at")
    ):
        item = rows.setdefault(
            row["system"],
            {"system": row["system"], "pending": 0, "delivered": 0, "dead": 0, "waiting": None},
        )
        item[row["status"]] = row["n"]
        if row["status"] == MessageStatus.PENDING and row["oldest"]:
            item["waiting"] = int((now - row["oldest"]).total_seconds() // 60)  # minutes
        if row["status"] == MessageStatus.DELIVERED:
            item["last_delivered"] = row["last"]
    return sorted(rows.values(), key=lambda r: r["system"])


# The worker's tasks (`manage.py db_worker`, django-tasks-db).


@task()
def deliver_task(system: str, ordering_key: str) -> int:
    return deliver(system, ordering_key)


@task()
def sweep_task() -> int:
    return sweep()
