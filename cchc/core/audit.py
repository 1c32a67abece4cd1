"""`log_action()`: the one way to write the audit trail (R-AUDIT), and its verification."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
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


def audit_keys() -> dict[str, bytes]:
    """Every audit key by its fingerprint: the current one first, then retired ones kept to
    verify older events. Keys live in the environment, never in the database."""
    keys = [settings.CCHC_AUDIT_KEY, *settings.CCHC_AUDIT_OLD_KEYS]
    out: dict[str, bytes] = {}
    for key in keys:
        raw = key.encode("utf-8")
        out.setdefault(fingerprint(raw), raw)
    return out


def fingerprint(key: bytes) -> str:
    return hashlib.sha256(b"cchc-audit-key-id:" + key).hexdigest()[:12]


def current_key() -> tuple[str, bytes]:
    key = settings.CCHC_AUDIT_KEY.encode("utf-8")
    return fingerprint(key), key


def _event_digest(event: AuditEvent, key: bytes) -> str:
    """HMAC-SHA-256 over every stored field of the event (but its id and its own hash)."""
    payload = {
        "chain": event.chain_key,
        "seq": event.sequence,
        "at": event.occurred_at.astimezone(dt.UTC).isoformat(),
        "actor": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "type": event.object_type,
        "id": event.object_id,
        "repr": event.object_repr,
        "from": event.from_status,
        "to": event.to_status,
        "reason": event.reason,
        "changes": event.changes,
        "prev": event.prev_hash,
        "key": event.key_id,
    }
    raw = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=_default)
    return hmac.new(key, raw.encode("utf-8"), hashlib.sha256).hexdigest()


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
    new_chain: bool = False,
    head: tuple[int, str] | None = None,
) -> AuditEvent:
    """Append an event to `obj`'s chain inside the caller's transaction.

    Pass `before`/`after` snapshots (only changed keys are kept) or ready `changes`.
    `new_chain`: `obj` was created in this transaction, so its chain has no head yet; the head
    is then written once, already holding the event's hash (two statements instead of three).
    Should a head exist after all, the event is appended as usual.
    `head`: the chain's last sequence and hash, as the caller wrote them earlier in this
    transaction (its row still locked): the head moves in one statement when it still holds
    them, else the event is appended as usual.
    """
    if changes is None:
        changes = diff(before or {}, after or {}) if (before or after) else {}
    key = chain_key_for(obj)
    user = actor if getattr(actor, "pk", None) else None
    event = AuditEvent(
        chain_key=key,
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
    )
    event.key_id, secret = current_key()
    # no savepoint: an event is written with the change it records, or neither is
    with transaction.atomic(savepoint=False):
        if new_chain:
            event.sequence, event.prev_hash = 1, ""
            event.hash = _event_digest(event, secret)
            if _start_head(key, event.hash):
                event.save()
                return event
        elif head is not None:
            event.sequence, event.prev_hash = head[0] + 1, head[1]
            event.hash = _event_digest(event, secret)
            if _move_head(key, head, event.hash):
                event.save()
                return event
        event.sequence, event.prev_hash = _advance_head(key)
        event.hash = _event_digest(event, secret)
        event.save()
        AuditChainHead.objects.filter(chain_key=key).update(last_hash=event.hash)
    return event


def _move_head(key: str, head: tuple[int, str], new_hash: str) -> bool:
    """Move chain `key`'s head one event on, if it is still at `head`."""
    moved = AuditChainHead.objects.filter(
        chain_key=key, last_sequence=head[0], last_hash=head[1]
    ).update(last_sequence=head[0] + 1, last_hash=new_hash)
    return bool(moved == 1)


def _start_head(key: str, first_hash: str) -> bool:
    """Create chain `key`'s head at its first event; False when the chain already exists."""
    table = connection.ops.quote_name(AuditChainHead._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (chain_key, last_sequence, last_hash) VALUES (%s, 1, %s) "
            "ON CONFLICT (chain_key) DO NOTHING",
            [key, first_hash],
        )
        return bool(cursor.rowcount == 1)


@dataclass(frozen=True)
class AuditProblem:
    chain_key: str
    sequence: int | None
    message: str


def verify_chains(anchors: Iterable[Anchor] = ()) -> list[AuditProblem]:
    """Recompute every chain with the audit keys; report each edited, missing, inserted,
    truncated or recomputed event, and each anchor whose chain heads no longer match."""
    problems: list[AuditProblem] = []
    keys = audit_keys()
    heads = {h.chain_key: h for h in AuditChainHead.objects.all()}
    checks = [AnchorCheck(a) for a in anchors]
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
        for check in checks:
            check.close(key)

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
        key = keys.get(event.key_id)
        if key is None:
            problems.append(
                AuditProblem(event.chain_key, event.sequence, "signed with an unknown key")
            )
        elif not hmac.compare_digest(_event_digest(event, key), event.hash):
            problems.append(AuditProblem(event.chain_key, event.sequence, "event was altered"))
        for check in checks:
            check.see(event)
        prev_hash = event.hash
        expected_seq += 1
    if current is not None:
        close_chain(current, expected_seq - 1, prev_hash)
    for key, head in heads.items():
        if key not in seen and head.last_sequence:
            problems.append(AuditProblem(key, None, "every event of the chain was removed"))
    for check in checks:
        if not check.matches():
            problems.append(
                AuditProblem(
                    "*",
                    None,
                    f"chain heads differ from the anchor of {check.anchor.label} "
                    "(a chain was deleted or rewritten)",
                )
            )
    return problems


