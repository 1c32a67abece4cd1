"""Online payment of fees (issue 18), in the style of the national payment platform and the
bank gateways it federates: the applicant is redirected to the gateway with a signed request,
the gateway calls us back server to server with a signed result (verified, idempotent), the
fees are recorded paid with the gateway's transaction number, refunds go through the outbox, and
a daily reconciliation compares the gateway's transactions with ours.

Signatures: HMAC-SHA256 with the merchant's secret (CCHC_PAYMENT_SECRET) over the fields joined
by "|", hex-encoded. The national platform's own message set (PayGov 1.0.6: INIT, CONFIRM…) is
described in shared/domain/national-systems.md; its field names differ, the flow is the same."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.core.audit import log_action, model_values
from cchc.core.errors import Conflict
from cchc.dossiers import constants as dc
from cchc.dossiers import services as ds
from cchc.dossiers.models import Dossier

from .. import outbox
from ..models import OutboxMessage, Payment, PaymentStatus
from ..transport import Transport

SYSTEM = "payment"


def sign(*fields: Any) -> str:
    text = "|".join(str(f) for f in fields)
    return hmac.new(
        settings.CCHC_PAYMENT_SECRET.encode(), text.encode(), hashlib.sha256
    ).hexdigest()


def verify(signature: str, *fields: Any) -> bool:
    return hmac.compare_digest(str(signature), sign(*fields))


def enabled() -> bool:
    return bool(settings.CCHC_PAYMENT_URL and settings.CCHC_PAYMENT_SECRET)


def payable(d: Dossier) -> list[Any]:
    """The fee lines the applicant may pay online now."""
    if not enabled() or not dc.allowed(dc.Action.RECORD_PAYMENT, d.status):
        return []
    return [f for f in d.fees.all() if not f.exempt and f.paid_at is None and (f.amount or 0) > 0]


def start(d: Dossier, *, base_url: str, actor: Any = None) -> str:
    """A payment for the dossier's unpaid lines; the gateway address to send the applicant to."""
    lines = payable(d)
    if not lines:
        raise Conflict("nothing_to_pay", _("Hồ sơ không có khoản phí, lệ phí nào chờ thanh toán."))
    amount = sum((Decimal(f.amount) for f in lines), Decimal(0))
    reference = f"TT{timezone.localtime():%y%m%d}{secrets.token_hex(5).upper()}"
    created = Payment.objects.create(
        reference=reference, dossier=d, fee_ids=[f.pk for f in lines], amount=amount
    )
    log_action(created, "payment.create", actor=actor, after=model_values(created))
    query = {
        "merchant": settings.CCHC_PAYMENT_MERCHANT,
        "ref": reference,
        "amount": f"{amount:f}",
        "info": f"Phi, le phi ho so {d.code or d.submission_code}",
        "return": base_url + reverse("portal:payment", args=[reference]),
        "notify": base_url + reverse("payment_notify"),
    }
    query["sig"] = sign(query["merchant"], reference, query["amount"], query["return"])
    return f"{settings.CCHC_PAYMENT_URL}?{urlencode(query)}"


def notified(body: dict[str, Any]) -> tuple[int, str]:
    """The gateway's server-to-server result: (HTTP status, answer). Verified by signature and
    amount; a repeated result changes nothing."""
    fields = ("ref", "amount", "status", "transaction")
    if not all(k in body for k in (*fields, "sig")) or not verify(
        body["sig"], *(body[k] for k in fields)
    ):
        return 403, "bad signature"
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(reference=body["ref"]).first()
        if payment is None:
            return 404, "unknown reference"
        payment.callbacks += 1
        if _amount(body["amount"]) != payment.amount:
            payment.save(update_fields=["callbacks"])
            return 400, "amount mismatch"
        if payment.status != PaymentStatus.CREATED:  # already settled: the same answer again
            payment.save(update_fields=["callbacks"])
            return 200, "already recorded"
        before = model_values(payment)
        if body["status"] != "success":
            payment.status = PaymentStatus.FAILED
            payment.save(update_fields=["callbacks", "status"])
            _audit(payment, "payment.fail", before)
            return 200, "recorded failure"
        d = payment.dossier
        for fee_id in payment.fee_ids:
            d = ds.record_payment(
                d,
                fee_id=fee_id,
                method=dc.PaymentMethod.ONLINE,
                receipt_number=str(body["transaction"])[:60],
                actor=None,
            )
        payment.status = PaymentStatus.PAID
        payment.transaction = str(body["transaction"])[:60]
        payment.paid_at = timezone.now()
        payment.save(update_fields=["callbacks", "status", "transaction", "paid_at"])
        _audit(payment, "payment.pay", before)
    return 200, "ok"


