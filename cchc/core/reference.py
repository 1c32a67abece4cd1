"""Idempotent loading of reviewed reference data that never clobbers an administrator's edit.

Each loaded record remembers the checksum of the values it was loaded with. On the next load:
unchanged file and record → nothing; changed file, untouched record → updated; record edited
since (its values no longer match the checksum) → kept as the administrator left it, unless
`force` is given.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from decimal import Decimal
from typing import Any

from django.db import models

from .audit import log_action

LOADER = "load_reference_data"


def _norm(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    return value


def checksum(values: dict[str, Any]) -> str:
    data = {key: _norm(value) for key, value in sorted(values.items())}
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


class LoadReport(Counter[str]):
    """Counts of created / updated / unchanged / kept (edited by an administrator) records."""

    def __init__(self) -> None:
        super().__init__()
        self.kept: list[str] = []

    def summary(self) -> str:
        parts = [f"{k}={self[k]}" for k in ("created", "updated", "unchanged", "kept")]
        return ", ".join(parts)


def upsert[M: models.Model](
    model: type[M], key: str, values: dict[str, Any], report: LoadReport, *, force: bool = False
) -> M:
    """Create or update the record named `key` with `values` (field attnames)."""
    wanted = checksum(values)
    obj = model._default_manager.filter(reference_key=key).first()
    if obj is None:
        obj = model(reference_key=key, reference_checksum=wanted, **values)
        obj.save()
        log_action(obj, "reference.create", actor_label=LOADER, after=values)
        report["created"] += 1
        return obj
    current = checksum({name: getattr(obj, name) for name in values})
    stored = obj.reference_checksum  # type: ignore[attr-defined]
    if current != stored and not force:
        report["kept"] += 1
        report.kept.append(f"{model._meta.verbose_name}: {obj}")
        return obj
    if current == wanted and stored == wanted:
        report["unchanged"] += 1
        return obj
    before = {name: getattr(obj, name) for name in values}
    for name, value in values.items():
        setattr(obj, name, value)
    obj.reference_checksum = wanted  # type: ignore[attr-defined]
    obj.save()
    reason = "--force: overwrote an administrator's edit" if current != stored else ""
    log_action(
        obj, "reference.update", actor_label=LOADER, before=before, after=values, reason=reason
    )
    report["updated"] += 1
    return obj
