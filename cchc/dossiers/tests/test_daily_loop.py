"""The daily one-stop loop (issue 14): local dates at night, the version in force, who may do
a step, what each hand-over records."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from cchc.core.models import AuditEvent
from cchc.dossiers import services as s
from cchc.dossiers.constants import Channel, RuleSet, Status
from cchc.dossiers.models import Dossier
from cchc.dossiers.testing import at, version
from cchc.procedures import services as catalog
from cchc.procedures.models import ProcedureVersion

pytestmark = pytest.mark.django_db


def body_of(response):
    return b"".join(response.streaming_content)


def events_of(d):
    return AuditEvent.objects.filter(object_type="dossiers.dossier", object_id=str(d.pk))


# -- 1. Night-time: every service decides dates in Asia/Ho_Chi_Minh -------------------------


def test_online_dossier_submitted_at_half_past_midnight_on_a_boundary_day_is_taken(world):
    """00:30 on 01/07/2025 in Vietnam is still 30/06 in UTC: the desk of the two-level
    structure, the version and the 2025 rule set must be judged on 01/07."""
    moment = at("2025-07-01 00:30")
    assert world.commune_desk.valid_from == dt.date(2025, 7, 1)  # the boundary under test
    v = version("1.004873", moment.date())
    with time_machine.travel(moment, tick=False):
        d = s.start_dossier(
            version=v,
            desk=world.commune_desk,
            applicant=world.applicant(birth_date=dt.date(2025, 7, 1)),  # born "today", local
            channel=Channel.ONLINE,
            documents=world.documents(v),
            actor=world.citizen,
        )
        assert d.rule_set == RuleSet.DECREE_118_2025
        d = s.receive(d, actor=world.receptionist)
    assert d.status == Status.IN_PROGRESS
    assert d.code.split("-")[1] == "250701"


def test_birth_date_tomorrow_in_vietnam_is_still_refused_at_night(world):
    moment = at("2025-07-01 00:30")
    v = version("1.004873", moment.date())
    with time_machine.travel(moment, tick=False), pytest.raises(s.ServiceError) as caught:
        s.start_dossier(
            version=v,
            desk=world.commune_desk,
            applicant=world.applicant(birth_date=dt.date(2025, 7, 2)),
            channel=Channel.IN_PERSON,
            documents=world.documents(v),
            actor=world.receptionist,
        )
    assert "applicant.birth_date" in caught.value.details


# -- 6. The version in force is the one whose validity covers the moment of receipt ----------


def start_now(world, v):
    """A walk-in dossier of version `v` at the commune desk, now."""
    return s.start_dossier(
        version=v,
        desk=world.commune_desk,
        applicant=world.applicant(),
        channel=Channel.IN_PERSON,
        documents=world.documents(v),
        actor=world.receptionist,
    )


def _publish_v2_from(v1: ProcedureVersion, day: dt.date, actor) -> ProcedureVersion:
    draft = catalog.create_draft(v1, actor=actor)
    draft.name = v1.name + " (sửa đổi)"
    draft.save()
    return catalog.publish(draft, actor=actor, valid_from=day)


def _api_payload(world, v):
    return {
        "procedure": v.procedure.code,
        "desk": world.commune_desk.pk,
        "channel": "in_person",
        "applicant": {
            "name": "Lò Thị Hương",
            "area_code": world.commune.code,
            "id_number": "014190001234",
        },
        "documents": [{"required_document": d.pk, "originals": 1} for d in v.documents.all()],
    }


def test_publishing_a_future_version_keeps_the_current_one_receivable_until_then(client, world):
    today = dt.date(2026, 11, 23)
    v1 = version("1.004873", today)
    with time_machine.travel(at("2026-11-23 09:00"), tick=False):
        v2 = _publish_v2_from(v1, dt.date(2026, 12, 1), world.reform_officer)
        v1.refresh_from_db()
        assert v1.valid_to == dt.date(2026, 11, 30)
        # one function answers "which version is in force", on either side of the change
        assert ProcedureVersion.objects.in_force_for("1.004873", today) == v1
        assert ProcedureVersion.objects.in_force_for("1.004873", dt.date(2026, 12, 1)) == v2
        # the service takes version 1 today ...
        d = world.received()
        assert d.procedure_version == v1
        # ... the API too ...
        client.force_login(world.receptionist)
        r = client.post("/api/v1/dossiers", _api_payload(world, v1), "application/json")
        assert r.status_code == 201, r.content
        assert Dossier.objects.get(pk=r.json()["id"]).procedure_version == v1
        # ... the desk page offers it, and the portal shows it
        page = client.get("/ho-so/tiep-nhan/", {"desk": world.commune_desk.pk})
        assert f'value="{v1.pk}"' in page.content.decode()
        assert client.get("/dich-vu-cong/thu-tuc/1.004873/").status_code == 200
        # version 2 cannot be used before its first day
        with pytest.raises(s.ServiceError):
            start_now(world, v2)
    with time_machine.travel(at("2026-12-01 08:00"), tick=False):
        client.force_login(world.receptionist)  # a new day: yesterday's session has ended
        r = client.post("/api/v1/dossiers", _api_payload(world, v2), "application/json")
        assert r.status_code == 201, r.content
        assert Dossier.objects.get(pk=r.json()["id"]).procedure_version == v2
        v1.refresh_from_db()
        with pytest.raises(s.ServiceError):  # version 1 has ended
            start_now(world, v1)


# -- 2. Who may do a step: the step's role in the step's agency, or a leader above it ---------


def _to_step(world, d, role):
    """Complete steps, each by its own role, until the active step is `role`'s."""
    people = {
        "division_head": world.division_head,
        "specialist": world.specialist,
        "agency_leader": world.leader,
        "clerk": world.clerk,
    }
    while (step := d.steps.get(status="active", kind="process")).role != role:
        d = s.complete_step(d, actor=people[step.role], at=at("2026-11-23 10:00"))
    return d, step


