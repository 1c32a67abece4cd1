"""The daily reconciliation commands share one shape: a day (today by default), one line per
difference, then `N differences`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class ReconcileCommand(BaseCommand):
    missing_configuration = ""  # the refusal when the system is not configured

    def enabled(self) -> bool:
        raise NotImplementedError

    def differences(self, day: dt.date) -> list[str]:
        raise NotImplementedError

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--date", help="YYYY-MM-DD (mặc định: hôm nay)")

    def handle(self, *args: Any, **options: Any) -> None:
        if not self.enabled():
            raise CommandError(self.missing_configuration)
        try:
            day = (
                dt.date.fromisoformat(options["date"])
                if options.get("date")
                else timezone.localdate()
            )
        except ValueError as exc:
            raise CommandError("Ngày phải theo dạng YYYY-MM-DD.") from exc
        found = self.differences(day)
        for line in found:
            self.stdout.write(line)
        self.stdout.write(f"{len(found)} differences")
