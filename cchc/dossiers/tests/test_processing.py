"""Processing: R-STEPS, R-TRANSFER, R-INTERAGENCY, R-TIME-5, R-LATE, R-INELIGIBLE, R-WITHDRAW,
R-EARLY, R-RETURN."""

from __future__ import annotations

import pytest

from cchc.dossiers import services as s
from cchc.dossiers.constants import FormKind, Outcome, Status, StepStatus, Timeliness
from cchc.dossiers.testing import at

pytestmark = pytest.mark.django_db


def walk_to_result(world, d, moments):
    """Complete every step but the desk's last, one per moment, with the right persona."""
    people = {
        "division_head": world.division_head,
        "specialist": world.specialist,
        "agency_leader": world.leader,
        "clerk": world.clerk,
    }
    for moment in moments:
        step = d.steps.get(status=StepStatus.ACTIVE, kind="process")
        d = s.complete_step(d, actor=people[step.role], at=at(moment))
    return d


FIVE = [
    "2026-11-23 10:00",
    "2026-11-25 09:00",
    "2026-11-25 14:00",
    "2026-11-26 09:00",
    "2026-11-26 10:00",
]


def test_full_path_to_return_on_time_with_control_slip(world):
    """R-STEPS, R-RETURN: every hand-over recorded, the dossier returned on the due day."""
    d = world.received()
    d = walk_to_result(world, d, FIVE)
    assert d.status == Status.RESULT_READY and d.outcome == Outcome.GRANTED
    assert d.holder_agency == world.commune_desk.agency
    d = s.return_result(
        d, actor=world.receptionist, returned_to="LÒ THỊ HƯƠNG", at=at("2026-11-27 08:00")
    )
    assert d.status == Status.RETURNED and d.timeliness == Timeliness.ON_TIME
    steps = list(d.steps.order_by("order"))
    assert all(st.status == StepStatus.DONE for st in steps)
    # step 3 (specialist, 1.75 days from 10:00 Mon) finished Wed 09:00: on time
    assert steps[2].timeliness in (Timeliness.ON_TIME, Timeliness.EARLY)
    handovers = list(d.handovers.all())
    assert len(handovers) == 6
    assert handovers[0].from_agency == world.commune_desk.agency
    assert handovers[0].to_agency == world.commune_pc


def test_late_step_is_recorded_late_on_the_slip(world):
    d = world.received()
    d = s.complete_step(d, actor=world.division_head, at=at("2026-11-23 15:00"))  # due 10:52
    assert d.steps.get(order=2).timeliness == Timeliness.LATE
    assert d.handovers.order_by("-at", "-pk").first().timeliness == Timeliness.LATE


def test_paper_dossier_after_three_pm_goes_the_next_working_day(world):
    """R-TRANSFER: received Mon 15:30 → paper due at the end of Wed morning (Tue is a holiday)."""
    d = world.received(moment="2026-11-23 15:30")
    first = d.handovers.first()
    assert first.medium == "paper"
    assert first.paper_due_at == at("2026-11-25 11:30")
    s.confirm_paper(d, handover_id=first.pk, actor=world.specialist, at=at("2026-11-25 08:00"))
    first.refresh_from_db()
    assert first.paper_received_at == at("2026-11-25 08:00")


def test_online_dossier_moves_electronically(world):
    d = world.received(channel="online")
    assert d.handovers.first().medium == "electronic"


def test_step_sent_back_with_reason(world):
    d = world.received()
    d = s.complete_step(d, actor=world.division_head, at=at("2026-11-23 10:00"))
    back_to = d.steps.get(order=2)
    d = s.complete_step(d, actor=world.specialist, at=at("2026-11-23 11:00"))
    with pytest.raises(s.ServiceError):
        s.send_back(d, to_step_id=back_to.pk, reason="", actor=world.division_head)
    d = s.send_back(
        d,
        to_step_id=back_to.pk,
        reason="Thiếu đối chiếu",
        actor=world.division_head,
        at=at("2026-11-23 13:30"),
    )
    back_to.refresh_from_db()
    assert back_to.status == StepStatus.ACTIVE
    assert d.steps.get(order=4).status == StepStatus.WAITING
    assert "Thiếu đối chiếu" in d.handovers.order_by("-pk").first().note


