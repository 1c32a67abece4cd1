"""Following the national procedure database (issue 21): each national record becomes a draft
version of its procedure when it says something the version in force does not; an unchanged
record changes nothing. An administrator reviews the draft field by field (`changes`) and
publishes it with its validity date (`services.publish`).

The national record carries what the Ministry publishes. What the province decides for itself
(online level and identity level, on-the-spot settlement, cut-off hour, internal steps, the
declaration form, the announcement) is kept from the version in force. Internal steps are
kept when their shares still fit the new time limit, and otherwise redrawn from the typical
process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.core.audit import log_action
from cchc.core.models import AuditEvent

from . import national
from .constants import VersionStatus
from .exchange import (
    DOC_FIELDS,
    FEE_FIELDS,
    STEP_FIELDS,
    VERSION_FIELDS,
    _normalise,
    _plain,
    create_version,
    export_records,
    next_number,
)
from .loaders import TYPICAL_STEPS, typical_shares
from .models import Procedure, ProcedureField, ProcedureVersion

DRAFT_ACTION = "procedure_version.national_draft"


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)  # new procedures, as drafts
    changed: list[str] = field(default_factory=list)  # a new draft beside the version in force
    unchanged: list[str] = field(default_factory=list)
    refused: list[tuple[int, str, str]] = field(default_factory=list)  # (record, code, why)


def in_force(procedure: Procedure | None) -> ProcedureVersion | None:
    if procedure is None:
        return None
    today = timezone.localdate()
    return (
        ProcedureVersion.objects.in_force(today)
        .filter(procedure=procedure)
        .order_by("-number")
        .first()
        or procedure.versions.filter(status=VersionStatus.PUBLISHED).order_by("-number").first()
    )


def _record_of(version: ProcedureVersion) -> dict[str, Any]:
    return export_records(ProcedureVersion.objects.filter(pk=version.pk))[0]


def _blank_record(code: str) -> dict[str, Any]:
    """A new procedure's local choices: the model's defaults."""
    blank = ProcedureVersion()
    record = {name: _plain(getattr(blank, name)) for name in VERSION_FIELDS}
    record.update(code=code, applicant_types="", documents=[], fees=[], steps=[], declaration={})
    return record


def _typical_steps(limit: Decimal | None) -> list[dict[str, Any]]:
    shares = typical_shares(limit) if limit else [Decimal(0)] * len(TYPICAL_STEPS)
    return [
        {"order": n, "name": name, "performer": performer, "role": role,
         "time_share": share, "is_typical": True}
        for n, ((name, performer, role, _fraction), share) in enumerate(
            zip(TYPICAL_STEPS, shares, strict=True), start=1
        )
    ]  # fmt: skip


def _steps_for(base: dict[str, Any], limit: Decimal | None) -> list[dict[str, Any]]:
    steps = base.get("steps") or []
    total = sum(Decimal(str(s.get("time_share") or 0)) for s in steps)
    if steps and (limit is None or total <= limit):
        return steps
    return _typical_steps(limit)


def last_action(version: ProcedureVersion) -> str:
    event = (
        AuditEvent.objects.filter(
            object_type=ProcedureVersion._meta.label_lower, object_id=str(version.pk)
        )
        .order_by("-occurred_at", "-pk")
        .values_list("action", flat=True)
        .first()
    )
    return event or ""


class Known:
    """What the catalog holds for a run's codes, read in a few queries: the procedures, the
    version in force of each (else its latest published), its waiting draft and what made it,
    their records, and the fields by name."""

    def __init__(self, codes: list[str]) -> None:
        today = timezone.localdate()
        self.procedures = {p.code: p for p in Procedure.objects.filter(code__in=codes)}
        versions = ProcedureVersion.objects.filter(procedure__code__in=codes).select_related(
            "procedure"
        )
        self.current: dict[str, ProcedureVersion] = {}
        for v in versions.filter(status=VersionStatus.PUBLISHED).order_by("number"):
            self.current[v.procedure.code] = v
        for v in versions.in_force(today).order_by("number"):
            self.current[v.procedure.code] = v  # in force today wins over published later
        self.drafts = {v.procedure.code: v for v in versions.filter(status=VersionStatus.DRAFT)}
        wanted = [v.pk for v in (*self.current.values(), *self.drafts.values())]
        self.records: dict[int, dict[str, Any]] = {}
        for record in export_records(ProcedureVersion.objects.filter(pk__in=wanted), with_pk=True):
            self.records[record.pop("pk")] = record
        self.actions: dict[str, str] = {}
        events = AuditEvent.objects.filter(
            object_type=ProcedureVersion._meta.label_lower,
            object_id__in=[str(v.pk) for v in self.drafts.values()],
        ).order_by("occurred_at", "pk")
        for object_id, action in events.values_list("object_id", "action"):
            self.actions[object_id] = action  # the last one stays
        self.fields = {f.name: f for f in ProcedureField.objects.all()}


def draft_from(mapped: dict[str, Any], *, actor: Any, known: Known | None = None) -> str:
    """Make (or refresh) the draft for one mapped national record: "created", "changed" or
    "unchanged". Raises RecordError when an administrator's own draft is in the way."""
    code = mapped["code"]
    known = known or Known([code])
    procedure = known.procedures.get(code)
    current = known.current.get(code)
    base = known.records[current.pk] if current else _blank_record(code)
    merged = {**base, **mapped}
    named = known.fields.get(mapped["field_name"])
    if named is not None:  # the catalog's own code for a field it already has, by its name
        merged["field_code"] = named.code
    merged["steps"] = _steps_for(base, mapped.get("time_limit"))
    wanted = _normalise(merged)
    before = _normalise(base) if current else {}
    if current is not None and wanted == before:
        return "unchanged"
    draft = known.drafts.get(code)
    if draft is not None:
        if _normalise(known.records[draft.pk]) == wanted:
            return "unchanged"  # the same change already waits for review
        if known.actions.get(str(draft.pk)) != DRAFT_ACTION:
            raise national.RecordError(
                _(
                    "Thủ tục %(code)s đang có bản dự thảo do cán bộ soạn (phiên bản %(n)s); "
                    "công bố hoặc xóa bản đó rồi nhập lại."
                )
                % {"code": code, "n": draft.number}
            )
        draft.delete()  # an earlier import's draft, superseded by the newer record
    number = None
    if procedure is None:
        procedure = Procedure.objects.create(code=code, has_national_code=True)
        known.procedures[code] = procedure
        number = 1
    proc_field = known.fields.get(wanted["field_name"])
    if proc_field is None:
        proc_field, _created = ProcedureField.objects.get_or_create(
            code=wanted["field_code"], defaults={"name": wanted["field_name"]}
        )
        known.fields[proc_field.name] = proc_field
    version = create_version(
        procedure,
        proc_field,
        wanted,
        number=number or next_number(procedure),
        status=VersionStatus.DRAFT,
        valid_from=None,
    )
    known.drafts[code], known.records[version.pk] = version, wanted  # a code twice in a file
    known.actions[str(version.pk)] = DRAFT_ACTION
    log_action(
        version,
        DRAFT_ACTION,
        actor=actor,
        after={
            "code": code,
            "number": version.number,
            "from_version": current.number if current else None,
            "changed": [label for label, _old, _new in _rows(before, wanted)],
        },
    )
    return "changed" if current else "created"


