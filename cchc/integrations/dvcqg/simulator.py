"""A local stand-in for the National Public Service Portal's status exchange, speaking the same
protocol as `client.py`: mounted only when CCHC_SIMULATORS is on (development, tests, the demo),
never in production.

- POST `dong-bo/`: one event. Bearer token; the same event again is acknowledged ("đã tồn tại");
  an event that skips one of the dossier's sequence is refused with 409; 503 while the simulator
  is "down" (`SimulatorSwitch`), to rehearse an outage.
- GET `ho-so/?ngay=YYYY-MM-DD`: the portal's latest record of each dossier with an event on
  that day (what reconciliation compares).
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from ..models import SimulatedPortalEvent, SimulatorSwitch
from . import SYSTEM

REQUIRED = ("MaSuKien", "IdHoSoDiaPhuong", "SoThuTuSuKien", "TrangThaiHoSo", "ThoiDiemSuKien")


def _refusal(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error_code": code, "message": message}, status=status)


def _guard(request: HttpRequest) -> JsonResponse | None:
    if request.headers.get("Authorization") != f"Bearer {settings.CCHC_DVCQG_TOKEN}":
        return _refusal(401, "-1", "Sai thông tin xác thực")
    if SimulatorSwitch.objects.filter(system=SYSTEM, down=True).exists():
        return _refusal(503, "-9", "Hệ thống đang bảo trì")
    return None


@csrf_exempt
@require_POST
def sync(request: HttpRequest) -> JsonResponse:
    refused = _guard(request)
    if refused is not None:
        return refused
    try:
        body: Any = json.loads(request.body)
    except ValueError:
        return _refusal(400, "-4", "Dữ liệu không phải JSON")
    if not isinstance(body, dict) or any(k not in body for k in REQUIRED):
        return _refusal(400, "-4", "Thiếu trường bắt buộc: " + ", ".join(REQUIRED))
    try:
        sequence = int(body["SoThuTuSuKien"])
    except (TypeError, ValueError):
        return _refusal(400, "-4", "SoThuTuSuKien không hợp lệ")
    key, dossier = str(body["MaSuKien"])[:120], str(body["IdHoSoDiaPhuong"])[:80]
    with transaction.atomic():
        if SimulatedPortalEvent.objects.filter(key=key).exists():
            return JsonResponse({"error_code": "0", "message": "đã tồn tại"})
        last = (
            SimulatedPortalEvent.objects.select_for_update()
            .filter(dossier_code=dossier)
            .aggregate(n=Max("sequence"))["n"]
            or 0
        )
        if sequence != last + 1:
            return _refusal(409, "-2", f"Sai thứ tự: chờ bản tin số {last + 1}")
        try:
            SimulatedPortalEvent.objects.create(
                key=key, dossier_code=dossier, sequence=sequence, payload=body
            )
        except IntegrityError:
            return JsonResponse({"error_code": "0", "message": "đã tồn tại"})
    return JsonResponse({"error_code": "0", "message": "thành công"})


@require_GET
def records(request: HttpRequest) -> JsonResponse:
    refused = _guard(request)
    if refused is not None:
        return refused
    day = str(request.GET.get("ngay", "")).replace("-", "")[:8]
    if len(day) != 8 or not day.isdigit():
        return _refusal(400, "-4", "Tham số ngay phải là YYYY-MM-DD")
    events = SimulatedPortalEvent.objects.order_by("dossier_code", "sequence")
    touched = {
        e.dossier_code for e in events if str(e.payload.get("ThoiDiemSuKien", "")).startswith(day)
    }
    latest: dict[str, dict[str, Any]] = {}
    for event in events:
        if event.dossier_code in touched:
            latest[event.dossier_code] = event.payload
    return JsonResponse({"error_code": "0", "data": list(latest.values())})


def _catalog_records() -> list[dict[str, Any]]:
    """The national procedure records the simulator serves (CCHC_DVCQG_CATALOG_FILE)."""
    from pathlib import Path

    document = json.loads(Path(settings.CCHC_DVCQG_CATALOG_FILE).read_text(encoding="utf-8"))
    records = document.get("result", []) if isinstance(document, dict) else document
    return [r for r in records if isinstance(r, dict)]


@csrf_exempt
@require_POST
def sharing(request: HttpRequest) -> JsonResponse:
    """The procedure catalogue services: `LayThuTuc` (one procedure by `MATTHC`) and
    `LayDanhSachTTHC` (every code and name), from the same records as the sample file."""
    refused = _guard(request)
    if refused is not None:
        return refused
    try:
        body: Any = json.loads(request.body)
    except ValueError:
        return _refusal(400, "-4", "Dữ liệu không phải JSON")
    service = body.get("service") if isinstance(body, dict) else None
    records = _catalog_records()
    if service == "LayDanhSachTTHC":
        listing = [{"MATTHC": r.get("MATTHC"), "TENTTHC": r.get("TENTTHC")} for r in records]
        return JsonResponse({"error_code": "0", "result": listing})
    if service == "LayThuTuc":
        code = str(body.get("MATTHC") or "")
        found = [r for r in records if str(r.get("MATTHC")) == code]
        if not found:
            return _refusal(404, "-3", f"Không có thủ tục {code}")
        return JsonResponse({"error_code": "0", "result": found})
    return _refusal(400, "-4", "Dịch vụ không được hỗ trợ")