# -- anchors: the chain heads, signed, kept outside the database ----------------------------


@dataclass(frozen=True)
class Anchor:
    """Every chain's head as of the event `max_event_id`, folded into one digest."""

    label: str  # the file it was read from, or the moment it was made
    made_at: str
    max_event_id: int
    chains: int
    events: int
    digest: str
    key_id: str
    signature: str

    def payload(self) -> dict[str, Any]:
        return {
            "made_at": self.made_at,
            "max_event_id": self.max_event_id,
            "chains": self.chains,
            "events": self.events,
            "digest": self.digest,
            "key_id": self.key_id,
        }


class _Fold:
    """An order-free digest of a set of chain heads: the sum, modulo 2^256, of each head's
    HMAC (so the database's sort order never matters)."""

    def __init__(self, key: bytes) -> None:
        self.key, self.total, self.count = key, 0, 0

    def add(self, chain: str, sequence: int, hash_: str) -> None:
        line = f"{chain}|{sequence}|{hash_}".encode()
        self.total = (self.total + int(hmac.new(self.key, line, "sha256").hexdigest(), 16)) % (
            1 << 256
        )
        self.count += 1

    def hexdigest(self) -> str:
        return f"{self.total:064x}"


class AnchorCheck:
    """Replays an anchor while `verify_chains` walks the events: per chain, the last event
    at or before the anchor's `max_event_id` is the head the anchor saw."""

    def __init__(self, anchor: Anchor) -> None:
        self.anchor = anchor
        self.fold = _Fold(audit_keys().get(anchor.key_id, b""))
        self.head: tuple[str, int, str] | None = None
        self.events = 0

    def see(self, event: AuditEvent) -> None:
        if event.pk <= self.anchor.max_event_id:
            self.head = (event.chain_key, event.sequence, event.hash)
            self.events += 1

    def close(self, chain: str) -> None:
        if self.head is not None and self.head[0] == chain:
            self.fold.add(*self.head)
        self.head = None

    def matches(self) -> bool:
        return (
            self.anchor.key_id in audit_keys()
            and self.fold.count == self.anchor.chains
            and self.events == self.anchor.events
            and hmac.compare_digest(self.fold.hexdigest(), self.anchor.digest)
        )


def make_anchor() -> Anchor:
    """The heads of every chain as of the last event written now, signed with the audit key."""
    key_id, key = current_key()
    max_id = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    fold = _Fold(key)
    events = 0
    head: tuple[str, int, str] | None = None
    rows = (
        AuditEvent.objects.filter(pk__lte=max_id)
        .order_by("chain_key", "sequence")
        .values_list("chain_key", "sequence", "hash")
        .iterator(chunk_size=5000)
    )
    for chain, sequence, hash_ in rows:
        if head is not None and head[0] != chain:
            fold.add(*head)
        head = (chain, sequence, hash_)
        events += 1
    if head is not None:
        fold.add(*head)
    made_at = timezone.now().astimezone(dt.UTC).isoformat()
    unsigned = Anchor(made_at, made_at, max_id, fold.count, events, fold.hexdigest(), key_id, "")
    return Anchor(**{**unsigned.__dict__, "signature": _sign(unsigned, key)})


def _sign(anchor: Anchor, key: bytes) -> str:
    raw = json.dumps(anchor.payload(), sort_keys=True).encode()
    return hmac.new(key, raw, hashlib.sha256).hexdigest()


def anchor_to_json(anchor: Anchor) -> str:
    return json.dumps({**anchor.payload(), "signature": anchor.signature}, sort_keys=True)


def anchor_from_json(text: str, label: str) -> Anchor:
    """An anchor read back; raises ValueError if it is malformed or its signature is wrong."""
    data = json.loads(text)
    anchor = Anchor(
        label=label,
        made_at=str(data["made_at"]),
        max_event_id=int(data["max_event_id"]),
        chains=int(data["chains"]),
        events=int(data["events"]),
        digest=str(data["digest"]),
        key_id=str(data["key_id"]),
        signature=str(data["signature"]),
    )
    key = audit_keys().get(anchor.key_id)
    if key is None or not hmac.compare_digest(_sign(anchor, key), anchor.signature):
        raise ValueError(f"anchor {label}: signature does not verify")
    return anchor
