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


def test_online_dossier_alerts_the_desk_and_after_eight_working_hours_the_supervisor(world):
    """R-ONLINE: submitted Fri 20:00 → counts from Mon 07:30; 8 working hours of a 7.5-hour day
    → decision due Tue 08:00."""
    from cchc.accounts.models import Membership

    Membership.objects.create(
        user=world.supervisor,
        agency=world.commune_desk.agency,
        desk=world.commune_desk,
        role="center_supervisor",
    )
    d = world.start(moment="2026-11-27 20:00", channel="online")
    from cchc.dossiers.alerts import online_decision_due

    assert online_decision_due(d) == at("2026-12-01 08:00")
    assert send_alerts(at("2026-11-27 20:05"))["online_new"] == 1
    assert send_alerts(at("2026-12-01 07:45"))["online_late"] == 0
    assert send_alerts(at("2026-12-01 08:15"))["online_late"] == 2
