"""What every dossier transition shares: errors, locking, the calendar, numbering, audit."""

from __future__ import annotations

import datetime as dt
import functools
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.calendars.arithmetic import Limit, LimitUnit, WorkingCalendar
from cchc.calendars.services import calendar_for
from cchc.core import tenancy
from cchc.core.audit import diff, log_action, model_values
from cchc.core.errors import Conflict, DomainError, Forbidden, NotFound

__all__ = ["Conflict", "DomainError", "Forbidden", "NotFound"]
from cchc.organizations.models import AdministrativeArea, Agency

from .. import constants as c
from ..models import CodeSequence, Dossier, DueChange
from ..notify import notify_applicant
from ..signals import dossier_event
from .corrections import correction_limit

TRACKED_FIELDS = (
    "status",
    "outcome",
    "code",
    "received_at",
    "clock_started_at",
    "due_at",
    "legal_due_at",
    "apologised_at",
    "result_ready_at",
    "returned_at",
    "finished_at",
    "timeliness",
    "holder_agency",
    "supplement_rounds",
    "competent_agency",
    "returned_to",
    "refusal_reason",
    "early_notice_at",
)


# The workflow's refusals are the domain family's (cchc.core.errors); the names stay for
# the callers that read them.
ServiceError = DomainError


class TransitionNotAllowed(Conflict):
    pass


class DossierChanged(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "dossier_changed",
            _(
                "Hồ sơ vừa được người khác cập nhật. Vui lòng tải lại trang để xem thay đổi "
                "rồi thực hiện lại thao tác."
            ),
        )


def acting_user(actor: Any) -> Any:
    """The user to record as having acted, or None for the system (commands, integrations)."""
    return actor if getattr(actor, "pk", None) else None


def now(at: dt.datetime | None) -> dt.datetime:
    return at or timezone.now()


def province_of(area: AdministrativeArea) -> AdministrativeArea:
    if area.level == "province" or area.province_id is None:
        return area
    return area.province  # type: ignore[return-value]


_calendars: dict[tuple[str, int], tuple[float, WorkingCalendar]] = {}


def calendar_of(dossier: Dossier) -> WorkingCalendar:
    """The province's working calendar (rebuilt at most once a minute per process)."""
    key = (tenancy.current(), dossier.province_id)
    cached = _calendars.get(key)
    stamp = timezone.now().timestamp()
    if cached and stamp - cached[0] < 60 and not getattr(settings, "CCHC_NO_CALENDAR_CACHE", 0):
        return cached[1]
    calendar = calendar_for(dossier.province)
    _calendars[key] = (stamp, calendar)
    return calendar


def forget_calendars() -> None:
    _calendars.clear()


def limit_of(dossier: Dossier) -> Limit:
    if dossier.corrects_id is not None:  # R-CORRECT: its own limit, not the procedure's
        return correction_limit()
    version = dossier.procedure_version
    if version.time_limit is None:
        raise ServiceError(
            "time_limit_unknown",
            _(
                "Thủ tục “%(version_name)s” chưa có thời hạn giải quyết được xác nhận; quản trị "
                "viên cần cập nhật danh mục trước khi tiếp nhận."
            )
            % {"version_name": version.name},
        )
    return Limit(Decimal(version.time_limit), LimitUnit(version.time_unit), version.cutoff_time)


def step_limit(dossier: Dossier, share: Decimal) -> Limit:
    unit = LimitUnit(dossier.procedure_version.time_unit)
    if unit == LimitUnit.CALENDAR_DAYS:
        unit = LimitUnit.WORKING_DAYS
    return Limit(Decimal(share), unit)


def step_due(dossier: Dossier, share: Decimal, at: dt.datetime) -> dt.datetime:
    """A step's due moment: its share of the limit, counted from when it starts — never
    before the dossier's own clock starts (a same-day procedure received after its cut-off
    starts, steps included, on the next working period; R-TIME-4, R-TIME-6)."""
    begin = max(at, dossier.clock_started_at) if dossier.clock_started_at else at
    return calendar_of(dossier).due(begin, step_limit(dossier, share))


