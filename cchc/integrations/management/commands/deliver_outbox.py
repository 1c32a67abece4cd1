"""Deliver what is due in the outbox now (a sweep; the worker does it continuously)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cchc.integrations import outbox


class Command(BaseCommand):
    help = "Gửi các thông điệp đến hạn trong hàng đợi gửi hệ thống ngoài."

    def handle(self, *args: Any, **options: Any) -> None:
        delivered = outbox.sweep()
        self.stdout.write(f"Đã gửi {delivered} thông điệp.")
