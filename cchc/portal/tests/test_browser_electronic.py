"""The electronic dossier end to end (issue 17): a citizen fills a seeded e-form online
(pre-filled from the account) in Chromium; the desk and the agency work through the API; the
leader signs the result; the citizen downloads it and checks it on the public verification
page; pyHanko validates it; a later application reuses it from the citizen's store; the
Decision 766 digitisation, electronic-result and reuse indicators count both dossiers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from cchc.accounts.models import AccountKind, User
from cchc.core.signing import verify_pdf
from cchc.dossiers.models import Dossier, StoredDocument
from cchc.dossiers.testing import PDF_BYTES, build_world
from cchc.procedures.models import ProcedureVersion

pytestmark = [pytest.mark.browser]

PASSWORD = "Mat-khau-Dan-2026"


@pytest.fixture
def world(reference_data):
    return build_world()


def pdf(name):
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF_BYTES}


def act(user, pk, action, **data):
    client = Client()
    client.force_login(user)
    r = client.post(f"/api/v1/dossiers/{pk}/actions/{action}", {"data": data}, "application/json")
    assert r.status_code == 200, (action, r.content.decode())
    return r.json()


def settle_through_the_api(world, pk):
    """The desk receives; each step is done by its role; the leader signs; the desk returns
    the result electronically."""
    people = {
        "division_head": world.division_head,
        "specialist": world.specialist,
        "agency_leader": world.leader,
        "clerk": world.clerk,
    }
    body = act(world.receptionist, pk, "receive")
    while body["status"] == "in_progress":
        step = next(s for s in body["steps"] if s["status"] == "active")
        actor = people[step["role"]]
        if "mark_result_ready" in act_allowed(actor, pk):
            body = act(actor, pk, "mark_result_ready", summary="Cấp Giấy xác nhận")
        else:
            body = act(actor, pk, "complete_step", note="Đồng ý")
    until = (timezone.localdate() + dt.timedelta(days=180)).strftime("%d/%m/%Y")
    body = act(world.leader, pk, "sign_result", valid_until=until)
    assert body["result_number"].endswith("/KQ-UBND") and body["result_signed_at"]
    return act(world.receptionist, pk, "return_result", method="electronic", told_early="1")


def act_allowed(user, pk):
    client = Client()
    client.force_login(user)
    return client.get(f"/api/v1/dossiers/{pk}").json()["allowed_actions"]


def test_e_form_signed_result_verification_reuse_and_the_766_indicators(
    browser_page, live_server, world
):
    citizen = User.objects.create_user(
        "huong@example.org",
        password=PASSWORD,
        kind=AccountKind.CITIZEN,
        verified_at=timezone.now(),
        full_name="Lò Thị Hương",
        id_number="014190001234",
    )
    page = browser_page
    url = live_server.url
    page.goto(f"{url}/dang-nhap/")
    page.fill("#id_username", "huong@example.org")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")

    # 1. the declaration online, pre-filled from the account
    page.goto(f"{url}/dich-vu-cong/thu-tuc/1.004873/")
    page.click("text=Nộp hồ sơ trực tuyến")
    assert page.input_value("#ef-yc_ho_ten") == "Lò Thị Hương"
    assert page.input_value("#ef-yc_so_dinh_danh") == "014190001234"
    page.select_option("#area", label=world.commune.name)
    page.fill("#ef-yc_quan_he", "Bản thân")
    page.fill("#ef-ho_ten", "Lò Thị Hương")
    page.fill("#ef-ngay_sinh", "17/05/1990")
    page.select_option("#ef-gioi_tinh", "Nữ")
    page.select_option("#ef-tinh_trang", "Chưa đăng ký kết hôn với ai")
    page.fill("#ef-muc_dich", "Đăng ký kết hôn")
    page.check("#ef-cam_doan")
    for i, field in enumerate(page.locator("input[type=file]").all()):
        field.set_input_files(pdf(f"giấy tờ {i}.pdf"))
    page.click("button:has-text('Lưu nháp')")
    assert page.locator("#missing").count() == 0, page.inner_text("#missing")
    page.click("#submit")
    expect(page.locator("#status")).to_have_text("Chờ tiếp nhận")
    first = Dossier.objects.get(applicant_user=citizen)
    assert first.declaration["muc_dich"] == "Đăng ký kết hôn"

    # 2. the desk, the agency and the leader, through the API
    body = settle_through_the_api(world, first.pk)
    assert body["status"] == "returned"

    # 3. the citizen downloads the signed result and checks it on the public page
    page.goto(f"{url}/dich-vu-cong/ho-so-cua-toi/{first.pk}/")
    expect(page.locator("#status")).to_have_text("Đã trả kết quả")
    href = page.get_attribute("#result-file", "href")
    download = page.request.get(f"{url}{href}")
    assert download.ok and download.headers["content-type"] == "application/pdf"
    signed = download.body()
    verdict = verify_pdf(signed)
    assert verdict.valid, verdict.reasons
    first.refresh_from_db()
    assert verdict.sha256 == first.result_sha256
    page.goto(f"{url}/xac-thuc/")
    page.set_input_files(
        "#file", {"name": "ket-qua.pdf", "mimeType": "application/pdf", "buffer": signed}
    )
    page.click("#check")
    expect(page.locator("text=Tài liệu xác thực.")).to_be_visible()

    # 4. the result is in the citizen's store
    page.click("nav >> text=Kho dữ liệu")
    expect(page.locator("#store")).to_contain_text(first.result_number)
    stored = StoredDocument.objects.get(source_dossier=first, kind="result")

    # 5. the marriage registration takes it instead of an upload
    page.goto(f"{url}/dich-vu-cong/thu-tuc/1.000894/")
    page.click("text=Nộp hồ sơ trực tuyến")
    page.select_option("#area", label=world.commune.name)
    for key, value in {
        "nu_ho_ten": "Lò Thị Hương",
        "nu_ngay_sinh": "17/05/1990",
        "nu_dan_toc": "Thái",
        "nu_quoc_tich": "Việt Nam",
        "nu_so_dinh_danh": "014190001234",
        "nu_lan_ket_hon": "1",
        "nam_ho_ten": "Cầm Văn Nam",
        "nam_ngay_sinh": "02/03/1988",
        "nam_dan_toc": "Thái",
        "nam_quoc_tich": "Việt Nam",
        "nam_so_dinh_danh": "014088005678",
        "nam_lan_ket_hon": "1",
    }.items():
        page.fill(f"#ef-{key}", value)
    page.check("#ef-cam_doan")
    marriage = ProcedureVersion.objects.in_force_at().get(procedure__code="1.000894")
    reusable = marriage.documents.get(reusable=True)
    page.select_option(f"#stored-{reusable.pk}", str(stored.pk))
    for field in page.locator("input[type=file]").all():
        name = field.get_attribute("name")
        if name != f"file-{reusable.pk}":
            field.set_input_files(pdf("tờ khai kết hôn.pdf"))
    page.click("button:has-text('Lưu nháp')")
    assert page.locator("#missing").count() == 0, page.inner_text("#missing")
    page.click("#submit")
    expect(page.locator("#status")).to_have_text("Chờ tiếp nhận")
    second = Dossier.objects.filter(applicant_user=citizen).exclude(pk=first.pk).get()

    # the desk sees the stored result, verified, and receives
    staff = Client()
    staff.force_login(world.receptionist)
    detail = staff.get(f"/api/v1/dossiers/{second.pk}").json()
    line = next(d for d in detail["documents"] if d["stored_document"])
    assert line["stored_document"] == stored.pk and "Chữ ký số hợp lệ" in line["reuse_check"]
    act(world.receptionist, second.pk, "receive")

    # 6. the 766 indicators count both
    office = Client()
    office.force_login(world.reform_officer)
    today = timezone.localdate()
    body = office.get(
        "/api/v1/reports/service-index",
        {"period": "month", "year": today.year, "number": today.month},
    ).json()
    agency = next(row for row in body["agencies"] if row["agency"] == world.commune_pc.name)
    measures = {i["code"]: i for i in agency["indicators"]}
    assert (measures["reused"]["numerator"], measures["reused"]["denominator"]) == (1, 1)
    electronic = measures["electronic_result"]
    assert (electronic["numerator"], electronic["denominator"]) == (1, 1)
    assert measures["digitised"]["numerator"] == measures["digitised"]["denominator"] == 2