def rule_set_on(day: dt.date) -> str:
    start = dt.date.fromisoformat(settings.CCHC_RULES_2025_FROM)
    return c.RuleSet.DECREE_118_2025 if day >= start else c.RuleSet.CIRCULAR_01_2018


def next_number(key: str) -> int:
    """Take the next number of counter `key`; the row stays locked until the commit.

    One `UPDATE … RETURNING` statement (PostgreSQL and SQLite ≥ 3.35) takes the number and
    the lock at once; a new counter is created at 1, and a concurrent creation of the same
    counter falls back to the update."""
    table = connection.ops.quote_name(CodeSequence._meta.db_table)
    sql = f"UPDATE {table} SET value = value + 1 WHERE key = %s RETURNING value"
    with connection.cursor() as cursor:
        cursor.execute(sql, [key])
        row = cursor.fetchone()
        if row is not None:
            return int(row[0])
        try:
            with transaction.atomic():
                CodeSequence.objects.create(key=key, value=1)
            return 1
        except IntegrityError:
            cursor.execute(sql, [key])
            row = cursor.fetchone()
            assert row is not None
            return int(row[0])


def agency_code(agency: Agency) -> str:
    if not agency.eid_code:
        raise ServiceError(
            "agency_without_code",
            _(
                "%(agency_name)s chưa có mã định danh điện tử (Quyết định 20/2020/QĐ-TTg); quản "
                "trị viên cần nhập mã trước khi cấp mã hồ sơ."
            )
            % {"agency_name": agency.name},
        )
    return agency.eid_code


def new_lookup_secret() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


def timeliness(finished: dt.datetime, due: dt.datetime | None) -> str:
    """R-RETURN: late after the due moment; early when done on a day before the due day."""
    if due is None:
        return ""
    zone = timezone.get_default_timezone()
    if finished > due:
        return c.Timeliness.LATE
    if finished.astimezone(zone).date() < due.astimezone(zone).date():
        return c.Timeliness.EARLY
    return c.Timeliness.ON_TIME


UNCOMMITTED = "_cchc_uncommitted"
AUDIT_HEAD = "_cchc_audit_head"  # (sequence, hash) of the event that created the dossier
ROW_CHANGES = "_cchc_row_changes"


def record_row_change(
    dossier: Dossier, row: Any, field: str, before: Any, after: Any, *, label: str = ""
) -> None:
    """Note a change to one of the dossier's child rows (a step's assignee, a fee's payment,
    a consultation): `transition()` writes it into the action's audit event beside the
    dossier's own before/after, so the trail says what every action changed."""
    if before == after:
        return
    if row._meta.model_name in JOURNALLED_MODELS:
        # a row the first action wrote, changed after its insert: the caller reads them back
        dossier.__dict__.pop(WRITTEN, None)
    changes = dossier.__dict__.setdefault(ROW_CHANGES, [])
    changes.append(
        {
            "row": label or f"{row._meta.model_name}:{row.pk}",
            "field": field,
            "before": before,
            "after": after,
        }
    )


def record_row(
    dossier: Dossier,
    row: Any,
    before: dict[str, Any],
    *,
    fields: tuple[str, ...] | None = None,
    label: str = "",
) -> None:
    """`record_row_change` for every field of `row` that differs from the `before` snapshot
    (taken with `model_values`); a new row is recorded with `before` empty."""
    after = model_values(row, fields or tuple(before) or None)
    for key in sorted(set(before) | set(after)):
        if key in ("id", "dossier"):
            continue
        record_row_change(dossier, row, key, before.get(key), after.get(key), label=label)


# The child rows a new dossier is created with, kept on the instance for its first action.
IN_HAND = ("documents", "fees")
# The child rows a new dossier's first action writes, noted as they are written (`note_written`)
# so that the caller can answer with them (`hold_written`) instead of reading them back.
WRITTEN = "_cchc_written"
JOURNALLED = ("steps", "handovers", "forms", "due_changes", "clock_stops")
JOURNALLED_MODELS = {"dossierstep", "handover", "issuedform", "duechange", "clockstop"}
# ... and what it cannot have yet: a correction follows a returned dossier
NONE_YET = ("corrections",)