def test_parallel_consultation_must_be_answered_before_consolidation(world):
    """R-INTERAGENCY."""
    d = world.received()
    d = s.complete_step(d, actor=world.division_head, at=at("2026-11-23 10:00"))
    d = s.consult(
        d,
        consultations=[s.Consultation(world.department, 1, "Xác minh thông tin")],
        actor=world.specialist,
        at=at("2026-11-23 10:30"),
    )
    child = d.steps.get(kind="consultation")
    assert child.status == StepStatus.ACTIVE and child.due_at == at("2026-11-25 10:30")
    with pytest.raises(s.ServiceError) as err:
        s.complete_step(d, actor=world.specialist)
    assert err.value.code == "consultations_open"
    with pytest.raises(s.ServiceError):  # only the consulted agency answers
        s.answer_consultation(d, consultation_id=child.pk, note="OK", actor=world.specialist)
    d = s.answer_consultation(
        d,
        consultation_id=child.pk,
        note="Thông tin đúng",
        actor=world.dept_specialist,
        at=at("2026-11-25 09:00"),
    )
    d = s.complete_step(d, actor=world.specialist, at=at("2026-11-25 10:00"))
    assert d.steps.get(order=4).status == StepStatus.ACTIVE


def test_supplement_during_processing_restarts_the_clock_from_zero(world):
    """R-TIME-5.1: within 3 working days; the full limit runs again from the arrival."""
    d = world.received()
    doc = d.procedure_version.documents.first()
    d = s.request_supplement(
        d,
        items=[s.SupplementItem(doc.pk, "Sai ngày sinh")],
        reason="Thông tin không khớp",
        actor=world.division_head,
        at=at("2026-11-25 09:00"),
    )
    assert d.status == Status.SUPPLEMENT_REQUESTED
    assert d.forms.filter(kind=FormKind.SUPPLEMENT_REQUEST).count() == 1
    d = s.supply(
        d,
        documents=[s.DocumentInput(doc.name, doc.pk, 1, 0, True)],
        actor=world.receptionist,
        at=at("2026-12-01 14:00"),
    )
    assert d.status == Status.IN_PROGRESS
    assert d.due_at == at("2026-12-04 14:00") == d.legal_due_at
    stop = d.clock_stops.get()
    assert stop.ended_at == at("2026-12-01 14:00")
    assert d.due_changes.count() == 2


def test_supplement_after_three_working_days_is_refused(world):
    d = world.received()  # Mon 23/11 09:00; Tue is a holiday → window ends Fri 27/11 09:00
    doc = d.procedure_version.documents.first()
    with pytest.raises(s.ServiceError) as err:
        s.request_supplement(
            d,
            items=[s.SupplementItem(doc.pk)],
            reason="Muộn",
            actor=world.division_head,
            at=at("2026-11-27 10:00"),
        )
    assert err.value.code == "supplement_window_passed"


def test_second_supplement_needs_a_leaders_override(world):
    """R-CHECK 2: one request per dossier; a second is a leader's audited decision."""
    d = world.start(skip=1)
    doc = d.procedure_version.documents.first()
    d = s.request_completion(
        d,
        items=[s.SupplementItem(doc.pk)],
        reason="Thiếu",
        actor=world.receptionist,
        at=at("2026-11-23 09:00"),
    )
    d = s.receive(
        d,
        actor=world.receptionist,
        at=at("2026-11-25 08:00"),
        documents=[s.DocumentInput(doc.name, doc.pk, 1, 0, True)],
    )
    # the specialist holds the active step (the division head has assigned it on)
    d = s.complete_step(d, actor=world.division_head, at=at("2026-11-25 08:30"))
    with pytest.raises(s.ServiceError) as err:
        s.request_supplement(
            d,
            items=[s.SupplementItem(doc.pk)],
            reason="Lại thiếu",
            actor=world.specialist,
            at=at("2026-11-25 09:00"),
            override_reason="Phát hiện sai sót mới",
        )
    assert err.value.code == "leader_required"
    d = s.request_supplement(
        d,
        items=[s.SupplementItem(doc.pk)],
        reason="Lại thiếu",
        actor=world.leader,
        at=at("2026-11-25 09:00"),
        override_reason="Phát hiện sai sót mới",
    )
    assert d.supplement_rounds == 2


