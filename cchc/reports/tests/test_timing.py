"""Where time goes, on hand-computed working hours."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from cchc.dossiers import services as ds
from cchc.dossiers.models import Dossier
from cchc.dossiers.testing import at
from cchc.reports import periods
from cchc.reports.timing import late_steps, reasons, step_spreads

pytestmark = pytest.mark.django_db


def test_step_hours_are_working_hours_with_median_and_p90(world):
    d = world.received(moment="2026-11-23 09:00")  # the division head's step starts 09:00
    # finished Wed 25/11 09:00: Mon 6 h + Tue holiday + Wed 1.5 h = 7.5 working hours, late
    ds.complete_step(d, actor=world.division_head, at=at("2026-11-25 09:00"))
    spreads = step_spreads(periods.month(2026, 11), Dossier.objects.all())
    commune = next(s for s in spreads["agencies"] if s.name == world.commune_pc.name)
    assert commune.count == 1 and commune.median_hours == Decimal("7.5")
    assert late_steps(periods.month(2026, 11), Dossier.objects.all())[0]["late"] == 1


def test_reasons_are_ranked(world):
    for _ in range(2):
        d = world.start(skip=1)
        doc = d.procedure_version.documents.first()
        ds.request_completion(
            d,
            items=[ds.SupplementItem(doc.pk)],
            reason="Thiếu tờ khai",
            actor=world.receptionist,
            at=at("2026-11-23 09:00"),
        )
    ranked = reasons(periods.month(2026, 11), Dossier.objects.all())
    assert ranked["supplements"][0] == ("Thiếu tờ khai", 2)


def test_timing_page_for_a_leader(client, world):
    client.force_login(world.leader)
    response = client.get(
        reverse("reports:timing"), {"period": "month", "year": "2026", "number": "11"}
    )
    assert response.status_code == 200 and "Thời gian đi đâu" in response.content.decode()
