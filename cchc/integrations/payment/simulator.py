"""A local stand-in for the payment gateway (mounted with the other simulators): the page the
applicant is sent to, with a choice of outcome to rehearse each case — paid, refused, paid but
the result never sent back (a timeout), or the result sent twice — plus refunds and the list of
transactions a day (what reconciliation reads)."""

from __future__ import annotations

import json
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from ..models import SimulatedTransaction
from ..transport import Transport
from . import sign, verify

MODES = ("success", "failure", "timeout", "duplicate")


def pay(request: HttpRequest) -> HttpResponse:
    q = request.GET if request.method == "GET" else request.POST
    fields = [str(q.get(k, "")) for k in ("merchant", "ref", "amount", "return")]
    if not verify(str(q.get("sig", "")), *fields):
        return HttpResponse("Yêu cầu thanh toán không hợp lệ (sai chữ ký).", status=400)
    try:
        amount = Decimal(fields[2])
    except InvalidOperation:
        return HttpResponse("Số tiền không hợp lệ.", status=400)
    if request.method == "GET":
        return render(
            request,
            "integrations/payment_simulator.html",
            {"q": q, "amount": amount, "info": q.get("info", ""), "modes": MODES},
        )
    mode = str(q.get("mode", ""))
    if mode not in MODES:
        return HttpResponse("Chọn một kết quả.", status=400)
    ref, transaction = fields[1], f"GD{secrets.token_hex(6).upper()}"
    status = "failed" if mode == "failure" else "success"
    SimulatedTransaction.objects.create(
        reference=ref, kind="pay", amount=amount, status=status, transaction=transaction
    )
    if mode != "timeout":
        body: dict[str, Any] = {
            "ref": ref,
            "amount": f"{amount:f}",
            "status": status,
            "transaction": transaction,
        }
        body["sig"] = sign(ref, body["amount"], status, transaction)
        for _ in range(2 if mode == "duplicate" else 1):
            Transport.post_json(str(q.get("notify", "")), body, {}, 20.0)
    return redirect(fields[3])


@csrf_exempt
@require_POST
def refund(request: HttpRequest) -> JsonResponse:
    try:
        body = json.loads(request.body)
    except ValueError:
        return JsonResponse({"status": "refused", "message": "JSON"}, status=400)
    fields = [str(body.get(k, "")) for k in ("ref", "amount", "transaction")]
    if not verify(str(body.get("sig", "")), *fields):
        return JsonResponse({"status": "refused", "message": "Sai chữ ký"}, status=403)
    try:
        amount = Decimal(fields[1])
    except InvalidOperation:
        return JsonResponse({"status": "refused", "message": "Số tiền không hợp lệ"}, status=400)
    done = SimulatedTransaction.objects.filter(reference=fields[0], kind="refund").first()
    if done is None:
        done = SimulatedTransaction.objects.create(
            reference=fields[0],
            kind="refund",
            amount=amount,
            status="success",
            transaction=f"HT{secrets.token_hex(6).upper()}",
        )
    return JsonResponse({"status": "refunded", "transaction": done.transaction})


@require_GET
def transactions(request: HttpRequest) -> JsonResponse:
    day = str(request.GET.get("ngay", ""))[:10]
    if request.headers.get("Authorization") != f"Bearer {sign(day)}":
        return JsonResponse({"status": "refused"}, status=403)
    rows = [
        {
            "ref": t.reference,
            "kind": t.kind,
            "amount": f"{t.amount:f}",
            "status": t.status,
            "transaction": t.transaction,
        }
        for t in SimulatedTransaction.objects.all()
        if timezone.localdate(t.at).isoformat() == day
    ]
    return JsonResponse({"data": rows, "merchant": settings.CCHC_PAYMENT_MERCHANT})
