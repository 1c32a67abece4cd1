"""Returning results, withdrawal, fees, paper transfers and reassignment (R-RETURN, R-EARLY,
R-WITHDRAW, R-FEE, R-TRANSFER, R-IMMEDIATE)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from cchc.core.audit import log_action, model_values
from cchc.core.formatting import money
from cchc.core.text import fold

from .. import constants as c
from ..models import Dossier, DossierDocument, DossierFee, DossierStep
from ..notify import notify_applicant
from .common import (
    Forbidden,
    ServiceError,
    TransitionNotAllowed,
    acting_user,
    dossier_action,
    mark_uncommitted,
    now,
    record_row,
    record_row_change,
    timeliness,
    transition,
)
from .forms import issue_form
from .permissions import may_do_step, require, works_in
from .processing import complete_step, stop_everything
from .reception import receive

A = c.Action


@dossier_action(A.NOTIFY_EARLY)
def notify_early(d: Dossier, *, actor: Any, at: dt.datetime) -> None:
    """R-EARLY: the applicant is told the result can be collected before the appointment."""
    require(A.NOTIFY_EARLY, actor, d)
    d.early_notice_at = at
    notify_applicant(d, reason="Kết quả đã có; mời ông/bà đến nhận sớm hơn ngày hẹn.", force=True)


@dataclass
class FeeSettlement:
    """How an unpaid fee line is settled when the result is handed over: paid now (a receipt
    number), or exempted with the reason."""

    fee_id: int
    method: str = c.PaymentMethod.CASH
    receipt_number: str = ""
    exemption_reason: str = ""


@dossier_action(A.RETURN_RESULT)
def return_result(
    d: Dossier,
    *,
    actor: Any,
    at: dt.datetime,
    method: str = c.ReturnMethod.DESK,
    returned_to: str = "",
    authorisation: str = "",
    told_early: bool = False,
    fees: list[FeeSettlement] | None = None,
) -> None:
    """R-RETURN: who collected it, when and how; early only with the applicant told (before,
    or now at the desk: `told_early`); no result leaves with a fee neither paid nor exempted
    (R-FEE); early / on time / late."""
    if method not in c.ReturnMethod.values:
        raise ServiceError("invalid_input", _("Hình thức trả kết quả không hợp lệ."))
    require(A.RETURN_RESULT, actor, d)
    if (
        method == c.ReturnMethod.ELECTRONIC
        and d.outcome == c.Outcome.GRANTED
        and d.result_signed_at is None
    ):
        raise ServiceError(
            "unsigned_result",
            _("Kết quả chưa được ký số: chỉ trả bản điện tử sau khi lãnh đạo ký số kết quả."),
        )
    receiver = returned_to.strip() or d.applicant_name
    if method == c.ReturnMethod.DESK and not returned_to.strip():
        raise ServiceError("receiver_required", _("Cần ghi họ tên người nhận kết quả."))
    is_applicant = fold(receiver) in {fold(d.applicant_name), fold(d.representative or "")}
    if method == c.ReturnMethod.DESK and not is_applicant and not authorisation.strip():
        raise ServiceError(
            "authorisation_required",
            _("Người nhận không phải người nộp hồ sơ: cần ghi giấy ủy quyền."),
        )
    result = timeliness(at, d.legal_due_at)
    if (
        result == c.Timeliness.EARLY
        and d.early_notice_at is None
        and d.outcome == c.Outcome.GRANTED
        and not d.on_the_spot
    ):
        if not told_early:
            raise ServiceError(
                "early_notice_required",
                _(
                    "Kết quả được trả trước ngày hẹn: người nộp phải được báo trước. Hãy đánh "
                    "dấu “Đã báo người nộp nhận kết quả sớm” trong mẫu trả kết quả, hoặc gửi "
                    "thông báo trước rồi trả."
                ),
                {"told_early": "required"},
            )
        d.early_notice_at = at  # told at the desk, as they collect it
    _settle_fees(d, fees or [], actor=actor, at=at)
    final = d.steps.filter(status=c.StepStatus.ACTIVE, at_desk=True).first()
    if final is not None:
        final.status = c.StepStatus.DONE
        final.finished_at = at
        final.timeliness = timeliness(at, final.due_at)
        final.assignee = final.assignee or acting_user(actor)
        final.done_by = acting_user(actor)
        final.save()
    d.return_method = method
    d.returned_to = receiver
    d.return_authorisation = authorisation.strip()
    d.returned_at = d.finished_at = at
    d.timeliness = result
    d.holder_agency = None


def _settle_fees(
    d: Dossier, settlements: list[FeeSettlement], *, actor: Any, at: dt.datetime
) -> None:
    """R-FEE at the return: every fee line paid or exempted (with a reason) before the result
    leaves the desk; payments and exemptions given with the return are recorded first."""
    by_id = {x.fee_id: x for x in settlements}
    unsettled = []
    for fee in d.fees.all():
        if fee.exempt or fee.paid_at is not None or not fee.amount:
            continue  # nothing to collect: exempted, paid, or no amount set for the line
        given = by_id.get(fee.pk)
        before = model_values(fee)
        if given is not None and given.exemption_reason.strip():
            fee.exempt = True
            fee.exemption_reason = given.exemption_reason.strip()
        elif given is not None and given.receipt_number.strip():
            if given.method not in c.PaymentMethod.values:
                raise ServiceError("invalid_input", _("Hình thức thanh toán không hợp lệ."))
            fee.paid_amount, fee.paid_at, fee.method = fee.amount, at, given.method
            fee.receipt_number = given.receipt_number.strip()
        else:
            unsettled.append(fee)
            continue
        fee.save()
        record_row(d, fee, before)
    if unsettled:
        names = "; ".join(f"{fee.name} ({money(fee.amount)})" for fee in unsettled)
        raise ServiceError(
            "fee_unpaid",
            _(
                "Chưa thu %(names)s. Ghi số biên lai đã thu, hoặc miễn kèm lý do, trước khi trả "
                "kết quả."
            )
            % {"names": names},
            {"fees": [fee.pk for fee in unsettled]},
        )


def withdraw(dossier: Dossier, **kwargs: Any) -> Dossier:
    """R-WITHDRAW: stop at the applicant's request while no result exists; a stop notice."""
    current = Dossier.objects.filter(pk=dossier.pk).values_list("status", flat=True).first()
    if current == c.Status.RESULT_READY:
        raise TransitionNotAllowed(
            "result_exists",
            _("Hồ sơ đã có kết quả nên không thể dừng giải quyết theo đề nghị rút hồ sơ."),
        )
    return _withdraw(dossier, **kwargs)


