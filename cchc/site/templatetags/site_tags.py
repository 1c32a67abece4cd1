"""Template tags shared by the staff site and the portal."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django import template
from django.contrib.auth.password_validation import password_validators_help_texts

from cchc.core.formatting import money

register = template.Library()


@register.inclusion_tag("_password_rules.html")
def password_rules() -> dict[str, list[str]]:
    """The rules a new password must meet, as the configured validators state them (the
    same validators that then check it), shown under every new-password field."""
    return {"rules": password_validators_help_texts()}


@register.filter(name="money")
def money_filter(amount: Decimal | int | None) -> str:
    """`100000` → `100.000 đồng`, as the forms print it."""
    return money(amount)


def _shown(field: dict[str, Any], value: Any) -> str:
    """A stored value as typed back into the form: dates as dd/mm/yyyy."""
    if value is None:
        return ""
    if field.get("type") == "date" and isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    return str(value)


@register.inclusion_tag("_eform_field.html")
def eform_field(
    f: dict[str, Any], values: dict[str, Any], errors: dict[str, str], communes: Any
) -> dict[str, Any]:
    """One field of a declaration; a group as a table of its rows plus an empty one."""
    context: dict[str, Any] = {"f": f, "error": errors.get(f["key"], ""), "communes": communes}
    if f["type"] == "group":
        stored = list(values.get(f["key"]) or [])
        rows = []
        for index, item in enumerate([*stored, {}]):
            rows.append(
                [
                    {
                        **column,
                        "index": index,
                        "value": _shown(column, item.get(column["key"])),
                        "error": errors.get(f"{f['key']}.{index}.{column['key']}", ""),
                    }
                    for column in f.get("fields", [])
                ]
            )
        context["rows"] = rows
    else:
        value = values.get(f["key"])
        context["value"] = value if f["type"] == "boolean" else _shown(f, value)
    return context
