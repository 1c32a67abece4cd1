"""Processing inside the agencies (R-STEPS, R-TIME-5, R-TIME-6, R-INTERAGENCY, R-LATE)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from cchc.accounts.models import User
from cchc.core.audit import model_values
from cchc.core.uploads import check_scan, stored_name
from cchc.organizations.models import Agency

from .. import constants as c
from ..models import ClockStop, Dossier, DossierStep, Handover
from ..notify import notify_applicant
from .common import (
    ServiceError,
    acting_user,
    calendar_of,
    change_due,
    dossier_action,
    limit_of,
    note_written,
    record_row,
    record_row_change,
    step_due,
    timeliness,
)
from .documents import DocumentInput, SupplementItem, record_supplement_request, save_documents
from .forms import issue_form, local_text
from .permissions import holds_role, require, works_at_desk, works_in
from .steps import STEP_FIELDS, activate_step, is_last_processing_step


def _finish(d: Dossier, step: DossierStep, at: dt.datetime, actor: Any, note: str = "") -> None:
    before = model_values(step, STEP_FIELDS)
    step.status = c.StepStatus.DONE
    step.finished_at = at
    step.timeliness = timeliness(at, step.due_at)
    step.done_by = acting_user(actor)  # who did it, whoever it was assigned to
    if step.assignee_id is None and acting_user(actor) is not None:
        step.assignee = actor
    if note:
        step.note = note
    step.save()
    record_row(d, step, before, fields=STEP_FIELDS)


def _active_step(d: Dossier, step_id: int | None) -> DossierStep:
    steps = d.steps.select_related("agency", "dossier").filter(
        status=c.StepStatus.ACTIVE, kind=c.StepKind.PROCESS
    )
    step = steps.filter(pk=step_id).first() if step_id else steps.order_by("order").first()
    if step is None:
        raise ServiceError("step_not_active", _("Bước này không ở trạng thái đang xử lý."))
    return step


def _advance(d: Dossier, step: DossierStep, *, actor: Any, at: dt.datetime) -> None:
    following = list(
        d.steps.filter(kind=c.StepKind.PROCESS, order__gt=step.order, status=c.StepStatus.WAITING)
        .select_related("agency")
        .order_by("order")
    )
    if not following or (len(following) == 1 and following[0].at_desk):
        d.status = c.Status.RESULT_READY
        d.result_ready_at = at
        if d.outcome == "":
            d.outcome = c.Outcome.GRANTED
    if following:
        activate_step(d, following[0], giver=step, actor=actor, at=at)
    else:
        # The process ends away from the desk (the clerk's step): the result still goes back
        # to the receiving desk, and that hand-over is a line of the control slip (R-TRANSFER).
        back = Handover.objects.create(
            dossier=d,
            at=at,
            from_agency_id=step.agency_id,
            from_user=acting_user(actor),
            to_agency_id=d.receiving_agency_id,
            to_label=d.desk.name,
            due_at=step.due_at,
            timeliness=step.timeliness,
            note=f"Chuyển kết quả về bộ phận một cửa: {step.name}"[:500],
        )
        note_written(d, "handovers", back)
        d.holder_agency_id = d.receiving_agency_id


@dataclass
class Consultation:
    agency: Agency
    time_share: Decimal
    task: str


A = c.Action


@dossier_action(A.ASSIGN)
def assign(
    d: Dossier, *, assignee: User, actor: Any, at: dt.datetime, step_id: int | None = None
) -> None:
    """Name who handles the active step — or, when the assignee does not hold the active
    step's role (a division head's "assign" step handing to a specialist), the next step they
    do hold. The active step stays its own role's: the assignee is never recorded as having
    done it, and the following step is not left with nobody (R-STEPS)."""
    step = _active_step(d, step_id)
    require(A.ASSIGN, actor, d, step)
    target = _assignment_target(d, step, assignee)
    before = target.assignee_id
    target.assignee = assignee
    target.save(update_fields=["assignee"])
    record_row_change(d, target, "assignee", before, assignee.pk)
    assigned = Handover.objects.create(
        dossier=d,
        at=at,
        from_agency_id=step.agency_id,
        from_user=acting_user(actor),
        to_agency_id=target.agency_id,
        to_label=str(assignee),
        step=target,
        note=f"Phân công: {target.name}"[:500],
    )
    note_written(d, "handovers", assigned)


def _assignment_target(d: Dossier, step: DossierStep, assignee: User) -> DossierStep:
    if step.at_desk:
        if works_at_desk(assignee, d):
            return step
    elif holds_role(assignee, step) and works_in(assignee, step.agency_id):
        return step
    if not step.at_desk:
        following = d.steps.filter(
            kind=c.StepKind.PROCESS,
            order__gt=step.order,
            status=c.StepStatus.WAITING,
            at_desk=False,
        ).select_related("agency")
        for later in following.order_by("order"):
            if holds_role(assignee, later):
                return later
    raise ServiceError(
        "assignee_not_member",
        _(
            "%(assignee)s không giữ vai trò của bước “%(step_name)s” hay của bước tiếp theo tại "
            "%(step_agency_name)s."
        )
        % {"assignee": assignee, "step_name": step.name, "step_agency_name": step.agency.name},
    )


@dossier_action(A.COMPLETE_STEP)
def complete_step(
    d: Dossier, *, actor: Any, at: dt.datetime, step_id: int | None = None, note: str = ""
) -> None:
    """Finish the active step; the next one starts, or the result is ready (R-STEPS)."""
    step = _active_step(d, step_id)
    require(A.COMPLETE_STEP, actor, d, step)
    if step.consultations.filter(status=c.StepStatus.ACTIVE).exists():
        raise ServiceError(
            "consultations_open",
            _("Còn cơ quan phối hợp chưa trả lời; chỉ tổng hợp khi đã đủ ý kiến."),
        )
    _finish(d, step, at, actor, note)
    _advance(d, step, actor=actor, at=at)


@dossier_action(A.SEND_BACK, needs_reason=_lazy("Cần ghi lý do trả lại bước trước."))
def send_back(
    d: Dossier,
    *,
    to_step_id: int,
    reason: str,
    actor: Any,
    at: dt.datetime,
    step_id: int | None = None,
) -> None:
    """Return the dossier to an earlier step, with the reason (R-STEPS)."""
    step = _active_step(d, step_id)
    require(A.SEND_BACK, actor, d, step)
    target = d.steps.filter(
        pk=to_step_id, kind=c.StepKind.PROCESS, order__lt=step.order, at_desk=False
    ).first()
    if target is None:
        raise ServiceError(
            "invalid_step", _("Chỉ trả lại được một bước xử lý trước bước hiện tại.")
        )
    before = model_values(step, STEP_FIELDS)
    step.status = c.StepStatus.SENT_BACK
    step.finished_at = at
    step.done_by = acting_user(actor)
    step.note = reason
    step.save()
    record_row(d, step, before, fields=STEP_FIELDS)
    d.steps.filter(kind=c.StepKind.PROCESS, order__gt=target.order, order__lt=step.order).update(
        status=c.StepStatus.WAITING, started_at=None, finished_at=None, due_at=None
    )
    d.steps.filter(pk=step.pk).update(status=c.StepStatus.WAITING)
    activate_step(d, target, giver=step, actor=actor, at=at)
    d.handovers.filter(step=target, at=at).update(note=f"Trả lại: {reason}"[:500])


@dossier_action(A.CONSULT)
def consult(
    d: Dossier,
    *,
    consultations: list[Consultation],
    actor: Any,
    at: dt.datetime,
    step_id: int | None = None,
) -> None:
    """R-INTERAGENCY: send to other agencies in parallel; the step waits for every answer."""
    if not consultations:
        raise ServiceError("invalid_input", _("Cần chọn ít nhất một cơ quan phối hợp."))
    step = _active_step(d, step_id)
    require(A.CONSULT, actor, d, step)
    for item in consultations:
        if item.time_share <= 0 or (step.time_share and item.time_share > step.time_share):
            raise ServiceError(
                "invalid_share",
                _(
                    "Thời gian của %(item_agency_name)s phải lớn hơn 0 và không vượt thời gian "
                    "của bước (%(step_time_share)s)."
                )
                % {
                    "item_agency_name": item.agency.name,
                    "step_time_share": format(step.time_share, "g"),
                },
            )
        if item.agency.pk == step.agency_id:
            raise ServiceError("invalid_input", _("Cơ quan phối hợp phải là cơ quan khác."))
    for item in consultations:
        child = DossierStep.objects.create(
            dossier=d,
            order=step.order,
            kind=c.StepKind.CONSULTATION,
            name=item.task or "Cho ý kiến",
            agency=item.agency,
            role="specialist",
            time_share=item.time_share,
            parent=step,
        )
        note_written(d, "steps", child)
        activate_step(d, child, giver=step, actor=actor, at=at)


@dossier_action(A.ANSWER_CONSULTATION)
def answer_consultation(
    d: Dossier, *, consultation_id: int, note: str, actor: Any, at: dt.datetime
) -> None:
    child = (
        d.steps.filter(pk=consultation_id, kind=c.StepKind.CONSULTATION, status=c.StepStatus.ACTIVE)
        .select_related("agency", "parent", "dossier")
        .first()
    )
    if child is None:
        raise ServiceError("step_not_active", _("Yêu cầu cho ý kiến này đã được trả lời."))
    require(A.ANSWER_CONSULTATION, actor, d, child)
    if not note.strip():
        raise ServiceError("note_required", _("Cần nhập nội dung ý kiến trả lời."))
    _finish(d, child, at, actor, note)
    parent = child.parent
    answered = Handover.objects.create(
        dossier=d,
        at=at,
        from_agency_id=child.agency_id,
        from_user=acting_user(actor),
        to_agency_id=parent.agency_id if parent else d.competent_agency_id,
        step=child,
        due_at=child.due_at,
        timeliness=child.timeliness,
        note=f"Trả lời: {note}"[:500],
    )
    note_written(d, "handovers", answered)


SUPPLEMENT_REASON = "Cần ghi rõ lý do yêu cầu bổ sung."


@dossier_action(A.REQUEST_SUPPLEMENT, needs_reason=SUPPLEMENT_REASON)
def request_supplement(
    d: Dossier,
    *,
    items: list[SupplementItem],
    reason: str,
    actor: Any,
    at: dt.datetime,
    override_reason: str = "",
) -> None:
    """During processing, within 3 working days of reception; the clock stops (R-TIME-5.1)."""
    require(A.REQUEST_SUPPLEMENT, actor, d, _active_step(d, None))
    calendar = calendar_of(d)
    window = calendar.add_working_days(
        d.clock_started_at or d.received_at,  # type: ignore[arg-type]
        settings.CCHC_SUPPLEMENT_WINDOW_DAYS,
    )
    if at > window:
        raise ServiceError(
            "supplement_window_passed",
            _(
                "Đã quá %(window_days)s ngày làm việc kể từ khi tiếp nhận "
                "(hạn %(deadline)s); không được yêu cầu bổ sung nữa."
            )
            % {
                "window_days": settings.CCHC_SUPPLEMENT_WINDOW_DAYS,
                "deadline": format(calendar.local(window), "%H:%M %d/%m/%Y"),
            },
        )
    _stop_clock(d, c.StopKind.SUPPLEMENT, reason=reason, actor=actor, at=at)
    record_supplement_request(
        d,
        items=items,
        reason=reason,
        actor=actor,
        at=at,
        at_reception=False,
        override_reason=override_reason,
    )


@dossier_action(A.SUPPLY)
def supply(d: Dossier, *, documents: list[DocumentInput], actor: Any, at: dt.datetime) -> None:
    """The complete dossier arrives: the time limit runs again from zero (R-TIME-5.1).

    At the desk, or online from the applicant's own account."""
    require(A.SUPPLY, actor, d)
    save_documents(d, documents, at=at, supplement_round=d.supplement_rounds)
    d.supplement_requests.filter(answered_at__isnull=True).update(answered_at=at)
    d.clock_stops.filter(ended_at__isnull=True).update(ended_at=at, ended_by=acting_user(actor))
    calendar = calendar_of(d)
    limit = limit_of(d)
    d.clock_started_at = calendar.clock_start(at, limit.cutoff)
    d.legal_due_at = calendar.due(at, limit)
    change_due(
        d,
        d.legal_due_at,
        reason="Nhận đủ hồ sơ bổ sung: tính lại thời hạn từ đầu",
        actor=actor,
        at=at,
    )
    for step in d.steps.filter(status=c.StepStatus.ACTIVE):
        step.due_at = step_due(d, step.time_share, at)
        step.save(update_fields=["due_at"])