@dossier_action(A.WITHDRAW, needs_reason=_lazy("Cần ghi nội dung đề nghị dừng của người nộp."))
def _withdraw(d: Dossier, *, reason: str, actor: Any, at: dt.datetime) -> None:
    require(A.WITHDRAW, actor, d)
    d.refusal_reason = reason
    stop_everything(d, at, actor)
    issue_form(d, c.FormKind.STOP_NOTICE, actor=actor, at=at, extra={"reason": reason})


@dossier_action(A.RECORD_PAYMENT)
def record_payment(
    d: Dossier, *, fee_id: int, method: str, receipt_number: str, actor: Any, at: dt.datetime
) -> None:
    """R-FEE: a payment with its receipt number; exempt lines are never charged."""
    if method not in c.PaymentMethod.values:
        raise ServiceError("invalid_input", _("Hình thức thanh toán không hợp lệ."))
    if not receipt_number.strip():
        raise ServiceError("receipt_required", _("Cần nhập số biên lai thu phí, lệ phí."))
    require(A.RECORD_PAYMENT, actor, d)
    # the dossier's own rows (held on a dossier created in this transaction): what is changed
    # here is what the rest of the action reads
    fee = next((f for f in d.fees.all() if f.pk == fee_id), None)
    if fee is None:
        raise ServiceError("not_found", _("Không tìm thấy khoản phí của hồ sơ."))
    if fee.exempt:
        raise ServiceError("fee_exempt", _("Khoản này được miễn, không thu."))
    if fee.paid_at is not None:
        raise ServiceError(
            "fee_paid",
            _("Khoản này đã thu (biên lai %(fee_receipt_number)s).")
            % {"fee_receipt_number": fee.receipt_number},
        )
    before = model_values(fee)
    fee.paid_amount = fee.amount
    fee.paid_at = at
    fee.method = method
    fee.receipt_number = receipt_number.strip()
    fee.save()
    record_row(d, fee, before)


@dossier_action(A.CONFIRM_PAPER)
def confirm_paper(d: Dossier, *, handover_id: int, actor: Any, at: dt.datetime) -> None:
    """R-TRANSFER: the paper dossier reached the agency (late if after its deadline)."""
    handover = d.handovers.filter(
        pk=handover_id, medium=c.TransferMedium.PAPER, paper_received_at__isnull=True
    ).first()
    if handover is None:
        raise ServiceError("not_found", _("Không có lần chuyển hồ sơ giấy nào chờ xác nhận."))
    if handover.to_agency_id is None or not works_in(actor, handover.to_agency_id):
        raise Forbidden("forbidden", _("Chỉ cơ quan nhận hồ sơ giấy được xác nhận."))
    handover.paper_received_at = at
    handover.save(update_fields=["paper_received_at"])
    record_row_change(d, handover, "paper_received_at", None, at)


def settle_at_once(
    dossier: Dossier,
    *,
    actor: Any,
    returned_to: str,
    at: dt.datetime | None = None,
    issue_receipt: bool = False,
    fees: list[FeeSettlement] | None = None,
) -> Dossier:
    """R-IMMEDIATE: settled while the applicant waits — still recorded as a dossier."""
    with transaction.atomic():
        d = receive(dossier, actor=actor, at=at, issue_receipt=issue_receipt)
        for _ in range(d.steps.count()):
            d.refresh_from_db()
            if d.status != c.Status.IN_PROGRESS:
                break
            d = complete_step(d, actor=actor, at=at)
        return return_result(d, actor=actor, returned_to=returned_to, at=at, fees=fees)