def test_a_specialist_cannot_sign_for_the_agency_leader(world, client):
    d, step = _to_step(world, world.received(), "agency_leader")
    assert step.name == "Lãnh đạo cơ quan ký duyệt"
    for actor in (world.specialist, world.division_head, world.clerk):
        with pytest.raises(s.ServiceError) as caught:
            s.complete_step(d, actor=actor)
        assert caught.value.code == "forbidden" and caught.value.status == 403
        assert "Lãnh đạo cơ quan ký duyệt" in caught.value.message
    # the API answers 403 with the same refusal, and does not list the action
    client.force_login(world.specialist)
    r = client.post(
        f"/api/v1/dossiers/{d.pk}/actions/complete_step",
        {"data": {"note": "đồng ý"}},
        "application/json",
    )
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    listed = client.get(f"/api/v1/dossiers/{d.pk}").json()["allowed_actions"]
    assert "complete_step" not in listed and "send_back" not in listed
    client.force_login(world.leader)
    listed = client.get(f"/api/v1/dossiers/{d.pk}").json()["allowed_actions"]
    assert "complete_step" in listed
    d = s.complete_step(d, actor=world.leader, note="Ký duyệt")
    step.refresh_from_db()
    assert step.done_by == world.leader


def test_a_leader_may_do_a_step_below_their_role_but_not_above(world):
    d, step = _to_step(world, world.received(), "specialist")
    d = s.complete_step(d, actor=world.division_head, note="Trưởng phòng thẩm định thay")
    step.refresh_from_db()
    assert step.done_by == world.division_head
    # the division head's check: the specialist may not do it
    step = d.steps.get(status="active", kind="process")
    assert step.role == "division_head"
    with pytest.raises(s.ServiceError):
        s.send_back(d, to_step_id=step.pk - 1, reason="Sai", actor=world.specialist)


def test_assigning_at_the_division_heads_step_names_the_next_handler(world):
    d = world.received()
    lead_step = d.steps.get(status="active", kind="process")
    assert lead_step.role == "division_head"
    with pytest.raises(s.ServiceError):  # only a leader of the agency assigns
        s.assign(d, assignee=world.specialist, actor=world.specialist)
    d = s.assign(d, assignee=world.specialist, actor=world.division_head)
    lead_step.refresh_from_db()
    assert lead_step.assignee is None  # the specialist did not get the leader's step
    nxt = d.steps.get(order=lead_step.order + 1)
    assert nxt.role == "specialist" and nxt.assignee == world.specialist
    # the specialist cannot complete the division head's step for them
    with pytest.raises(s.ServiceError):
        s.complete_step(d, actor=world.specialist)
    d = s.complete_step(d, actor=world.division_head, at=at("2026-11-23 10:00"))
    lead_step.refresh_from_db()
    assert lead_step.done_by == world.division_head
    active = d.steps.get(status="active", kind="process")
    assert active.pk == nxt.pk and active.assignee == world.specialist
    # the hand-over names the specialist, and the audit trail says who got which step
    assert d.handovers.order_by("-pk").first().to_label == str(world.specialist)
    event = events_of(d).get(action="dossier.assign")
    assert event.changes["rows"] == [
        {
            "row": f"dossierstep:{nxt.pk}",
            "field": "assignee",
            "before": None,
            "after": world.specialist.pk,
        }
    ]


