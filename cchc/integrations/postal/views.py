"""Tracking reports from the postal operator, and the operator's local simulator: it takes
orders, gives item codes, and — from its page or its API — moves an order through its
steps, reporting each one back as the operator would."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ..models import SimulatedPostalOrder, SimulatorSwitch
from ..transport import Transport
from . import TrackingError, token_headers, track


def _json(request: HttpRequest) -> Any:
    try:
        return json.loads(request.body)
    except ValueError:
        return None


def _token_ok(request: HttpRequest, expected: str) -> bool:
    given = request.headers.get("access-token", "")
    return bool(expected) and secrets.compare_digest(given, expected)


@csrf_exempt
@require_POST
def tracking(request: HttpRequest) -> JsonResponse:
    """`{"OrderNumber", "ItemCode", "Status", "StatusTime": yyyyMMddHHmmss, "Note",
    "ReceiverName"}` with the token the operator was given in an `Access-Token` header."""
    if not _token_ok(request, settings.CCHC_POSTAL_CALLBACK_TOKEN):
        return JsonResponse({"Status": "403", "Message": "access_token"}, status=403)
    body = _json(request)
    if not isinstance(body, dict):
        return JsonResponse({"Status": "400", "Message": "JSON"}, status=400)
    try:
        order, new = track(body)
    except TrackingError as exc:
        return JsonResponse({"Status": str(exc.status), "Message": exc.message}, status=exc.status)
    return JsonResponse(
        {"Status": "100", "Message": "OK" if new else "Đã nhận trước đó", "State": order.status}
    )


# --- the simulator ----------------------------------------------------------------------

# the steps the simulator walks an order through: pickup orders end at the desk, deliveries
# at the applicant's door (with one failed attempt on the way, for "Phát lại")
STEPS = {
    "THU_GOM_HO_SO": ["200", "300", "400"],
    "PHAT_KET_QUA": ["200", "300", "500", "300", "400"],
}


@csrf_exempt
@require_POST
def simulated_order(request: HttpRequest) -> JsonResponse:
    if SimulatorSwitch.objects.filter(system="postal", down=True).exists():
        return JsonResponse({"Status": "503", "Message": "Tạm ngừng dịch vụ"}, status=503)
    if not _token_ok(request, settings.CCHC_POSTAL_TOKEN):
        return JsonResponse({"Status": "401", "Message": "access_token"}, status=401)
    body = _json(request)
    needed = ("OrderNumber", "ReceiverName", "ReceiverAddress", "SenderName", "SenderAddress")
    if not isinstance(body, dict) or any(not body.get(k) for k in needed):
        return JsonResponse({"Status": "102", "Message": "Thiếu thông tin đơn hàng"})
    found = SimulatedPostalOrder.objects.filter(number=body["OrderNumber"]).first()
    if found is None:
        found = SimulatedPostalOrder.objects.create(
            number=body["OrderNumber"],
            item_code=f"EB{secrets.randbelow(10**9):09d}VN",
            body=body,
        )
    return JsonResponse({"Status": "100", "Message": "OK", "ItemCode": found.item_code})


def advance(order: SimulatedPostalOrder, *, repeat: bool = False) -> tuple[int, Any]:
    """The order's next step (or, with `repeat`, the last one again), reported back."""
    steps = STEPS.get(order.body.get("ServiceName"), STEPS["PHAT_KET_QUA"])
    if not repeat:
        if order.step >= len(steps):
            return 409, {"Message": "Đơn hàng đã kết thúc"}
        order.step += 1
        # now, but a second after the last report at least (reports are told apart by time)
        last = order.reported_at or order.created_at
        order.reported_at = max(timezone.now(), last + dt.timedelta(seconds=1))
        order.save(update_fields=["step", "reported_at"])
    code = steps[max(order.step - 1, 0)]
    report = {
        "OrderNumber": order.number,
        "ItemCode": order.item_code,
        "Status": code,
        "StatusTime": timezone.localtime(order.reported_at).strftime("%Y%m%d%H%M%S"),
        "Note": "Người nhận vắng nhà" if code == "500" else "",
        "ReceiverName": order.body.get("ReceiverName", ""),
    }
    return Transport.post_json(
        order.body.get("CallbackUrl", ""),
        report,
        token_headers(settings.CCHC_POSTAL_CALLBACK_TOKEN),
        20.0,
    )


def simulated_orders(request: HttpRequest) -> HttpResponse:
    """The operator's console: each order, its next step on a button."""
    if request.method == "POST":
        order = SimulatedPostalOrder.objects.filter(number=request.POST.get("number", "")).first()
        if order is None:
            return HttpResponse("Không có đơn hàng này.", status=404)
        advance(order, repeat=bool(request.POST.get("repeat")))
        return redirect(request.path)
    orders = list(SimulatedPostalOrder.objects.order_by("-created_at")[:50])
    for order in orders:
        steps = STEPS.get(order.body.get("ServiceName"), STEPS["PHAT_KET_QUA"])
        order.done = order.step >= len(steps)  # type: ignore[attr-defined]
        order.last = steps[order.step - 1] if order.step else ""  # type: ignore[attr-defined]
    return render(request, "integrations/postal_simulator.html", {"orders": orders})
