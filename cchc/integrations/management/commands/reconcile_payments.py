"""Compare the payment gateway's transactions of a day with the payments recorded here."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cchc.integrations import payment


class Command(BaseCommand):
    help = "Đối chiếu giao dịch của cổng thanh toán với thanh toán ghi nhận tại địa phương."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--date", help="YYYY-MM-DD (mặc định: hôm nay)")

    def handle(self, *args: Any, **options: Any) -> None:
        if not payment.enabled():
            raise CommandError("Chưa cấu hình cổng thanh toán (CCHC_PAYMENT_URL, _SECRET).")
        try:
            day = (
                dt.date.fromisoformat(options["date"])
                if options.get("date")
                else timezone.localdate()
            )
        except ValueError as exc:
            raise CommandError("Ngày phải theo dạng YYYY-MM-DD.") from exc
        found = payment.differences(day)
        for line in found:
            self.stdout.write(line)
        self.stdout.write(f"{len(found)} differences")
