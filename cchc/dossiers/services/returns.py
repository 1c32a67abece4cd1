"""Returning results, withdrawal, fees, paper transfers and reassignment (R-RETURN, R-EARLY,
R-WITHDRAW, R-FEE, R-TRANSFER, R-IMMEDIATE)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from cchc.core.audit import log_action
from cchc.core.text import fold

from .. import constants as c
from ..models import Dossier, DossierStep
from .common import ServiceError, TransitionNotAllowed, now, timeliness, transition
from .forms import issue_form
from .permissions import require_desk, works_at_desk, works_in
from .processing import _stop_everything, complete_step
from .reception import receive


def _actor(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def notify_early(
    dossier: Dossier,
    *,
    actor: Any,
    at: dt.datetime | None = None,
    expected_revision: int | None = None,
) -> Dossier:
    """R-EARLY: the applicant is told the result can be collected before the appointment."""
    moment = now(at)
    with transition(
        dossier.pk,
        c.Action.NOTIFY_EARLY,
        actor=actor,
        expected_revision=expected_revision,
        at=at,
    ) as d:
        require_desk(actor, d)
        d.early_notice_at = moment
        from ..notify import notify_applicant

        notify_applicant(
            d, reason="Kết quả đã có; mời ông/bà đến nhận sớm hơn ngày hẹn.", force=True
        )
    return d


def return_result(
    dossier: Dossier,
    *,
    actor: Any,
    method: str = c.ReturnMethod.DESK,
    returned_to: str = "",
    authorisation: str = "",
    at: dt.datetime | None = None,
    expected_revision: int | None = None,
) -> Dossier:
    """R-RETURN: who collected it, when and how; early only after notice; early/on time/late."""
    moment = now(at)
    if method not in c.ReturnMethod.values:
        raise ServiceError("invalid_input", "Hình thức trả kết quả không hợp lệ.")
    with transition(
        dossier.pk,
        c.Action.RETURN_RESULT,
        actor=actor,
        expected_revision=expected_revision,
        at=at,
    ) as d:
        require_desk(actor, d)
        receiver = returned_to.strip() or d.applicant_name
        if method == c.ReturnMethod.DESK and not returned_to.strip():
            raise ServiceError("receiver_required", "Cần ghi họ tên người nhận kết quả.")
        is_applicant = fold(receiver) in {fold(d.applicant_name), fold(d.representative or "")}
        if method == c.ReturnMethod.DESK and not is_applicant and not authorisation.strip():
            raise ServiceError(
                "authorisation_required",
                "Người nhận không phải người nộp hồ sơ: cần ghi giấy ủy quyền.",
            )
        result = timeliness(moment, d.legal_due_at)
        if (
            result == c.Timeliness.EARLY
            and d.early_notice_at is None
            and d.outcome == c.Outcome.GRANTED
            and not d.on_the_spot
        ):
            raise ServiceError(
                "early_notice_required",
                "Trả kết quả trước ngày hẹn cần báo trước cho người nộp (R-EARLY): bấm “Báo "
                "trả kết quả sớm” trước.",
            )
        final = d.steps.filter(status=c.StepStatus.ACTIVE, at_desk=True).first()
        if final is not None:
            final.status = c.StepStatus.DONE
            final.finished_at = moment
            final.timeliness = timeliness(moment, final.due_at)
            final.assignee = final.assignee or _actor(actor)
            final.save()
        d.return_method = method
        d.returned_to = receiver
        d.return_authorisation = authorisation.strip()
        d.returned_at = d.finished_at = moment
        d.timeliness = result
        d.holder_agency = None
    return d


def withdraw(
    dossier: Dossier,
    *,
    reason: str,
    actor: Any,
    at: dt.datetime | None = None,
    expected_revision: int | None = None,
) -> Dossier:
    """R-WITHDRAW: stop at the applicant's request while no result exists; a stop notice."""
    if not reason.strip():
        raise ServiceError("reason_required", "Cần ghi nội dung đề nghị dừng của người nộp.")
    moment = now(at)
    with transaction.atomic():
        current = Dossier.objects.filter(pk=dossier.pk).values_list("status", flat=True).first()
        if current == c.Status.RESULT_READY:
            raise TransitionNotAllowed(
                "result_exists",
                "Hồ sơ đã có kết quả nên không thể dừng giải quyết theo đề nghị rút hồ sơ.",
            )
        with transition(
            dossier.pk,
            c.Action.WITHDRAW,
            actor=actor,
            expected_revision=expected_revision,
            at=at,
            reason=reason,
        ) as d:
            if not (_actor(actor) is not None and d.applicant_user_id == actor.pk):
                require_desk(actor, d)
            d.refusal_reason = reason
            _stop_everything(d, moment, actor)
        issue_form(d, c.FormKind.STOP_NOTICE, actor=actor, at=moment, extra={"reason": reason})
    return d