def _amount(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _audit(payment: Payment, action: str, before: dict[str, Any]) -> None:
    """The gateway acted (no person): audited as the system."""
    log_action(payment, action, actor=None, before=before, after=model_values(payment))


def on_dossier_event(sender: Any, *, dossier: Any, to_status: str, **_kw: Any) -> None:
    """A dossier refused at the desk or withdrawn: its online payments are refunded (the
    statuses are a setting: CCHC_PAYMENT_REFUND_STATUSES)."""
    if to_status not in settings.CCHC_PAYMENT_REFUND_STATUSES:
        return
    for payment in Payment.objects.filter(dossier=dossier, status=PaymentStatus.PAID):
        before = model_values(payment)
        payment.status = PaymentStatus.REFUNDING
        payment.save(update_fields=["status"])
        _audit(payment, "payment.refund_request", before)
        outbox.post(
            system=SYSTEM,
            ordering_key=payment.reference,
            kind="refund",
            payload={"ref": payment.reference, "amount": f"{payment.amount:f}"},
            dossier=dossier,
        )


def deliver(message: OutboxMessage) -> dict[str, Any]:
    """The outbox's handler: a refund request to the gateway."""
    body = {**message.payload, "transaction": ""}
    payment = Payment.objects.get(reference=body["ref"])
    body["transaction"] = payment.transaction
    body["sig"] = sign(body["ref"], body["amount"], body["transaction"])
    status, answer = Transport.post_json(
        settings.CCHC_PAYMENT_API.rstrip("/") + "/hoan-tien/", body, {}, 20.0
    )
    if status != 200 or answer.get("status") != "refunded":
        raise outbox.DeliveryError(f"HTTP {status}: {answer.get('message', answer)}")
    before = model_values(payment)
    payment.status = PaymentStatus.REFUNDED
    payment.refunded_at = timezone.now()
    payment.save(update_fields=["status", "refunded_at"])
    _audit(payment, "payment.refund", before)
    return answer


def differences(day: Any) -> list[str]:
    """The gateway's transactions of `day` against the payments recorded here."""
    try:
        status, answer = Transport.get_json(
            settings.CCHC_PAYMENT_API.rstrip("/") + f"/giao-dich/?ngay={day.isoformat()}",
            {"Authorization": f"Bearer {sign(day.isoformat())}"},
            20.0,
        )
    except outbox.DeliveryError as exc:
        return [f"Không kết nối được cổng thanh toán: {exc}"]
    if status != 200:
        return [f"Không đọc được giao dịch của cổng thanh toán: HTTP {status}"]
    theirs = {(t["ref"], t["kind"]): t for t in answer.get("data", [])}
    found = []
    for (ref, kind), t in sorted(theirs.items()):
        payment = Payment.objects.filter(reference=ref).first()
        if payment is None:
            found.append(f"{ref}: cổng thanh toán có giao dịch {kind} không có tại địa phương")
            continue
        expected = PaymentStatus.PAID if kind == "pay" else PaymentStatus.REFUNDED
        if t["status"] == "success" and payment.status not in (expected, PaymentStatus.REFUNDED):
            found.append(f"{ref}: cổng ghi {kind} thành công, địa phương ghi {payment.status}")
        if _amount(t["amount"]) != payment.amount:
            found.append(f"{ref}: số tiền trên cổng {t['amount']}, tại địa phương {payment.amount}")
    start = timezone.make_aware(dt.datetime.combine(day, dt.time()))
    for payment in Payment.objects.filter(paid_at__gte=start, paid_at__lt=start + dt.timedelta(1)):
        if (payment.reference, "pay") not in theirs:
            found.append(f"{payment.reference}: địa phương ghi đã thanh toán, cổng không có")
    return found
