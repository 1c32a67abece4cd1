"""The transition table, walked: every action from every status, allowed or forbidden."""

from __future__ import annotations

import pytest
from django.db import transaction

from cchc.dossiers import services as s
from cchc.dossiers.constants import TRANSITIONS, Action, Status, allowed
from cchc.dossiers.models import Dossier
from cchc.dossiers.testing import at

pytestmark = pytest.mark.django_db


class Rollback(Exception):
    pass


def calls(world, d):
    doc = d.procedure_version.documents.first()
    step = d.steps.filter(status="active").first()
    actor = world.admin
    item = [s.SupplementItem(doc.pk)]
    docs = [s.DocumentInput(doc.name, doc.pk, 1, 0, True)]
    return {
        Action.RECEIVE: lambda: s.receive(d, actor=actor),
        Action.REQUEST_COMPLETION: lambda: s.request_completion(
            d, items=item, reason="r", actor=actor, override_reason="o"
        ),
        Action.REFUSE_RECEPTION: lambda: s.refuse_reception(d, reason="r", actor=actor),
        Action.RESUBMIT: lambda: s.resubmit(d, documents=docs, actor=actor),
        Action.ASSIGN: lambda: s.assign(d, assignee=world.division_head, actor=actor),
        Action.COMPLETE_STEP: lambda: s.complete_step(d, actor=actor),
        Action.SEND_BACK: lambda: s.send_back(d, to_step_id=step.pk, reason="r", actor=actor),
        Action.CONSULT: lambda: s.consult(
            d, consultations=[s.Consultation(world.department, 0.1, "t")], actor=actor
        ),
        Action.ANSWER_CONSULTATION: lambda: s.answer_consultation(
            d, consultation_id=step.pk, note="n", actor=actor
        ),
        Action.REQUEST_SUPPLEMENT: lambda: s.request_supplement(
            d, items=item, reason="r", actor=actor, override_reason="o"
        ),
        Action.SUPPLY: lambda: s.supply(d, documents=docs, actor=actor),
        Action.CLOSE_UNSUPPLEMENTED: lambda: s.close_unsupplemented(
            d, actor=actor, at=at("2027-06-01 09:00")
        ),
        Action.PAUSE: lambda: s.pause(d, reason="r", actor=actor),
        Action.RESUME: lambda: s.resume(d, actor=actor),
        Action.APOLOGISE: lambda: s.apologise(
            d, reason="r", new_due=at("2027-01-01 09:00"), actor=actor, at=at("2026-11-23 10:00")
        ),
        Action.DECLARE_INELIGIBLE: lambda: s.declare_ineligible(d, reason="r", actor=actor),
        Action.MARK_RESULT_READY: lambda: s.mark_result_ready(d, actor=actor),
        Action.NOTIFY_EARLY: lambda: s.notify_early(d, actor=actor),
        Action.SIGN_RESULT: lambda: s.sign_result(d, actor=actor),
        Action.RETURN_RESULT: lambda: s.return_result(d, actor=actor, returned_to="Lò Thị Hương"),
        Action.WITHDRAW: lambda: s.withdraw(d, reason="r", actor=actor),
        Action.RECORD_PAYMENT: lambda: s.record_payment(
            d, fee_id=0, method="cash", receipt_number="1", actor=actor
        ),
        Action.CONFIRM_PAPER: lambda: s.confirm_paper(d, handover_id=0, actor=actor),
        Action.REASSIGN: lambda: reassign(world, step, actor),
        Action.REQUEST_CORRECTION: lambda: s.request_correction(d, reason="Sai tên", actor=actor),
    }


def reassign(world, step, actor):
    """The division head's pending step handed to the agency leader."""
    type(step).objects.filter(pk=step.pk).update(assignee=world.division_head)
    return s.reassign_pending(
        from_user=world.division_head, to_user=world.leader, actor=actor, reason="Nghỉ phép"
    )


def test_every_action_is_allowed_exactly_from_the_statuses_of_the_table(world, admin_user):
    world.admin = admin_user
    d = world.received()
    table = calls(world, d)
    assert set(table) == set(TRANSITIONS), "every action of the table is walked"
    walked = 0
    for status in Status.values:
        Dossier.objects.filter(pk=d.pk).update(status=status)
        for action, call in table.items():
            try:
                with transaction.atomic():
                    call()
                    raise Rollback
            except s.TransitionNotAllowed:
                assert not allowed(action, status), f"{action} should be allowed from {status}"
            except (s.ServiceError, Rollback):
                assert allowed(action, status), f"{action} should be refused from {status}"
            walked += 1
    assert walked == len(Status.values) * len(TRANSITIONS)


def test_final_statuses_allow_nothing_but_correcting_a_returned_result():
    for status in (Status.NOT_RECEIVED, Status.RETURNED, Status.WITHDRAWN, Status.CLOSED):
        allowed_now = {action for action in TRANSITIONS if allowed(action, status)}
        assert allowed_now == ({Action.REQUEST_CORRECTION} if status == Status.RETURNED else set())