def record_payment(
    dossier: Dossier,
    *,
    fee_id: int,
    method: str,
    receipt_number: str,
    actor: Any,
    at: dt.datetime | None = None,
    expected_revision: int | None = None,
) -> Dossier:
    """R-FEE: a payment with its receipt number; exempt lines are never charged."""
    moment = now(at)
    if method not in c.PaymentMethod.values:
        raise ServiceError("invalid_input", "Hình thức thanh toán không hợp lệ.")
    if not receipt_number.strip():
        raise ServiceError("receipt_required", "Cần nhập số biên lai thu phí, lệ phí.")
    with transition(
        dossier.pk,
        c.Action.RECORD_PAYMENT,
        actor=actor,
        expected_revision=expected_revision,
        at=at,
    ) as d:
        require_desk(actor, d)
        fee = d.fees.filter(pk=fee_id).first()
        if fee is None:
            raise ServiceError("not_found", "Không tìm thấy khoản phí của hồ sơ.")
        if fee.exempt:
            raise ServiceError("fee_exempt", "Khoản này được miễn, không thu.")
        if fee.paid_at is not None:
            raise ServiceError("fee_paid", f"Khoản này đã thu (biên lai {fee.receipt_number}).")
        fee.paid_amount = fee.amount
        fee.paid_at = moment
        fee.method = method
        fee.receipt_number = receipt_number.strip()
        fee.save()
    return d


def confirm_paper(
    dossier: Dossier,
    *,
    handover_id: int,
    actor: Any,
    at: dt.datetime | None = None,
    expected_revision: int | None = None,
) -> Dossier:
    """R-TRANSFER: the paper dossier reached the agency (late if after its deadline)."""
    moment = now(at)
    with transition(
        dossier.pk,
        c.Action.CONFIRM_PAPER,
        actor=actor,
        expected_revision=expected_revision,
        at=at,
    ) as d:
        handover = d.handovers.filter(
            pk=handover_id, medium=c.TransferMedium.PAPER, paper_received_at__isnull=True
        ).first()
        if handover is None:
            raise ServiceError("not_found", "Không có lần chuyển hồ sơ giấy nào chờ xác nhận.")
        if not works_in(actor, handover.to_agency_id):
            raise ServiceError("forbidden", "Chỉ cơ quan nhận hồ sơ giấy được xác nhận.")
        handover.paper_received_at = moment
        handover.save(update_fields=["paper_received_at"])
    return d


def settle_at_once(
    dossier: Dossier,
    *,
    actor: Any,
    returned_to: str,
    at: dt.datetime | None = None,
    issue_receipt: bool = False,
) -> Dossier:
    """R-IMMEDIATE: settled while the applicant waits — still recorded as a dossier."""
    with transaction.atomic():
        d = receive(dossier, actor=actor, at=at, issue_receipt=issue_receipt)
        for _ in range(d.steps.count()):
            d.refresh_from_db()
            if d.status != c.Status.IN_PROGRESS:
                break
            d = complete_step(d, actor=actor, at=at)
        return return_result(d, actor=actor, returned_to=returned_to, at=at)


def reassign_pending(
    *, from_user: Any, to_user: Any, actor: Any, reason: str, at: dt.datetime | None = None
) -> int:
    """Hand every pending step of one officer to another (leave, posting ended), logged."""
    if not reason.strip():
        raise ServiceError("reason_required", "Cần ghi lý do chuyển giao công việc.")
    moment = now(at)
    moved = 0
    steps = DossierStep.objects.filter(
        assignee=from_user, status__in=[c.StepStatus.ACTIVE, c.StepStatus.WAITING]
    ).select_related("dossier", "agency")
    with transaction.atomic():
        for step in steps:
            d = Dossier.objects.select_for_update().get(pk=step.dossier_id)
            ok = works_in(to_user, step.agency_id) or (step.at_desk and works_at_desk(to_user, d))
            if not ok:
                raise ServiceError(
                    "assignee_not_member",
                    f"{to_user} không thuộc {step.agency.name} (hồ sơ {d.code}).",
                )
            if not (works_in(actor, step.agency_id) or works_at_desk(actor, d)):
                raise ServiceError("forbidden", f"Bạn không quản lý hồ sơ {d.code}.")
            step.assignee = to_user
            step.save(update_fields=["assignee"])
            d.revision += 1
            d.last_action_at = moment
            d.save(update_fields=["revision", "last_action_at"])
            log_action(
                d,
                "dossier.reassign",
                actor=actor,
                changes={
                    "step": step.pk,
                    "assignee": {"before": from_user.pk, "after": to_user.pk},
                },
                reason=reason,
                at=moment,
            )
            moved += 1
    return moved
