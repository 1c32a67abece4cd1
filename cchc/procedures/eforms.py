"""Declaration forms (tờ khai điện tử) as data: a procedure version carries a JSON Schema (what
is valid, checked with `jsonschema`) and a layout (sections, Vietnamese labels, help,
conditional parts, repeatable groups). Written compactly in `data/catalog/eforms.yaml` and
compiled here; stored on the version as `{"title", "source", "to_confirm", "schema",
"layout"}`; the values a person typed are a flat dict (a group's value is a list of dicts).

Field spec keys: key, label, type (text, textarea, date, integer, number, choice, id12,
commune, boolean, group), required, options (choice), help, prefill (an account attribute:
full_name, birth_date, id_number, phone, email, address), when ({field: value}: shown and
required only then), unless (a field: required only when that field is left empty — the 2024
civil-status forms ask residence, ethnicity and nationality only of a person whose ID number is
not given), if_given (a field: the requirement applies only when that field is filled, e.g. the
mother's details once she is named), fields (a group's columns), to_confirm (not checked
against the template).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.core.text import fold
from cchc.organizations.models import AdministrativeArea

TYPES = {
    "text": {"type": "string", "maxLength": 300},
    "textarea": {"type": "string", "maxLength": 2000},
    "date": {"type": "string", "format": "date"},
    "integer": {"type": "integer", "minimum": 0},
    "number": {"type": "number", "minimum": 0},
    "choice": {"type": "string"},
    "id12": {"type": "string", "pattern": "^[0-9]{12}$"},
    "commune": {"type": "string", "pattern": "^[0-9]{5}$"},
    "boolean": {"type": "boolean"},
}
PREFILLS = ("full_name", "birth_date", "id_number", "phone", "email", "address")


def _property(field: dict[str, Any]) -> dict[str, Any]:
    if field["type"] == "group":
        item = _object(field.get("fields", []))
        return {"type": "array", "items": item, "title": field["label"]}
    prop = dict(TYPES[field["type"]])
    prop["title"] = field["label"]
    if field["type"] == "choice":
        prop["enum"] = list(field["options"])
    return prop


def _object(fields: list[dict[str, Any]]) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {f["key"]: _property(f) for f in fields},
        "required": [
            f["key"]
            for f in fields
            if f.get("required") and not (f.get("when") or f.get("unless") or f.get("if_given"))
        ],
    }
    conditions = []
    for f in fields:
        for other, value in (f.get("when") or {}).items():
            rule: dict[str, Any] = {
                "if": {"properties": {other: {"const": value}}, "required": [other]},
                "then": {"required": [f["key"]]} if f.get("required") else {},
            }
            conditions.append(rule)
        if f.get("required") and (f.get("unless") or f.get("if_given")):
            condition: dict[str, Any] = {}
            if f.get("if_given"):
                condition["required"] = [f["if_given"]]
            if f.get("unless"):
                condition["not"] = {"required": [f["unless"]]}
            conditions.append({"if": condition, "then": {"required": [f["key"]]}})
    if conditions:
        schema["allOf"] = conditions
    return schema


def compile_form(spec: dict[str, Any]) -> dict[str, Any]:
    """The stored definition of a declaration from its compact spec."""
    fields = [f for section in spec["sections"] for f in section["fields"]]
    layout = [
        {
            "title": section["title"],
            "help": section.get("help", ""),
            "fields": [
                {
                    k: v
                    for k, v in f.items()
                    if k
                    in (
                        "key",
                        "label",
                        "type",
                        "help",
                        "prefill",
                        "when",
                        "unless",
                        "if_given",
                        "to_confirm",
                    )
                }
                | ({"fields": [dict(c) for c in f["fields"]]} if f["type"] == "group" else {})
                | ({"options": list(f["options"])} if f["type"] == "choice" else {})
                | ({"required": True} if f.get("required") else {})
                for f in section["fields"]
            ],
        }
        for section in spec["sections"]
    ]
    schema = _object(fields)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return {
        "title": spec["title"],
        "source": spec.get("source", ""),
        "to_confirm": bool(spec.get("to_confirm")),
        "schema": schema,
        "layout": layout,
    }


def check_definition(definition: dict[str, Any]) -> list[str]:
    """What is wrong with a definition an administrator edited (empty when it is sound)."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    problems = []
    for key in ("title", "schema", "layout"):
        if key not in definition:
            problems.append(_("Thiếu mục “%(key)s”.") % {"key": key})
    if problems:
        return problems
    try:
        Draft202012Validator.check_schema(definition["schema"])
    except SchemaError as exc:
        problems.append(_("JSON Schema không hợp lệ: %(problem)s") % {"problem": exc.message})
    known = set(definition["schema"].get("properties", {}))
    for section in definition["layout"]:
        for f in section.get("fields", []):
            if f.get("key") not in known:
                problems.append(
                    _("Trường “%(key)s” có trong bố cục nhưng không có trong schema.")
                    % {"key": f.get("key")}
                )
    return problems


