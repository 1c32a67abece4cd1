"""Reception at the desk: R-CHECK, R-CODE, R-TIME-4, R-ANYWHERE, R-IMMEDIATE, R-FEE."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cchc.dossiers import services as s
from cchc.dossiers.constants import Channel, FormKind, RuleSet, Status, Timeliness
from cchc.dossiers.models import Dossier
from cchc.dossiers.testing import at, version

pytestmark = pytest.mark.django_db


def test_received_dossier_gets_code_due_moment_steps_and_receipt(world):
    """R-CODE, R-TIME-4 (24/11/2026 is a public holiday from 2026), R-STEPS, R-FORMS."""
    d = world.received("1.004873", "2026-11-23 09:00")
    assert d.status == Status.IN_PROGRESS
    assert d.rule_set == RuleSet.DECREE_118_2025
    # From 01/07/2025 the code is the competent agency's (the commune People's Committee).
    assert d.code == f"{world.commune_pc.eid_code}-261123-0001"
    assert d.due_at == at("2026-11-27 09:00")  # Tue 24/11 skipped
    assert d.legal_due_at == d.due_at
    assert len(d.lookup_secret) == 8
    steps = list(d.steps.order_by("order"))
    assert [st.status for st in steps[:3]] == ["done", "active", "waiting"]
    assert steps[1].agency == world.commune_pc and steps[1].role == "division_head"
    # 0.25 of a 7.5-hour working day after 09:00 (R-TIME-6)
    assert steps[1].due_at == at("2026-11-23 10:52:30")
    assert d.forms.get().kind == FormKind.RECEIPT
    assert d.register_number == 1


def test_codes_count_per_agency_per_day_and_are_never_reused(world):
    first = world.received("1.004873", "2026-11-23 09:00")
    s.withdraw(
        first, reason="Người nộp xin rút", actor=world.receptionist, at=at("2026-11-23 10:00")
    )
    second = world.received("1.004873", "2026-11-23 14:00")
    next_day = world.received("1.004873", "2026-11-25 08:00")
    assert second.code.endswith("-261123-0002")
    assert next_day.code.endswith("-261125-0001")


def test_code_uses_receiving_unit_until_2025_and_competent_agency_after(world):
    """R-CODE, R-VERSION: the provincial Center's code in 2019, the department's in 2026."""
    old = world.received(
        "1.000703", "2019-03-07 09:00", desk=world.center_desk, actor=world.center_receptionist
    )
    new = world.received(
        "1.000703", "2026-11-23 09:00", desk=world.center_desk, actor=world.center_receptionist
    )
    assert old.rule_set == RuleSet.CIRCULAR_01_2018
    assert old.code == f"{world.center.eid_code}-190307-0001"
    assert old.competent_agency.name == "Sở Giao thông vận tải"
    assert new.code == f"{world.department.eid_code}-261123-0001"


def test_incomplete_dossier_cannot_be_received(world):
    """R-CHECK: every required document must be ticked before receiving."""
    d = world.start(skip=1)
    with pytest.raises(s.ServiceError) as err:
        s.receive(d, actor=world.receptionist, at=at("2026-11-23 09:00"))
    assert err.value.code == "incomplete"
    assert d.procedure_version.documents.first().name in err.value.message
    d.refresh_from_db()
    assert d.status == Status.SUBMITTED and d.code is None


def test_supplement_request_names_items_once_then_the_dossier_is_received(world):
    """R-CHECK 2, R-NO-EXTRA; receiving after completion starts the clock then."""
    d = world.start(skip=1)
    doc = d.procedure_version.documents.first()
    d = s.request_completion(
        d,
        items=[s.SupplementItem(doc.pk, "Thiếu chữ ký")],
        reason="Tờ khai chưa ký",
        actor=world.receptionist,
        at=at("2026-11-23 09:00"),
    )
    assert d.status == Status.AWAITING_COMPLETION
    assert d.forms.get().kind == FormKind.SUPPLEMENT_REQUEST
    with pytest.raises(s.ServiceError) as err:
        s.request_completion(
            d, items=[s.SupplementItem(doc.pk)], reason="Lần nữa", actor=world.receptionist
        )
    assert err.value.code == "second_supplement"
    with pytest.raises(s.ServiceError) as err:
        s.request_completion(
            d,
            items=[s.SupplementItem(999999)],
            reason="Giấy tờ ngoài danh mục",
            actor=world.leader,
            override_reason="x",
        )
    assert err.value.code == "not_in_document_list"
    d = s.receive(
        d,
        actor=world.receptionist,
        at=at("2026-11-25 08:00"),
        documents=[s.DocumentInput(doc.name, doc.pk, 1, 0, True)],
    )
    assert d.status == Status.IN_PROGRESS
    assert d.due_at == at("2026-11-30 08:00")  # Wed 08:00 + 3 working days, weekend skipped


def test_refusal_needs_a_reason_and_issues_the_refusal_form(world):
    d = world.start()
    with pytest.raises(s.ServiceError):
        s.refuse_reception(d, reason="  ", actor=world.receptionist)
    d = s.refuse_reception(d, reason="Không thuộc thẩm quyền", actor=world.receptionist)
    assert d.status == Status.NOT_RECEIVED
    assert d.forms.get().kind == FormKind.REFUSAL
    assert d.code is None


def test_procedure_not_listed_anywhere_must_be_received_by_the_competent_desk(world):
    """R-ANYWHERE: without the flag, another commune's desk cannot take the dossier."""
    with pytest.raises(s.ServiceError) as err:
        world.start(desk=world.other_receptionist.memberships.get().desk)
    assert err.value.code == "wrong_desk"
    v = version("1.004873", at("2026-11-23 09:00").date())
    v.anywhere_in_province = True
    v.save(update_fields=["anywhere_in_province"])
    d = world.start(desk=world.other_receptionist.memberships.get().desk)
    assert d.competent_agency == world.commune_pc  # routed by the applicant's commune