def sync(records: list[dict[str, Any]], *, actor: Any, dry_run: bool = False) -> SyncReport:
    """Draft every national record that says something new; on a dry run, write nothing."""
    report = SyncReport()
    codes = []
    for raw in records:
        try:
            codes.append(national.national_code(raw))
        except national.RecordError:
            continue
    with transaction.atomic():
        known = Known(codes)
        for n, raw in enumerate(records, start=1):
            code = str(raw.get("MATTHC") or "?")
            try:
                mapped = national.catalog_record(raw)
                code = mapped["code"]
                with transaction.atomic():
                    outcome = draft_from(mapped, actor=actor, known=known)
            except national.RecordError as exc:
                report.refused.append((n, code, str(exc)))
                continue
            getattr(report, outcome).append(code)
        if dry_run:
            transaction.set_rollback(True)
    return report


# --- the review: what a draft changes, field by field ---------------------------------------

LIST_FIELDS = {
    "documents": (_("Thành phần hồ sơ"), DOC_FIELDS),
    "fees": (_("Phí, lệ phí"), FEE_FIELDS),
    "steps": (_("Quy trình nội bộ"), STEP_FIELDS),
}


def _label(name: str) -> str:
    if name == "field_name":
        return str(ProcedureVersion._meta.get_field("field").verbose_name)
    return str(ProcedureVersion._meta.get_field(name).verbose_name)


def _line(kind: str, item: dict[str, Any]) -> str:
    if kind == "documents":
        return _("%(name)s — %(o)s bản chính, %(c)s bản sao") % {
            "name": item["name"],
            "o": item["originals"],
            "c": item["copies"],
        }
    if kind == "fees":
        amount = item.get("amount")
        return f"{item['name']}: {amount if amount not in ('', None) else '—'}"
    return f"{item['name']} ({item['time_share']})"


def changes(old: ProcedureVersion | None, new: ProcedureVersion) -> list[tuple[str, str, str]]:
    """(what, before, after) for every field `new` changes against `old` (None: all of it)."""
    before = _normalise(_record_of(old)) if old else {}
    return _rows(before, _normalise(_record_of(new)))


def _rows(before: dict[str, Any], after: dict[str, Any]) -> list[tuple[str, str, str]]:
    rows = []
    for name in ["name", "field_name", "applicant_types", *VERSION_FIELDS[1:]]:
        if name in ("announcement",):
            continue
        was, now = before.get(name, ""), after.get(name, "")
        if was != now:
            label = _("Đối tượng thực hiện") if name == "applicant_types" else _label(name)
            rows.append((label, _show(was), _show(now)))
    for kind, (label, _fields) in LIST_FIELDS.items():
        was_lines = [_line(kind, item) for item in before.get(kind, [])]
        now_lines = [_line(kind, item) for item in after.get(kind, [])]
        if was_lines != now_lines:
            rows.append((str(label), "\n".join(was_lines), "\n".join(now_lines)))
    return rows


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    return str(value)
