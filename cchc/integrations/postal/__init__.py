"""The public postal service (bưu chính công ích, Decision 45/2016/QĐ-TTg): collecting a
dossier's papers from the applicant and carrying results to them.

- A result whose applicant chose delivery by post gets a delivery order when it is ready
  (`on_dossier_event`); an online applicant may ask for their papers to be collected
  (`request_pickup`). Either is a `PostalOrder` written with an outbox message in the same
  transaction; the worker sends it (`deliver`) in the shape the provinces' systems use with
  the postal operator (shared/domain/national-systems.md §4), 100/101 meaning accepted.
- The operator reports each step back (`track`): every report is kept once, the order only
  moves forward, the dossier's timeline shows each step, and a delivered result is recorded
  as returned — by post, to whom, when, its fees collected on delivery.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.core.audit import log_action
from cchc.core.errors import Conflict
from cchc.dossiers import constants as dc
from cchc.dossiers import services as ds
from cchc.dossiers.models import Dossier

from .. import outbox
from ..models import OutboxMessage, PostalEvent, PostalKind, PostalOrder
from ..transport import Transport

SYSTEM = "postal"
ACCEPTED_REPLIES = {"100", "101"}  # 101's meaning is unconfirmed; the provinces treat it so
# The operator's tracking codes [U: no published list]: overridable by CCHC_POSTAL_STATUS_CODES.
DEFAULT_CODES = {
    "100": dc.PostalState.ACCEPTED,
    "200": dc.PostalState.PICKED_UP,
    "300": dc.PostalState.IN_TRANSIT,
    "400": dc.PostalState.DELIVERED,
    "500": dc.PostalState.FAILED,
    "600": dc.PostalState.RETURNED,
    "700": dc.PostalState.CANCELLED,
}
OPEN = [dc.PostalState.REQUESTED, dc.PostalState.ACCEPTED, dc.PostalState.PICKED_UP,
        dc.PostalState.IN_TRANSIT, dc.PostalState.FAILED]  # fmt: skip


def token_headers(token: str) -> dict[str, str]:
    """The operator's API reads `access_token`; web servers and proxies (Django's, gunicorn,
    nginx by default) drop header names with an underscore, so `Access-Token` goes too and is
    the one this side reads."""
    return {"access_token": token, "Access-Token": token}


def state_of(code: str) -> str | None:
    table = {**DEFAULT_CODES, **settings.CCHC_POSTAL_STATUS_CODES}
    state = table.get(str(code))
    return str(state) if state in dc.PostalState.values else None


def _applicant_address(d: Dossier) -> str:
    area = getattr(d.applicant_area, "name", "")
    return ", ".join(part for part in (d.address, area) if part)[:400]


def _timeline(order: PostalOrder, state: str, at: dt.datetime, note: str = "") -> None:
    log_action(
        order.dossier,
        f"postal.{state}",
        actor=None,
        actor_label=_("Bưu điện"),
        reason=note[:300],
        changes={"order": order.number, "kind": order.kind, "item_code": order.item_code},
        at=at,
    )


def _order(
    d: Dossier,
    kind: str,
    *,
    name: str,
    phone: str,
    address: str,
    cod: Decimal,
    at: dt.datetime | None = None,
) -> PostalOrder:
    count = PostalOrder.objects.filter(dossier=d, kind=kind).count()
    suffix = "TG" if kind == PostalKind.PICKUP else "PH"
    order = PostalOrder.objects.create(
        number=f"{d.code or d.submission_code or d.pk}-{suffix}{count + 1}",
        dossier=d,
        kind=kind,
        name=name[:200],
        phone=phone[:20],
        address=address[:400],
        cod_amount=cod,
    )
    outbox.post(
        system=SYSTEM, ordering_key=order.number, kind=kind, payload={"order": order.number},
        dossier=d,
    )  # fmt: skip
    _timeline(order, dc.PostalState.REQUESTED, at or timezone.now())
    return order


def unpaid_fees(d: Dossier) -> Decimal:
    """What the postman collects on delivery (R-FEE: nothing leaves unpaid or unexempted)."""
    return sum(
        (f.amount for f in d.fees.all() if not f.exempt and f.paid_at is None and f.amount),
        Decimal(0),
    )


def on_dossier_event(
    sender: Any, *, dossier: Any, to_status: str, at: dt.datetime | None = None, **_kw: Any
) -> None:
    """A result ready for an applicant who chose delivery by post: order its delivery."""
    if (
        not settings.CCHC_POSTAL
        or to_status != dc.Status.RESULT_READY
        or dossier.return_method != dc.ReturnMethod.POST
        or PostalOrder.objects.filter(
            dossier=dossier, kind=PostalKind.DELIVERY, status__in=OPEN
        ).exists()
    ):
        return
    _order(
        dossier,
        PostalKind.DELIVERY,
        name=dossier.applicant_name,
        phone=dossier.phone,
        address=_applicant_address(dossier),
        cod=unpaid_fees(dossier),
        at=at,  # ordered with the change that made the result ready
    )


PICKUP_STATUSES = (
    dc.Status.SUBMITTED,
    dc.Status.AWAITING_COMPLETION,
    dc.Status.IN_PROGRESS,
    dc.Status.SUPPLEMENT_REQUESTED,
)


def may_request_pickup(d: Dossier) -> bool:
    return (
        settings.CCHC_POSTAL
        and d.status in PICKUP_STATUSES
        and not PostalOrder.objects.filter(
            dossier=d, kind=PostalKind.PICKUP, status__in=OPEN
        ).exists()
    )


@transaction.atomic
def request_pickup(d: Dossier, *, actor: Any, address: str, phone: str) -> PostalOrder:
    """The applicant asks the postal service to collect the dossier's papers (originals to
    present, a supplement) at their address and bring them to the desk."""
    d = Dossier.objects.select_for_update().get(pk=d.pk)
    if not may_request_pickup(d):
        raise Conflict("pickup_not_allowed", _("Hồ sơ này không còn nhận yêu cầu thu gom."))
    address, phone = address.strip(), phone.replace(" ", "").strip()
    if len(address) < 5 or not phone:
        raise ds.ServiceError(
            "invalid_input",
            _("Cần ghi địa chỉ nhận hồ sơ và số điện thoại để bưu điện liên hệ."),
            {"address": 1} if len(address) < 5 else {"phone": 1},
        )
    order = _order(
        d, PostalKind.PICKUP, name=d.applicant_name, phone=phone, address=address, cod=Decimal(0)
    )
    log_action(order, "postal.create", actor=actor, after={"number": order.number,
               "kind": order.kind})  # fmt: skip
    return order


def _body(order: PostalOrder) -> dict[str, Any]:
    d = order.dossier
    desk = d.desk
    desk_side = {"Name": desk.name, "Address": desk.address or desk.name, "Tel": ""}
    person = {"Name": order.name, "Address": order.address, "Tel": order.phone}
    sender, receiver = (
        (person, desk_side) if order.kind == PostalKind.PICKUP else (desk_side, person)
    )
    base = settings.CCHC_PUBLIC_BASE_URL.rstrip("/")
    return {
        "CustomerCode": settings.CCHC_POSTAL_CUSTOMER_CODE,
        "OrderNumber": order.number,
        "ItemCode": order.item_code,
        "CODAmount": int(order.cod_amount),
        "ServiceName": "THU_GOM_HO_SO" if order.kind == PostalKind.PICKUP else "PHAT_KET_QUA",
        **{f"Sender{k}": v for k, v in sender.items()},
        **{f"Receiver{k}": v for k, v in receiver.items()},
        "Description": f"{'Hồ sơ' if order.kind == PostalKind.PICKUP else 'Kết quả'} {d.code}",
        "FlagConfig": 2,
        "CallbackUrl": base + reverse("postal_tracking"),
    }


def deliver(message: OutboxMessage) -> dict[str, Any]:
    """The outbox's handler: the order to the postal operator."""
    order = PostalOrder.objects.select_related("dossier__desk").get(number=message.payload["order"])
    if order.status == dc.PostalState.CANCELLED:
        return {"skipped": "cancelled"}
    status, answer = Transport.post_json(
        settings.CCHC_POSTAL_URL.rstrip("/") + "/don-hang/",
        _body(order),
        token_headers(settings.CCHC_POSTAL_TOKEN),
        20.0,
    )
    if status >= 500 or status in (401, 408, 429):
        raise outbox.DeliveryError(f"HTTP {status}: {answer}")
    code = str(answer.get("Status", ""))
    if code not in ACCEPTED_REPLIES:
        # the order itself refused (an address the operator cannot serve…): no retry helps
        raise outbox.DeliveryError(f"{code}: {answer.get('Message', answer)}", permanent=True)
    with transaction.atomic():
        order = PostalOrder.objects.select_for_update().get(pk=order.pk)
        if order.status == dc.PostalState.REQUESTED:
            order.item_code = str(answer.get("ItemCode") or order.item_code)[:40]
            order.status = dc.PostalState.ACCEPTED
            order.save(update_fields=["item_code", "status", "updated_at"])
            _timeline(order, dc.PostalState.ACCEPTED, timezone.now())
    return answer