@dossier_action(A.CLOSE_UNSUPPLEMENTED)
def close_unsupplemented(d: Dossier, *, actor: Any, at: dt.datetime) -> None:
    """The applicant did not complete within the days allowed: the desk closes the dossier."""
    days = settings.CCHC_SUPPLEMENT_CLOSE_DAYS
    require(A.CLOSE_UNSUPPLEMENTED, actor, d)
    last = d.supplement_requests.order_by("-requested_at").first()
    if last is None or at < last.requested_at + dt.timedelta(days=days):
        raise ServiceError(
            "too_early",
            _(
                "Chỉ dừng hồ sơ khi người nộp không bổ sung sau %(days)s ngày kể từ khi được yêu "
                "cầu."
            )
            % {"days": days},
        )
    d.refusal_reason = f"Không bổ sung hồ sơ sau {days} ngày"
    stop_everything(d, at, actor)


def stop_everything(d: Dossier, at: dt.datetime, actor: Any) -> None:
    d.steps.filter(status__in=[c.StepStatus.ACTIVE, c.StepStatus.WAITING]).update(
        status=c.StepStatus.CANCELLED, finished_at=at
    )
    d.clock_stops.filter(ended_at__isnull=True).update(ended_at=at, ended_by=acting_user(actor))
    d.finished_at = at
    d.holder_agency = None


