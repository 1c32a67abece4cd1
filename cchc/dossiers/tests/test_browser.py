"""In Chromium: a desk officer receives a dossier, the commune processes it, the desk returns it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cchc.accounts.constants import Role
from cchc.dossiers.models import Dossier
from cchc.dossiers.testing import build_world

pytestmark = [pytest.mark.browser]

PASSWORD = "mat-khau-Thu-1"


@pytest.fixture
def people(reference_data):
    world = build_world()
    officer = type(world.receptionist).objects.create_user(
        "canbo.xa", password=PASSWORD, full_name="Cán bộ UBND xã kiêm nhiệm"
    )
    for role in (Role.DIVISION_HEAD, Role.SPECIALIST, Role.AGENCY_LEADER, Role.CLERK):
        officer.memberships.create(agency=world.commune_pc, role=role)
    return world, officer


def login(page, url, username):
    page.goto(f"{url}/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def logout(page):
    page.click("#account")
    page.click("text=Đăng xuất")


def test_reception_processing_and_return_in_the_browser(browser_page, live_server, people):
    world, _officer = people
    page = browser_page
    login(page, live_server.url, "tiepnhan.a")
    page.click("nav >> text=Hồ sơ")
    page.click("text=Tiếp nhận hồ sơ")
    page.select_option("#version", label="1.004873 — Cấp Giấy xác nhận tình trạng hôn nhân")
    page.click('button:has-text("Tiếp tục")')
    page.fill("#id_name", "Lò Thị Hương")
    page.fill("#id_birth_date", "17/05/1990")
    page.fill("#id_id_number", "014190001234")
    page.fill("#id_phone", "0912345678")
    page.fill("#id_address", "Bản Hẹo")
    page.select_option("#id_area", label=world.commune.name)
    page.click("text=Tiếp nhận, cấp giấy hẹn")
    expect(page.locator("#dossier-status")).to_have_text("Đang giải quyết")
    code = page.locator("#dossier-code").inner_text()
    assert code.startswith(world.commune_pc.eid_code)
    expect(page.locator("text=Giấy tiếp nhận hồ sơ và hẹn trả kết quả")).to_be_visible()
    logout(page)

    login(page, live_server.url, "canbo.xa")
    page.click("nav >> text=Việc của tôi")
    page.click(f"text={code}")
    for _ in range(5):
        page.fill("#note", "Đồng ý")
        page.click("#complete-step")
        expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("#dossier-status")).to_have_text("Có kết quả, chờ trả")
    logout(page)

    login(page, live_server.url, "tiepnhan.a")
    page.goto(f"{live_server.url}/ho-so/{Dossier.objects.get(code=code).pk}/")
    page.click("text=Báo trả kết quả sớm")
    page.click("#return-result")
    expect(page.locator("#dossier-status")).to_have_text("Đã trả kết quả")
    d = Dossier.objects.get(code=code)
    assert d.status == "returned" and d.returned_to == "Lò Thị Hương"
    assert d.handovers.count() == 6
