"""One registry of dossier actions, shared by the staff pages and the API.

Each action turns plain input (an HTML form or a JSON body) into a call of its service
function; bad input becomes a `ServiceError` with a Vietnamese message, never a 500.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.accounts.models import User
from cchc.core.params import FIRST_YEAR, LAST_YEAR, as_day, as_id, as_int
from cchc.organizations.models import Agency

from . import constants as c
from . import services as s
from .models import Dossier

Input = Mapping[str, Any]


def _text(data: Input, key: str) -> str:
    value = data.get(key, "")
    return str(value).strip() if value is not None else ""


def _list(data: Input, key: str) -> list[Any]:
    getlist = getattr(data, "getlist", None)
    if getlist is not None:
        return list(getlist(key))
    value = data.get(key) or []
    return value if isinstance(value, list) else [value]


def _int(data: Input, key: str, *, required: bool = True) -> int | None:
    raw = _text(data, key)
    if not raw:
        if required:
            raise s.ServiceError(
                "invalid_input", _("Thiếu thông tin “%(key)s”.") % {"key": key}, {key: "required"}
            )
        return None
    number = as_int(raw, lo=-(2**63), hi=2**63 - 1)
    if number is None:
        raise s.ServiceError(
            "invalid_input", _("“%(key)s” phải là số.") % {"key": key}, {key: "invalid"}
        )
    return number


def _valid_until(raw: str) -> dt.date | None:
    """An optional day (dd/mm/yyyy or ISO): blank means the document does not expire."""
    if not raw:
        return None
    day = as_day(raw)
    if day is None:
        raise s.ServiceError(
            "invalid_input",
            _("Ngày hết hiệu lực không hợp lệ (dd/mm/yyyy)."),
            {"valid_until": "invalid"},
        )
    return day


def parse_moment(raw: str) -> dt.datetime:
    """`2026-12-02T09:00` (HTML, ISO) or `02/12/2026 09:00` (as Vietnamese officials type)."""
    raw = raw.strip()
    for fmt in ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%dT%H:%M:%S"):
        try:
            moment = dt.datetime.strptime(raw, fmt)
        except ValueError:
            continue
        if FIRST_YEAR <= moment.year <= LAST_YEAR:
            return timezone.make_aware(moment)
    try:
        moment = dt.datetime.fromisoformat(raw[:40])
        if not FIRST_YEAR <= moment.year <= LAST_YEAR:
            raise ValueError("year out of range")
    except ValueError as exc:
        raise s.ServiceError(
            "invalid_input",
            _("Thời điểm không hợp lệ; nhập theo dạng dd/mm/yyyy hh:mm."),
            {"new_due": "invalid"},
        ) from exc
    return moment if moment.tzinfo else timezone.make_aware(moment)


def _items(data: Input) -> list[s.SupplementItem]:
    raw = _list(data, "items")
    items = []
    for entry in raw:
        if isinstance(entry, dict):
            doc, problem = entry.get("document"), str(entry.get("problem", ""))
        else:
            doc, problem = entry, _text(data, f"problem-{entry}")
        try:
            items.append(s.SupplementItem(int(doc), problem))
        except (TypeError, ValueError) as exc:
            raise s.ServiceError("invalid_input", _("Giấy tờ cần bổ sung không hợp lệ.")) from exc
    return items


def _documents(d: Dossier, data: Input, files: Mapping[str, Any] | None) -> list[s.DocumentInput]:
    chosen = {str(x) for x in _list(data, "documents")}
    out = []
    for doc in d.procedure_version.documents.all():
        upload = (files or {}).get(f"file-{doc.pk}")
        if str(doc.pk) in chosen or upload is not None:
            out.append(s.DocumentInput(doc.name, doc.pk, doc.originals, doc.copies, True, upload))
    return out


def _user(data: Input, key: str) -> User:
    pk = _int(data, key)
    found = User.objects.filter(pk=pk, is_active=True).first()
    if found is None:
        raise s.ServiceError(
            "invalid_input", _("Không tìm thấy cán bộ được chọn."), {key: "unknown"}
        )
    return found


def _consultations(data: Input) -> list[s.Consultation]:
    rows = data.get("consultations")
    if rows is not None and (
        not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows)
    ):
        raise s.ServiceError(
            "invalid_input",
            _("“consultations” phải là danh sách các cơ quan phối hợp."),
            {"consultations": "invalid"},
        )
    if rows is None:  # an HTML form: one agency per submission
        rows = [
            {
                "agency": _text(data, "agency"),
                "time_share": _text(data, "time_share"),
                "task": _text(data, "task"),
            }
        ]
    out = []
    for row in rows:
        agency = Agency.objects.filter(pk=as_id(row.get("agency")) or 0).first()
        if agency is None:
            raise s.ServiceError("invalid_input", _("Cần chọn cơ quan phối hợp."))
        try:
            share = Decimal(str(row.get("time_share") or "").replace(",", ".")[:20])
        except InvalidOperation:
            share = Decimal("NaN")
        if not share.is_finite() or not Decimal(0) < share <= Decimal(365):
            raise s.ServiceError(
                "invalid_input", _("Thời gian cho ý kiến phải là số ngày (từ 0 đến 365).")
            )
        out.append(s.Consultation(agency, share, str(row.get("task") or "")))
    return out


Handler = Callable[[Dossier, Input, Any, Any, int | None], Dossier]


def _flag(data: Input, key: str) -> bool:
    value = data.get(key)
    return value is True or str(value or "").strip().lower() in ("1", "true", "on", "yes")


def _fee_settlements(d: Dossier, data: Input) -> list[s.FeeSettlement]:
    """JSON: `fees: [{fee, method, receipt_number, exemption_reason}]`; an HTML form: the
    fields `fee-<id>-receipt`, `fee-<id>-method` and `fee-<id>-exemption` of each unpaid line."""
    rows = data.get("fees")
    if rows is None:
        rows = [
            {
                "fee": fee.pk,
                "method": _text(data, f"fee-{fee.pk}-method"),
                "receipt_number": _text(data, f"fee-{fee.pk}-receipt"),
                "exemption_reason": _text(data, f"fee-{fee.pk}-exemption"),
            }
            for fee in d.fees.filter(exempt=False, paid_at__isnull=True, amount__gt=0)
        ]
    if not isinstance(rows, list):
        raise s.ServiceError(
            "invalid_input", _("“fees” phải là một danh sách."), {"fees": "invalid"}
        )
    out = []
    for row in rows:
        if not isinstance(row, dict):
            raise s.ServiceError(
                "invalid_input", _("“fees” phải là một danh sách."), {"fees": "invalid"}
            )
        out.append(
            s.FeeSettlement(
                fee_id=_int(row, "fee") or 0,
                method=_text(row, "method") or c.PaymentMethod.CASH,
                receipt_number=_text(row, "receipt_number"),
                exemption_reason=_text(row, "exemption_reason"),
            )
        )
    return out


def _h(fn: Callable[..., Dossier], **parsers: Callable[[Dossier, Input, Any], Any]) -> Handler:
    def handler(d: Dossier, data: Input, files: Any, actor: Any, revision: int | None) -> Dossier:
        kwargs = {name: parse(d, data, files) for name, parse in parsers.items()}
        return fn(d, actor=actor, expected_revision=revision, **kwargs)

    return handler


def text(key: str) -> Callable[[Dossier, Input, Any], str]:
    return lambda d, data, files: _text(data, key)


def number(key: str, required: bool = True) -> Callable[[Dossier, Input, Any], int | None]:
    return lambda d, data, files: _int(data, key, required=required)


HANDLERS: dict[str, Handler] = {
    c.Action.RECEIVE: _h(s.receive, documents=lambda d, data, f: _documents(d, data, f)),
    c.Action.REQUEST_COMPLETION: _h(
        s.request_completion,
        items=lambda d, data, f: _items(data),
        reason=text("reason"),
        override_reason=text("override_reason"),
    ),
    c.Action.REFUSE_RECEPTION: _h(s.refuse_reception, reason=text("reason")),
    c.Action.RESUBMIT: _h(s.resubmit, documents=lambda d, data, f: _documents(d, data, f)),
    c.Action.ASSIGN: _h(
        s.assign,
        assignee=lambda d, data, f: _user(data, "assignee"),
        step_id=number("step", False),
    ),
    c.Action.COMPLETE_STEP: _h(s.complete_step, note=text("note"), step_id=number("step", False)),
    c.Action.SEND_BACK: _h(
        s.send_back,
        to_step_id=number("to_step"),
        reason=text("reason"),
        step_id=number("step", False),
    ),
    c.Action.CONSULT: _h(
        s.consult,
        consultations=lambda d, data, f: _consultations(data),
        step_id=number("step", False),
    ),
    c.Action.ANSWER_CONSULTATION: _h(
        s.answer_consultation, consultation_id=number("consultation"), note=text("note")
    ),
    c.Action.REQUEST_SUPPLEMENT: _h(
        s.request_supplement,
        items=lambda d, data, f: _items(data),
        reason=text("reason"),
        override_reason=text("override_reason"),
    ),
    c.Action.SUPPLY: _h(s.supply, documents=lambda d, data, f: _documents(d, data, f)),
    c.Action.CLOSE_UNSUPPLEMENTED: _h(s.close_unsupplemented),
    c.Action.PAUSE: _h(s.pause, reason=text("reason")),
    c.Action.RESUME: _h(s.resume),
    c.Action.APOLOGISE: _h(
        s.apologise,
        reason=text("reason"),
        new_due=lambda d, data, f: parse_moment(_text(data, "new_due")),
    ),
    c.Action.DECLARE_INELIGIBLE: _h(s.declare_ineligible, reason=text("reason")),
    c.Action.MARK_RESULT_READY: _h(
        s.mark_result_ready,
        summary=text("summary"),
        result_file=lambda d, data, f: (f or {}).get("result_file"),
    ),
    c.Action.SIGN_RESULT: _h(
        s.sign_result, valid_until=lambda d, data, f: _valid_until(_text(data, "valid_until"))
    ),
    c.Action.NOTIFY_EARLY: _h(s.notify_early),
    c.Action.RETURN_RESULT: _h(
        s.return_result,
        method=lambda d, data, f: _text(data, "method") or c.ReturnMethod.DESK,
        returned_to=text("returned_to"),
        authorisation=text("authorisation"),
        told_early=lambda d, data, f: _flag(data, "told_early"),
        fees=lambda d, data, f: _fee_settlements(d, data),
    ),
    c.Action.WITHDRAW: _h(s.withdraw, reason=text("reason")),
    c.Action.RECORD_PAYMENT: _h(
        s.record_payment,
        fee_id=number("fee"),
        method=text("method"),
        receipt_number=text("receipt_number"),
    ),
    c.Action.CONFIRM_PAPER: _h(s.confirm_paper, handover_id=number("handover")),
    c.Action.REQUEST_CORRECTION: _h(
        s.request_correction,
        reason=text("reason"),
        fault=lambda d, data, f: _text(data, "fault") or c.CorrectionFault.AGENCY,
    ),
}


def perform(
    dossier: Dossier,
    action: str,
    data: Input,
    *,
    actor: Any,
    files: Mapping[str, Any] | None = None,
    revision: int | None = None,
) -> Dossier:
    handler = HANDLERS.get(action)
    if handler is None:
        raise s.ServiceError("unknown_action", _("Thao tác không tồn tại."), {"action": action})
    return handler(dossier, data, files, actor, revision)