def test_on_the_spot_procedure_is_settled_and_recorded_at_once(world):
    """R-IMMEDIATE: no receipt unless asked, still a dossier with its code and return."""
    d = world.start("1.001193", "2026-11-23 10:00")
    d = s.settle_at_once(
        d, actor=world.receptionist, returned_to="Lò Thị Hương", at=at("2026-11-23 10:00")
    )
    assert d.status == Status.RETURNED
    assert d.code and d.timeliness == Timeliness.ON_TIME
    assert not d.forms.exists()
    assert d.steps.get().agency == d.receiving_agency


def test_applicant_and_scans_are_checked_with_vietnamese_messages(world):
    with pytest.raises(s.ServiceError) as err:
        world.start(id_number="12345")
    assert err.value.details["applicant.id_number"].startswith("Số định danh")
    v = version("1.004873", at("2026-11-23 09:00").date())
    fake = s.DocumentInput(
        "Tờ khai", v.documents.first().pk, upload=SimpleUploadedFile("to-khai.pdf", b"MZ\x90\x00")
    )
    with pytest.raises(s.ServiceError) as err:
        s.start_dossier(
            version=v,
            desk=world.commune_desk,
            applicant=world.applicant(),
            channel=Channel.IN_PERSON,
            documents=[fake],
            actor=world.receptionist,
        )
    assert "không phải PDF" in err.value.message

    def png(name):
        from io import BytesIO

        from PIL import Image

        data = BytesIO()
        Image.new("RGB", (20, 10), "white").save(data, "PNG")
        return s.DocumentInput(
            "Ảnh", v.documents.first().pk, upload=SimpleUploadedFile(name, data.getvalue())
        )

    def start(doc):
        return s.start_dossier(
            version=v,
            desk=world.commune_desk,
            applicant=world.applicant(),
            channel=Channel.IN_PERSON,
            documents=[doc],
            actor=world.receptionist,
        )

    with pytest.raises(s.ServiceError) as err:  # the name must agree with the content
        start(png("ảnh.pdf"))
    assert "không khớp" in err.value.message
    row = start(png("ảnh.png")).documents.get()
    assert row.content_type == "image/png" and row.file_name == "ảnh.png"
    assert row.file.name.endswith(".png") and "ảnh" not in row.file.name  # a generated name


