"""Reading procedure records from the national portal's sharing services (issue 21): the list
of codes (`LayDanhSachTTHC`) and one record at a time (`LayThuTuc`), with the portal's token.
The endpoint path (`chia-se/`) and the request body's keys follow public integration code and
are unconfirmed [U]; the local simulator answers the same (dvcqg/simulator.py)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from ..outbox import DeliveryError
from ..transport import Transport
from .client import enabled, headers, url


class CatalogUnavailable(Exception):
    pass


def _ask(body: dict[str, Any]) -> list[dict[str, Any]]:
    if not enabled():
        raise CatalogUnavailable(
            "Chưa cấu hình kết nối Cổng dịch vụ công quốc gia (CCHC_DVCQG_URL)."
        )
    try:
        status, answer = Transport.post_json(
            url("chia-se/"), body, headers(), settings.CCHC_DVCQG_TIMEOUT
        )
    except DeliveryError as exc:
        raise CatalogUnavailable(f"Không kết nối được Cổng dịch vụ công quốc gia: {exc}") from exc
    if status != 200 or str(answer.get("error_code")) not in ("0", "00"):
        raise CatalogUnavailable(
            f"Cổng dịch vụ công quốc gia trả lời HTTP {status}: {answer.get('message') or answer}"
        )
    result = answer.get("result") or []
    return [r for r in result if isinstance(r, dict)]


def codes() -> list[str]:
    return [str(r.get("MATTHC")) for r in _ask({"service": "LayDanhSachTTHC"}) if r.get("MATTHC")]


def records(wanted: list[str] | None = None) -> list[dict[str, Any]]:
    """The records of `wanted` codes (all the portal lists when None)."""
    found: list[dict[str, Any]] = []
    for code in wanted if wanted is not None else codes():
        found += _ask({"service": "LayThuTuc", "MATTHC": code})
    return found
