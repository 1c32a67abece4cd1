"""No dossier hangs silently: deadline, overdue and stalled warnings, each sent once."""

from __future__ import annotations

import pytest

from cchc.dossiers.alerts import send_alerts
from cchc.dossiers.models import Notification
from cchc.dossiers.testing import at

pytestmark = pytest.mark.django_db


def test_holders_are_warned_before_the_due_moment_and_once_overdue(world):
    d = world.received(moment="2026-11-23 09:00")  # division head's step due 10:52:30
    sent = send_alerts(at("2026-11-23 09:30"))
    assert sent["deadline"] == 1
    note = Notification.objects.get(kind="deadline")
    assert note.user == world.division_head and d.code in note.body
    assert send_alerts(at("2026-11-23 09:40"))["deadline"] == 0  # once
    sent = send_alerts(at("2026-11-23 11:00"))
    assert sent["overdue"] == 2  # the division head and the People's Committee leader


def test_stalled_dossier_is_flagged_to_holder_leader_and_supervisor(world):
    d = world.received(
        "1.000703", "2026-11-23 09:00", desk=world.center_desk, actor=world.center_receptionist
    )
    sent = send_alerts(at("2026-11-26 10:30"))  # over 16 working hours without any action
    assert sent["stalled"] >= 2
    told = set(
        Notification.objects.filter(kind="stalled", dossier=d).values_list(
            "user__username", flat=True
        )
    )
    assert {"giamdoc.b", "giamsat.tinh"} <= told