def reassign_pending(
    *, from_user: Any, to_user: Any, actor: Any, reason: str, at: dt.datetime | None = None
) -> int:
    """Hand every pending step of one officer to another (leave, posting ended): one audited
    `reassign` transition per dossier, all or nothing."""
    if not reason.strip():
        raise ServiceError("reason_required", _("Cần ghi lý do chuyển giao công việc."))
    moment = now(at)
    steps = list(
        DossierStep.objects.filter(
            assignee=from_user, status__in=[c.StepStatus.ACTIVE, c.StepStatus.WAITING]
        )
        .select_related("agency")
        .order_by("dossier_id", "order")
    )
    with transaction.atomic():
        for step in steps:
            with transition(
                step.dossier_id, A.REASSIGN, actor=actor, at=moment, reason=reason
            ) as d:
                step.dossier = d
                require(A.REASSIGN, actor, d, step)
                if not may_do_step(to_user, _as_unassigned(step), d):
                    raise ServiceError(
                        "assignee_not_member",
                        _("%(to_user)s không thuộc %(step_agency_name)s (hồ sơ %(code)s).")
                        % {
                            "to_user": to_user,
                            "step_agency_name": step.agency.name,
                            "code": d.code,
                        },
                    )
                step.assignee = to_user
                step.save(update_fields=["assignee"])
                record_row_change(d, step, "assignee", from_user.pk, to_user.pk)
    return len(steps)


def _as_unassigned(step: DossierStep) -> DossierStep:
    """`step` as if nobody held it, to ask whether a member may take it on by their role."""
    copy = DossierStep(
        pk=step.pk,
        dossier_id=step.dossier_id,
        agency_id=step.agency_id,
        role=step.role,
        at_desk=step.at_desk,
    )
    copy.dossier = step.dossier
    return copy


# -- R-CORRECT ---------------------------------------------------------------------------------

CORRECTION = "_cchc_correction"


def request_correction(
    dossier: Dossier,
    *,
    actor: Any,
    reason: str,
    fault: str = c.CorrectionFault.AGENCY,
    at: dt.datetime | None = None,
    expected_revision: int | None = None,
) -> Dossier:
    """Open the correction of `dossier`'s returned result; returns the new, received dossier."""
    original = _request_correction(
        dossier,
        actor=actor,
        at=at,
        expected_revision=expected_revision,
        reason=reason,
        fault=fault,
    )
    created: Dossier = original.__dict__.pop(CORRECTION)
    return created


@dossier_action(
    c.Action.REQUEST_CORRECTION, needs_reason=_lazy("Cần ghi rõ sai sót của kết quả đã trả.")
)
def _request_correction(
    d: Dossier, *, reason: str, fault: str, actor: Any, at: dt.datetime
) -> None:
    require(c.Action.REQUEST_CORRECTION, actor, d)
    if fault not in c.CorrectionFault.values:
        raise ServiceError("invalid_input", _("Bên có sai sót không hợp lệ."), {"fault": "invalid"})
    if d.outcome != c.Outcome.GRANTED:
        raise ServiceError(
            "nothing_to_correct", _("Chỉ đính chính được kết quả giải quyết đã trả cho người nộp.")
        )
    if d.corrections.filter(finished_at__isnull=True).exists():
        raise ServiceError(
            "correction_open", _("Kết quả của hồ sơ này đang được đính chính; chờ trả lại trước.")
        )
    fields = {
        f.attname: getattr(d, f.attname)
        for f in Dossier._meta.concrete_fields
        if f.name
        in (
            "procedure_version",
            "procedure",
            "field",
            "rule_set",
            "channel",
            "desk",
            "receiving_agency",
            "competent_agency",
            "province",
            "applicant_kind",
            "applicant_name",
            "birth_date",
            "id_number",
            "tax_code",
            "representative",
            "phone",
            "email",
            "address",
            "applicant_area",
            "applicant_user",
            "return_method",
        )
    }
    new = Dossier.objects.create(
        **fields,
        corrects=d,
        correction_fault=fault,
        request_note=reason,
        submitted_at=at,
        last_action_at=at,
        holder_agency_id=d.receiving_agency_id,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    log_action(
        new,
        "dossier.create",
        actor=actor,
        to_status=new.status,
        changes={"corrects": d.pk, "fault": fault},
        at=at,
    )
    DossierDocument.objects.create(
        dossier=new,
        name=_("Kết quả đã trả có sai sót (%(code)s)") % {"code": d.code},
        originals=1,
        received=True,
        added_at=at,
    )
    if fault == c.CorrectionFault.APPLICANT:  # whoever erred pays (R-CORRECT)
        DossierFee.objects.bulk_create(
            DossierFee(dossier=new, name=f.name, amount=f.amount or Decimal(0))
            for f in d.procedure_version.fees.all()
        )
    mark_uncommitted(new)
    d.__dict__[CORRECTION] = receive(new, actor=actor, at=at)
