"""A generic HTTP SMS gateway (issue 18): what Vietnamese brand-name SMS providers offer in one
shape or another — POST the message with credentials and a sender name, an answer that says
whether it was accepted, and delivery receipts posted back to us.

Settings: CCHC_SMS_SENDER = "cchc.integrations.sms.HttpSmsSender", CCHC_SMS_URL,
CCHC_SMS_USER / CCHC_SMS_PASSWORD (basic auth), CCHC_SMS_BRAND (sender name),
CCHC_SMS_TEMPLATE ("{text}" by default: a provider that requires registered templates gets
its wording here), CCHC_SMS_RECEIPT_TOKEN (what the gateway sends with receipts)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from ..outbox import DeliveryError
from ..transport import Transport


class HttpSmsSender:
    """Sends through the configured gateway; raises unless the gateway accepts, so that the
    notice's `sent_at` means "accepted" and the outbox retries otherwise."""

    def send(self, phone: str, text: str, reference: str = "") -> None:
        body: dict[str, Any] = {
            "from": settings.CCHC_SMS_BRAND,
            "to": phone,
            "text": settings.CCHC_SMS_TEMPLATE.format(text=text),
            "reference": reference,
        }
        headers = {"Authorization": basic_auth()}
        status, answer = Transport.post_json(settings.CCHC_SMS_URL, body, headers, 15.0)
        if status not in (200, 201, 202) or str(answer.get("status")) != "accepted":
            raise DeliveryError(f"SMS gateway: HTTP {status} {answer.get('message', answer)}")


def basic_auth() -> str:
    import base64

    raw = f"{settings.CCHC_SMS_USER}:{settings.CCHC_SMS_PASSWORD}".encode()
    return "Basic " + base64.b64encode(raw).decode()