class TrackingError(Exception):
    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def _moment(text: str) -> dt.datetime:
    """`yyyyMMddHHmmss` in Vietnam's time, as the national exchanges write it."""
    try:
        naive = dt.datetime.strptime(text, "%Y%m%d%H%M%S")
    except (TypeError, ValueError) as exc:
        raise TrackingError("invalid_time", "StatusTime: yyyyMMddHHmmss") from exc
    return timezone.make_aware(naive, timezone.get_default_timezone())


@transaction.atomic
def track(body: dict[str, Any]) -> tuple[PostalOrder, bool]:
    """One tracking report; (the order, whether it was new). Repeats and late reports are
    kept out of the state (a delivered order stays delivered)."""
    number = str(body.get("OrderNumber", ""))[:60]
    order = (
        PostalOrder.objects.select_for_update()
        .select_related("dossier")
        .filter(number=number)
        .first()
    )
    if order is None:
        raise TrackingError("unknown_order", "OrderNumber", 404)
    code = str(body.get("Status", ""))[:20]
    state = state_of(code)
    if state is None:
        raise TrackingError("unknown_status", "Status")
    at = _moment(str(body.get("StatusTime", "")))
    note = str(body.get("Note", ""))[:300]
    _event, created = PostalEvent.objects.get_or_create(
        order=order, code=code, at=at, defaults={"status": state, "note": note}
    )
    if not created:
        return order, False
    if body.get("ItemCode") and not order.item_code:
        order.item_code = str(body["ItemCode"])[:40]
    current = dc.POSTAL_PROGRESS[dc.PostalState(order.status)]
    if dc.POSTAL_PROGRESS[dc.PostalState(state)] < current or current == 9:
        order.save(update_fields=["item_code", "updated_at"])
        return order, True  # kept as received, the order's state unchanged
    order.status = state
    order.save(update_fields=["item_code", "status", "updated_at"])
    _timeline(order, state, at, note)
    if state == dc.PostalState.DELIVERED and order.kind == PostalKind.DELIVERY:
        _returned(order, at, receiver=str(body.get("ReceiverName", "")).strip() or order.name)
    return order, True


def _returned(order: PostalOrder, at: dt.datetime, *, receiver: str) -> None:
    """The result reached the applicant: the dossier is returned, by post, at that moment;
    fees collected on delivery are recorded against the item code."""
    d = order.dossier
    if d.status != dc.Status.RESULT_READY:
        return  # already returned another way: the report stays in the order's history
    fees = [
        ds.FeeSettlement(
            f.pk, method=dc.PaymentMethod.POSTAL, receipt_number=order.item_code or order.number
        )
        for f in d.fees.all()
        if not f.exempt and f.paid_at is None and f.amount
    ]
    ds.return_result(
        d,
        actor=None,
        at=at,
        method=dc.ReturnMethod.POST,
        returned_to=receiver,
        # the applicant chose delivery by post and was told the result left the desk
        told_early=True,
        fees=fees,
    )
