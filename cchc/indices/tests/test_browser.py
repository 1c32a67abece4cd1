"""In Chromium: the department self-scores with an evidence upload and its leader submits;
the council accepts one criterion and adjusts another with a reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cchc.dossiers.testing import PDF_BYTES, build_world
from cchc.indices import services as s
from cchc.indices.models import Assessment

from .test_assessments import small_framework

pytestmark = [pytest.mark.browser]

PASSWORD = "mat-khau-Thu-1"


def login(page, url, username):
    page.goto(f"{url}/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def test_self_assessment_with_evidence_and_appraisal(browser_page, live_server, reference_data):
    world = build_world()
    f = small_framework(world)
    f.self_deadline = timezone.localdate() + dt.timedelta(days=7)
    f.save()
    s.publish(f, actor=world.reform_officer)
    a = Assessment.objects.get(framework=f, agency=world.department)
    k11 = a.scores.get(criterion__code="1.1")
    k12 = a.scores.get(criterion__code="1.2")
    page = browser_page

    login(page, live_server.url, world.dept_specialist.username)
    page.click("nav >> text=Chỉ số CCHC")
    page.click("#my-assessments >> text=Sở Xây dựng")
    page.fill(f"#v-{k11.pk}", "2,5")
    page.fill(f"#n-{k11.pk}", "Kế hoạch ban hành ngày 20/12")
    page.click("#c-1\\.1 >> text=Lưu")
    expect(page.locator(".alert-success")).to_contain_text("Đã lưu điểm tự chấm tiêu chí 1.1")
    page.set_input_files(
        f"#f-{k11.pk}",
        files=[{"name": "ke-hoach-cchc.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}],
    )
    page.click("#c-1\\.1 >> text=Thêm tài liệu kiểm chứng")
    expect(page.locator("#c-1\\.1 .evidence")).to_contain_text("ke-hoach-cchc.pdf")
    page.fill(f"#v-{k12.pk}", "5")  # above the 3.5 maximum
    page.click("#c-1\\.2 >> text=Lưu")
    expect(page.locator(".alert-danger")).to_contain_text("phải từ 0 đến 3,5")
    expect(page.locator(f"#v-{k12.pk}")).to_have_value("5")
    page.fill(f"#v-{k12.pk}", "3")
    page.click("#c-1\\.2 >> text=Lưu")
    expect(page.locator("#totals")).to_contain_text("5,5")
    page.click("#account")
    page.click("text=Đăng xuất")

    login(page, live_server.url, world.dept_leader.username)
    page.goto(f"{live_server.url}/chi-so/danh-gia/{a.pk}/")
    page.click("#submit-assessment")
    expect(page.locator("#status")).to_contain_text("Đã gửi hội đồng")
    page.click("#account")
    page.click("text=Đăng xuất")

    login(page, live_server.url, world.reform_officer.username)
    page.goto(f"{live_server.url}/chi-so/danh-gia/{a.pk}/")
    page.click("#c-1\\.1 >> text=Ghi ý kiến")
    expect(page.locator("#c-1\\.1 .final")).to_have_text("2,50")
    page.select_option(f"#d-{k12.pk}", "adjusted")
    page.fill(f"#a-{k12.pk}", "2")
    page.click("#c-1\\.2 >> text=Ghi ý kiến")
    expect(page.locator(".alert-danger")).to_contain_text("Cần ghi lý do điều chỉnh")
    expect(page.locator(f"#a-{k12.pk}")).to_have_value("2")
    page.fill(f"#r-{k12.pk}", "Thiếu báo cáo quý III")
    page.click("#c-1\\.2 >> text=Ghi ý kiến")
    expect(page.locator("#c-1\\.2")).to_contain_text("Thiếu báo cáo quý III")
    expect(page.locator("#final-total")).to_have_text("4,50")
