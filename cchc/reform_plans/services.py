"""Changes to reform plans, each audited: tasks with their computed due dates, issuing and
closing a plan, copying last year's plan; and the live values of computed targets."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from cchc.calendars.services import calendar_for
from cchc.core.audit import log_action
from cchc.core.errors import DomainError
from cchc.core.uploads import check_scan, stored_name
from cchc.dossiers.models import Dossier
from cchc.reports import periods
from cchc.reports.targets import all_targets, traffic_light

from .constants import DEFAULT_AREAS, PlanStatus, TargetMethod
from .deadlines import DeadlineError, due_date
from .models import Plan, PlanTask, ReformArea, Target, TargetValue
from .permissions import agencies_of


class PlanError(DomainError):
    """A refused change of a plan (the domain family: `code`, Vietnamese `message`)."""


def ensure_areas() -> int:
    """The default reform areas, created once (the administrator edits them afterwards)."""
    created = 0
    for order, (code, name) in enumerate(DEFAULT_AREAS, start=1):
        _area, new = ReformArea.objects.get_or_create(
            code=code, defaults={"name": name, "order": order}
        )
        created += int(new)
    return created


def compute_due(task: PlanTask) -> dt.date:
    try:
        return due_date(
            calendar_for(task.plan.province),
            task.deadline_kind,
            task.plan.year,
            task.deadline_number,
            task.deadline_date,
        )
    except DeadlineError as exc:
        raise PlanError(
            "invalid_deadline",
            _("Nhiệm vụ %(task_code)s: %(exc)s") % {"task_code": task.code, "exc": exc},
        ) from exc


def save_task(task: PlanTask, *, actor: Any = None) -> PlanTask:
    """Store a task with its due date from the working calendar."""
    if task.plan.status == PlanStatus.CLOSED:
        raise PlanError("plan_closed", _("Kế hoạch đã kết thúc, không sửa được nhiệm vụ."))
    if task.parent_id and task.parent.parent_id:  # type: ignore[union-attr]
        raise PlanError("too_deep", _("Nhiệm vụ cụ thể chỉ nằm dưới một nhiệm vụ trọng tâm."))
    task.due_date = compute_due(task)
    new = task.pk is None
    task.save()
    log_action(
        task.plan,
        "plan.task_add" if new else "plan.task_change",
        actor=actor,
        after={"task": task.code, "due": task.due_date.isoformat()},
    )
    return task


def _transition(plan: Plan, to: str, actor: Any, reason: str = "") -> Plan:
    before = plan.status
    plan.status = to
    plan.save(update_fields=["status", "updated_at"])
    log_action(plan, f"plan.{to}", actor=actor, from_status=before, to_status=to, reason=reason)
    return plan


@transaction.atomic
def issue(plan: Plan, *, actor: Any) -> Plan:
    """Draft → issued: the plan needs its decision number and date and at least one task."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.DRAFT:
        raise PlanError("not_draft", _("Chỉ ban hành được kế hoạch đang ở dạng dự thảo."))
    if not plan.decision_number or not plan.decision_date:
        raise PlanError("decision_required", _("Cần ghi số và ngày quyết định ban hành kế hoạch."))
    if not plan.tasks.exists():
        raise PlanError("no_tasks", _("Kế hoạch chưa có nhiệm vụ nào."))
    return _transition(plan, PlanStatus.ISSUED, actor)


@transaction.atomic
def close(plan: Plan, *, actor: Any) -> Plan:
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.ISSUED:
        raise PlanError("not_issued", _("Chỉ kết thúc được kế hoạch đã ban hành."))
    return _transition(plan, PlanStatus.CLOSED, actor)


