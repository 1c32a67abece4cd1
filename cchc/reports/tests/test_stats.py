"""R-STATS: every cell of the report reconciles with the dossiers themselves."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.core.management import call_command

from cchc.dossiers import services as ds
from cchc.dossiers.models import Dossier
from cchc.dossiers.testing import at, walk_to_result
from cchc.reports import periods
from cchc.reports.stats import COLUMNS, GROUPS, settlement_report

pytestmark = pytest.mark.django_db


def recompute(period, group):
    """The report again, cell by cell, in plain Python over the raw records."""
    start, end = period.start_moment, period.end_moment
    key_field = GROUPS[group][0].replace("__", ".")
    out: dict[object, Counter] = {}
    for d in Dossier.objects.filter(received_at__isnull=False).select_related(
        "competent_agency__area"
    ):
        key = d
        for part in key_field.split("."):
            key = getattr(key, part.removesuffix("_id") + ("_id" if part.endswith("_id") else ""))
        cells = out.setdefault(key, Counter())
        finished = d.finished_at
        if d.received_at < end and not (finished and finished < start):
            cells["received"] += 1
            if d.received_at < start:
                cells["carried_over"] += 1
            else:
                cells[f"new_{d.channel}"] += 1
            if finished is None or finished >= end:
                cells["in_progress"] += 1
                cells["in_progress_overdue" if d.legal_due_at < end else "in_progress_not_due"] += 1
                if any(
                    s.started_at < end and (s.ended_at is None or s.ended_at >= end)
                    for s in d.clock_stops.all()
                ):
                    cells["suspended"] += 1
            elif d.status == "returned" and d.outcome == "granted":
                cells["settled"] += 1
                cells[f"settled_{d.timeliness}"] += 1
            elif d.status == "returned":
                cells["refused"] += 1
            else:
                cells["withdrawn"] += 1
    return {k: v for k, v in out.items() if any(v.values())}


def test_report_reconciles_with_a_generated_workload_cell_by_cell():
    call_command(
        "generate_workload",
        "--from",
        "2025-06-02",
        "--to",
        "2025-07-31",
        "--scale",
        "0.003",
        "--seed",
        "11",
        stdout=io.StringIO(),
    )
    assert Dossier.objects.count() > 30
    for period in (
        periods.month(2025, 7),
        periods.quarter(2025, 3),
        periods.half(2025, 1),
        periods.custom(at("2025-06-15 00:00").date(), at("2025-07-10 00:00").date()),
    ):
        for group in ("agency", "desk", "channel", "field", "level"):
            report = settlement_report(period, group)
            expected = recompute(period, group)
            assert {r.key for r in report.rows} == set(expected), (period.label, group)
            for row in report.rows:
                for name, _label in COLUMNS:
                    assert row.cells[name] == expected[row.key][name], (period.label, group, name)
                cells = row.cells
                assert (
                    cells["received"]
                    == cells["carried_over"]
                    + cells["new_online"]
                    + cells["new_in_person"]
                    + cells["new_post"]
                )
                assert cells["received"] == (
                    cells["settled"] + cells["refused"] + cells["withdrawn"] + cells["in_progress"]
                )
                assert cells["settled"] == (
                    cells["settled_early"] + cells["settled_on_time"] + cells["settled_late"]
                )
            assert report.total.cells["received"] == sum(r.cells["received"] for r in report.rows)


def test_hand_counted_month_across_the_boundary(world):
    """Received 28/10 and returned 03/11: carried into November and settled there."""
    d = walk_to_result(world, world.received(moment="2026-10-28 09:00"))
    d = ds.return_result(
        d, actor=world.receptionist, returned_to="Lò Thị Hương", at=at("2026-11-02 08:00")
    )
    world.received(moment="2026-11-05 09:00", channel="online")
    late = world.received(moment="2026-11-09 09:00")
    ds.pause(late, reason="Chờ nộp thuế", actor=world.division_head, at=at("2026-11-20 09:00"))
    october = settlement_report(periods.month(2026, 10)).total.cells
    assert october["new_in_person"] == 1 and october["in_progress"] == 1
    november = settlement_report(periods.month(2026, 11)).total.cells
    assert november["carried_over"] == 1 and november["new_online"] == 1
    assert november["settled"] == 1 and november["in_progress"] == 2
    # both open dossiers passed their legal due moment before 01/12 (a pause moves it only
    # when the dossier resumes)
    assert november["suspended"] == 1 and november["in_progress_overdue"] == 2
