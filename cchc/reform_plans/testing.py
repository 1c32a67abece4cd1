"""Test helpers: Sơn La's 2019 plan with a task led by the world's department."""

from __future__ import annotations

from typing import Any

from . import services as s
from .models import Plan, PlanTask


def plan_with_department_task(world: Any) -> tuple[Plan, PlanTask]:
    """Task 3.1 under key task 3, led by the department (Sở Xây dựng), the commune co-operating,
    due at the end of Q3 2019."""
    plan = Plan.objects.get(year=2019, decision_number="3026/QĐ-UBND")
    task = s.save_task(
        PlanTask(
            plan=plan,
            parent=plan.tasks.get(code="3"),
            code="3.1",
            content="Chuẩn hóa quy trình nội bộ giải quyết thủ tục xây dựng",
            lead_agency=world.department,
            deadline_kind="quarter",
            deadline_number=3,
        )
    )
    task.co_agencies.set([world.commune_pc])
    return plan, task
