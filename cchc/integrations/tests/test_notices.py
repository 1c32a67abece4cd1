"""Mail and SMS notices leave through the outbox: nothing inside the request; a gateway that
fails is retried; what was sent is never sent twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cchc.integrations import outbox
from cchc.integrations.models import MessageStatus, OutboxMessage

pytestmark = pytest.mark.django_db

CALLS: list[str] = []


class FlakySms:
    """Refuses while `down` is set, then takes the messages."""

    down = True

    def send(self, phone: str, text: str, reference: str = "") -> None:
        if FlakySms.down:
            raise ConnectionError("SMS gateway unreachable")
        CALLS.append(phone)


def test_a_failing_gateway_is_retried_and_nothing_goes_twice(world, settings, mailoutbox):
    settings.CCHC_SMS_SENDER = "cchc.integrations.tests.test_notices.FlakySms"
    FlakySms.down = True
    CALLS.clear()
    d = world.received(moment="2026-11-23 09:00")
    message = OutboxMessage.objects.get(system="notices")
    assert not mailoutbox and not CALLS  # the request sent nothing
    outbox.sweep()
    message.refresh_from_db()
    assert (
        message.status == MessageStatus.PENDING and "SMS gateway unreachable" in message.last_error
    )
    assert len(mailoutbox) == 1  # the mail went; the SMS waits
    sms = d.notifications.get(channel="sms")
    assert sms.sent_at is None and "unreachable" in sms.error
    FlakySms.down = False
    outbox.sweep(now=timezone.now() + dt.timedelta(hours=1))  # after the backoff
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED
    assert [sms.recipient] == CALLS and len(mailoutbox) == 1  # the mail was not sent again
    sms.refresh_from_db()
    assert sms.sent_at and not sms.error


def test_the_http_gateway_accepts_then_confirms_delivery(world, settings, simulators, client):
    from cchc.integrations.models import SimulatedSms

    settings.CCHC_SMS_SENDER = "cchc.integrations.sms.HttpSmsSender"
    d = world.received(moment="2026-11-23 09:00")
    outbox.sweep()
    note = d.notifications.get(channel="sms")
    sms = SimulatedSms.objects.get()
    assert sms.to == note.recipient and sms.reference == f"N{note.pk}"
    assert sms.brand == "DICHVUCONG" and d.code in sms.text
    note.refresh_from_db()
    assert note.sent_at and note.delivered_at is None  # accepted, not yet on the phone
    receipt = {"reference": f"N{note.pk}", "status": "delivered", "token": "mo-phong-sms"}
    url = "/tich-hop/sms/bao-nhan/"
    assert client.post(url, receipt, content_type="application/json").status_code == 200
    note.refresh_from_db()
    first = note.delivered_at
    assert first is not None
    client.post(url, receipt, content_type="application/json")  # a repeated receipt
    note.refresh_from_db()
    assert note.delivered_at == first
    forged = {**receipt, "token": "doan-mo"}
    assert client.post(url, forged, content_type="application/json").status_code == 403
    assert client.post(url, "x", content_type="application/json").status_code == 403


def test_a_number_the_gateway_refuses_is_retried_not_marked_sent(world, settings, simulators):
    settings.CCHC_SMS_SENDER = "cchc.integrations.sms.HttpSmsSender"
    d = world.received(moment="2026-11-23 09:00", phone="0912345000")
    outbox.sweep()
    note = d.notifications.get(channel="sms")
    assert note.sent_at is None and "HTTP 422" in note.error
    message = OutboxMessage.objects.get(system="notices")
    assert message.status == MessageStatus.PENDING and message.attempts == 1


def test_daily_reminders_are_mailed_by_the_worker_once_even_after_a_mail_server_failure(
    world, monkeypatch, mailoutbox
):
    """The reminders of the plans, the indices and the feedback go through the outbox too."""
    from cchc.core import reminders
    from cchc.portal import services as ps
    from cchc.portal.models import FeedbackReminder
    from cchc.portal.reminders import run

    f = ps.submit_feedback(
        topic="desk", desk=world.commune_desk, name="Cầm Văn Dân", contact="0912", content="x"
    )
    world.leader.memberships.create(agency=world.commune_desk.agency, role="agency_leader")
    day = timezone.localdate(f.due_at) + dt.timedelta(days=3)
    real = reminders.send_mail

    def refused(*_a, **_kw):
        raise ConnectionRefusedError("mail server refused")

    monkeypatch.setattr(reminders, "send_mail", refused)
    assert run(day) == 2  # recorded, handed to the outbox…
    message = OutboxMessage.objects.get(system="reminders")
    assert not mailoutbox and message.payload["model"] == "portal.feedbackreminder"
    outbox.sweep()  # …the mail server refuses: kept, retried later
    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING and "refused" in message.last_error
    assert FeedbackReminder.objects.filter(sent_at__isnull=True).count() == 2
    monkeypatch.setattr(reminders, "send_mail", real)
    outbox.sweep(now=timezone.now() + dt.timedelta(hours=1))
    assert len(mailoutbox) == 2 and not FeedbackReminder.objects.filter(sent_at=None).exists()
    outbox.sweep(now=timezone.now() + dt.timedelta(days=1))
    assert run(day) == 0 and len(mailoutbox) == 2  # once per person and occasion


def test_a_message_dated_a_little_ahead_is_delivered_when_due_not_forgotten(world):
    """A change recorded at a moment slightly ahead (a postal report's time) writes a message
    not due yet: the worker that finds it comes back at that moment, without the sweep."""
    from django_tasks_db.models import DBTaskResult

    ahead = timezone.now() + dt.timedelta(seconds=20)
    outbox.post(system="notices", ordering_key="later", kind="x", payload={}, at=ahead)
    assert outbox.deliver("notices", "later") == 0
    tasks = DBTaskResult.objects.filter(args_kwargs__args=["notices", "later"])
    assert tasks.filter(run_after=ahead).count() == 1  # besides the one the post enqueued
