"""Browser tests in Debian's Chromium: log in, search without diacritics, compute a due date."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def staff(reference_data, django_user_model):
    from cchc.accounts.constants import Role
    from cchc.accounts.models import Membership
    from cchc.organizations.models import Agency

    user = django_user_model.objects.create_user(
        "canbo", password="mat-khau-Can-bo-1", full_name="Cán bộ"
    )
    agency = Agency.objects.get(name="Sở Xây dựng")  # an official has an assignment
    Membership.objects.create(user=user, agency=agency, role=Role.SPECIALIST)
    return user


def login(page, live_server):
    page.goto(f"{live_server.url}/dang-nhap/")
    page.fill("#id_username", "canbo")
    page.fill("#id_password", "mat-khau-Can-bo-1")
    page.click("button[type=submit]")
    page.wait_for_selector("#my-work")  # the officer's own work first


def test_officer_finds_a_procedure_typed_without_diacritics(browser_page, live_server, staff):
    page = browser_page
    login(page, live_server)
    page.click("#catalogs")  # the menu's catalogs
    page.click(".dropdown-menu >> text=Thủ tục hành chính")
    page.fill("#q", "giay phep ban le ruou")  # htmx filters as the officer types
    expect(page.locator("#procedures tbody tr")).to_have_count(1)
    assert "giay+phep" in page.url or "giay%20phep" in page.url  # the search stays bookmarkable
    page.click("text=Cấp Giấy phép bán lẻ rượu")
    assert page.locator("h1").inner_text().startswith("Cấp Giấy phép bán lẻ rượu")


def test_officer_computes_a_due_date_across_tet(browser_page, live_server, staff):
    page = browser_page
    login(page, live_server)
    page.click("#catalogs")
    page.click(".dropdown-menu >> text=Tính hạn")
    page.fill("#id_start", "01/02/2019 09:00")
    page.fill("#id_amount", "3")
    page.click("form button[type=submit]")
    assert "09:00 13/02/2019" in page.locator(".alert-success").inner_text()
    assert page.locator("text=Tết Nguyên Đán").count() >= 1
