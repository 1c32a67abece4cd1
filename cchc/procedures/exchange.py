"""Catalog import and export: `.xlsx` (the layout provinces publish) and YAML.

Both formats carry the same records: one row per procedure on the first sheet, and the required
documents, fees and process steps on their own sheets keyed by the procedure code. Export then
import gives back an identical catalog.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from cchc.core.audit import log_action
from cchc.core.exports import workbook_bytes

from . import eforms
from .constants import VersionStatus
from .models import (
    FeeLine,
    Procedure,
    ProcedureField,
    ProcedureVersion,
    ProcessStep,
    RequiredDocument,
)

VERSION_FIELDS = [
    "name",
    "levels",
    "competent_agency_kind",
    "competent_agency_note",
    "submission_methods",
    "time_limit",
    "time_unit",
    "cutoff_time",
    "time_note",
    "time_to_confirm",
    "fee_note",
    "fee_to_confirm",
    "conditions",
    "legal_basis",
    "result_document",
    "online_level",
    "online_to_confirm",
    "identity_level",
    "on_the_spot",
    "inter_agency",
    "anywhere_in_province",
    "anywhere_decision",
    "anywhere_decision_date",
    "frequently_received",
    "announcement",
]
DOC_FIELDS = ["order", "name", "originals", "copies", "present_only", "optional", "reusable"]
FEE_FIELDS = ["order", "kind", "name", "amount", "exemption"]
STEP_FIELDS = ["order", "name", "performer", "role", "time_share", "is_typical"]
HEADERS = {
    "code": "Mã thủ tục",
    "field_code": "Mã lĩnh vực",
    "field_name": "Lĩnh vực",
    "applicant_types": "Đối tượng thực hiện",
}
BOOL_FIELDS = {
    "time_to_confirm",
    "fee_to_confirm",
    "online_to_confirm",
    "on_the_spot",
    "inter_agency",
    "anywhere_in_province",
    "frequently_received",
    "present_only",
    "optional",
    "reusable",
    "is_typical",
}
DECIMAL_FIELDS = {"time_limit", "amount", "time_share"}
INT_FIELDS = {"order", "originals", "copies", "identity_level"}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def export_records(versions: Any, *, with_pk: bool = False) -> list[dict[str, Any]]:
    """The catalog records of `versions`, by code (`with_pk`: each with its version's "pk")."""
    records = []
    for v in versions.select_related("procedure", "field").prefetch_related(
        "documents", "fees", "steps"
    ):
        record = {
            "code": v.procedure.code,
            "field_code": v.field.code,
            "field_name": v.field.name,
            "applicant_types": ",".join(v.applicant_types),
        }
        record.update({name: _plain(getattr(v, name)) for name in VERSION_FIELDS})
        record["documents"] = [
            {f: _plain(getattr(d, f)) for f in DOC_FIELDS} for d in v.documents.all()
        ]
        record["fees"] = [{f: _plain(getattr(x, f)) for f in FEE_FIELDS} for x in v.fees.all()]
        record["steps"] = [{f: _plain(getattr(s, f)) for f in STEP_FIELDS} for s in v.steps.all()]
        record["declaration"] = v.declaration or {}
        if with_pk:
            record["pk"] = v.pk
        records.append(record)
    records.sort(key=lambda r: r["code"])
    return records


def published_versions() -> Any:
    return ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED)


def export_yaml(versions: Any = None) -> str:
    records = export_records(versions if versions is not None else published_versions())
    return yaml.safe_dump({"procedures": records}, allow_unicode=True, sort_keys=False, width=120)


def export_xlsx(versions: Any = None) -> bytes:
    records = export_records(versions if versions is not None else published_versions())
    book = Workbook()
    main = book.active
    main.title = "Thủ tục"
    columns = [*HEADERS.keys(), *VERSION_FIELDS]
    main.append(columns)
    main.append(
        [
            str(HEADERS[c])
            if c in HEADERS
            else str(ProcedureVersion._meta.get_field(c).verbose_name)
            for c in columns
        ]
    )
    for record in records:
        main.append([_cell(record[c]) for c in columns])
    for title, key, fields in (
        ("Thành phần hồ sơ", "documents", DOC_FIELDS),
        ("Phí lệ phí", "fees", FEE_FIELDS),
        ("Quy trình", "steps", STEP_FIELDS),
    ):
        sheet = book.create_sheet(title)
        sheet.append(["code", *fields])
        for record in records:
            for item in record[key]:
                sheet.append([record["code"], *(_cell(item[f]) for f in fields)])
    # The declaration form (tờ khai điện tử) as its JSON definition, one procedure a row: the
    # same data the YAML carries, edited in the catalog, not by hand in the workbook.
    forms = book.create_sheet(DECLARATION_SHEET)
    forms.append(["code", "declaration"])
    for record in records:
        if record["declaration"]:
            forms.append([record["code"], _declaration_text(record["declaration"])])
    for sheet in book.worksheets:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    return workbook_bytes(book)