# -- 4, 5. Step clocks start with the dossier's; the last hand-over back to the desk ---------


def _same_day_version_ending_at_the_clerk():
    """1.004873 made a 1-working-day procedure with a 15:00 cut-off, whose process ends with
    the clerk of the commune (no desk step at the end)."""
    from cchc.procedures.constants import PerformerKind
    from cchc.procedures.models import ProcessStep

    v = version("1.004873", dt.date(2026, 11, 23))
    v.time_limit, v.time_unit, v.cutoff_time = 1, "working_days", dt.time(15, 0)
    v.save()
    v.steps.all().delete()
    for order, (name, performer, role, share) in enumerate(
        [
            ("Tiếp nhận hồ sơ", PerformerKind.RECEIVING_DESK, "receptionist", 0),
            ("Chuyên viên giải quyết", PerformerKind.COMPETENT_AGENCY, "specialist", 1),
            ("Văn thư đóng dấu, chuyển kết quả", PerformerKind.COMPETENT_AGENCY, "clerk", 0),
        ],
        start=1,
    ):
        ProcessStep.objects.create(
            version=v, order=order, name=name, performer=performer, role=role, time_share=share
        )
    return v


def test_a_step_starts_its_clock_when_the_dossier_does_after_the_cutoff(world):
    """Received Mon 23/11/2026 at 15:30, after the 15:00 cut-off; Tue 24/11 is a holiday from
    2026: the dossier's clock and its first step's start Wed 07:30, so the step done Wed 16:00
    is on time (it was recorded late, due Wed 15:30, when counted from the reception)."""
    _same_day_version_ending_at_the_clerk()
    d = world.received(moment="2026-11-23 15:30")
    assert d.clock_started_at == at("2026-11-25 07:30")
    step = d.steps.get(status="active")
    assert step.due_at >= d.clock_started_at
    assert step.due_at == d.legal_due_at  # the whole limit is this step's share
    d = s.complete_step(d, actor=world.specialist, at=at("2026-11-25 16:00"))
    step.refresh_from_db()
    assert step.timeliness != "late"


def test_the_result_going_back_to_the_desk_is_a_line_of_the_control_slip(world, client):
    from io import BytesIO

    from pypdf import PdfReader

    _same_day_version_ending_at_the_clerk()
    d = world.received(moment="2026-11-23 09:00")
    d = s.complete_step(d, actor=world.specialist, at=at("2026-11-23 14:00"))
    d = s.complete_step(d, actor=world.clerk, at=at("2026-11-23 16:00"))
    assert d.status == Status.RESULT_READY
    back = d.handovers.order_by("-at", "-pk").first()
    assert back.from_agency == world.commune_pc
    assert back.to_agency == world.commune_desk.agency
    assert back.from_user == world.clerk and back.timeliness in ("on_time", "early")
    assert d.holder_agency == world.commune_desk.agency
    client.force_login(world.receptionist)
    pdf = client.get(f"/ho-so/{d.pk}/phieu-kiem-soat.pdf")
    text = " ".join(p.extract_text() for p in PdfReader(BytesIO(pdf.content)).pages)
    assert "Chuyển kết quả về bộ phận một cửa" in " ".join(text.split())


# -- 7. The apology: a working day ahead, a working moment, the applicant told -----------------


def test_apology_less_than_a_working_day_before_the_due_moment_is_refused(world):
    """R-LATE: due Fri 27/11/2026 09:00; Thu 26/11 10:00 is less than one working day ahead."""
    d = world.received()
    assert d.due_at == at("2026-11-27 09:00")
    with pytest.raises(s.ServiceError) as caught:
        s.apologise(
            d,
            reason="Chờ xác minh",
            new_due=at("2026-12-02 09:00"),
            actor=world.leader,
            at=at("2026-11-26 10:00"),
        )
    assert caught.value.code == "too_late_to_apologise"
    assert "09:00 ngày 27/11/2026" in caught.value.message


