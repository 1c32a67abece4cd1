"""Delivery receipts from the SMS gateway, and the gateway's local simulator."""

from __future__ import annotations

import json
import secrets
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from cchc.dossiers.models import Notification

from ..models import SimulatedSms
from . import basic_auth


def _json(request: HttpRequest) -> Any:
    try:
        return json.loads(request.body)
    except ValueError:
        return None


@csrf_exempt
@require_POST
def receipt(request: HttpRequest) -> JsonResponse:
    """The gateway tells us a message reached the phone (or failed): `{"reference": "N123",
    "status": "delivered" | "failed", "token": …}`."""
    body = _json(request)
    token = settings.CCHC_SMS_RECEIPT_TOKEN
    if (
        not token
        or not isinstance(body, dict)
        or not secrets.compare_digest(str(body.get("token", "")), token)
    ):
        return JsonResponse({"status": "refused"}, status=403)
    reference = str(body.get("reference", ""))
    if not reference.startswith("N") or not reference[1:].isdigit():
        return JsonResponse({"status": "unknown reference"}, status=404)
    note = Notification.objects.filter(pk=int(reference[1:]), channel="sms").first()
    if note is None:
        return JsonResponse({"status": "unknown reference"}, status=404)
    if body.get("status") == "delivered":
        if note.delivered_at is None:  # a repeated receipt changes nothing
            note.delivered_at = timezone.now()
            note.save(update_fields=["delivered_at"])
    else:
        note.error = f"Không đến được máy: {str(body.get('status', ''))[:100]}"
        note.save(update_fields=["error"])
    return JsonResponse({"status": "ok"})


@csrf_exempt
@require_POST
def simulated_gateway(request: HttpRequest) -> JsonResponse:
    """The local stand-in for a gateway: basic auth, accepts a message with a recipient and a
    text, keeps it; a phone number ending in 000 is refused (to rehearse a refusal)."""
    if request.headers.get("Authorization") != basic_auth():
        return JsonResponse({"status": "refused", "message": "Sai thông tin xác thực"}, status=401)
    body = _json(request)
    if not isinstance(body, dict) or not body.get("to") or not body.get("text"):
        return JsonResponse(
            {"status": "refused", "message": "Thiếu số máy hoặc nội dung"}, status=400
        )
    if str(body["to"]).endswith("000"):
        return JsonResponse({"status": "refused", "message": "Số máy không hợp lệ"}, status=422)
    sms = SimulatedSms.objects.create(
        to=str(body["to"])[:20],
        text=str(body["text"])[:1000],
        brand=str(body.get("from", ""))[:20],
        reference=str(body.get("reference", ""))[:40],
    )
    return JsonResponse({"status": "accepted", "id": sms.pk})
