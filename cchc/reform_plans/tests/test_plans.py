"""Reform plans: the 2019 plan from the seed, deadlines on the working calendar, targets that
measure themselves, the office's actions (issue 6)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.urls import reverse

from cchc.calendars.services import calendar_for
from cchc.core.models import AuditEvent
from cchc.dossiers import services as ds
from cchc.dossiers.testing import at, walk_to_result
from cchc.reform_plans import services as s
from cchc.reform_plans.deadlines import DeadlineError, due_date
from cchc.reform_plans.models import Plan, PlanTask

pytestmark = pytest.mark.django_db


def sonla_2019() -> Plan:
    return Plan.objects.get(year=2019, decision_number="3026/QĐ-UBND")


def test_the_2019_plan_is_loaded_from_the_seed_with_computed_targets():
    plan = sonla_2019()
    assert plan.status == "issued" and plan.decision_date == dt.date(2018, 12, 7)
    assert plan.tasks.filter(parent=None).count() == 7
    targets = {t.metric: t.target_value for t in plan.targets.all()}
    assert targets["spot_center"] == 20 and targets["spot_district"] == 50
    assert targets["on_time"] == 100 and targets["iso_communes"] == 100
    assert all(t.method == "computed" for t in plan.targets.all())
    # "all year" ends on the last working day: Tuesday 31/12/2019
    assert set(plan.tasks.values_list("due_date", flat=True)) == {dt.date(2019, 12, 31)}


@pytest.mark.parametrize(
    "kind,year,number,expected",
    [
        ("quarter", 2019, 1, dt.date(2019, 3, 29)),  # 31/03/2019 is a Sunday
        ("month", 2019, 2, dt.date(2019, 2, 28)),  # after Tết (02–10/02/2019)
        ("month", 2026, 4, dt.date(2026, 4, 29)),  # 30/04 is Reunification Day
        ("year", 2023, None, dt.date(2023, 12, 29)),  # 31/12/2023 is a Sunday
        ("month", 2026, 11, dt.date(2026, 11, 30)),
    ],
)
def test_periods_end_on_their_last_working_day(world, kind, year, number, expected):
    calendar = calendar_for(sonla_2019().province)
    assert due_date(calendar, kind, year, number, None) == expected


def test_a_bad_deadline_gets_a_clear_message(world):
    plan = sonla_2019()
    calendar = calendar_for(plan.province)
    with pytest.raises(DeadlineError, match="tháng từ 1 đến 12"):
        due_date(calendar, "month", 2019, 13, None)
    task = PlanTask(
        plan=plan, code="9.9", content="Thử", deadline_kind="quarter", deadline_number=5
    )
    with pytest.raises(s.PlanError) as err:
        s.save_task(task)
    assert err.value.code == "invalid_deadline" and "quý từ 1 đến 4" in err.value.message
    assert not PlanTask.objects.filter(plan=plan, code="9.9").exists()


def _give_back(world, d, moment):
    d = ds.notify_early(d, actor=world.receptionist, at=at(moment))
    return ds.return_result(d, actor=world.receptionist, returned_to="Lò Thị Hương", at=at(moment))


def test_copied_plan_measures_its_targets_from_the_dossiers(world):
    copy = s.copy_plan(sonla_2019(), year=2026, actor=world.reform_officer)
    assert copy.status == "draft" and copy.tasks.count() == sonla_2019().tasks.count()
    assert copy.tasks.filter(parent=None).first().due_date == dt.date(2026, 12, 31)
    assert AuditEvent.objects.filter(action="plan.copy", object_id=str(copy.pk)).exists()
    late = walk_to_result(world, world.received(moment="2026-11-02 09:00"), at("2026-11-06 08:00"))
    ds.return_result(
        late, actor=world.receptionist, returned_to="Lò Thị Hương", at=at("2026-11-06 09:00")
    )  # due 05/11 09:00 → late
    ok = walk_to_result(world, world.received(moment="2026-11-09 09:00"), at("2026-11-10 09:00"))
    _give_back(world, ok, "2026-11-10 10:00")
    results = {r.target.metric: r for r in s.target_results(copy)}
    assert (results["on_time"].numerator, results["on_time"].denominator) == (1, 2)
    assert results["on_time"].value == Decimal("50.0") and results["on_time"].light == "red"
    # nothing flagged "frequently received": no data, never 0 %
    assert results["spot_district"].value is None and results["spot_district"].light == "no_data"
    with pytest.raises(s.PlanError) as err:
        s.copy_plan(sonla_2019(), year=2026, actor=world.reform_officer)
    assert err.value.code == "exists"


def test_only_the_reform_office_issues_and_everyone_official_reads(client, world):
    copy = s.copy_plan(sonla_2019(), year=2027, actor=world.reform_officer)
    url = reverse("reform_plans:action", args=[copy.pk, "ban-hanh"])
    client.force_login(world.specialist)
    page = client.get(reverse("reform_plans:detail", args=[copy.pk])).content.decode()
    assert "Kế hoạch cải cách hành chính năm 2027" in page and "Ban hành" not in page
    assert client.post(url).status_code == 404
    client.force_login(world.reform_officer)
    response = client.post(url, follow=True)
    assert "Cần ghi số và ngày quyết định" in response.content.decode()
    Plan.objects.filter(pk=copy.pk).update(decision_number="1/QĐ-UBND", decision_date="2026-12-01")
    client.post(url)
    copy.refresh_from_db()
    assert copy.status == "issued"
    event = AuditEvent.objects.get(action="plan.issued", object_id=str(copy.pk))
    assert (event.from_status, event.to_status) == ("draft", "issued")
    client.force_login(world.citizen)
    assert client.get(reverse("reform_plans:list")).status_code == 404


def test_plans_api(client, world):
    client.force_login(world.dept_leader)
    plans = client.get("/api/v1/plans", {"year": 2019}).json()
    assert [p["decision_number"] for p in plans] == ["3026/QĐ-UBND"]
    detail = client.get(f"/api/v1/plans/{plans[0]['id']}").json()
    assert len([t for t in detail["tasks"] if t["parent"] is None]) == 7
    assert {t["metric"] for t in detail["targets"]} >= {"on_time", "spot_center"}
    refused = client.post(
        f"/api/v1/plans/{plans[0]['id']}/actions/close", {}, content_type="application/json"
    )
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    client.force_login(world.reform_officer)
    again = client.post(
        f"/api/v1/plans/{plans[0]['id']}/actions/issue", {}, content_type="application/json"
    )
    assert again.status_code == 409 and again.json()["code"] == "not_draft"
    copied = client.post(
        f"/api/v1/plans/{plans[0]['id']}/actions/copy",
        {"year": 2028},
        content_type="application/json",
    )
    assert copied.status_code == 200 and copied.json()["status"] == "draft"
    bad = client.post(
        f"/api/v1/plans/{plans[0]['id']}/actions/copy", {}, content_type="application/json"
    )
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_parameter"


def test_the_2019_plan_measures_itself_on_a_generated_2019_workload(world):
    """Done-when of issue 6: the seed's targets computed from a generated workload."""
    import io

    from django.core.management import call_command

    from cchc.dossiers.models import Dossier

    call_command(
        "generate_workload",
        "--from",
        "2019-03-04",
        "--to",
        "2019-03-15",
        "--scale",
        "0.004",
        "--seed",
        "7",
        stdout=io.StringIO(),
    )
    plan = sonla_2019()
    results = {r.target.metric: r for r in s.target_results(plan)}
    settled = Dossier.objects.filter(
        province=plan.province,
        status="returned",
        outcome="granted",
        returned_at__year=2019,
    )
    good = settled.filter(timeliness__in=["early", "on_time"]).count()
    assert settled.count() > 0
    on_time = results["on_time"]
    assert (on_time.numerator, on_time.denominator) == (good, settled.count())
    expected = (Decimal(100) * good / settled.count()).quantize(Decimal("0.1"), ROUND_HALF_UP)
    assert on_time.value == expected
    assert results["one_stop_commune"].value is not None