@pytest.mark.parametrize(
    "new_due",
    [
        "2026-12-05 00:00",  # midnight on a Saturday
        "2026-12-02 12:00",  # the lunch break
        "2026-12-05 09:00",  # a Saturday that is not a make-up day
        "9999-12-31 09:00",
    ],
)
def test_the_new_appointment_must_be_a_working_moment_within_reach(world, new_due):
    d = world.received()
    with pytest.raises(s.ServiceError) as caught:
        s.apologise(
            d,
            reason="Chờ xác minh",
            new_due=at(new_due),
            actor=world.leader,
            at=at("2026-11-25 09:00"),
        )
    assert caught.value.code == "invalid_new_due"
    d.refresh_from_db()
    assert d.apologised_at is None and d.due_at == at("2026-11-27 09:00")


def test_the_applicant_is_told_of_the_new_appointment_and_the_letter_reads_well(world, client):
    from cchc.dossiers.models import Notification

    d = world.received()
    before = Notification.objects.filter(dossier=d).count()
    d = s.apologise(
        d,
        reason="Chờ xác minh thực địa",
        new_due=at("2026-12-02 17:00"),  # the end of the afternoon is an appointment
        actor=world.leader,
        at=at("2026-11-25 09:00"),
    )
    told = Notification.objects.filter(dossier=d).order_by("pk")[before:]
    assert {n.channel for n in told} >= {"email", "sms"}
    assert all("17:00 02/12/2026" in n.body and "Chờ xác minh thực địa" in n.body for n in told)
    form = d.forms.get(kind="apology")
    client.force_login(world.receptionist)
    from io import BytesIO

    from pypdf import PdfReader

    pdf = client.get(f"/ho-so/{d.pk}/bieu-mau/{form.pk}.pdf")
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(BytesIO(pdf.content)).pages).split()
    )
    assert "Lúc 09:00 ngày 23/11/2026" in text and "Ngày 09:00" not in text


# -- 3. What each hand wrote is shown: opinions, the request, the result and its file ---------


