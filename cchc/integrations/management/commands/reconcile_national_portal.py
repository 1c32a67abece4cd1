"""Compare what the National Public Service Portal holds with the local dossiers of a day."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cchc.integrations.dvcqg import client, reconcile


class Command(BaseCommand):
    help = "Đối chiếu hồ sơ trên Cổng DVCQG với hồ sơ tại địa phương của một ngày."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--date", help="YYYY-MM-DD (mặc định: hôm nay)")

    def handle(self, *args: Any, **options: Any) -> None:
        if not client.enabled():
            raise CommandError("Chưa cấu hình kết nối Cổng DVCQG (CCHC_DVCQG_URL).")
        try:
            day = (
                dt.date.fromisoformat(options["date"])
                if options.get("date")
                else timezone.localdate()
            )
        except ValueError as exc:
            raise CommandError("Ngày phải theo dạng YYYY-MM-DD.") from exc
        found = reconcile.differences(day)
        for line in found:
            self.stdout.write(line)
        self.stdout.write(f"{len(found)} differences")
