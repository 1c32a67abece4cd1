from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "cchc.integrations"
    label = "integrations"
    verbose_name = _("Kết nối hệ thống quốc gia")

    def ready(self) -> None:
        from cchc.core.reminders import reminders_queued
        from cchc.dossiers.signals import dossier_event, notifications_queued

        from . import checks, notices, outbox, payment, postal  # noqa: F401 - checks register themselves
        from .dvcqg import SYSTEM, client, events

        outbox.register(SYSTEM, client.deliver)
        dossier_event.connect(events.on_dossier_event, dispatch_uid="dvcqg-status")
        outbox.register(notices.SYSTEM, notices.deliver)
        notifications_queued.connect(notices.on_notifications_queued, dispatch_uid="notices")
        outbox.register(notices.REMINDERS, notices.deliver_reminders)
        reminders_queued.connect(notices.on_reminders_queued, dispatch_uid="reminders")
        outbox.register(payment.SYSTEM, payment.deliver)
        dossier_event.connect(payment.on_dossier_event, dispatch_uid="payment-refund")
        outbox.register(postal.SYSTEM, postal.deliver)
        dossier_event.connect(postal.on_dossier_event, dispatch_uid="postal-delivery")