def _stop_clock(d: Dossier, kind: str, *, reason: str, actor: Any, at: dt.datetime) -> None:
    """The clock stops (a supplement asked, a pause) from `at` until the matching resume."""
    stop = ClockStop.objects.create(
        dossier=d, kind=kind, started_at=at, reason=reason, started_by=acting_user(actor)
    )
    note_written(d, "clock_stops", stop)


@dossier_action(A.PAUSE, needs_reason=_lazy("Cần ghi lý do tạm dừng."))
def pause(d: Dossier, *, reason: str, actor: Any, at: dt.datetime) -> None:
    """R-TIME-5.2: a wait the law allows (a financial obligation…); the due moment moves."""
    require(A.PAUSE, actor, d, _active_step(d, None))
    _stop_clock(d, c.StopKind.PAUSE, reason=reason, actor=actor, at=at)


@dossier_action(A.RESUME)
def resume(d: Dossier, *, actor: Any, at: dt.datetime) -> None:
    stop = d.clock_stops.filter(ended_at__isnull=True, kind=c.StopKind.PAUSE).first()
    if stop is None:  # pragma: no cover - the table guarantees an open pause
        raise ServiceError("no_pause", _("Hồ sơ không có khoảng tạm dừng đang mở."))
    active = d.steps.filter(status=c.StepStatus.ACTIVE).select_related("agency", "dossier")
    require(A.RESUME, actor, d, active.first())
    stop.ended_at = at
    stop.ended_by = acting_user(actor)
    stop.save()
    calendar = calendar_of(d)
    paused = calendar.working_time_between(stop.started_at, at)
    d.legal_due_at = calendar.add_working_time(d.legal_due_at, paused)  # type: ignore[arg-type]
    change_due(
        d,
        calendar.add_working_time(d.due_at, paused),  # type: ignore[arg-type]
        reason=f"Tạm dừng: {stop.reason}",
        actor=actor,
        at=at,
    )
    for step in active:
        if step.due_at:
            step.due_at = calendar.add_working_time(step.due_at, paused)
            step.save(update_fields=["due_at"])


