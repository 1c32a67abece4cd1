"""Compare the payment gateway's transactions of a day with the payments recorded here."""

from __future__ import annotations

import datetime as dt

from cchc.integrations import payment
from cchc.integrations.reconciling import ReconcileCommand


class Command(ReconcileCommand):
    help = "Đối chiếu giao dịch của cổng thanh toán với thanh toán ghi nhận tại địa phương."
    missing_configuration = "Chưa cấu hình cổng thanh toán (CCHC_PAYMENT_URL, _SECRET)."

    def enabled(self) -> bool:
        return payment.enabled()

    def differences(self, day: dt.date) -> list[str]:
        return payment.differences(day)
