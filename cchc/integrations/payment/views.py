"""The gateway's server-to-server result (IPN)."""

from __future__ import annotations

import json

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import notified


@csrf_exempt
@require_POST
def notify(request: HttpRequest) -> JsonResponse:
    try:
        body = json.loads(request.body)
    except ValueError:
        return JsonResponse({"status": "refused", "message": "JSON"}, status=400)
    if not isinstance(body, dict):
        return JsonResponse({"status": "refused", "message": "JSON"}, status=400)
    status, message = notified(body)
    return JsonResponse(
        {"status": "ok" if status == 200 else "refused", "message": message}, status=status
    )