def test_unsupplemented_dossier_closes_after_fifteen_days(world):
    d = world.received()
    doc = d.procedure_version.documents.first()
    d = s.request_supplement(
        d,
        items=[s.SupplementItem(doc.pk)],
        reason="Thiếu",
        actor=world.division_head,
        at=at("2026-11-23 10:00"),
    )
    with pytest.raises(s.ServiceError):
        s.close_unsupplemented(d, actor=world.receptionist, at=at("2026-12-07 10:00"))
    d = s.close_unsupplemented(d, actor=world.receptionist, at=at("2026-12-08 10:00"))
    assert d.status == Status.CLOSED
    assert not d.steps.filter(status=StepStatus.ACTIVE).exists()


def test_pause_moves_the_due_moment_by_the_working_time_paused(world):
    """R-TIME-5.2: paused Wed 09:00 → Thu 09:00 = one working day (7.5 h)."""
    d = world.received()
    d = s.pause(
        d, reason="Chờ nộp nghĩa vụ tài chính", actor=world.division_head, at=at("2026-11-25 09:00")
    )
    assert d.status == Status.PAUSED
    d = s.resume(d, actor=world.division_head, at=at("2026-11-26 09:00"))
    assert d.due_at == at("2026-11-30 09:00") == d.legal_due_at
    assert d.clock_stops.get().kind == "pause"


def test_apology_once_before_due_and_the_dossier_still_counts_late(world):
    """R-LATE."""
    d = world.received()
    with pytest.raises(s.ServiceError):
        s.apologise(
            d,
            reason="Chờ xác minh",
            new_due=at("2026-12-02 09:00"),
            actor=world.specialist,
            at=at("2026-11-26 09:00"),
        )
    d = s.apologise(
        d,
        reason="Chờ xác minh",
        new_due=at("2026-12-02 09:00"),
        actor=world.leader,
        at=at("2026-11-26 09:00"),
    )
    assert d.due_at == at("2026-12-02 09:00")
    assert d.legal_due_at == at("2026-11-27 09:00")
    assert d.forms.get(kind=FormKind.APOLOGY).data["previous_due_at"] == "09:00 ngày 27/11/2026"
    with pytest.raises(s.ServiceError) as err:
        s.apologise(
            d,
            reason="Lần hai",
            new_due=at("2026-12-09 09:00"),
            actor=world.leader,
            at=at("2026-11-30 09:00"),
        )
    assert err.value.code == "already_apologised"
    d = walk_to_result(world, d, ["2026-11-26 10:00"] * 5)
    d = s.return_result(
        d, actor=world.receptionist, returned_to="Lò Thị Hương", at=at("2026-12-01 09:00")
    )
    assert d.timeliness == Timeliness.LATE


def test_apology_after_the_due_moment_is_refused(world):
    d = world.received()
    with pytest.raises(s.ServiceError) as err:
        s.apologise(
            d,
            reason="Muộn",
            new_due=at("2026-12-09 09:00"),
            actor=world.leader,
            at=at("2026-11-27 09:30"),
        )
    assert err.value.code == "too_late_to_apologise"


def test_ineligible_dossier_gets_a_leaders_reasoned_refusal_returned_by_the_desk(world):
    """R-INELIGIBLE."""
    d = world.received()
    with pytest.raises(s.ServiceError):
        s.declare_ineligible(d, reason="Không đủ điều kiện", actor=world.division_head)
    d = s.declare_ineligible(
        d, reason="Không đủ điều kiện", actor=world.leader, at=at("2026-11-25 09:00")
    )
    assert d.status == Status.RESULT_READY and d.outcome == Outcome.REFUSED
    assert d.forms.filter(kind=FormKind.REFUSAL).exists()
    assert d.steps.get(status=StepStatus.ACTIVE).at_desk
    d = s.return_result(
        d, actor=world.receptionist, returned_to="Lò Thị Hương", at=at("2026-11-25 10:00")
    )
    assert d.status == Status.RETURNED