def mark_uncommitted(dossier: Dossier) -> None:
    """`dossier` was created inside the still-open transaction: until it commits, the instance
    in hand is the row (nobody else can read or lock it), so `transition` needs no re-read."""
    setattr(dossier, UNCOMMITTED, True)
    transaction.on_commit(lambda: release(dossier))


def hold_rows(dossier: Dossier, **rows: list[Any]) -> None:
    """Keep the child rows just written with a new dossier (`documents=…`, `fees=…`) on the
    instance, as if prefetched: its creation and first action (receiving it at once, at the
    desk) read them from there instead of the database. They are dropped after that action
    and at the commit (`mark_uncommitted`); code that changes them in between changes these
    same instances (`documents.all()`), never a copy read with `filter()`."""
    cache = dossier.__dict__.setdefault("_prefetched_objects_cache", {})
    for name, items in rows.items():
        assert name in IN_HAND or name in JOURNALLED or name in NONE_YET, name
        cache.pop(name, None)
        if not all(item.pk for item in items):
            continue  # a database that returned no keys: read them back as usual
        held = getattr(dossier, name).get_queryset()
        held._result_cache = list(items)
        held._prefetch_done = True
        cache[name] = held


def note_written(dossier: Dossier, name: str, *rows: Any) -> None:
    """Every insert of a `JOURNALLED` row calls this (a no-op outside a new dossier's first
    action); a recorded change to such a row (`record_row_change`) ends the journal."""
    journal = dossier.__dict__.get(WRITTEN)
    if journal is not None:
        journal[name].extend(rows)


def hold_written(dossier: Dossier) -> bool:
    """After a new dossier's first action (the transaction that created it and took the desk's
    decision on it), hold what that transaction wrote as its rows, for the caller's answer:
    every step, hand-over, form, due change and clock stop was noted as it was inserted
    (`note_written`), the documents are those still held (`hold_rows`), and it has none of
    `NONE_YET`. False when `dossier` is not such an instance, or when the action changed one of
    those rows after its insert (the caller then reads them back). Checked row for row against
    the database by `test_reception_paths` and, for each decision, by the API's answer against
    its GET."""
    journal = dossier.__dict__.pop(WRITTEN, None)
    if journal is None:
        return False
    hold_rows(dossier, **journal, **{name: [] for name in NONE_YET})
    return True


def release(dossier: Dossier) -> None:
    """Back to reading the dossier's rows from the database (see `hold_rows`)."""
    dossier.__dict__.pop(UNCOMMITTED, None)
    dossier.__dict__.pop(AUDIT_HEAD, None)
    cache = dossier.__dict__.get("_prefetched_objects_cache", {})
    for name in IN_HAND:
        cache.pop(name, None)


