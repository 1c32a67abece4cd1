"""One on-time rate (R-STATS): the report, the rollups, the dashboard series, the targets, the
indices' metric and the public statistics show the same figure, rounded half up."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine

from cchc.core.rates import percentage
from cchc.dossiers.models import Dossier
from cchc.dossiers.testing import at
from cchc.reports import periods, rollups, targets
from cchc.reports.stats import settlement_report
from cchc.reports.views import rollup_series

pytestmark = pytest.mark.django_db


def test_percentages_round_half_up_not_as_binary_floats_do():
    assert round(100 * 1 / 16, 1) == 6.2  # what the pages used to show
    assert percentage(1, 16) == Decimal("6.3")
    assert percentage(8, 9) == Decimal("88.9") and percentage(0, 0) is None


def test_every_page_shows_the_same_on_time_rate_for_the_same_dossiers(world, client):
    # 16 dossiers settled in November 2026, one of them on time: 1/16 = 6.25%
    ids = [world.received(moment="2026-11-23 09:00").pk for _ in range(16)]
    returned = {
        "status": "returned",
        "outcome": "granted",
        "returned_at": at("2026-11-30 09:00"),
        "finished_at": at("2026-11-30 09:00"),
    }
    Dossier.objects.filter(pk__in=ids).update(**returned, timeliness="late")
    Dossier.objects.filter(pk=ids[0]).update(timeliness="on_time")
    refused = world.received(moment="2026-11-23 11:00")  # a refusal is not "settled"
    Dossier.objects.filter(pk=refused.pk).update(
        **(returned | {"outcome": "refused"}), timeliness="on_time"
    )
    assert Dossier.objects.filter(status="returned", outcome="granted").count() == 16
    november = periods.month(2026, 11)
    expected = Decimal("6.3")
    assert settlement_report(november, "agency").total.on_time_rate == expected
    assert targets.on_time_share(november, Dossier.objects.all()).value == expected
    with time_machine.travel(at("2026-12-06 09:00"), tick=False):
        rollups.rebuild()
        year = rollups.agency_months(2026)
        assert [row["months"][10]["on_time_rate"] for row in year] == [expected]
        series = {p["label"]: p["on_time"] for p in rollup_series(filters={})}
        assert series["11/2026"] == expected
        page = client.get("/dich-vu-cong/thong-ke/")
        assert [r["on_time_pct"] for r in page.context["table"]()] == [expected]
        assert "6,3%" in page.content.decode() or "6.3%" in page.content.decode()
