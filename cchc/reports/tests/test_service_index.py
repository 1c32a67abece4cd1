"""R-766: the Decision 766 service index on hand-computed examples."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from django.urls import reverse

from cchc.accounts.models import ExternalIdentity
from cchc.dossiers import services as ds
from cchc.dossiers.models import Dossier
from cchc.dossiers.testing import at, walk_to_result
from cchc.portal.models import RatingCriterion
from cchc.procedures.models import ProcedureVersion
from cchc.reports import periods
from cchc.reports.service_index import BY_CODE, GROUPS, INDICATORS, Measure, compute, due_766

pytestmark = pytest.mark.django_db


def give_back(world, d, moment):
    """Return the result at `moment`, telling the applicant first when it is early (R-EARLY)."""
    when = at(moment)
    d = ds.notify_early(d, actor=world.receptionist, at=when)
    return ds.return_result(d, actor=world.receptionist, returned_to="Lò Thị Hương", at=when)


def test_groups_add_up_to_100_points():
    assert sum(g.points for g in GROUPS) == 100
    assert sum(i.points for i in INDICATORS) == 100


def test_points_are_pro_rata_up_to_the_threshold():
    """Online procedures ≥ 80 % and online dossiers ≥ 50 % earn full points, less pro rata."""
    procedures = BY_CODE["online_procedures"]  # 6 points, full at 80 %
    assert Measure(procedures, 3, 5).points == Decimal("4.50")  # 60 / 80 × 6
    assert Measure(procedures, 4, 5).points == Decimal("6.00")
    assert Measure(procedures, 5, 5).points == Decimal("6.00")  # never above the maximum
    dossiers = BY_CODE["online_dossiers"]  # 8 points, full at 50 %
    assert Measure(dossiers, 1, 4).points == Decimal("4.00")
    assert Measure(dossiers, 1, 3).points == Decimal("5.33")
    satisfied = BY_CODE["satisfied"]  # 18 points, full at 100 %
    assert Measure(satisfied, 9, 10).points == Decimal("16.20")
    # nothing to count: no data, not zero and not full marks
    assert Measure(satisfied, 0, 0).points is None
    assert Measure(satisfied).share is None
    # an indicator the system cannot measure stays "no data" whatever is passed
    unmeasurable = dataclasses.replace(BY_CODE["synced"], measurable=False)
    assert Measure(unmeasurable, 5, 5).points is None


def _supplemented(world):
    """Received Mon 23/11/2026 09:00 (3 working days; Tue 24/11 is a holiday → due Fri 27/11
    09:00); a supplement asked Wed 25/11 09:00 arrives Tue 01/12 14:00."""
    d = world.received()
    doc = d.procedure_version.documents.first()
    d = ds.request_supplement(
        d,
        items=[ds.SupplementItem(doc.pk, "Sai ngày sinh")],
        reason="Thông tin không khớp",
        actor=world.division_head,
        at=at("2026-11-25 09:00"),
    )
    return ds.supply(
        d,
        documents=[ds.DocumentInput(doc.name, doc.pk, 1, 0, True)],
        actor=world.receptionist,
        at=at("2026-12-01 14:00"),
    )


def test_766_subtracts_the_supplement_time_instead_of_restarting(world):
    """One working day had run before the stop (Mon 09:00 → Wed 09:00 over the holiday); the
    two days left run from Tue 01/12 14:00 → due Thu 03/12 14:00. The one-stop rule restarts
    the whole limit → legal due Fri 04/12 14:00."""
    d = _supplemented(world)
    assert d.legal_due_at == at("2026-12-04 14:00")
    assert due_766(Dossier.objects.get(pk=d.pk)) == at("2026-12-03 14:00")


def test_on_time_by_the_one_stop_rule_can_be_late_by_766(world):
    d = walk_to_result(world, _supplemented(world), at("2026-12-04 10:00"))
    give_back(world, d, "2026-12-04 11:00")
    quick = walk_to_result(world, world.received(moment="2026-12-07 09:00"), at("2026-12-08 09:00"))
    give_back(world, quick, "2026-12-08 10:00")
    d.refresh_from_db()
    assert d.timeliness in ("early", "on_time")  # R-STATS: before the restarted due moment
    index = compute(periods.month(2026, 12), Dossier.objects.all(), by_agency=False)[None]
    measure = index.measures["on_time_766"]
    assert (measure.numerator, measure.denominator) == (1, 2)
    assert measure.points == Decimal("5.00")  # 50 % of 10 points
    # a second supplement request makes the quick one late as well
    Dossier.objects.filter(pk=quick.pk).update(supplement_rounds=2)
    index = compute(periods.month(2026, 12), Dossier.objects.all(), by_agency=False)[None]
    assert index.measures["on_time_766"].numerator == 0


def _month_of_work(world):
    """Four dossiers received in November 2026 at the commune, one online; two returned and
    one of them rated."""
    ProcedureVersion.objects.filter(procedure__code="1.004873").update(
        online_level="partial", announcement="Quyết định số 1/QĐ-UBND"
    )
    returned = []
    for day in ("02", "03"):
        d = world.received(moment=f"2026-11-{day} 09:00")
        d = walk_to_result(world, d, at(f"2026-11-{day} 15:00"))
        returned.append(give_back(world, d, f"2026-11-{day} 16:00"))
    world.received(moment="2026-11-04 09:00")
    online = world.received(moment="2026-11-05 09:00", channel="online")
    Dossier.objects.filter(pk=online.pk).update(applicant_user=world.citizen)
    scores = {c.code: 2 for c in RatingCriterion.objects.filter(active=True)}
    from cchc.portal import services as ps

    ps.rate(returned[0], scores=scores, comment="", channel="portal")
    return returned, online


def test_the_index_of_a_month_by_hand(world):
    _month_of_work(world)
    version = ProcedureVersion.objects.get(procedure__code="1.004873", status="published")
    scanned_all = version.documents.count() == 1  # the test world scans only the first paper
    period = periods.month(2026, 11)
    result = compute(period, Dossier.objects.all(), by_agency=True)
    assert set(result) == {world.commune_pc.pk}
    index = result[world.commune_pc.pk]
    m = index.measures

    def pair(code):
        return (m[code].numerator, m[code].denominator)

    published = version.published_at is not None
    assert pair("published") == (int(published), 1)
    assert pair("online_procedures") == (1, 1) and m["online_procedures"].points == 6
    assert pair("online_dossiers") == (1, 4) and m["online_dossiers"].points == Decimal("4.00")
    assert pair("vneid") == (0, 1) and m["vneid"].points == 0  # measured: zero, not "no data"
    assert pair("digitised") == (4 if scanned_all else 0, 4)
    assert pair("electronic_result") == (0, 2)  # no result signed
    assert pair("satisfied") == (1, 1) and m["satisfied"].points == 18
    assert pair("publicity_rated") == (1, 1) and m["publicity_rated"].points == 6
    # no fee was collected, no procedure with a reusable paper
    for code in ("online_payment", "reused"):
        assert m[code].points is None
    # the portal is connected (its simulator) but no worker ran: nothing synced yet
    assert pair("synced") == (0, 4) and m["synced"].points == 0
    # two dossiers still open on 30/11 (received 04 and 05/11, due three working days later)
    assert pair("not_overdue") == (0, 2)
    measured = sum(i.points for i in INDICATORS if m[i.code].points is not None)
    assert index.measured_max == measured == 100 - 4 - 6
    assert index.total == sum(m[i.code].points for i in INDICATORS if m[i.code].points is not None)

    # once the applicant's account is linked to VNeID the online dossier counts
    ExternalIdentity.objects.create(user=world.citizen, provider="vneid", subject="001")
    again = compute(period, Dossier.objects.all(), by_agency=False)[None]
    assert again.measures["vneid"].points == 4


def test_service_index_api_gives_the_same_points(client, world, settings):
    settings.CCHC_DVCQG_URL = ""  # the national portal not connected: "synced" is no data
    _month_of_work(world)
    client.force_login(world.reform_officer)
    params = {"period": "month", "year": "2026", "number": "11"}
    body = client.get("/api/v1/reports/service-index", params).json()
    agency = next(row for row in body["agencies"] if row["agency"] == world.commune_pc.name)
    expected = compute(periods.month(2026, 11), Dossier.objects.all(), by_agency=True)
    index = expected[world.commune_pc.pk]
    assert agency["total"] == float(index.total)
    assert agency["measured_max"] == float(index.measured_max)
    synced = next(i for i in agency["indicators"] if i["code"] == "synced")
    assert synced["points"] is None and synced["max_points"] == 6
    bad = client.get("/api/v1/reports/service-index", {"period": "month", "number": "13"})
    assert bad.status_code in (200, 422) and bad.status_code != 500


def test_service_index_page_shows_no_data_and_the_formula(client, world):
    _month_of_work(world)
    client.force_login(world.reform_officer)
    html = client.get(
        reverse("reports:service_index"), {"period": "month", "year": "2026", "number": "11"}
    ).content.decode()
    assert world.commune_pc.name in html
    assert "Hồ sơ đồng bộ trạng thái lên Cổng Dịch vụ công quốc gia" in html
    assert "chưa có số liệu" in html
    assert "Tiến độ, kết quả giải quyết" in html


def test_query_count_does_not_grow_with_dossiers(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _month_of_work(world)
    period = periods.month(2026, 11)
    compute(period, Dossier.objects.all(), by_agency=True)  # warm the calendar cache
    with CaptureQueriesContext(connection) as few:
        compute(period, Dossier.objects.all(), by_agency=True)
    for day in ("09", "10", "11"):
        d = world.received(moment=f"2026-11-{day} 09:00")
        give_back(
            world, walk_to_result(world, d, at(f"2026-11-{day} 15:00")), f"2026-11-{day} 16:00"
        )
    with CaptureQueriesContext(connection) as more:
        compute(period, Dossier.objects.all(), by_agency=True)
    assert len(more) == len(few) <= 16


def test_service_index_page_in_english(client, world):
    _month_of_work(world)
    client.force_login(world.reform_officer)
    client.cookies["django_language"] = "en"
    html = client.get(
        reverse("reports:service_index"), {"period": "month", "year": "2026", "number": "11"}
    ).content.decode()
    assert "Dossier statuses synchronised with the National Public Service Portal" in html
    assert "Progress and results" in html
