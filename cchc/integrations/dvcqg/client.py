"""Delivering one event to the portal (the outbox's handler for "dvcqg")."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from ..models import OutboxMessage
from ..outbox import DeliveryError
from ..transport import Transport


def enabled() -> bool:
    return bool(settings.CCHC_DVCQG_URL)


def headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {settings.CCHC_DVCQG_TOKEN}"}


def url(path: str) -> str:
    return settings.CCHC_DVCQG_URL.rstrip("/") + "/" + path.lstrip("/")


def deliver(message: OutboxMessage) -> dict[str, Any]:
    """Send one event; the portal's answer, or DeliveryError (retried unless the portal refuses
    the message itself). A replay the portal already holds counts as delivered."""
    body = {**message.payload, "MaSuKien": message.key, "SoThuTuSuKien": message.sequence}
    status, answer = Transport.post_json(
        url("dong-bo/"),
        body,
        {**headers(), "Idempotency-Key": message.key},
        settings.CCHC_DVCQG_TIMEOUT,
    )
    code = str(answer.get("error_code", ""))
    if status in (200, 201) and code in ("0", "00"):
        return answer
    text = f"HTTP {status}: {answer.get('message') or answer.get('text') or answer}"
    if status in (400, 401, 403, 422):
        raise DeliveryError(text, permanent=True)
    raise DeliveryError(text)  # 5xx, 409 (an earlier event is missing), anything else
