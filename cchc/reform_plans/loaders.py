"""Plans from the reviewed data files `data/provinces/<code>/plans/*.yaml` (idempotent: a plan
already present for its year and issuing agency is left as the office edited it)."""

from __future__ import annotations

from pathlib import Path

import yaml
from django.conf import settings
from django.db import transaction

from cchc.calendars.services import province_by_code
from cchc.core.audit import log_action
from cchc.organizations.models import Agency

from .constants import PlanStatus, TargetMethod
from .models import Plan, PlanTask, ReformArea, Target
from .services import ensure_areas, save_task


def _agency(name: str | None) -> Agency | None:
    if not name:
        return None
    agency = Agency.objects.filter(name=name).order_by("-pk").first()
    if agency is None:
        raise ValueError(f"không có cơ quan “{name}” trong dữ liệu cơ quan")
    return agency


@transaction.atomic
def load_plan(path: Path, province_code: str) -> Plan | None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    province = province_by_code(province_code)
    if province is None:
        raise ValueError(f"chưa nạp địa bàn của tỉnh {province_code}")
    issuer = _agency(data["issuing_agency"])
    if Plan.objects.filter(year=data["year"], issuing_agency=issuer, implements=None).exists():
        return None
    plan = Plan.objects.create(
        year=data["year"],
        title=data["title"],
        province=province,
        issuing_agency=issuer,
        decision_number=data.get("decision_number", ""),
        decision_date=data.get("decision_date"),
        status=PlanStatus.DRAFT,
    )
    areas = {a.code: a for a in ReformArea.objects.all()}
    plan.areas.set(areas.values())
    for order, row in enumerate(data.get("tasks", []), start=1):
        task = PlanTask(
            plan=plan,
            code=str(row["code"]),
            order=order,
            content=row["content"],
            area=areas.get(row.get("area", "")),
            lead_agency=_agency(row.get("lead")),
            output=row.get("output", ""),
            deadline_kind=row.get("deadline", "year"),
            deadline_number=row.get("number"),
            source=row.get("source", data.get("source", "")),
        )
        save_task(task)
    for order, row in enumerate(data.get("targets", []), start=1):
        Target.objects.create(
            plan=plan,
            order=order,
            name=row["name"],
            target_value=row["value"],
            unit=row.get("unit", "%"),
            method=TargetMethod.COMPUTED if row.get("metric") else TargetMethod.REPORTED,
            metric=row.get("metric", ""),
            lead_agency=_agency(row.get("lead")),
        )
    plan.status = data.get("status", PlanStatus.DRAFT)
    plan.save(update_fields=["status"])
    log_action(plan, "plan.load", actor_label="dữ liệu tham chiếu", after={"file": path.name})
    return plan


def load_plans(province_code: str) -> int:
    """Every plan file of the province; returns how many plans were created."""
    ensure_areas()
    folder = Path(settings.CCHC_DATA_DIR, "provinces", str(province_code), "plans")
    return sum(1 for path in sorted(folder.glob("*.yaml")) if load_plan(path, str(province_code)))
