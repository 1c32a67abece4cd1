"""In Chromium: the lead agency files a quarterly report with evidence; the reform office
returns it, the agency files a corrected version, the office accepts it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cchc.dossiers.testing import PDF_BYTES, build_world
from cchc.reform_plans import reporting as r
from cchc.reform_plans.testing import plan_with_department_task

pytestmark = [pytest.mark.browser]

PASSWORD = "mat-khau-Thu-1"


@pytest.fixture
def plan_task(reference_data):
    world = build_world()
    plan, task = plan_with_department_task(world)
    r.open_periods(plan)
    return world, plan, task


def login(page, url, username):
    page.goto(f"{url}/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def test_filing_and_reviewing_a_quarterly_report(browser_page, live_server, plan_task):
    world, plan, task = plan_task
    page = browser_page
    q3 = plan.periods.get(kind="quarter", number=3)
    task_url = f"{live_server.url}/ke-hoach/{plan.pk}/ky/{q3.pk}/nhiem-vu/{task.pk}/"
    login(page, live_server.url, world.dept_specialist.username)
    page.click("nav >> text=Kế hoạch CCHC")
    page.click("text=Kế hoạch cải cách hành chính năm 2019 của tỉnh Sơn La")
    page.click("#periods >> text=Quý 3/2019")
    page.click("text=Chuẩn hóa quy trình nội bộ")
    page.select_option("#progress", "in_progress")
    page.fill("#percent", "60")
    page.fill("#narrative", "Đã chuẩn hóa 8/12 quy trình")
    page.click("#save-report")
    expect(page.locator(".alert-success")).to_contain_text("Đã lưu dự thảo")
    page.set_input_files(
        "#evidence",
        files=[{"name": "bien-ban.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}],
    )
    page.click("text=Thêm minh chứng")
    expect(page.locator("#current-report")).to_contain_text("bien-ban.pdf")
    page.click("#file-report")
    expect(page.locator("#current-report")).to_contain_text("Đã gửi")
    page.click("#account")
    page.click("text=Đăng xuất")

    login(page, live_server.url, world.reform_officer.username)
    page.goto(task_url)
    page.fill("#comment", "Nêu rõ 4 quy trình còn lại")
    page.click("text=Trả lại để bổ sung")
    expect(page.locator("#current-report")).to_contain_text("Nêu rõ 4 quy trình còn lại")
    page.click("#account")
    page.click("text=Đăng xuất")

    login(page, live_server.url, world.dept_specialist.username)
    page.goto(task_url)
    page.select_option("#progress", "done_on_time")
    page.fill("#percent", "100")
    page.fill("#narrative", "Đã chuẩn hóa 12/12 quy trình")
    page.click("#save-report")
    page.click("#file-report")
    page.click("#account")
    page.click("text=Đăng xuất")

    login(page, live_server.url, world.reform_officer.username)
    page.goto(task_url)
    page.click("#review-form >> text=Chấp nhận")
    expect(page.locator("#current-report")).to_contain_text("Đã chấp nhận")
    expect(page.locator("text=Đã thay bằng phiên bản sau")).to_have_count(1)