def _shift_year(day: dt.date | None, years: int) -> dt.date | None:
    if day is None:
        return None
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29/02
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def copy_plan(plan: Plan, *, year: int, actor: Any) -> Plan:
    """Last year's plan as this year's draft: tasks (deadlines moved by the years between),
    co-agencies, dependencies, targets and areas; no decision yet."""
    if Plan.objects.filter(
        year=year, issuing_agency=plan.issuing_agency, implements=plan.implements
    ).exists():
        raise PlanError("exists", _("Cơ quan này đã có kế hoạch năm %(year)s.") % {"year": year})
    years = year - plan.year
    copy = Plan.objects.create(
        year=year,
        title=plan.title.replace(str(plan.year), str(year)),
        province=plan.province,
        issuing_agency=plan.issuing_agency,
        implements=plan.implements,
        status=PlanStatus.DRAFT,
    )
    copy.areas.set(plan.areas.all())
    mapping: dict[int, PlanTask] = {}
    tasks = list(plan.tasks.order_by("parent_id", "order", "pk").prefetch_related("co_agencies"))
    for old in sorted(tasks, key=lambda t: (t.parent_id is not None, t.order, t.pk)):
        new = PlanTask(
            plan=copy,
            parent=mapping.get(old.parent_id) if old.parent_id else None,
            code=old.code,
            order=old.order,
            content=old.content,
            area=old.area,
            lead_agency=old.lead_agency,
            output=old.output,
            deadline_kind=old.deadline_kind,
            deadline_number=old.deadline_number,
            deadline_date=_shift_year(old.deadline_date, years),
            source=old.source,
        )
        new.due_date = compute_due(new)
        new.save()
        new.co_agencies.set(old.co_agencies.all())
        mapping[old.pk] = new
    for old in tasks:
        deps = [mapping[d.pk] for d in old.depends_on.all() if d.pk in mapping]
        if deps:
            mapping[old.pk].depends_on.set(deps)
    for t in plan.targets.all():
        t.pk = None
        t.plan = copy
        t.save()
    log_action(copy, "plan.copy", actor=actor, after={"from": plan.pk, "year": year})
    return copy


# -- computed targets ------------------------------------------------------------------------


@dataclass
class TargetResult:
    target: Target
    value: Any  # Decimal | None
    numerator: int | None
    denominator: int | None
    definition: str

    @property
    def light(self) -> str:

        return traffic_light(self.value, self.target.target_value)


def plan_scope(plan: Plan) -> QuerySet[Dossier]:
    """The dossiers a plan's computed targets are measured on: the province's, or the agency's."""
    if plan.is_province_plan:
        return Dossier.objects.filter(province=plan.province)
    return Dossier.objects.filter(competent_agency=plan.issuing_agency)


def target_results(plan: Plan, period: Any = None) -> list[TargetResult]:
    """Each target with its live value for the plan's year (or `period`); reported targets
    and metrics without data have no value ("no data", never 0 or 100)."""

    targets = list(plan.targets.all())
    metrics = {}
    if any(t.method == TargetMethod.COMPUTED for t in targets):
        period = period or periods.year(plan.year)
        metrics = {m.code: m for m in all_targets(period, plan_scope(plan))}
    results = []
    end = getattr(period, "end", None) or dt.date(plan.year, 12, 31)
    reported = {}
    for v in TargetValue.objects.filter(target__in=targets, period__end__lte=end):
        reported.setdefault(v.target_id, v)  # the latest period first (Meta ordering)
    for t in targets:
        if t.method == TargetMethod.REPORTED:
            v = reported.get(t.pk)
            results.append(TargetResult(t, v.value if v else None, None, None, v.note if v else ""))
            continue
        m = metrics.get(t.metric)
        results.append(
            TargetResult(
                t,
                m.value if m else None,
                m.numerator if m else None,
                m.denominator if m else None,
                m.definition if m else "",
            )
        )
    return results


def report_target_value(
    target: Target, period: Any, *, value: Any, note: str, evidence: Any, actor: Any
) -> TargetValue:
    """The lead agency of a reported target gives its value for a period, with evidence."""

    if target.method != TargetMethod.REPORTED:
        raise PlanError("computed", _("Chỉ tiêu này được tính tự động từ dữ liệu hệ thống."))
    if target.lead_agency_id not in agencies_of(actor):
        raise PlanError("not_lead", _("Chỉ cơ quan chủ trì chỉ tiêu báo cáo giá trị."))
    try:
        number = Decimal(str(value).replace(",", "."))
    except (InvalidOperation, ValueError) as exc:
        raise PlanError("invalid_input", _("Giá trị chỉ tiêu phải là số.")) from exc
    if not number.is_finite() or number < 0:
        raise PlanError("invalid_input", _("Giá trị chỉ tiêu phải là số không âm."))
    if evidence is None:
        raise PlanError("evidence_required", _("Cần đính kèm minh chứng cho giá trị báo cáo."))

    kind = check_scan(evidence)
    row = TargetValue(
        target=target, period=period, value=number, note=note.strip(), reported_by=actor
    )
    row.evidence.save(stored_name(kind), evidence, save=False)
    row.save()
    log_action(
        target.plan,
        "plan.target_value",
        actor=actor,
        after={"target": target.name, "value": str(number)},
    )
    return row