def is_declaration_document(name: str) -> bool:
    """Whether a dossier component is the declaration itself ("Tờ khai …"): where the version
    has an e-form, filling it stands for that component."""
    return fold(name).lower().startswith("to khai")


def fields_of(definition: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for section in definition.get("layout", []) for f in section["fields"]]


def _parse(field: dict[str, Any], raw: str) -> Any:
    raw = raw.strip()
    if raw == "":
        return None
    kind = field["type"]
    if kind == "date":
        from cchc.core.params import as_day

        day = as_day(raw)
        return day.isoformat() if day else raw  # kept as typed: the check says what is wrong
    if kind in ("integer", "number"):
        try:
            number = float(raw.replace(",", "."))
        except ValueError:
            return raw
        return int(number) if kind == "integer" and number.is_integer() else number
    return raw


def from_post(definition: dict[str, Any], data: Any) -> dict[str, Any]:
    """The values typed in a posted form (`ef-<key>`, a group's rows `ef-<group>-<i>-<key>`);
    empty fields are left out, a row with nothing typed is dropped."""
    values: dict[str, Any] = {}
    for f in fields_of(definition):
        key = f["key"]
        if f["type"] == "group":
            rows = []
            indexes = sorted(
                {
                    int(m.group(1))
                    for name in data
                    if (m := re.match(rf"^ef-{re.escape(key)}-(\d+)-", name))
                }
            )
            for i in indexes[:50]:
                row = {}
                for column in f.get("fields", []):
                    value = _parse(column, data.get(f"ef-{key}-{i}-{column['key']}", ""))
                    if value is not None:
                        row[column["key"]] = value
                if row:
                    rows.append(row)
            if rows:
                values[key] = rows
        elif f["type"] == "boolean":
            if data.get(f"ef-{key}"):
                values[key] = True
        else:
            value = _parse(f, data.get(f"ef-{key}", ""))
            if value is not None:
                values[key] = value
    return values


def errors(
    definition: dict[str, Any], values: dict[str, Any], *, day: dt.date | None = None
) -> dict[str, str]:
    """Vietnamese messages per field ("key" or "group.row.column") for what the schema
    refuses, and for a commune code that is not a commune in force on `day` (today); empty
    when the declaration is complete and valid."""
    found = _schema_errors(definition, values)
    on = day or timezone.localdate()
    for f in fields_of(definition):
        code = values.get(f["key"])
        if f["type"] != "commune" or not code or f["key"] in found:
            continue
        if not AdministrativeArea.objects.on(on).filter(level="commune", code=code).exists():
            found[f["key"]] = _(
                "“%(label)s”: không có xã, phường mã %(code)s đang hoạt động ngày %(day)s."
            ) % {"label": f["label"], "code": code, "day": f"{on:%d/%m/%Y}"}
    return found


def _schema_errors(definition: dict[str, Any], values: dict[str, Any]) -> dict[str, str]:
    from jsonschema import Draft202012Validator, FormatChecker

    labels = {f["key"]: f["label"] for f in fields_of(definition)}
    for f in fields_of(definition):
        for column in f.get("fields", []):
            labels[f"{f['key']}.{column['key']}"] = column["label"]
    validator = Draft202012Validator(definition["schema"], format_checker=FormatChecker())
    found: dict[str, str] = {}
    for error in validator.iter_errors(values):
        path = [str(p) for p in error.absolute_path]
        if error.validator == "required":
            missing = re.findall(r"'([^']+)' is a required property", error.message)
            for key in missing:
                where = ".".join([*path, key])
                label_key = ".".join([*(path[:1]), key]) if path else key
                found[where] = _("Cần nhập “%(label)s”.") % {"label": labels.get(label_key, key)}
            continue
        where = ".".join(path) or "_"
        label_key = f"{path[0]}.{path[-1]}" if len(path) > 2 else (path[0] if path else "")
        label = labels.get(label_key, labels.get(path[0], "") if path else "")
        found[where] = _message(error.validator, label, error.validator_value)
    return found