def test_organisation_needs_tax_code_and_representative(world):
    with pytest.raises(s.ServiceError) as err:
        world.start(kind="organisation", id_number="", tax_code="12", name="HTX Chè Tà Xùa")
    assert set(err.value.details) == {"applicant.tax_code", "applicant.representative"}


def test_retried_creation_with_the_same_idempotency_key_returns_the_same_dossier(world):
    v = version("1.004873", at("2026-11-23 09:00").date())
    kwargs = dict(
        version=v,
        desk=world.commune_desk,
        applicant=world.applicant(),
        channel=Channel.IN_PERSON,
        documents=[],
        actor=world.receptionist,
        idempotency_key="retry-1",
    )
    first = s.start_dossier(**kwargs)
    again = s.start_dossier(**kwargs)
    assert first.pk == again.pk
    assert Dossier.objects.count() == 1


def test_fees_come_from_the_version_and_payments_need_a_receipt(world):
    """R-FEE."""
    d = world.received("1.000703", desk=world.center_desk, actor=world.center_receptionist)
    fee = d.fees.first()
    assert fee is not None and fee.name
    with pytest.raises(s.ServiceError):
        s.record_payment(
            d, fee_id=fee.pk, method="cash", receipt_number="", actor=world.center_receptionist
        )
    s.record_payment(
        d, fee_id=fee.pk, method="cash", receipt_number="BL-0012", actor=world.center_receptionist
    )
    fee.refresh_from_db()
    assert fee.receipt_number == "BL-0012" and fee.paid_at is not None
    with pytest.raises(s.ServiceError) as err:
        s.record_payment(
            d, fee_id=fee.pk, method="cash", receipt_number="BL-2", actor=world.center_receptionist
        )
    assert err.value.code == "fee_paid"


def test_a_failed_first_action_leaves_the_creators_instance_as_the_row(world, monkeypatch):
    """The first action on a dossier created in the same transaction works on the creator's
    instance (no re-read); when it fails half-way, the instance is read back, so a retry sees
    the row as stored, not the half-made reception."""
    from cchc.dossiers.services import reception

    d = world.start()
    assert getattr(d, s.common.UNCOMMITTED)

    def broken(*args, **kwargs):
        raise s.ServiceError("printer", "Máy in hỏng.")

    monkeypatch.setattr(reception, "issue_form", broken)
    with pytest.raises(s.ServiceError):
        s.receive(d, actor=world.receptionist, at=at("2026-11-23 09:00"))
    assert d.status == Status.SUBMITTED and d.received_at is None and d.code is None
    assert not d.steps.exists() and Dossier.objects.get(pk=d.pk).revision == d.revision
    monkeypatch.undo()
    d = s.receive(d, actor=world.receptionist, at=at("2026-11-23 09:05"))
    assert d.status == Status.IN_PROGRESS and d.code and d.steps.count() >= 2


def test_a_paper_handed_in_at_the_decision_counts_though_the_creation_held_its_rows(world):
    """The documents a new dossier was created with are held for its first action (issue 20);
    a paper added by that action replaces them, so the check and the receipt see it."""
    d = world.start(skip=1)  # the first paper was not there when the dossier was started
    first = d.procedure_version.documents.first()
    late = s.DocumentInput(first.name, first.pk, first.originals or 1, first.copies, True)
    d = s.receive(d, actor=world.receptionist, at=at("2026-11-23 09:10"), documents=[late])
    assert d.status == Status.IN_PROGRESS
    receipt = d.forms.get(kind=FormKind.RECEIPT)
    assert first.name in [doc["name"] for doc in receipt.data["documents"]]
    assert d.documents.get(required_document=first).received
