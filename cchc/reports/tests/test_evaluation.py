"""R-EVAL on hand-computed dossiers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cchc.dossiers import services as ds
from cchc.dossiers.models import Dossier
from cchc.dossiers.testing import at, walk_to_result
from cchc.reports import periods
from cchc.reports.evaluation import evaluate

pytestmark = pytest.mark.django_db


def returned(world, received, returned_at, **kwargs):
    d = world.received(moment=received, **kwargs)
    d = walk_to_result(world, d, at(received.replace("09:00", "10:00")))
    if returned_at < d.legal_due_at.strftime("%Y-%m-%d %H:%M"):
        d = ds.notify_early(d, actor=world.receptionist, at=at(received.replace("09:00", "10:30")))
    return ds.return_result(
        d, actor=world.receptionist, returned_to="Lò Thị Hương", at=at(returned_at)
    )


def test_indices_staff_and_agency_scores_by_hand(world):
    # A: received Mon 02/11, due Thu 05/11 09:00, returned Wed 04/11 → early (index 1 = 2)
    returned(world, "2026-11-02 09:00", "2026-11-04 09:00")
    # B: received Mon 09/11, due Thu 12/11 09:00, returned Fri 13/11 → late (index 1 = 0)
    returned(world, "2026-11-09 09:00", "2026-11-13 09:00")
    result = evaluate(periods.month(2026, 11), Dossier.objects.all(), "commune_center")
    assert result.dossiers == 2
    assert result.indices[1] == Decimal("1.0")  # (2 + 0) / 2
    assert result.indices[3] == Decimal("2.0")  # no supplement round
    assert result.indices[7] == Decimal("1.0")  # conduct follows timeliness without complaints
    assert result.indices[6] is None  # publicity: no data, left out
    assert result.indices[4] is None  # agencies dealt with: not recorded, left out
    # every agency step finished an hour after it started, within its share (index 2 = 1);
    # the desk's return step, which waits for the applicant, is not an agency's time
    assert result.indices[2] == Decimal("1.0")
    expected_staff = sum(result.indices[i] for i in (1, 2, 3, 7))
    assert result.staff_score == expected_staff
    assert result.agency_score == sum(v for v in result.indices.values() if v is not None)
    assert result.agency_band in ("Xuất sắc", "Tốt", "Khá", "Trung bình", "Yếu")


def test_no_returned_dossiers_means_no_data_not_zero(world):
    result = evaluate(periods.month(2026, 1), Dossier.objects.all(), "commune_center")
    assert result.dossiers == 0 and result.indices[1] is None and result.indices[5] is None
    assert result.staff_band == "Chưa có dữ liệu"


def test_evaluation_page_lists_desks_and_agencies(client, world):
    returned(world, "2026-11-02 09:00", "2026-11-04 09:00")
    client.force_login(world.reform_officer)
    from django.urls import reverse

    html = client.get(
        reverse("reports:evaluation"), {"period": "month", "year": "2026", "number": "11"}
    ).content.decode()
    assert world.commune_desk.name in html and world.commune_pc.name in html
    assert "Hoàn thành" in html
