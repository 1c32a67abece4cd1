"""R-RESULT-SIGNED: the leader numbers and signs the result (PAdES, the agency's certificate),
the applicant downloads it — the first download is the electronic return — and anyone checks
it on the verification page or through the API; one changed byte fails the check."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cchc.accounts.models import AccountKind, User
from cchc.core.signing import verify_pdf
from cchc.dossiers import services as s
from cchc.dossiers.links import verify_token
from cchc.dossiers.models import Dossier
from cchc.dossiers.testing import walk_to_result

pytestmark = pytest.mark.django_db


def ready(world, **kw):
    d = world.received(moment="2026-11-23 09:00", **kw)
    return walk_to_result(world, d)


def tampered(data: bytes) -> bytes:
    changed = bytearray(data)
    changed[len(data) // 3] ^= 0x01  # one byte, inside the signed range
    return bytes(changed)


def test_the_leader_numbers_and_signs_the_result(world):
    d = ready(world)
    with pytest.raises(s.ServiceError):
        s.sign_result(d, actor=world.receptionist)  # not the agency's leader
    d = s.sign_result(d, actor=world.leader)
    assert d.result_number == "1/KQ-UBND" and d.result_signer == "Điêu Văn Lãnh"
    with d.result_file.open("rb") as handle:
        data = handle.read()
    verdict = verify_pdf(data)
    assert verdict.valid, verdict.reasons
    assert verdict.sha256 == d.result_sha256
    assert "(DEMO)" in verdict.signers[0]  # the demo CA, clearly labelled
    with pytest.raises(s.ServiceError):
        s.sign_result(d, actor=world.leader)  # once
    second = s.sign_result(ready(world), actor=world.leader)
    assert second.result_number == "2/KQ-UBND"  # the agency's register of the year


def test_one_changed_byte_fails_verification_with_a_reason(world):
    d = s.sign_result(ready(world), actor=world.leader)
    with d.result_file.open("rb") as handle:
        data = handle.read()
    verdict = verify_pdf(tampered(data))
    assert not verdict.valid
    assert verdict.reasons and ("thay đổi" in verdict.reasons[0] or "hỏng" in verdict.reasons[0])
    assert not verify_pdf(b"%PDF-1.4 not signed").valid


def test_a_scanned_result_is_signed_as_a_pdf(world):
    from PIL import Image

    picture = io.BytesIO()
    Image.new("RGB", (300, 200), "white").save(picture, "PNG")
    d = world.received(moment="2026-11-23 09:00")
    while d.status == "in_progress":
        step = d.steps.get(status="active", kind="process")
        people = {
            "division_head": world.division_head,
            "specialist": world.specialist,
            "agency_leader": world.leader,
            "clerk": world.clerk,
        }
        last = d.steps.filter(kind="process", order__gt=step.order).count() == 0
        if last:
            d = s.mark_result_ready(
                d,
                actor=people[step.role],
                summary="Cấp giấy xác nhận",
                result_file=SimpleUploadedFile("ket-qua.png", picture.getvalue()),
            )
        else:
            d = s.complete_step(d, actor=people[step.role])
    d = s.sign_result(d, actor=world.leader)
    assert d.result_content_type == "application/pdf"
    with d.result_file.open("rb") as handle:
        assert verify_pdf(handle.read()).valid


def test_anyone_checks_a_document_on_the_verification_page_and_the_api(client, world):
    d = s.sign_result(ready(world), actor=world.leader)
    with d.result_file.open("rb") as handle:
        data = handle.read()
    url = reverse("verify", args=[verify_token("result", d.pk)])
    page = client.get(url).content.decode()
    assert d.result_number in page and d.code in page and d.applicant_name not in page
    ok = client.post(url, {"file": SimpleUploadedFile("kq.pdf", data)}).content.decode()
    assert "Tài liệu xác thực." in ok and "Đây đúng là tệp đã được cấp" in ok
    bad = client.post(url, {"file": SimpleUploadedFile("kq.pdf", tampered(data))})
    assert "Tài liệu KHÔNG xác thực." in bad.content.decode()
    assert client.get(reverse("verify", args=["gia-mao"])).status_code == 404
    answer = client.post("/api/v1/verify", {"file": SimpleUploadedFile("kq.pdf", data)}).json()
    assert answer["valid"] is True and answer["sha256"] == d.result_sha256
    answer = client.post(
        "/api/v1/verify", {"file": SimpleUploadedFile("kq.pdf", tampered(data))}
    ).json()
    assert answer["valid"] is False and answer["reasons"]


def test_the_electronic_return_needs_the_signed_result_and_is_the_first_download(client, world):
    citizen = User.objects.create_user(
        "dan@example.org", kind=AccountKind.CITIZEN, verified_at=timezone.now()
    )
    d = ready(world)
    Dossier.objects.filter(pk=d.pk).update(applicant_user=citizen, return_method="electronic")
    d.refresh_from_db()
    with pytest.raises(s.ServiceError):
        s.return_result(d, actor=world.receptionist, method="electronic")  # unsigned
    client.force_login(citizen)
    assert client.get(reverse("portal:my_result", args=[d.pk])).status_code == 404
    d = s.sign_result(d, actor=world.leader)
    response = client.get(reverse("portal:my_result", args=[d.pk]))
    assert response.status_code == 200 and verify_pdf(b"".join(response.streaming_content)).valid
    d.refresh_from_db()
    assert d.status == "returned" and d.return_method == "electronic"
    client.force_login(world.receptionist)  # the API gives it to whoever sees the dossier
    assert client.get(f"/api/v1/dossiers/{d.pk}/result").status_code == 200


def test_issued_forms_download_signed(client, world):
    d = world.received(moment="2026-11-23 09:00")
    form = d.forms.get(kind="receipt")
    client.force_login(world.receptionist)
    response = client.get(reverse("dossiers:form_pdf", args=[d.pk, form.pk]))
    verdict = verify_pdf(response.content)
    assert verdict.valid and verdict.signers  # signed by the receiving agency
    page = client.get(reverse("verify", args=[verify_token("form", form.pk)])).content.decode()
    assert form.number in page and "Giấy tiếp nhận" in page
