"""Rollups equal recomputation from the dossiers, month by month and agency by agency."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db.models import Sum

from cchc.reports import periods
from cchc.reports.models import MonthlyCounts
from cchc.reports.stats import settlement_report

pytestmark = pytest.mark.django_db


def test_rollups_match_the_report_for_every_month_and_agency():
    call_command(
        "generate_workload",
        "--from",
        "2025-06-02",
        "--to",
        "2025-07-31",
        "--scale",
        "0.003",
        "--seed",
        "5",
        stdout=io.StringIO(),
    )
    call_command("rebuild_rollups", stdout=io.StringIO())
    assert MonthlyCounts.objects.exists()
    from cchc.reports.rollups import agency_months

    year = {row["agency_id"]: row for row in agency_months(2025)}
    for month in (6, 7, 8):
        report = settlement_report(periods.month(2025, month), "agency")
        for row in report.rows:
            sums = MonthlyCounts.objects.filter(
                month__year=2025, month__month=month, agency_id=row.key
            ).aggregate(
                received=Sum("received"),
                early=Sum("settled_early"),
                on_time=Sum("settled_on_time"),
                late=Sum("settled_late"),
                refused=Sum("refused"),
                withdrawn=Sum("withdrawn"),
            )
            new = row.cells["new_online"] + row.cells["new_in_person"] + row.cells["new_post"]
            assert (sums["received"] or 0) == new
            assert (sums["early"] or 0) == row.cells["settled_early"]
            assert (sums["on_time"] or 0) == row.cells["settled_on_time"]
            assert (sums["late"] or 0) == row.cells["settled_late"]
            assert (sums["refused"] or 0) == row.cells["refused"]
            assert (sums["withdrawn"] or 0) == row.cells["withdrawn"]
            # the year's agency × month report (API /reports/agency-months) reads the same
            cell = year[row.key]["months"][month - 1] if row.key in year else None
            settled = sum(
                row.cells[k] for k in ("settled_early", "settled_on_time", "settled_late")
            )
            assert (cell["received"] if cell else 0) == new
            assert (cell["settled"] if cell else 0) == settled
    call_command("rebuild_rollups", stdout=io.StringIO())  # idempotent
    assert MonthlyCounts.objects.filter(month__year=2025).aggregate(n=Sum("received"))["n"] > 0


def test_agency_months_api_is_scoped(client, world):
    world.received(moment="2026-11-23 09:00")
    call_command("rebuild_rollups", stdout=io.StringIO())
    client.force_login(world.reform_officer)
    rows = client.get("/api/v1/reports/agency-months", {"year": 2026}).json()
    assert [r["agency_id"] for r in rows] == [world.commune_pc.pk]
    assert rows[0]["months"][10]["received"] == 1 and rows[0]["total"]["received"] == 1
    client.force_login(world.dept_leader)  # another agency: sees none of it
    assert client.get("/api/v1/reports/agency-months", {"year": 2026}).json() == []
    bad = client.get("/api/v1/reports/agency-months", {"year": 1900})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_parameter"


def test_province_dashboard_reads_the_rollups(client, world):
    from django.urls import reverse

    world.received(moment="2026-11-23 09:00")
    client.force_login(world.reform_officer)
    call_command("rebuild_rollups", stdout=io.StringIO())
    html = client.get(reverse("reports:dashboard")).content.decode()
    assert '"label": "11/2026", "received": 1' in html
    world.received(moment="2026-11-25 09:00")
    stale = client.get(reverse("reports:dashboard")).content.decode()
    assert '"label": "11/2026", "received": 1' in stale  # until the next rebuild
    call_command("rebuild_rollups", stdout=io.StringIO())
    page = client.get(reverse("reports:dashboard")).content.decode()
    assert '"received": 2' in page and "khi tính lại bảng tổng hợp" in page
    # the year's targets on the province dashboard are those stored at the rebuild …
    from cchc.dossiers.models import Dossier
    from cchc.reports import periods
    from cchc.reports.rollups import province_snapshot
    from cchc.reports.targets import all_targets

    stored, _overdue, _at = province_snapshot()
    live = all_targets(periods.year(2026), Dossier.objects.all())
    assert [(m.code, m.numerator, m.denominator, m.light) for m in stored] == [
        (m.code, m.numerator, m.denominator, m.light) for m in live
    ]
    # … and a narrower view (one agency) still computes live
    narrowed = client.get(reverse("reports:dashboard"), {"agency": world.commune_pc.pk})
    assert "khi tính lại bảng tổng hợp" not in narrowed.content.decode()
