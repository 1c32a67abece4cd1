"""The bulk path of generate_workload: clones of service-made dossiers, row for row (PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from cchc.core.models import AuditEvent
from cchc.dossiers.models import Dossier, DossierStep, Handover

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="the bulk path writes with PostgreSQL's set-based INSERT … SELECT",
    ),
]


def test_clones_copy_every_row_of_finished_dossiers_weeks_back(world, client):
    call_command(
        "generate_workload",
        "--from",
        "2026-09-14",
        "--to",
        "2026-09-15",
        "--scale",
        "0.01",
        "--seed",
        "3",
        stdout=io.StringIO(),
    )
    finished = Dossier.objects.filter(
        status__in=["returned", "withdrawn", "closed"],
        code__isnull=False,
        received_at__date__range=(dt.date(2026, 9, 14), dt.date(2026, 9, 15)),
    )
    templates = list(finished.order_by("pk"))
    assert templates
    before = Dossier.objects.count()
    steps = DossierStep.objects.filter(dossier__in=templates).count()
    handovers = Handover.objects.filter(dossier__in=templates).count()
    events = AuditEvent.objects.filter(
        object_type="dossiers.dossier", object_id__in=[str(d.pk) for d in templates]
    ).count()
    target = before + 3 * len(templates)
    call_command(
        "generate_workload",
        "--if-empty",
        "--from",
        "2026-09-14",
        "--to",
        "2026-09-15",
        "--clone-to",
        str(target),
        "--clones-per-week",
        "2",
        "--clone-workers",
        "1",
        stdout=io.StringIO(),
    )
    assert Dossier.objects.count() == target
    assert DossierStep.objects.count() >= 4 * steps  # the templates' steps, three times more
    assert Handover.objects.filter(dossier__received_at__date__lt=dt.date(2026, 9, 10)).count() == (
        3 * handovers
    )
    assert AuditEvent.objects.filter(object_type="dossiers.dossier").count() >= 4 * events
    # clone 1 and 2 go one week back (two per week), clone 3 two weeks back
    original = templates[0]
    copies = Dossier.objects.filter(
        applicant_name=original.applicant_name,
        lookup_secret=original.lookup_secret,
        procedure_version=original.procedure_version,
    ).exclude(pk=original.pk)
    shifts = sorted((original.received_at - d.received_at).days for d in copies)
    assert shifts == [7, 7, 14]
    codes = [d.code for d in copies]
    assert len(set(codes)) == 3 and original.code not in codes
    later = original.returned_at or original.finished_at
    for d in copies:
        assert (d.returned_at or d.finished_at) - d.received_at == later - original.received_at
        assert d.steps.count() == original.steps.count()
    # a clone opens like any dossier (its rows are whole)
    clone = copies.first()
    client.force_login(_superuser())
    assert client.get(reverse("dossiers:detail", args=[clone.pk])).status_code == 200


def _superuser():
    from cchc.accounts.models import User

    return User.objects.create_superuser("quantri.bulk", password="mat-khau-Quan-tri-1")