@dossier_action(A.APOLOGISE, needs_reason=_lazy("Cần nêu lý do chậm trả kết quả."))
def apologise(
    d: Dossier, *, reason: str, new_due: dt.datetime, actor: Any, at: dt.datetime
) -> None:
    """R-LATE: before the due moment, once; the new appointment, the dossier still late."""
    require(A.APOLOGISE, actor, d)
    if d.apologised_at is not None:
        raise ServiceError(
            "already_apologised", _("Hồ sơ đã được hẹn lại một lần; không hẹn lại lần nữa.")
        )
    calendar = calendar_of(d)
    # R-LATE: at least one working day before the due moment.
    if d.due_at is None or calendar.add_working_days(at, 1) > d.due_at:
        raise ServiceError(
            "too_late_to_apologise",
            _(
                "Phiếu xin lỗi và hẹn lại phải gửi chậm nhất 01 ngày làm việc trước thời hạn trả "
                "kết quả (%(due)s)."
            )
            % {"due": local_text(d.due_at)},
        )
    if new_due <= d.due_at:
        raise ServiceError(
            "invalid_new_due", _("Ngày hẹn mới phải sau ngày hẹn trả kết quả hiện tại.")
        )
    if not calendar.is_within_hours(new_due):
        raise ServiceError(
            "invalid_new_due",
            _(
                "Ngày hẹn mới phải là một thời điểm trong giờ làm việc của một ngày làm việc "
                "(%(new_due)s không phải)."
            )
            % {"new_due": local_text(new_due)},
        )
    if new_due > d.due_at + dt.timedelta(days=settings.CCHC_APOLOGY_MAX_DAYS):
        raise ServiceError(
            "invalid_new_due",
            _("Ngày hẹn mới không được quá %(days)s ngày sau ngày hẹn hiện tại.")
            % {"days": settings.CCHC_APOLOGY_MAX_DAYS},
        )
    previous = d.due_at
    d.apologised_at = at
    change_due(d, new_due, reason=f"Xin lỗi, hẹn lại: {reason}", actor=actor, at=at)
    issue_form(
        d,
        c.FormKind.APOLOGY,
        actor=actor,
        at=at,
        extra={"reason": reason, "previous_due_at": local_text(previous)},
    )
    # The status does not change, so `transition` would not tell the applicant: R-LATE wants
    # them told of the new appointment (mail and SMS, through the outbox of notifications).
    notify_applicant(d, reason=f"{reason} (xin lỗi vì chậm trả kết quả)", force=True)