DECLARATION_SHEET = "Tờ khai"


def _declaration_text(definition: dict[str, Any]) -> str:
    return json.dumps(definition, ensure_ascii=False, sort_keys=True)


def _declaration(code: str, value: Any) -> dict[str, Any]:
    """A declaration read from a file (a mapping in YAML, JSON text in the workbook), checked
    like one edited in the catalog; empty means the procedure has none."""
    if value in (None, "", {}):
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise ValidationError(f"{code}: tờ khai không phải JSON hợp lệ.") from exc
    if not isinstance(value, dict):
        raise ValidationError(f"{code}: tờ khai phải là một đối tượng.")
    problems = eforms.check_definition(value)
    if problems:
        raise ValidationError(f"{code}: " + " ".join(problems))
    return value


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "x" if value else ""
    return value


def _from_cell(name: str, value: Any) -> Any:
    if name in BOOL_FIELDS:
        return str(value).strip().lower() in {"x", "1", "true", "có", "yes"} if value else False
    if value is None:
        return ""
    if name in INT_FIELDS:
        return int(value)
    return str(value) if not isinstance(value, str) else value


def read_xlsx(content: bytes) -> list[dict[str, Any]]:
    """Rows of the workbook as records; a malformed workbook raises ValidationError."""
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        main = book["Thủ tục"]
    except Exception as exc:  # openpyxl raises many kinds for a bad file
        raise ValidationError("Tệp không phải bảng tính danh mục thủ tục hợp lệ (.xlsx).") from exc
    rows = list(main.iter_rows(values_only=True))
    if not rows or "code" not in rows[0]:
        raise ValidationError("Trang “Thủ tục” thiếu dòng tiêu đề có cột “code”.")
    header = [str(h) for h in rows[0]]
    records: dict[str, dict[str, Any]] = {}
    for row in rows[2:]:
        if not row or not row[0]:
            continue
        record = {h: _from_cell(h, v) for h, v in zip(header, row, strict=False)}
        record.update(documents=[], fees=[], steps=[])
        records[str(record["code"])] = record
    for title, key in (
        ("Thành phần hồ sơ", "documents"),
        ("Phí lệ phí", "fees"),
        ("Quy trình", "steps"),
    ):
        if title not in book.sheetnames:
            continue
        sub = list(book[title].iter_rows(values_only=True))
        sub_header = [str(h) for h in sub[0]] if sub else []
        for row in sub[1:]:
            if not row or not row[0] or str(row[0]) not in records:
                continue
            item = {h: _from_cell(h, v) for h, v in zip(sub_header[1:], row[1:], strict=False)}
            records[str(row[0])][key].append(item)
    if DECLARATION_SHEET in book.sheetnames:
        for row in book[DECLARATION_SHEET].iter_rows(min_row=2, values_only=True):
            if row and row[0] and str(row[0]) in records and len(row) > 1:
                records[str(row[0])]["declaration"] = row[1] or ""
    return list(records.values())


def read_yaml(text: str) -> list[dict[str, Any]]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValidationError("Tệp YAML không hợp lệ.") from exc
    if not isinstance(data, dict) or not isinstance(data.get("procedures"), list):
        raise ValidationError("Tệp YAML phải có danh sách “procedures”.")
    return data["procedures"]


