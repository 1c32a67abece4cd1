"""Compare what the National Public Service Portal holds with the local dossiers of a day."""

from __future__ import annotations

import datetime as dt

from cchc.integrations.dvcqg import client, reconcile
from cchc.integrations.reconciling import ReconcileCommand


class Command(ReconcileCommand):
    help = "Đối chiếu hồ sơ trên Cổng DVCQG với hồ sơ tại địa phương của một ngày."
    missing_configuration = "Chưa cấu hình kết nối Cổng DVCQG (CCHC_DVCQG_URL)."

    def enabled(self) -> bool:
        return client.enabled()

    def differences(self, day: dt.date) -> list[str]:
        return reconcile.differences(day)
