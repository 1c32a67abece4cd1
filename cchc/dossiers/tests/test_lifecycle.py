"""One dossier's whole life through the API, as a center lives it: a four-step process
(desk → specialist → leader → clerk), a supplement that restarts the clock, an apology with a
new appointment, and a late return — its control slip, timeline, report cells and audit trail
asserted (issue 14's end-to-end test)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
import time_machine
from pypdf import PdfReader

from cchc.core.audit import verify_chains
from cchc.core.models import AuditEvent
from cchc.dossiers.models import Dossier
from cchc.dossiers.testing import at, version
from cchc.procedures.constants import PerformerKind
from cchc.procedures.models import ProcessStep
from cchc.reports import periods
from cchc.reports.stats import settlement_report

pytestmark = pytest.mark.django_db


def four_steps():
    v = version("1.004873", dt.date(2026, 11, 2))
    assert v.time_limit == 3 and v.time_unit == "working_days"
    v.steps.all().delete()
    for order, (name, performer, role, share) in enumerate(
        [
            ("Tiếp nhận hồ sơ", PerformerKind.RECEIVING_DESK, "receptionist", "0"),
            ("Chuyên viên thẩm định", PerformerKind.COMPETENT_AGENCY, "specialist", "1.5"),
            ("Lãnh đạo ký duyệt", PerformerKind.COMPETENT_AGENCY, "agency_leader", "1"),
            ("Văn thư vào sổ, đóng dấu", PerformerKind.COMPETENT_AGENCY, "clerk", "0.5"),
        ],
        start=1,
    ):
        ProcessStep.objects.create(
            version=v,
            order=order,
            name=name,
            performer=performer,
            role=role,
            time_share=Decimal(share),
        )
    return v


def moment(text):
    return dt.datetime.fromisoformat(text)


def act(client, user, pk, action, moment, **data):
    client.force_login(user)
    with time_machine.travel(at(moment), tick=False):
        r = client.post(
            f"/api/v1/dossiers/{pk}/actions/{action}", {"data": data}, "application/json"
        )
    assert r.status_code == 200, (action, r.content.decode())
    return r.json()


def test_a_dossier_lives_through_supplement_apology_and_a_late_return(client, world):
    v = four_steps()
    docs = list(v.documents.all())
    client.force_login(world.receptionist)
    with time_machine.travel(at("2026-11-02 09:00"), tick=False):
        r = client.post(
            "/api/v1/dossiers",
            {
                "procedure": "1.004873",
                "desk": world.commune_desk.pk,
                "channel": "in_person",
                "request_note": "Xác nhận tình trạng hôn nhân để đăng ký kết hôn",
                "applicant": {
                    "name": "Lò Thị Hương",
                    "area_code": world.commune.code,
                    "id_number": "014190001234",
                    "phone": "0912345678",
                },
                "documents": [{"required_document": d.pk, "originals": 1} for d in docs],
            },
            "application/json",
        )
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert moment(r.json()["due_at"]) == at("2026-11-05 09:00")  # Thursday

    # the specialist finds a paper missing: the clock stops
    body = act(
        client,
        world.specialist,
        pk,
        "request_supplement",
        "2026-11-02 14:00",
        items=[{"document": docs[0].pk, "problem": "Tờ khai thiếu chữ ký"}],
        reason="Tờ khai chưa ký",
    )
    assert body["status"] == "supplement_requested"
    # the applicant brings it to the desk: the limit runs again from zero
    body = act(client, world.receptionist, pk, "supply", "2026-11-04 09:00", documents=[docs[0].pk])
    assert body["status"] == "in_progress"
    assert body["legal_due_at"] == "2026-11-09T09:00:00+07:00"  # Monday, in Vietnam's time
    act(client, world.specialist, pk, "complete_step", "2026-11-05 10:00", note="Đủ điều kiện")
    # the leader will be late: apology a working day ahead, with a new appointment
    body = act(
        client,
        world.leader,
        pk,
        "apologise",
        "2026-11-06 09:00",
        reason="Chờ xác minh tại nơi cư trú cũ",
        new_due="11/11/2026 10:00",
    )
    assert moment(body["due_at"]) == at("2026-11-11 10:00")
    assert moment(body["legal_due_at"]) == at("2026-11-09 09:00")  # the law's due stays
    act(client, world.leader, pk, "complete_step", "2026-11-06 10:00", note="Ký")
    body = act(client, world.clerk, pk, "complete_step", "2026-11-10 09:00", note="Vào sổ 12")
    assert body["status"] == "result_ready"
    body = act(
        client,
        world.receptionist,
        pk,
        "return_result",
        "2026-11-10 15:00",
        method="desk",
        returned_to="Lò Thị Hương",
    )
    assert body["status"] == "returned" and body["timeliness"] == "late"

    # the timeline: each step, who did it, when, what they wrote
    client.force_login(world.receptionist)
    detail = client.get(f"/api/v1/dossiers/{pk}").json()
    done = [(st["name"], st["done_by"], st["note"], st["timeliness"]) for st in detail["steps"]]
    assert done == [
        ("Tiếp nhận hồ sơ", str(world.receptionist), "", "on_time"),
        ("Chuyên viên thẩm định", str(world.specialist), "Đủ điều kiện", "on_time"),
        ("Lãnh đạo ký duyệt", str(world.leader), "Ký", "on_time"),
        ("Văn thư vào sổ, đóng dấu", str(world.clerk), "Vào sổ 12", "late"),
    ]
    assert detail["request_note"].startswith("Xác nhận tình trạng hôn nhân")
    # the control slip: desk → agency, each step, and the result back to the desk
    lines = [(h["from_agency"], h["to_agency"], h["timeliness"]) for h in detail["handovers"]]
    pc, desk = world.commune_pc.name, world.commune_desk.agency.name
    assert lines[0] == (desk, pc, "on_time")
    assert lines[-1] == (pc, desk, "late")  # the clerk's hand-back, late like the clerk
    assert len(lines) == 4
    slip = client.get(f"/ho-so/{pk}/phieu-kiem-soat.pdf")
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(BytesIO(slip.content)).pages).split()
    )
    assert "Chuyển kết quả về bộ phận một cửa" in text and "Quá hạn" in text
    # the periodic report counts it once, settled late, in November
    report = settlement_report(periods.month(2026, 11), "agency")
    assert report.total.cells["settled_late"] == 1 and report.total.cells["settled"] == 1
    assert report.total.cells["received"] == 1 and report.total.on_time_rate == Decimal("0.0")
    # the audit trail: every action, in order, each saying what it changed
    events = list(
        AuditEvent.objects.filter(object_type="dossiers.dossier", object_id=str(pk)).order_by(
            "sequence"
        )
    )
    assert [e.action for e in events] == [
        "dossier.create",
        "dossier.receive",
        "dossier.request_supplement",
        "dossier.supply",
        "dossier.complete_step",
        "dossier.apologise",
        "dossier.complete_step",
        "dossier.complete_step",
        "dossier.return_result",
    ]
    assert all(e.changes for e in events)
    assert {e.actor_id for e in events[4:8]} == {
        world.specialist.pk,
        world.leader.pk,
        world.clerk.pk,
    }
    assert events[5].changes["due_at"]["after"].startswith("2026-11-11")
    assert verify_chains() == []
    assert Dossier.objects.get(pk=pk).apologised_at is not None
