"""The seed's targets measured live, on hand-computed examples; "no data" is never 0 or 100."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from cchc.dossiers import services as ds
from cchc.dossiers.models import Dossier
from cchc.dossiers.testing import at, walk_to_result
from cchc.organizations.models import QualityCertification
from cchc.reports import periods
from cchc.reports.targets import all_targets, iso_commune_share

pytestmark = pytest.mark.django_db


def by_code(metrics):
    return {m.code: m for m in metrics}


def test_on_time_online_and_on_the_spot_shares_count_by_hand(world):
    late = walk_to_result(world, world.received(moment="2026-11-02 09:00"))
    ds.return_result(
        late, actor=world.receptionist, returned_to="Lò Thị Hương", at=at("2026-11-06 09:00")
    )  # due 05/11 09:00 → late
    ok = walk_to_result(world, world.received(moment="2026-11-09 09:00", channel="online"))
    ds.return_result(
        ok, actor=world.receptionist, returned_to="Lò Thị Hương", at=at("2026-11-12 09:00")
    )  # due 12/11 09:00 → on time
    world.received(
        "1.000703", "2026-11-10 09:00", desk=world.center_desk, actor=world.center_receptionist
    )
    m = by_code(all_targets(periods.month(2026, 11), Dossier.objects.all()))
    assert (m["on_time"].numerator, m["on_time"].denominator) == (1, 2)
    assert m["on_time"].value == Decimal("50.0") and m["on_time"].light == "red"
    assert (m["online_dossiers"].numerator, m["online_dossiers"].denominator) == (1, 3)
    # one procedure received at the provincial Center, not settled on the spot
    assert (m["spot_center"].numerator, m["spot_center"].denominator) == (0, 1)
    # no procedure is flagged "frequently received" yet: no data, not 0 %
    assert m["spot_district"].value is None and m["spot_district"].light == "no_data"
    assert m["one_stop_commune"].value == Decimal("100.0")


def test_iso_coverage_has_no_data_until_records_exist_then_counts_communes(world):
    period = periods.year(2026)
    assert iso_commune_share(period).value is None
    QualityCertification.objects.create(
        agency=world.commune_pc,
        standard="iso9001_2015",
        status="announced",
        status_on=dt.date(2026, 3, 1),
    )
    metric = iso_commune_share(period)
    assert metric.numerator == 1 and metric.denominator == 75


def test_targets_page_shows_traffic_lights(client, world):
    client.force_login(world.reform_officer)
    html = client.get(
        reverse("reports:targets"), {"period": "year", "year": "2026"}
    ).content.decode()
    assert "Hồ sơ giải quyết đúng hạn" in html and "chưa có số liệu" in html


def test_dashboard_and_lobby_show_live_numbers(client, world):
    d = walk_to_result(world, world.received(moment="2026-11-02 09:00"))
    Dossier.objects.filter(pk=d.pk).update(legal_due_at=at("2026-11-03 09:00"))
    client.force_login(world.leader)
    html = client.get(reverse("reports:dashboard")).content.decode()
    assert world.commune_pc.name in html and 'id="series"' in html
    lobby = client.get(reverse("reports:lobby", args=[world.commune_desk.pk])).content.decode()
    assert 'http-equiv="refresh"' in lobby and world.commune_desk.name in lobby
