"""Records: forms as PDF with correct diacritics (R-FORMS), the audit chain (R-AUDIT)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from cchc.core.models import AuditEvent
from cchc.dossiers import services as s
from cchc.dossiers.constants import FormKind
from cchc.dossiers.pdf import render_control_slip, render_form
from cchc.dossiers.testing import at

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_receipt_pdf_has_heading_diacritics_code_due_and_qr(world):
    d = world.received()
    form = d.forms.get(kind=FormKind.RECEIPT)
    data = render_form(form)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text.upper()
    assert "Lò Thị Hương" in text
    assert d.code in text
    assert "09:00 ngày 27/11/2026" in text
    assert d.lookup_secret in text
    reader = PdfReader(io.BytesIO(data))
    assert reader.pages[0].mediabox.width == pytest.approx(595.3, abs=1)  # A4 (Decree 30)
    assert len(reader.pages) == 1  # the signatures stay on the page they sign
    assert f"Đăng ký nhận kết quả tại: {d.desk.name}" in text  # named once, not "Tại bộ phận…"


def test_apology_form_title_follows_the_rules_in_force(world):
    """R-VERSION: 2019 dossiers print the 2018 title, 2026 ones the Decree 118 title."""
    d = world.received()
    d = s.apologise(
        d,
        reason="Chờ xác minh",
        new_due=at("2026-12-02 09:00"),
        actor=world.leader,
        at=at("2026-11-26 09:00"),
    )
    text = pdf_text(render_form(d.forms.get(kind=FormKind.APOLOGY)))
    assert "PHIẾU ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT" in text.upper()
    assert "Chờ xác minh" in text and "09:00 ngày 02/12/2026" in text


def test_control_slip_lists_every_handover(world):
    d = world.received()
    d = s.complete_step(d, actor=world.division_head, at=at("2026-11-23 15:00"))
    text = pdf_text(render_control_slip(d))
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text.upper()
    assert "Quá hạn" in text  # the division head's step was late
    assert world.commune_pc.name in text


def test_every_action_is_audited_and_tampering_is_detected(world):
    """R-AUDIT: append-only, chained; verify_audit finds an edited event."""
    d = world.received()
    d = s.complete_step(d, actor=world.division_head, at=at("2026-11-23 10:00"))
    events = list(
        AuditEvent.objects.filter(object_type="dossiers.dossier", object_id=str(d.pk)).order_by(
            "sequence"
        )
    )
    assert [e.action for e in events] == [
        "dossier.create",
        "dossier.receive",
        "dossier.complete_step",
    ]
    assert events[1].from_status == "submitted" and events[1].to_status == "in_progress"
    assert events[1].changes["code"]["after"] == d.code
    assert events[2].actor == world.division_head
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    from cchc.core.testing import outside_the_app

    with outside_the_app():
        AuditEvent.objects.filter(pk=events[1].pk).update(reason="sửa lén")
    with pytest.raises(SystemExit):
        call_command("verify_audit", stdout=out, stderr=out)
    assert "altered" in out.getvalue() or "sửa" in out.getvalue()


def test_applicant_is_told_of_each_status_change_by_email_and_sms(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    from cchc.integrations import outbox

    with django_capture_on_commit_callbacks(execute=True):
        d = world.received()
    with django_capture_on_commit_callbacks(execute=True):
        s.withdraw(d, reason="Xin rút", actor=world.receptionist, at=at("2026-11-23 10:00"))
    assert not mailoutbox  # nothing is sent inside the request: the worker sends
    assert not d.notifications.filter(sent_at__isnull=False).exists()
    outbox.sweep()  # the worker's turn
    subjects = [m.subject for m in mailoutbox]
    assert any("Đang giải quyết" in x for x in subjects)
    assert any("Dừng giải quyết" in x for x in subjects)
    sms = d.notifications.filter(channel="sms").order_by("pk")
    assert sms.count() == 2 and all(n.sent_at for n in sms)
    assert "Xin rút" in sms.last().body