def test_withdrawal_before_the_result_stops_the_dossier_with_a_notice(world):
    """R-WITHDRAW: allowed until the result exists, refused after."""
    d = world.received()
    d = s.withdraw(d, reason="Xin rút hồ sơ", actor=world.receptionist, at=at("2026-11-25 09:00"))
    assert d.status == Status.WITHDRAWN
    assert d.forms.filter(kind=FormKind.STOP_NOTICE).exists()
    assert not d.steps.filter(status__in=["active", "waiting"]).exists()
    other = walk_to_result(world, world.received(), FIVE)
    with pytest.raises(s.ServiceError) as err:
        s.withdraw(other, reason="Muộn", actor=world.receptionist)
    assert err.value.code == "result_exists"


def test_early_return_only_after_the_applicant_was_told(world):
    """R-EARLY."""
    d = walk_to_result(world, world.received(), ["2026-11-23 10:00"] * 5)
    with pytest.raises(s.ServiceError) as err:
        s.return_result(
            d, actor=world.receptionist, returned_to="Lò Thị Hương", at=at("2026-11-25 09:00")
        )
    assert err.value.code == "early_notice_required"
    d = s.notify_early(d, actor=world.receptionist, at=at("2026-11-23 14:00"))
    d = s.return_result(
        d, actor=world.receptionist, returned_to="Lò Thị Hương", at=at("2026-11-25 09:00")
    )
    assert d.timeliness == Timeliness.EARLY


def test_someone_else_collects_only_with_an_authorisation(world):
    d = walk_to_result(world, world.received(), FIVE)
    with pytest.raises(s.ServiceError) as err:
        s.return_result(
            d, actor=world.receptionist, returned_to="Lò Văn Nam", at=at("2026-11-27 08:00")
        )
    assert err.value.code == "authorisation_required"
    d = s.return_result(
        d,
        actor=world.receptionist,
        returned_to="Lò Văn Nam",
        authorisation="Giấy ủy quyền số 12/UQ ngày 20/11/2026",
        at=at("2026-11-27 08:00"),
    )
    assert d.return_authorisation.startswith("Giấy ủy quyền")


def test_assignment_and_reassignment_of_pending_work(world):
    d = world.received()
    d = s.complete_step(d, actor=world.division_head, at=at("2026-11-23 10:00"))
    d = s.assign(d, assignee=world.specialist, actor=world.division_head)
    assert d.steps.get(status="active").assignee == world.specialist
    with pytest.raises(s.ServiceError):
        s.assign(d, assignee=world.dept_specialist, actor=world.division_head)
    other = type(world.specialist).objects.create_user("chuyenvien.a2", full_name="Người thay")
    other.memberships.create(agency=world.commune_pc, role="specialist")
    moved = s.reassign_pending(
        from_user=world.specialist, to_user=other, actor=world.division_head, reason="Nghỉ phép"
    )
    assert moved == 1
    assert d.steps.get(status="active").assignee == other


def test_a_specialist_of_another_agency_cannot_act(world):
    d = world.received()
    with pytest.raises(s.ServiceError) as err:
        s.complete_step(d, actor=world.dept_specialist)
    assert err.value.code == "forbidden"


def test_stale_revision_is_refused_not_lost(world):
    d = world.received()
    old = d.revision
    s.complete_step(d, actor=world.division_head, expected_revision=old)
    with pytest.raises(s.DossierChanged):
        s.complete_step(d, actor=world.specialist, expected_revision=old)


def test_paper_dossier_received_anywhere_travels_within_one_working_day(world):
    """R-ANYWHERE: another commune's desk forwards the paper dossier within 1 working day."""
    from cchc.dossiers.testing import version

    v = version("1.004873", at("2026-11-23 09:00").date())
    v.anywhere_in_province = True
    v.save(update_fields=["anywhere_in_province"])
    desk = world.other_receptionist.memberships.get().desk
    d = world.received(moment="2026-11-23 09:00", desk=desk, actor=world.other_receptionist)
    assert d.competent_agency == world.commune_pc
    assert d.handovers.first().paper_due_at == at("2026-11-25 09:00")  # Tue is a holiday
