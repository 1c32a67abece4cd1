"""`log_action()`: the one way to write the audit trail (R-AUDIT), and its verification."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from .models import AuditChainHead, AuditEvent


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return str(value)


def canonical(value: Any) -> Any:
    """JSON-safe, deterministic form of audited values."""
    return json.loads(json.dumps(value, default=_default, sort_keys=True))


def chain_key_for(obj: models.Model) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


def _event_digest(event: AuditEvent) -> str:
    payload = {
        "chain": event.chain_key,
        "seq": event.sequence,
        "at": event.occurred_at.astimezone(dt.UTC).isoformat(),
        "actor": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "type": event.object_type,
        "id": event.object_id,
        "from": event.from_status,
        "to": event.to_status,
        "reason": event.reason,
        "changes": event.changes,
        "prev": event.prev_hash,
    }
    raw = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=_default)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


SECRET_FIELDS = {"password", "key_hash"}


def model_values(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The concrete field values of `obj` (FKs as ids), for before/after snapshots.

    Secrets are replaced by a short fingerprint: the trail shows that they changed, never them.
    """
    names = set(fields) if fields is not None else None
    out: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if names is not None and field.name not in names:
            continue
        value = getattr(obj, field.attname)
        if field.name in SECRET_FIELDS and value:
            value = "sha256:" + hashlib.sha256(str(value).encode()).hexdigest()[:8]
        out[field.name] = value
    return canonical(out)


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    keys = sorted(set(before) | set(after))
    return {
        key: {"before": before.get(key), "after": after.get(key)}
        for key in keys
        if before.get(key) != after.get(key)
    }


def _advance_head(key: str) -> tuple[int, str]:
    """Take the next sequence number of chain `key` and the hash it follows, in one statement
    that creates the head if needed and keeps its row locked until the transaction ends (so
    concurrent writers of one chain queue, as `SELECT … FOR UPDATE` would make them)."""
    table = connection.ops.quote_name(AuditChainHead._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (chain_key, last_sequence, last_hash) VALUES (%s, 1, '') "
            f"ON CONFLICT (chain_key) DO UPDATE SET last_sequence = {table}.last_sequence + 1 "
            "RETURNING last_sequence, last_hash",
            [key],
        )
        sequence, prev_hash = cursor.fetchone()
    return sequence, prev_hash


def log_action(
    obj: models.Model,
    action: str,
    *,
    actor: Any = None,
    actor_label: str = "",
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    changes: Mapping[str, Any] | None = None,
    reason: str = "",
    from_status: str = "",
    to_status: str = "",
    at: dt.datetime | None = None,
) -> AuditEvent:
    """Append an event to `obj`'s chain inside the caller's transaction.

    Pass `before`/`after` snapshots (only changed keys are kept) or ready `changes`.
    """
    if changes is None:
        changes = diff(before or {}, after or {}) if (before or after) else {}
    key = chain_key_for(obj)
    # no savepoint: an event is written with the change it records, or neither is
    with transaction.atomic(savepoint=False):
        sequence, prev_hash = _advance_head(key)
        user = actor if getattr(actor, "pk", None) else None
        event = AuditEvent(
            chain_key=key,
            sequence=sequence,
            occurred_at=at or timezone.now(),
            actor=user,
            actor_label=actor_label or (str(user) if user else "system"),
            action=action,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            object_repr=str(obj)[:300],
            from_status=from_status,
            to_status=to_status,
            reason=reason,
            changes=canonical(dict(changes)),
            prev_hash=prev_hash,
        )
        event.hash = _event_digest(event)
        event.save()
        AuditChainHead.objects.filter(chain_key=key).update(last_hash=event.hash)
    return event


@dataclass(frozen=True)
class AuditProblem:
    chain_key: str
    sequence: int | None
    message: str


def verify_chains() -> list[AuditProblem]:
    """Recompute every chain; report each edited, missing, inserted or truncated event."""
    problems: list[AuditProblem] = []
    heads = {h.chain_key: h for h in AuditChainHead.objects.all()}
    seen: set[str] = set()
    current: str | None = None
    prev_hash = ""
    expected_seq = 1
    events = AuditEvent.objects.order_by("chain_key", "sequence").iterator(chunk_size=2000)

    def close_chain(key: str, last_seq: int, last_hash: str) -> None:
        head = heads.get(key)
        if head is None:
            problems.append(AuditProblem(key, None, "chain has no head record"))
        elif head.last_sequence != last_seq or head.last_hash != last_hash:
            problems.append(
                AuditProblem(key, last_seq, "chain ends before its recorded head (events removed)")
            )

    for event in events:
        if event.chain_key != current:
            if current is not None:
                close_chain(current, expected_seq - 1, prev_hash)
            current = event.chain_key
            seen.add(current)
            prev_hash = ""
            expected_seq = 1
        if event.sequence != expected_seq:
            problems.append(
                AuditProblem(event.chain_key, expected_seq, "event missing from the chain")
            )
            expected_seq = event.sequence
        if event.prev_hash != prev_hash:
            problems.append(
                AuditProblem(event.chain_key, event.sequence, "link to previous event broken")
            )
        if _event_digest(event) != event.hash:
            problems.append(AuditProblem(event.chain_key, event.sequence, "event was altered"))
        prev_hash = event.hash
        expected_seq += 1
    if current is not None:
        close_chain(current, expected_seq - 1, prev_hash)
    for key, head in heads.items():
        if key not in seen and head.last_sequence:
            problems.append(AuditProblem(key, None, "every event of the chain was removed"))
    return problems