@dossier_action(
    A.DECLARE_INELIGIBLE, needs_reason="Cần nêu rõ lý do không đủ điều kiện giải quyết."
)
def declare_ineligible(d: Dossier, *, reason: str, actor: Any, at: dt.datetime) -> None:
    """R-INELIGIBLE: a reasoned refusal signed by the agency leader, returned by the desk."""
    require(A.DECLARE_INELIGIBLE, actor, d)
    current = _active_step(d, None)
    d.steps.filter(status=c.StepStatus.ACTIVE).exclude(pk=current.pk).update(
        status=c.StepStatus.CANCELLED, finished_at=at
    )
    _finish(d, current, at, actor, reason)
    d.steps.filter(status=c.StepStatus.WAITING, at_desk=False).update(status=c.StepStatus.CANCELLED)
    d.outcome = c.Outcome.REFUSED
    d.refusal_reason = reason
    _advance(d, current, actor=actor, at=at)
    d.status = c.Status.RESULT_READY
    issue_form(d, c.FormKind.REFUSAL, actor=actor, at=at, extra={"stage": "processing"})


@dossier_action(A.MARK_RESULT_READY)
def mark_result_ready(
    d: Dossier, *, actor: Any, at: dt.datetime, summary: str = "", result_file: Any = None
) -> None:
    """The last processing step ends with the result (document or scan) attached."""
    step = _active_step(d, None)
    require(A.MARK_RESULT_READY, actor, d, step)
    if not is_last_processing_step(step, list(d.steps.all())):
        raise ServiceError(
            "steps_remaining",
            _("Còn bước xử lý phía sau; hoàn thành từng bước trước khi có kết quả."),
        )
    if result_file is not None:
        d.result_content_type = check_scan(result_file)
        d.result_file.save(stored_name(d.result_content_type), result_file, save=False)
    d.result_summary = summary or d.procedure_version.result_document
    _finish(d, step, at, actor)
    _advance(d, step, actor=actor, at=at)