def _normalise(record: dict[str, Any]) -> dict[str, Any]:
    """The comparable form of a record, whatever format it came from."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        if key == "declaration":
            out[key] = _declaration_text(_declaration(str(record.get("code")), value))
        elif key in ("documents", "fees", "steps"):
            out[key] = sorted(
                (_normalise(item) for item in value), key=lambda item: int(item.get("order") or 0)
            )
        elif key in DECIMAL_FIELDS:
            out[key] = f"{Decimal(str(value)).normalize():f}" if value not in ("", None) else ""
        elif key in BOOL_FIELDS:
            out[key] = bool(value)
        elif value is None:
            out[key] = ""
        else:
            out[key] = value if isinstance(value, int | bool) else str(value)
    return out


@transaction.atomic
def import_records(records: list[dict[str, Any]], *, actor: Any) -> dict[str, int]:
    """Create or supersede procedures so the catalog matches `records`; unchanged ones stay."""
    result = {"created": 0, "superseded": 0, "unchanged": 0}
    current = {r["code"]: _normalise(r) for r in export_records(published_versions())}
    for raw in records:
        record = _normalise(raw)
        code = str(record.get("code", "")).strip()
        if "declaration" not in record and code in current:
            # a file without declarations (an older export) keeps the ones the catalog has
            record["declaration"] = current[code]["declaration"]
        if not code or not record.get("name"):
            raise ValidationError(f"Dòng thiếu mã hoặc tên thủ tục: {code or '?'}")
        if current.get(code) == record:
            result["unchanged"] += 1
            continue
        procedure, created = Procedure.objects.get_or_create(
            code=code, defaults={"has_national_code": not code.startswith("LOCAL-")}
        )
        field, _ = ProcedureField.objects.get_or_create(
            code=record["field_code"], defaults={"name": record["field_name"]}
        )
        today = timezone.localdate()
        for old in procedure.versions.filter(status=VersionStatus.PUBLISHED):
            old.status = VersionStatus.SUPERSEDED
            old.valid_to = today - dt.timedelta(days=1)
            old.save(update_fields=["status", "valid_to", "updated_at"])
        procedure.versions.filter(status=VersionStatus.DRAFT).delete()
        number = next_number(procedure)
        version = create_version(
            procedure,
            field,
            record,
            number=number,
            status=VersionStatus.PUBLISHED,
            valid_from=None if created else today,
        )
        log_action(
            version, "procedure_version.import", actor=actor, after={"code": code, "number": number}
        )
        result["created" if created else "superseded"] += 1
    return result


def next_number(procedure: Procedure) -> int:
    return (
        procedure.versions.order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1


def create_version(
    procedure: Procedure,
    field: ProcedureField,
    record: dict[str, Any],
    *,
    number: int,
    status: str,
    valid_from: dt.date | None,
) -> ProcedureVersion:
    """A version of `procedure` holding `record` (normalised: `_normalise`), with its
    documents, fees and steps."""
    values = {name: record.get(name, "") for name in VERSION_FIELDS}
    values["declaration"] = json.loads(record.get("declaration") or "{}")
    for name in ("time_limit",):
        values[name] = Decimal(values[name]) if values[name] not in ("", None) else None
    values["cutoff_time"] = (
        dt.time.fromisoformat(values["cutoff_time"]) if values["cutoff_time"] else None
    )
    values["anywhere_decision_date"] = (
        dt.date.fromisoformat(values["anywhere_decision_date"])
        if values["anywhere_decision_date"]
        else None
    )
    version = ProcedureVersion(
        procedure=procedure,
        number=number,
        status=status,
        valid_from=valid_from,
        published_at=timezone.now() if status == VersionStatus.PUBLISHED else None,
        field=field,
        applicant_types=[t for t in str(record.get("applicant_types", "")).split(",") if t],
        **values,
    )
    # the fields' own rules; the uniqueness and the constraints are the database's to enforce
    version.full_clean(
        exclude=["procedure", "field"], validate_unique=False, validate_constraints=False
    )
    version.save()
    RequiredDocument.objects.bulk_create(
        RequiredDocument(version=version, **{f: item.get(f) for f in DOC_FIELDS})
        for item in record.get("documents", [])
    )
    fees = []
    for item in record.get("fees", []):
        fee = {f: item.get(f) for f in FEE_FIELDS}
        fee["amount"] = Decimal(fee["amount"]) if fee["amount"] not in ("", None) else None
        fees.append(FeeLine(version=version, **fee))
    FeeLine.objects.bulk_create(fees)
    steps = []
    for item in record.get("steps", []):
        step = {f: item.get(f) for f in STEP_FIELDS}
        step["time_share"] = Decimal(step["time_share"] or 0)
        steps.append(ProcessStep(version=version, **step))
    ProcessStep.objects.bulk_create(steps)
    return version
