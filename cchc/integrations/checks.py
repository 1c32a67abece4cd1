"""`manage.py check --deploy`: what a production configuration of the national systems lacks."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def sms_gateway(app_configs: Any, **kwargs: Any) -> list[Warning]:
    sender = settings.CCHC_SMS_SENDER
    if sender.endswith("LogSmsSender"):
        return [
            Warning(
                "SMS chỉ được ghi vào nhật ký, không gửi đi (CCHC_SMS_SENDER = LogSmsSender).",
                hint="Đặt CCHC_SMS_SENDER=cchc.integrations.sms.HttpSmsSender và CCHC_SMS_URL, "
                "CCHC_SMS_USER, CCHC_SMS_PASSWORD, CCHC_SMS_BRAND (docs/integrations.md).",
                id="cchc.W101",
            )
        ]
    if sender.endswith("HttpSmsSender") and not settings.CCHC_SMS_URL:
        return [Warning("Chưa cấu hình CCHC_SMS_URL cho tổng đài SMS.", id="cchc.W102")]
    return []
