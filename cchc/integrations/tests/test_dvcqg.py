"""The National Public Service Portal (issue 18): every status change is an outbox row written
with the change, delivered in order per dossier, exactly once, through an outage of a day;
reconciliation finds nothing to report afterwards; the 766 "synced" indicator counts it."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction

from cchc.dossiers import services as s
from cchc.dossiers.models import Dossier
from cchc.dossiers.testing import at, walk_to_result
from cchc.integrations import outbox
from cchc.integrations.dvcqg import mapping, reconcile
from cchc.integrations.models import (
    MessageStatus,
    OutboxMessage,
    SimulatedPortalEvent,
    SimulatorSwitch,
)

pytestmark = pytest.mark.django_db
PORTAL = OutboxMessage.objects.filter(system="dvcqg")  # (notices go through the outbox too)


def portal_down(down: bool = True) -> None:
    SimulatorSwitch.objects.update_or_create(system="dvcqg", defaults={"down": down})


def worker_until(moment: dt.datetime) -> int:
    """What the worker does by `moment`: every message whose time has come, in order."""
    with time_machine.travel(moment, tick=False):
        return outbox.sweep(now=moment)


def a_day_of_work(world, day: str) -> list[Dossier]:
    """Three dossiers received in the morning; one settled and returned in the afternoon, one
    waiting for a supplement, one refused at the desk."""
    returned = world.received(moment=f"{day} 08:00")
    returned = walk_to_result(world, returned, at(f"{day} 10:00"))
    returned = s.notify_early(returned, actor=world.receptionist, at=at(f"{day} 15:00"))
    returned = s.return_result(
        returned, actor=world.receptionist, returned_to="Lò Thị Hương", at=at(f"{day} 16:00")
    )
    waiting = world.received(moment=f"{day} 08:30")
    document = waiting.procedure_version.documents.first()
    waiting = s.request_supplement(
        waiting,
        actor=world.division_head,
        items=[s.SupplementItem(document.pk, "Ảnh mờ")],
        reason="Bản quét mờ",
        at=at(f"{day} 11:00"),
    )
    refused = world.start(moment=f"{day} 09:00")
    refused = s.refuse_reception(
        refused, reason="Không thuộc thẩm quyền", actor=world.receptionist, at=at(f"{day} 09:05")
    )
    return [returned, waiting, refused]


def test_each_change_is_written_with_it_and_a_failed_change_writes_nothing(world, simulators):
    d = world.received(moment="2026-11-23 09:00")
    rows = list(PORTAL.filter(dossier=d))
    assert [r.kind for r in rows] == ["receive"] and rows[0].sequence == 1
    event = rows[0].payload
    assert event["MaHoSo"] == d.code and event["TrangThaiHoSo"] == mapping.RECEIVED
    assert event["MaTTHC"] == "1.004873" and event["KenhThucHien"] == 1
    assert event["NgayTiepNhan"] == "20261123090000"  # Vietnam's time, yyyyMMddHHmmss
    assert rows[0].key == f"{mapping.local_id(d)}:1"
    with pytest.raises(RuntimeError), transaction.atomic():
        s.pause(d, actor=world.division_head, reason="Chờ nộp lệ phí", at=at("2026-11-23 10:00"))
        raise RuntimeError("the request fails after the change")
    assert PORTAL.filter(dossier=d).count() == 1  # rolled back with it
    # nothing is sent inside the request: the simulator has not heard of it yet
    assert not SimulatedPortalEvent.objects.exists()
    assert worker_until(at("2026-11-23 09:01")) == 1
    assert SimulatedPortalEvent.objects.get().payload["MaHoSo"] == d.code


def test_a_day_without_the_portal_loses_nothing_and_delivers_in_order_once(world, simulators):
    portal_down()
    day = "2026-11-23"
    dossiers = a_day_of_work(world, day)
    # the worker keeps trying through the day and the night: nothing delivered, nothing lost
    moment = at(f"{day} 08:00")
    while moment < at("2026-11-24 08:00"):
        moment += dt.timedelta(minutes=20)
        assert worker_until(moment) == 0
    pending = PORTAL.filter(status=MessageStatus.PENDING)
    # received, result ready, returned · received, supplement requested · refused at the desk
    assert pending.count() == PORTAL.count() == 6
    assert not PORTAL.filter(status=MessageStatus.DEAD).exists()
    assert PORTAL.filter(attempts__gt=1).exists()  # retried, backing off
    assert "HTTP 503" in PORTAL.exclude(last_error="").first().last_error

    portal_down(False)
    worker_until(at("2026-11-24 16:00"))  # the longest backoff has passed: everything is due
    assert not PORTAL.exclude(status=MessageStatus.DELIVERED).exists()
    for d in dossiers:
        ours = list(PORTAL.filter(dossier=d).order_by("sequence").values_list("key", flat=True))
        theirs = list(
            SimulatedPortalEvent.objects.filter(dossier_code=mapping.local_id(d))
            .order_by("sequence")
            .values_list("key", flat=True)
        )
        assert theirs == ours  # each once, in order
    statuses = [
        e.payload["TrangThaiHoSo"]
        for e in SimulatedPortalEvent.objects.filter(dossier_code=mapping.local_id(dossiers[0]))
    ]
    assert statuses[0] == 2 and statuses[-1] == 10 and 9 in statuses
    assert SimulatedPortalEvent.objects.filter(
        dossier_code=mapping.local_id(dossiers[2]), payload__TrangThaiHoSo=3
    ).exists()
    assert reconcile.differences(dt.date(2026, 11, 23)) == []
    out = io.StringIO()
    call_command("reconcile_national_portal", "--date", "2026-11-23", stdout=out)
    assert out.getvalue().strip().splitlines()[-1] == "0 differences"


def test_reconciliation_names_what_the_portal_does_not_know(world, simulators):
    d = world.received(moment="2026-11-23 09:00")
    worker_until(at("2026-11-23 09:01"))
    portal_down()
    d = s.pause(d, actor=world.division_head, reason="Chờ nộp lệ phí", at=at("2026-11-23 10:00"))
    worker_until(at("2026-11-23 10:01"))
    portal_down(False)
    found = reconcile.differences(dt.date(2026, 11, 23))
    assert len(found) == 1 and d.code in found[0] and "TrangThaiHoSo" in found[0]
    out = io.StringIO()
    call_command("reconcile_national_portal", "--date", "2026-11-23", stdout=out)
    assert out.getvalue().strip().splitlines()[-1] == "1 differences"


def test_a_replayed_event_is_taken_once_and_a_refused_one_is_set_aside(world, simulators):
    d = world.received(moment="2026-11-23 09:00")
    message = PORTAL.get(dossier=d)
    from cchc.integrations.dvcqg import client

    client.deliver(message)  # the answer was lost on the way back: the worker sends it again
    assert client.deliver(message)["message"] == "đã tồn tại"
    assert SimulatedPortalEvent.objects.count() == 1
    worker_until(at("2026-11-23 09:01"))
    assert PORTAL.get(pk=message.pk).status == MessageStatus.DELIVERED

    # a message the portal refuses (bad data) is set aside at once; the dossier's next events
    # wait behind it until an administrator replays it
    second = world.received(moment="2026-11-23 10:00")
    bad = PORTAL.get(dossier=second)
    bad.payload = {k: v for k, v in bad.payload.items() if k != "TrangThaiHoSo"}
    bad.save()
    s.pause(second, actor=world.division_head, reason="Chờ nộp lệ phí", at=at("2026-11-23 10:30"))
    worker_until(at("2026-11-23 10:31"))
    bad.refresh_from_db()
    assert bad.status == MessageStatus.DEAD and "HTTP 400" in bad.last_error
    later = PORTAL.get(dossier=second, sequence=2)
    assert later.status == MessageStatus.PENDING and later.attempts == 0
    bad.payload["TrangThaiHoSo"] = mapping.RECEIVED  # the cause fixed
    bad.save()
    replayed = outbox.replay(PORTAL.filter(pk=bad.pk), now=at("2026-11-23 10:35"))
    assert replayed == 1
    worker_until(at("2026-11-23 10:40"))
    assert not PORTAL.exclude(status=MessageStatus.DELIVERED).exists()


@pytest.mark.django_db(transaction=True)
def test_the_worker_process_delivers_what_the_requests_wrote(reference_data, simulators):
    """The real worker command, in this process: it commits and closes connections as it goes,
    so the test runs outside a test transaction."""
    from cchc.dossiers.testing import build_world

    world = build_world()
    world.received(moment="2026-11-23 09:00")
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert PORTAL.get().status == MessageStatus.DELIVERED
    assert SimulatedPortalEvent.objects.count() == 1


def test_the_766_synced_indicator_counts_delivered_dossiers(world, simulators):
    from cchc.reports import periods
    from cchc.reports.service_index import compute

    first = world.received(moment="2026-11-23 09:00")
    worker_until(at("2026-11-23 09:01"))
    portal_down()
    world.received(moment="2026-11-24 09:00")
    worker_until(at("2026-11-24 09:01"))
    index = compute(periods.month(2026, 11), Dossier.objects.all(), by_agency=False)[None]
    synced = index.measures["synced"]
    assert (synced.numerator, synced.denominator) == (1, 2) and synced.points is not None
    assert first.pk


def test_administrators_see_the_queue_and_replay_the_dead_letters(world, simulators, client):
    from django.contrib.auth import get_user_model

    admin_user = get_user_model().objects.create_superuser("quantri", "q@example.org", "x")
    d = world.received(moment="2026-11-23 09:00")
    message = PORTAL.get(dossier=d)
    PORTAL.filter(pk=message.pk).update(status="dead", last_error="HTTP 400: x")
    client.force_login(admin_user)
    page = client.get("/quan-tri/integrations/outboxmessage/?status=dead").content.decode()
    assert 'id="outbox-metrics"' in page and message.key in page and "HTTP 400" in page
    assert ' style="' not in page  # the CSP refuses inline styles
    assert "Cổng Dịch vụ công quốc gia" in page and "Tiếp nhận" in page  # words, not codes
    client.post(
        "/quan-tri/integrations/outboxmessage/",
        {"action": "replay", "_selected_action": [message.pk]},
    )
    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING and message.attempts == 0
    from cchc.core.models import AuditEvent

    assert AuditEvent.objects.filter(action="outbox.replay").exists()


def test_reconciliation_says_when_the_portal_cannot_be_reached(world, settings):
    settings.CCHC_DVCQG_URL = "http://127.0.0.1:9/mo-phong/dvcqg/"  # nothing listens there
    out = io.StringIO()
    call_command("reconcile_national_portal", "--date", "2026-11-23", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert "Không kết nối được Cổng DVCQG" in lines[0] and lines[-1] == "1 differences"


def test_the_centralised_dossier_code_format_is_a_setting(world, settings):
    import re

    settings.CCHC_DOSSIER_CODE_FORMAT = "centralised"
    settings.CCHC_DOSSIER_CODE_SERIES = "sl"
    d = world.received(moment="2026-11-23 09:00")
    assert re.fullmatch(r".+-261123-SL\d{4}", d.code), d.code
    settings.CCHC_DOSSIER_CODE_FORMAT = "agency"
    other = world.received(moment="2026-11-23 10:00")
    assert re.fullmatch(r".+-261123-\d{4}", other.code), other.code


def test_the_usage_measurement_script_is_on_the_portal_when_configured(client, settings):
    assert 'id="emc"' not in client.get("/dich-vu-cong/").content.decode()
    settings.CCHC_EMC_SCRIPT_URL = "https://emc.example.gov.vn/emc.js"
    settings.CCHC_EMC_SITE_CODE = "SL-DVC"
    page = client.get("/dich-vu-cong/").content.decode()
    assert '<script src="https://emc.example.gov.vn/emc.js" data-site-code="SL-DVC"' in page


def test_the_csp_admits_the_usage_script_and_the_payment_gateway_when_configured():
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "CCHC_EMC_SCRIPT_URL": "https://emc.example.gov.vn/emc.js",
        "CCHC_PAYMENT_URL": "https://pay.example.gov.vn/pay",
        "DJANGO_SETTINGS_MODULE": "cchc.settings",
    }
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_CSP['script-src'], s.SECURE_CSP['form-action'])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert "https://emc.example.gov.vn" in out and "https://pay.example.gov.vn" in out