def test_every_opinion_the_request_and_the_result_are_shown_to_staff_and_applicant(world, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cchc.accounts.models import AccountKind
    from cchc.dossiers.pdf import html_to_pdf

    PDF_BYTES = html_to_pdf("<p>Bản sao trích lục khai sinh</p>")  # a real PDF: it gets signed

    v = version("1.004873", dt.date(2026, 11, 23))
    d = s.start_dossier(
        version=v,
        desk=world.commune_desk,
        applicant=world.applicant(),
        channel=Channel.IN_PERSON,
        documents=world.documents(v),
        actor=world.receptionist,
        at=at("2026-11-23 09:00"),
        request_note="Xin cấp bản sao trích lục khai sinh cho con",
    )
    d = s.receive(d, actor=world.receptionist, at=at("2026-11-23 09:00"))
    world.citizen.kind = AccountKind.CITIZEN
    world.citizen.save()
    Dossier.objects.filter(pk=d.pk).update(applicant_user=world.citizen)
    opinions = {
        "division_head": "Giao đồng chí Chuyên thụ lý",
        "specialist": "Hồ sơ hợp lệ, đề nghị cấp",
        "agency_leader": "Đồng ý ký",
    }
    people = {"division_head": world.division_head, "specialist": world.specialist}
    people |= {"agency_leader": world.leader, "clerk": world.clerk}
    while (step := d.steps.get(status="active", kind="process")).role != "clerk":
        d = s.complete_step(d, actor=people[step.role], note=opinions.get(step.role, "Đã xem"))
    d = s.mark_result_ready(
        d,
        actor=world.clerk,
        summary="Bản sao trích lục khai sinh số 123/TLKS",
        result_file=SimpleUploadedFile("ket qua.pdf", PDF_BYTES),
    )
    assert d.status == Status.RESULT_READY
    # the staff page: every opinion with who wrote it, the request and the result
    client.force_login(world.receptionist)
    page = client.get(f"/ho-so/{d.pk}/").content.decode()
    for text in (*opinions.values(), "Xin cấp bản sao trích lục khai sinh cho con"):
        assert text in page, text
    assert str(world.leader) in page and "Bản sao trích lục khai sinh số 123/TLKS" in page
    assert body_of(client.get(f"/ho-so/{d.pk}/ket-qua/")) == PDF_BYTES
    # the API says the same
    body = client.get(f"/api/v1/dossiers/{d.pk}").json()
    assert body["request_note"].startswith("Xin cấp bản sao")
    assert body["result_summary"] == "Bản sao trích lục khai sinh số 123/TLKS"
    assert client.get(body["result_file"]).status_code == 200
    signed = next(st for st in body["steps"] if st["role"] == "agency_leader")
    assert signed["note"] == "Đồng ý ký" and signed["done_by"] == str(world.leader)
    # the applicant's own page and the public lookup deliver the result and its file: the
    # signed file (R-RESULT-SIGNED), once the leader has signed it
    client.force_login(world.citizen)
    mine = client.get(f"/dich-vu-cong/ho-so-cua-toi/{d.pk}/").content.decode()
    assert "Bản sao trích lục khai sinh số 123/TLKS" in mine
    assert client.get(f"/dich-vu-cong/ho-so-cua-toi/{d.pk}/ket-qua/").status_code == 404
    d = s.sign_result(d, actor=world.leader)
    from cchc.core.signing import verify_pdf

    signed = body_of(client.get(f"/dich-vu-cong/ho-so-cua-toi/{d.pk}/ket-qua/"))
    assert signed.startswith(PDF_BYTES) and verify_pdf(signed).valid  # the same PDF, signed
    PDF_BYTES = signed
    client.logout()
    found = client.get("/tra-cuu/", {"ma": d.code, "mk": d.lookup_secret}).content.decode()
    assert "Bản sao trích lục khai sinh số 123/TLKS" in found
    got = client.get("/tra-cuu/ket-qua/", {"ma": d.code, "mk": d.lookup_secret})
    assert got.status_code == 200 and body_of(got) == PDF_BYTES
    assert client.get("/tra-cuu/ket-qua/", {"ma": d.code, "mk": "SAIMATKH"}).status_code == 404


# -- 9. The audit trail says what every action changed, on the dossier and its rows ----------


def test_payments_consultations_and_reassignment_are_audited_with_before_and_after(world):
    d = world.received(code="1.004873")
    fee = d.fees.first()
    if fee is None:
        fee = d.fees.create(name="Lệ phí", amount=8000)
    d = s.record_payment(
        d, fee_id=fee.pk, method="cash", receipt_number="BL-0001", actor=world.receptionist
    )
    paid = events_of(d).get(action="dossier.record_payment").changes["rows"]
    assert {r["field"]: r["after"] for r in paid}["receipt_number"] == "BL-0001"
    assert {r["field"]: r["before"] for r in paid}["paid_at"] is None
    d = s.complete_step(d, actor=world.division_head, at=at("2026-11-23 10:00"))
    d = s.consult(
        d,
        consultations=[s.Consultation(world.department, 0.5, "Cho ý kiến về quy hoạch")],
        actor=world.specialist,
        at=at("2026-11-23 10:30"),
    )
    asked = events_of(d).get(action="dossier.consult").changes["rows"]
    assert any(r["field"] == "status" and r["after"] == "active" for r in asked)
    child = d.steps.get(kind="consultation")
    d = s.answer_consultation(
        d, consultation_id=child.pk, note="Phù hợp quy hoạch", actor=world.dept_specialist
    )
    answered = events_of(d).get(action="dossier.answer_consultation").changes["rows"]
    assert {r["field"]: r["after"] for r in answered}["note"] == "Phù hợp quy hoạch"
    step = d.steps.get(status="active", kind="process")
    s.assign(d, assignee=world.specialist, actor=world.division_head)
    other = type(world.specialist).objects.create_user("chuyenvien.a3", full_name="Người thay")
    other.memberships.create(agency=world.commune_pc, role="specialist")
    with pytest.raises(s.ServiceError):  # the specialist cannot hand away their own work
        s.reassign_pending(
            from_user=world.specialist, to_user=other, actor=world.specialist, reason="Nghỉ"
        )
    moved = s.reassign_pending(
        from_user=world.specialist, to_user=other, actor=world.division_head, reason="Nghỉ phép"
    )
    assert moved == 1
    event = events_of(d).get(action="dossier.reassign")
    assert event.reason == "Nghỉ phép" and event.changes["rows"] == [
        {
            "row": f"dossierstep:{step.pk}",
            "field": "assignee",
            "before": world.specialist.pk,
            "after": other.pk,
        }
    ]
    d.refresh_from_db()
    assert events_of(d).order_by("-sequence").first().action == "dossier.reassign"


# -- 10. Returning: the early notice inline, no result out with a fee unpaid ------------------


def test_an_early_return_is_told_inline_and_the_fee_is_settled_before_the_result_leaves(
    world, client
):
    from cchc.dossiers.testing import walk_to_result

    d = world.received(code="1.013225", moment="2026-11-23 09:00")  # a building permit
    fee = d.fees.get()
    assert fee.amount > 0 and fee.paid_at is None
    d = walk_to_result(world, d, at("2026-11-23 10:00"))
    assert d.status == Status.RESULT_READY
    early = at("2026-11-24 09:00")  # long before the 15-working-day appointment
    with pytest.raises(s.ServiceError) as caught:
        s.return_result(d, actor=world.receptionist, returned_to="Lò Thị Hương", at=early)
    assert caught.value.code == "early_notice_required"
    assert "R-" not in caught.value.message and "Đã báo người nộp" in caught.value.message
    with pytest.raises(s.ServiceError) as caught:
        s.return_result(
            d, actor=world.receptionist, returned_to="Lò Thị Hương", at=early, told_early=True
        )
    assert caught.value.code == "fee_unpaid" and fee.name in caught.value.message
    d.refresh_from_db()
    assert d.status == Status.RESULT_READY and d.early_notice_at is None  # nothing half-done
    # the page offers both inline, and one submission returns it
    client.force_login(world.receptionist)
    page = client.get(f"/ho-so/{d.pk}/").content.decode()
    assert 'name="told_early"' in page and f'name="fee-{fee.pk}-receipt"' in page
    with time_machine.travel(early, tick=False):
        r = client.post(
            f"/ho-so/{d.pk}/thao-tac/return_result/",
            {
                "revision": d.revision,
                "method": "desk",
                "returned_to": "Lò Thị Hương",
                "told_early": "1",
                f"fee-{fee.pk}-method": "cash",
                f"fee-{fee.pk}-receipt": "BL-000123",
            },
        )
    assert r.status_code in (200, 302)
    d.refresh_from_db()
    fee.refresh_from_db()
    assert d.status == Status.RETURNED and d.timeliness == "early"
    assert d.early_notice_at == early and fee.receipt_number == "BL-000123"
    rows = events_of(d).get(action="dossier.return_result").changes["rows"]
    assert any(r["field"] == "receipt_number" and r["after"] == "BL-000123" for r in rows)


def test_a_fee_may_be_exempted_at_the_return_with_its_reason(world):
    from cchc.dossiers.testing import walk_to_result

    d = walk_to_result(world, world.received(code="1.013225"), at("2026-11-23 10:00"))
    fee = d.fees.get()
    with pytest.raises(s.ServiceError):
        s.return_result(
            d,
            actor=world.receptionist,
            returned_to="Lò Thị Hương",
            at=at("2026-11-24 09:00"),
            told_early=True,
            fees=[s.FeeSettlement(fee.pk)],  # neither a receipt nor a reason
        )
    d = s.return_result(
        d,
        actor=world.receptionist,
        returned_to="Lò Thị Hương",
        at=at("2026-11-24 09:00"),
        told_early=True,
        fees=[s.FeeSettlement(fee.pk, exemption_reason="Hộ nghèo (Nghị quyết của HĐND tỉnh)")],
    )
    fee.refresh_from_db()
    assert d.status == Status.RETURNED and fee.exempt and fee.exemption_reason.startswith("Hộ")


# -- 11. R-CORRECT: a result with an error comes back as a linked dossier, due in 3 days -------


def returned_permit(world):
    """A building permit granted, paid and returned early (told) on Tue 24/11/2026."""
    from cchc.dossiers.testing import walk_to_result

    d = walk_to_result(world, world.received(code="1.013225"), at("2026-11-23 10:00"))
    fee = d.fees.get()
    d = s.return_result(
        d,
        actor=world.receptionist,
        returned_to="Lò Thị Hương",
        at=at("2026-11-24 09:00"),
        told_early=True,
        fees=[s.FeeSettlement(fee.pk, receipt_number="BL-1")],
    )
    return d, fee


def test_a_result_with_the_agencys_error_is_corrected_within_three_working_days(world, client):
    d, _fee = returned_permit(world)
    with pytest.raises(s.ServiceError) as caught:  # only the desk takes the request
        s.request_correction(d, reason="Sai diện tích", actor=world.specialist)
    assert caught.value.status == 403
    # Fri 27/11/2026 15:00: three working days run to Wed 02/12 15:00
    fix = s.request_correction(
        d,
        reason="Giấy phép ghi sai diện tích xây dựng",
        actor=world.receptionist,
        at=at("2026-11-27 15:00"),
    )
    assert fix.corrects_id == d.pk and fix.correction_fault == "agency"
    assert fix.status == Status.IN_PROGRESS and fix.code and fix.code != d.code
    assert fix.legal_due_at == at("2026-12-02 15:00")
    assert not fix.fees.exists()  # the agency erred: the applicant pays nothing
    assert [st.role for st in fix.steps.order_by("order")] == [
        "receptionist",
        "specialist",
        "agency_leader",
        "receptionist",
    ]
    with pytest.raises(s.ServiceError):  # one correction at a time
        s.request_correction(d, reason="Lại sai", actor=world.receptionist)
    d.refresh_from_db()
    assert d.status == Status.RETURNED
    fix = s.complete_step(fix, actor=world.specialist, at=at("2026-11-30 09:00"))
    fix = s.complete_step(fix, actor=world.leader, at=at("2026-12-01 09:00"))
    fix = s.return_result(
        fix, actor=world.receptionist, returned_to="Lò Thị Hương", at=at("2026-12-02 09:00")
    )
    assert fix.status == Status.RETURNED and fix.timeliness == "on_time"
    client.force_login(world.receptionist)
    page = client.get(f"/ho-so/{d.pk}/").content.decode()
    assert fix.code in page
    assert client.get(f"/api/v1/dossiers/{d.pk}").json()["corrections"] == [fix.pk]
    assert client.get(f"/api/v1/dossiers/{fix.pk}").json()["corrects"] == d.pk


def test_the_applicants_own_error_is_corrected_at_their_cost(world):
    d, fee = returned_permit(world)
    fix = s.request_correction(
        d, reason="Người nộp khai sai", fault="applicant", actor=world.receptionist
    )
    assert fix.correction_fault == "applicant" and fix.fees.get().amount == fee.amount


def test_a_procedure_settled_at_once_collects_its_fee_on_one_receipt(world):
    """R-IMMEDIATE with R-FEE: the desk settles while the applicant waits; the fee is paid
    then, or nothing is recorded at all (one transaction)."""
    v = version("1.001193", dt.date(2026, 11, 23))
    assert v.on_the_spot
    fee = v.fees.first()
    if fee is None:
        fee = v.fees.create(name="Lệ phí chứng thực", amount=2000, order=1)
    else:
        v.fees.filter(pk=fee.pk).update(amount=2000)
    kwargs = {
        "outcome": "at_once",
        "version": v,
        "desk": world.commune_desk,
        "applicant": world.applicant(),
        "channel": Channel.IN_PERSON,
        "documents": world.documents(v),
        "actor": world.receptionist,
        "at": at("2026-11-23 10:00"),
    }
    with pytest.raises(s.ServiceError) as caught:
        s.take(**kwargs)
    assert caught.value.code == "fee_unpaid"
    assert not Dossier.objects.exists()  # nothing half-made
    kwargs["documents"] = world.documents(v)  # handed in again
    d = s.take(**kwargs, fee_receipt="BL-0007")
    assert d.status == Status.RETURNED
    assert [(f.amount, f.receipt_number) for f in d.fees.all()] == [(2000, "BL-0007")]


def test_the_result_is_offered_only_at_the_last_processing_step(world, client):
    d, _step = _to_step(world, world.received(), "agency_leader")
    client.force_login(world.leader)
    assert (
        "mark_result_ready" not in client.get(f"/api/v1/dossiers/{d.pk}").json()["allowed_actions"]
    )
    d = s.complete_step(d, actor=world.leader, at=at("2026-11-23 11:00"))
    client.force_login(world.clerk)
    assert "mark_result_ready" in client.get(f"/api/v1/dossiers/{d.pk}").json()["allowed_actions"]
