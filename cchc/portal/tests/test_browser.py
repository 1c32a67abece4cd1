"""On a phone: a citizen registers, finds a procedure, submits online, answers a supplement
request, follows the dossier and rates it once returned."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from cchc.accounts.models import User
from cchc.dossiers import services as ds
from cchc.dossiers.models import Dossier, Notification
from cchc.dossiers.testing import PDF_BYTES, build_world, walk_to_result

pytestmark = [pytest.mark.browser]


@pytest.fixture
def world(reference_data):
    return build_world()


def pdf(name):
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF_BYTES}


def test_citizen_journey_on_a_phone(browser_page, live_server, world):
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    url = live_server.url
    page.goto(f"{url}/")
    page.click("text=Đăng ký")
    page.fill("#full_name", "Lò Thị Hương")
    page.fill("#id_number", "014190001234")
    page.fill("#contact", "huong@example.org")
    page.fill("#password", "Mat-khau-Dan-2026")
    page.click("button:has-text('Đăng ký')")
    user = User.objects.get(username="huong@example.org")
    code = re.search(r"\b(\d{6})\b", Notification.objects.filter(user=user).last().body).group(1)
    page.fill("#code", code)
    page.click("button:has-text('Xác thực')")
    expect(page.locator("text=Tài khoản đã được xác thực.")).to_be_visible()

    page.click("nav >> text=Thủ tục")
    page.fill("input[name=q]", "xac nhan tinh trang hon nhan")
    page.click("button:has-text('Lọc')")
    page.click("text=Cấp Giấy xác nhận tình trạng hôn nhân")
    page.click("text=Nộp hồ sơ trực tuyến")
    page.fill("#birth_date", "17/05/1990")
    page.fill("#phone", "0912345678")
    page.fill("#address", "Bản Hẹo")
    page.select_option("#area", label=world.commune.name)
    # the declaration (tờ khai XNTTHN): name and ID number come from the account
    assert page.input_value("#ef-yc_ho_ten") == "Lò Thị Hương"
    assert page.input_value("#ef-yc_so_dinh_danh") == "014190001234"
    page.fill("#ef-yc_quan_he", "Bản thân")
    page.fill("#ef-ngay_sinh", "17/05/1990")
    page.select_option("#ef-gioi_tinh", "Nữ")
    page.select_option("#ef-tinh_trang", "Chưa đăng ký kết hôn với ai")
    page.fill("#ef-muc_dich", "Bổ sung hồ sơ xin việc")
    page.check("#ef-cam_doan")
    for i, field in enumerate(page.locator("input[type=file]").all()):
        field.set_input_files(pdf(f"giấy tờ {i}.pdf"))
    page.click("button:has-text('Lưu nháp')")
    expect(page.locator("text=Đã lưu bản nháp.")).to_be_visible()
    assert page.locator("#missing").count() == 0, page.inner_text("#missing")
    page.click("#submit")
    expect(page.locator("#status")).to_have_text("Chờ tiếp nhận")
    d = Dossier.objects.get()

    doc = d.procedure_version.documents.first()
    ds.request_completion(
        d,
        items=[ds.SupplementItem(doc.pk, "Ảnh mờ")],
        reason="Bản quét mờ",
        actor=world.receptionist,
    )
    page.reload()
    expect(page.locator("p.small", has_text="Bản quét mờ")).to_be_visible()
    page.set_input_files(f"#sup-{doc.pk}", pdf("tờ khai rõ.pdf"))
    page.click("#send-supplement")
    expect(page.locator("#status")).to_have_text("Chờ tiếp nhận")

    d = walk_to_result(world, ds.receive(Dossier.objects.get(), actor=world.receptionist))
    d = ds.notify_early(d, actor=world.receptionist)
    d = ds.sign_result(d, actor=world.leader)  # the leader signs; then it goes electronically
    ds.return_result(d, actor=world.receptionist, method="electronic")
    page.reload()
    expect(page.locator("#status")).to_have_text("Đã trả kết quả")
    for criterion in page.locator("fieldset legend").all():
        criterion.locator("xpath=..").locator("label:has-text('Hài lòng')").first.click()
    page.click("#rate")
    expect(page.locator("text=Cảm ơn bạn đã đánh giá.")).to_be_visible()
    assert Dossier.objects.get().rating.satisfied