@contextmanager
def transition(
    dossier_id: int,
    action: str,
    *,
    actor: Any,
    expected_revision: int | None = None,
    at: dt.datetime | None = None,
    reason: str = "",
    instance: Dossier | None = None,
) -> Iterator[Dossier]:
    """Lock the dossier, check the table and the revision, then audit what the body changed.

    The first action on a dossier created in the same open transaction works on the creator's
    instance (`mark_uncommitted`); should it fail, the instance is read back from the row."""
    fresh = instance is not None and bool(instance.__dict__.pop(UNCOMMITTED, False))
    # the chain head its creation wrote, in this transaction (see `log_action(head=)`)
    head = instance.__dict__.pop(AUDIT_HEAD, None) if fresh and instance is not None else None
    try:
        with transaction.atomic():
            if fresh and instance is not None:
                dossier = instance
            else:
                dossier = (
                    Dossier.objects.select_for_update(of=("self",))
                    .select_related("procedure_version", "province", "desk", "competent_agency")
                    .get(pk=dossier_id)
                )
            if expected_revision is not None and dossier.revision != expected_revision:
                raise DossierChanged()
            if not c.allowed(action, dossier.status):
                raise TransitionNotAllowed(
                    "transition_not_allowed",
                    _("Không thể “%(action)s” khi hồ sơ đang ở trạng thái “%(status)s”.")
                    % {
                        "action": c.Action(action).label,
                        "status": dossier.get_status_display(),
                    },
                    {"action": action, "status": dossier.status},
                )
            before = model_values(dossier, TRACKED_FIELDS)
            from_status = dossier.status
            dossier.__dict__[ROW_CHANGES] = []
            if fresh:
                dossier.__dict__[WRITTEN] = {name: [] for name in JOURNALLED}
            yield dossier
            moment = now(at)
            target = c.TRANSITIONS[action][1]
            if target is not None:
                dossier.status = target
            dossier.revision += 1
            dossier.last_action_at = moment
            dossier.save(force_update=True)  # never re-inserts a row rolled back under us
            changes: dict[str, Any] = diff(before, model_values(dossier, TRACKED_FIELDS))
            rows = dossier.__dict__.pop(ROW_CHANGES, [])
            if rows:
                changes["rows"] = rows
            log_action(
                dossier,
                f"dossier.{action}",
                actor=actor,
                changes=changes,
                from_status=from_status,
                to_status=dossier.status,
                reason=reason,
                at=moment,
                head=head,
            )
            if dossier.status != from_status:
                notify_applicant(dossier, reason=reason)
            if dossier.status != from_status or "due_at" in changes:
                dossier_event.send(
                    Dossier,
                    dossier=dossier,
                    action=action,
                    from_status=from_status,
                    to_status=dossier.status,
                    at=moment,
                    # created in this transaction: its first event past its creation
                    first_action=fresh,
                )
    except BaseException:
        if fresh and instance is not None:
            instance.__dict__.pop(WRITTEN, None)
            if Dossier.objects.filter(pk=instance.pk).exists():
                instance.refresh_from_db()
        raise
    finally:
        if fresh and instance is not None:
            journal = instance.__dict__.get(WRITTEN)
            documents = instance.__dict__.get("_prefetched_objects_cache", {}).get("documents")
            if journal is not None and documents is not None:
                journal["documents"] = list(documents)  # still as the action left them
            release(instance)


def change_due(
    dossier: Dossier, new_due: dt.datetime, *, reason: str, actor: Any, at: dt.datetime
) -> None:
    if dossier.due_at == new_due:
        return
    change = DueChange.objects.create(
        dossier=dossier,
        at=at,
        before=dossier.due_at,
        after=new_due,
        reason=reason,
        actor=actor if getattr(actor, "pk", None) else None,
    )
    note_written(dossier, "due_changes", change)
    dossier.due_at = new_due


def dossier_action(
    action: str, *, needs_reason: Any = ""
) -> Callable[[Callable[..., Any]], Callable[..., Dossier]]:
    """Turn `body(d, *, actor, at, **inputs)` into a service function.

    The service checks the reason when the action needs one, then runs the body inside
    `transition()` (one transaction, the row locked, the table and the revision checked, the
    change audited) and returns the dossier. Callers pass `actor=`, optionally `at=` (the
    moment of the action) and `expected_revision=`.
    """

    def decorate(body: Callable[..., Any]) -> Callable[..., Dossier]:
        @functools.wraps(body)
        def service(
            dossier: Dossier,
            *,
            actor: Any,
            at: dt.datetime | None = None,
            expected_revision: int | None = None,
            **inputs: Any,
        ) -> Dossier:
            reason = str(inputs.get("reason") or "")
            if needs_reason and not reason.strip():
                raise ServiceError("reason_required", str(needs_reason))
            with transition(
                dossier.pk,
                action,
                actor=actor,
                expected_revision=expected_revision,
                at=at,
                reason=reason,
                instance=dossier,
            ) as d:
                body(d, actor=actor, at=now(at), **inputs)
            return d

        return service

    return decorate