def _message(kind: str, label: str, limit: Any) -> str:
    if kind == "format":
        return _("“%(label)s” phải là ngày có thật, theo dạng dd/mm/yyyy.") % {"label": label}
    if kind == "pattern":
        if "12" in str(limit):
            return _("“%(label)s” phải gồm đúng 12 chữ số.") % {"label": label}
        return _("Chọn “%(label)s” trong danh sách.") % {"label": label}
    if kind == "enum":
        return _("Chọn “%(label)s” trong danh sách.") % {"label": label}
    if kind in ("type",):
        return _("“%(label)s” phải là một số.") % {"label": label}
    if kind == "minimum":
        return _("“%(label)s” không được âm.") % {"label": label}
    if kind == "maxLength":
        return _("“%(label)s” dài quá %(limit)s ký tự.") % {"label": label, "limit": limit}
    return _("“%(label)s” không hợp lệ.") % {"label": label}


def prefill(definition: dict[str, Any], user: Any, earlier: dict[str, Any]) -> dict[str, Any]:
    """What is already known: the account's data for the fields that name it, then the same
    fields of the person's latest declaration (a family member's details typed last time)."""
    values: dict[str, Any] = {}
    for f in fields_of(definition):
        source = f.get("prefill")
        if source in PREFILLS:
            value = getattr(user, source, "") or ""
            if isinstance(value, dt.date):
                value = value.isoformat()
            if value:
                values[f["key"]] = value
        elif f["key"] in earlier and not f.get("when"):
            values[f["key"]] = earlier[f["key"]]
    return values


def commune_text(code: str) -> str:
    """A commune's code in words, as an address writes it: "Phường Chiềng An, Tỉnh Sơn La"
    (the latest unit with that code; the code itself where none is known)."""
    area = (
        AdministrativeArea.objects.filter(level="commune", code=code)
        .select_related("parent")
        .order_by(F("valid_from").desc(nulls_last=True))
        .first()
    )
    if area is None:
        return code
    return f"{area.name}, {area.parent.name}" if area.parent_id else area.name


def readable(definition: dict[str, Any], values: dict[str, Any]) -> list[dict[str, Any]]:
    """Sections of (label, text) for officers and for the printed declaration."""

    def show(field: dict[str, Any], value: Any) -> str:
        if value in (None, ""):
            return ""
        if field["type"] == "date":
            try:
                return dt.date.fromisoformat(str(value)).strftime("%d/%m/%Y")
            except ValueError:
                return str(value)
        if field["type"] == "boolean":
            return "Có" if value else "Không"
        if field["type"] == "commune":
            return commune_text(str(value))
        return str(value)

    sections = []
    for section in definition.get("layout", []):
        rows = []
        for f in section["fields"]:
            value = values.get(f["key"])
            if f["type"] == "group":
                rows.append(
                    {
                        "label": f["label"],
                        "columns": [c["label"] for c in f.get("fields", [])],
                        "rows": [
                            [show(c, item.get(c["key"])) for c in f.get("fields", [])]
                            for item in (value or [])
                        ],
                    }
                )
            elif value not in (None, ""):
                rows.append(
                    {"label": f["label"], "text": show(f, value), "kind": f["type"], "value": value}
                )
        sections.append({"title": section["title"], "rows": rows})
    return sections


def search_text(values: dict[str, Any]) -> str:
    """The declaration's words for the dossier search (names, places typed in it)."""
    parts: list[str] = []
    for value in values.values():
        if isinstance(value, list):
            parts += [str(v) for item in value for v in item.values()]
        elif isinstance(value, str):
            parts.append(value)
    return " ".join(parts)
