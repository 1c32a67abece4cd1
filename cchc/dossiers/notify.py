"""Telling the applicant and the officers: email through Django's mail backends, SMS through
a pluggable sender whose default only writes the message to the `Notification` table."""

from __future__ import annotations

import logging
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string

from . import constants as c
from .links import public_url
from .models import Dossier, Notification
from .signals import notifications_queued

logger = logging.getLogger(__name__)


class SmsSender(Protocol):
    """Sends one SMS, raising when the gateway does not accept it; `reference` identifies the
    notice in the gateway's delivery receipts."""

    def send(self, phone: str, text: str, reference: str = "") -> None: ...


class LogSmsSender:
    """The default: nothing leaves the machine; the message stays in the log table. In
    development (DEBUG) it is also printed on the server's console, so that a phone sign-up
    can be verified without an SMS gateway."""

    def send(self, phone: str, text: str, reference: str = "") -> None:
        if settings.DEBUG:
            logger.warning("SMS (không gửi đi, chế độ phát triển) tới %s: %s", phone, text)


def sms_sender() -> SmsSender:
    return import_string(settings.CCHC_SMS_SENDER)()  # type: ignore[no-any-return]


def send_notifications(ids: list[int]) -> list[str]:
    """Send the notices not sent yet (mail, or SMS through the configured sender); each one's
    outcome is recorded on its row. The errors, in words (empty when all went)."""
    errors = []
    for note in Notification.objects.filter(pk__in=ids, sent_at__isnull=True):
        try:
            if note.channel == c.NotificationChannel.EMAIL:
                send_mail(note.subject, note.body, None, [note.recipient])
            else:
                sms_sender().send(note.recipient, note.body, reference=f"N{note.pk}")
            note.sent_at = timezone.now()
            note.error = ""
        except Exception as exc:  # a failed gateway must not undo the dossier's change
            note.error = str(exc)[:500]
            errors.append(f"{note.channel} {note.pk}: {note.error}")
        note.save(update_fields=["sent_at", "error"])
    return errors


def queue(notes: list[Notification]) -> None:
    created = Notification.objects.bulk_create(notes)
    ids = [n.pk for n in created if n.pk]
    if not ids:  # databases without RETURNING on bulk insert
        ids = list(
            Notification.objects.filter(dedupe_key__in=[n.dedupe_key for n in notes]).values_list(
                "pk", flat=True
            )
        )
    # the outbox takes them in this transaction (the worker sends them); without it, after
    # the commit
    if not any(taken for _receiver, taken in notifications_queued.send(Notification, ids=ids)):
        transaction.on_commit(lambda: send_notifications(ids))


def notify_applicant(d: Dossier, *, reason: str = "", force: bool = False) -> None:
    """Every status change reaches the applicant with its reason (email and SMS)."""
    if getattr(settings, "CCHC_SILENT_NOTIFICATIONS", False) and not force:
        return
    with translation.override("vi"):  # the applicant reads Vietnamese, whatever the officer's UI
        label = str(d.get_status_display())
    ref = d.code or d.submission_code or f"#{d.pk}"
    text = f"Hồ sơ {ref} ({d.procedure_version.name[:80]}): {label}."
    if d.due_at and d.status == c.Status.IN_PROGRESS:
        text += f" Hẹn trả kết quả: {timezone.localtime(d.due_at):%H:%M %d/%m/%Y}."
    if reason:
        text += f" Lý do: {reason}"
    if d.status == c.Status.RETURNED and d.lookup_secret:
        rate = public_url("portal:rate", ma=d.code, mk=d.lookup_secret)
        text += f" Mời đánh giá mức độ hài lòng: {rate}"
    _tell(d, f"[Một cửa] Hồ sơ {ref}: {label}", text, f"status:{d.pk}:{d.revision}")


def notify_submitted(d: Dossier) -> None:
    """An online submission is confirmed at once (email and SMS), before any desk looks at it:
    what was received, when, the code to quote, and what happens next."""
    if getattr(settings, "CCHC_SILENT_NOTIFICATIONS", False):
        return
    ref = d.code or d.submission_code or f"#{d.pk}"
    moment = timezone.localtime(d.submitted_at or timezone.now())
    text = (
        f"Cổng dịch vụ công đã nhận hồ sơ {ref} ({d.procedure_version.name[:80]}) lúc "
        f"{moment:%H:%M %d/%m/%Y}. Bộ phận một cửa sẽ kiểm tra và báo tiếp nhận hoặc yêu cầu "
        f"bổ sung. Theo dõi tại: {public_url('portal:my_dossiers')}"
    )
    _tell(d, f"[Một cửa] Đã nhận hồ sơ nộp trực tuyến {ref}", text, f"submitted:{d.pk}")


def _tell(d: Dossier, subject: str, text: str, key: str) -> None:
    notes = applicant_notes(d, kind=c.NotificationKind.STATUS, subject=subject, text=text, key=key)
    if notes:
        queue(notes)


def applicant_notes(
    d: Dossier, *, kind: str, subject: str, text: str, key: str
) -> list[Notification]:
    """The email and the SMS (at most 320 characters) to the dossier's applicant, for each
    contact they gave."""
    notes: list[Notification] = []
    if d.email:
        notes.append(
            Notification(
                dossier=d,
                kind=kind,
                channel=c.NotificationChannel.EMAIL,
                recipient=d.email,
                subject=subject,
                body=text,
                dedupe_key=key,
            )
        )
    if d.phone:
        notes.append(
            Notification(
                dossier=d,
                kind=kind,
                channel=c.NotificationChannel.SMS,
                recipient=d.phone,
                body=text[:320],
                dedupe_key=key,
            )
        )
    return notes


def alert_staff(d: Dossier, users: list[Any], *, kind: str, text: str, key: str) -> int:
    """Email officers about a dossier once per key (deadline, overdue, stalled)."""
    already = set(
        Notification.objects.filter(dedupe_key=key, user__in=users).values_list(
            "user_id", flat=True
        )
    )
    notes = [
        Notification(
            dossier=d,
            user=u,
            kind=kind,
            channel=c.NotificationChannel.EMAIL,
            recipient=u.email or u.username,
            subject=f"[Một cửa] {text[:120]}",
            body=text,
            dedupe_key=key,
        )
        for u in users
        if u.pk not in already and u.email
    ]
    if notes:
        queue(notes)
    return len(notes)
