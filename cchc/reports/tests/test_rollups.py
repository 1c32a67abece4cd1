"""Rollups equal recomputation from the dossiers, month by month and agency by agency."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db.models import Sum

from cchc.dossiers.models import Dossier
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


def test_an_agency_leaders_dashboard_reads_its_own_agency_from_the_rollups(client, world):
    from django.urls import reverse

    world.received(moment="2026-11-23 09:00")
    call_command("rebuild_rollups", stdout=io.StringIO())
    world.received(moment="2026-11-25 09:00")  # after the rebuild
    client.force_login(world.leader)
    html = client.get(reverse("reports:dashboard")).content.decode()
    assert '"label": "11/2026", "received": 1' in html  # the rollups, until the next rebuild
    assert "Số liệu theo tháng tổng hợp lúc" in html  # and the page says when they were computed
    # a specialist's scope follows the steps: computed from the dossiers, so it is current
    client.force_login(world.specialist)
    live = client.get(reverse("reports:dashboard")).content.decode()
    assert '"label": "11/2026", "received": 2' in live
    assert "Số liệu theo tháng tổng hợp lúc" not in live
    call_command("rebuild_rollups", stdout=io.StringIO())
    client.force_login(world.leader)
    html = client.get(reverse("reports:dashboard")).content.decode()
    assert '"label": "11/2026", "received": 2' in html
    client.force_login(world.dept_leader)  # another agency's leader: none of it
    other = client.get(reverse("reports:dashboard")).content.decode()
    assert '"label": "11/2026", "received": 0' in other
    assert world.commune_pc.name not in other


def test_the_periodic_report_from_the_rollups_equals_the_dossiers_cell_by_cell(world):
    """R-STATS from `MonthlyCounts`: every cell, every group, month-aligned periods that start
    before, cross and follow the workload, with and without a filter."""
    from cchc.reports.stats import COLUMNS, rollup_report

    call_command(
        "generate_workload",
        "--from",
        "2025-05-26",
        "--to",
        "2025-08-08",
        "--scale",
        "0.004",
        "--seed",
        "17",
        stdout=io.StringIO(),
    )
    # a suspension still open at a month's end, and one closed within it
    from cchc.dossiers import services as ds
    from cchc.dossiers.testing import at

    paused = world.received(moment="2025-08-20 09:00")
    ds.pause(paused, reason="Chờ nộp thuế", actor=world.division_head, at=at("2025-08-27 09:00"))
    agency = world.received(moment="2025-08-21 09:00").competent_agency_id
    call_command("rebuild_rollups", stdout=io.StringIO())
    checked = 0
    for period in (
        periods.month(2025, 5),
        periods.month(2025, 6),
        periods.month(2025, 8),
        periods.month(2025, 9),
        periods.quarter(2025, 3),
        periods.half(2025, 2),
        periods.year(2025),
        periods.custom(dt.date(2025, 7, 1), dt.date(2025, 9, 30)),
    ):
        for group in ("agency", "desk", "field", "channel", "level"):
            for filters, scope in (
                ({}, Dossier.objects.all()),
                ({"agency_id": agency}, Dossier.objects.filter(competent_agency_id=agency)),
                ({"channel": "online"}, Dossier.objects.filter(channel="online")),
            ):
                live = settlement_report(period, group, scope)
                stored = rollup_report(period, group, filters)
                assert [(r.key, r.name) for r in stored.rows] == [
                    (r.key, r.name) for r in live.rows
                ], (period.label, group, filters)
                for mine, theirs in zip(stored.rows, live.rows, strict=True):
                    for name, _label in COLUMNS:
                        assert mine.cells[name] == theirs.cells[name], (
                            period.label,
                            group,
                            filters,
                            mine.name,
                            name,
                        )
                        checked += 1
                assert stored.as_of is not None and live.as_of is None
    assert checked > 1000
    # the workload left dossiers open, overdue and suspended at some month's end
    august = rollup_report(periods.month(2025, 8), "agency").total.cells
    assert august["suspended"] >= 1 and august["carried_over"] > 0
    assert rollup_report(periods.year(2025), "agency").total.cells["in_progress_overdue"] >= 0


def test_the_rollups_serve_only_month_aligned_periods_and_their_own_groups():
    from cchc.reports.stats import rollup_report

    with pytest.raises(ValueError):
        rollup_report(periods.custom(dt.date(2025, 7, 2), dt.date(2025, 7, 31)), "agency")
    with pytest.raises(ValueError):
        rollup_report(periods.month(2025, 7), "commune")


def test_the_report_page_reads_the_rollups_says_when_and_computes_live_on_request(
    client, world, django_assert_max_num_queries
):
    from django.urls import reverse

    world.received(moment="2026-11-23 09:00")
    call_command("rebuild_rollups", stdout=io.StringIO())
    world.received(moment="2026-11-24 09:00", channel="online")  # after the rebuild
    client.force_login(world.reform_officer)
    url = reverse("reports:settlement")
    month = {"period": "month", "year": 2026, "number": 11}
    with django_assert_max_num_queries(12):
        page = client.get(url, month).content.decode()
    assert "Số liệu đọc từ bảng tổng hợp, tính lại lúc" in page
    total = client.get("/api/v1/reports/settlement", month).json()
    assert total["as_of"] is not None and total["total"]["cells"]["received"] == 1
    # live=1: the dossier received since the rebuild is counted, and the page says so
    live = client.get(url, {**month, "live": "1"}).content.decode()
    assert "Số liệu tính trực tiếp từ hồ sơ lúc xem." in live
    now = client.get("/api/v1/reports/settlement", {**month, "live": "1"}).json()
    assert now["as_of"] is None and now["total"]["cells"]["received"] == 2
    # a custom period that is not whole months, and a commune, are computed from the dossiers
    custom = {"period": "custom", "start": "02/11/2026", "end": "30/11/2026"}
    assert client.get("/api/v1/reports/settlement", custom).json()["as_of"] is None
    commune = world.commune_pc.area_id
    sliced = client.get("/api/v1/reports/settlement", {**month, "commune": commune}).json()
    assert sliced["as_of"] is None
    # the filed files state the moment their figures stand at
    from docx import Document

    docx = client.get(url, {**month, "format": "docx"})
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "Số liệu tổng hợp đến" in text
    # a desk officer's scope follows the dossiers, not the rollups: always live
    client.force_login(world.receptionist)
    mine = client.get("/api/v1/reports/settlement", month).json()
    assert mine["as_of"] is None and mine["total"]["cells"]["received"] == 2


def test_rollups_built_by_an_older_version_are_not_read_until_rebuilt(client, world):
    """After an upgrade adds rollup columns, they hold zeros until the next rebuild: the
    report computes from the dossiers until then instead of showing wrong figures."""
    from cchc.reports.models import DashboardSnapshot
    from cchc.reports.rollups import as_of

    world.received(moment="2026-11-23 09:00")
    call_command("rebuild_rollups", stdout=io.StringIO())
    assert as_of() is not None
    snap = DashboardSnapshot.objects.get(key="province")
    snap.data = {k: v for k, v in snap.data.items() if k != "rollup_version"}
    snap.save()
    assert as_of() is None
    client.force_login(world.reform_officer)
    month = {"period": "month", "year": 2026, "number": 11}
    assert client.get("/api/v1/reports/settlement", month).json()["as_of"] is None
    call_command("rebuild_rollups", stdout=io.StringIO())
    assert client.get("/api/v1/reports/settlement", month).json()["as_of"] is not None
