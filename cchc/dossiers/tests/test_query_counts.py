"""Inbox, list and dossier pages run a fixed number of queries whatever the data size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cchc.dossiers import services as s
from cchc.dossiers.testing import at

pytestmark = pytest.mark.django_db


def count(client, url):
    client.get(url)  # warm the per-process calendar cache
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx)


@pytest.mark.parametrize(
    "persona,url",
    [
        ("division_head", "dossiers:inbox"),
        ("leader", "dossiers:inbox"),
        ("receptionist", "dossiers:list"),
        ("receptionist", "dossiers:register"),
    ],
)
def test_lists_do_not_grow_with_rows(client, world, persona, url):
    client.force_login(getattr(world, persona))
    for hour in ("08:00", "09:00"):
        world.received(moment=f"2026-11-25 {hour}")
    small = count(client, reverse(url))
    for hour in ("10:00", "10:30", "13:30", "14:00", "14:30", "15:00"):
        world.received(moment=f"2026-11-25 {hour}")
    assert count(client, reverse(url)) == small


def test_dossier_page_does_not_grow_with_its_history(client, world):
    client.force_login(world.leader)
    fresh = world.received()
    small = count(client, reverse("dossiers:detail", args=[fresh.pk]))
    busy = world.received(moment="2026-11-23 10:00")
    busy = s.complete_step(busy, actor=world.division_head, at=at("2026-11-23 11:00"))
    busy = s.pause(busy, reason="Chờ nộp thuế", actor=world.specialist, at=at("2026-11-23 13:30"))
    busy = s.resume(busy, actor=world.specialist, at=at("2026-11-25 08:00"))
    busy = s.complete_step(busy, actor=world.specialist, at=at("2026-11-25 09:00"))
    busy = s.apologise(
        busy,
        reason="Chờ xác minh",
        new_due=at("2026-12-04 09:00"),
        actor=world.leader,
        at=at("2026-11-25 10:00"),
    )
    assert count(client, reverse("dossiers:detail", args=[busy.pk])) == small
