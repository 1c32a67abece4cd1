"""The plan's annex in .xlsx: import, export, round trip, and errors that change nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from cchc.reform_plans import services as s
from cchc.reform_plans.models import Plan
from cchc.reform_plans.xlsx import HEADERS, export_plan, import_plan, parse_deadline

pytestmark = pytest.mark.django_db

ROWS = [
    [
        "I",
        "Cải cách thủ tục hành chính",
        "Cải cách thủ tục hành chính",
        "Văn phòng Ủy ban nhân dân tỉnh",
        "",
        "",
        "Cả năm",
        "",
        "",
    ],
    [
        "I.1",
        "Rà soát, đơn giản hóa thủ tục hành chính",
        "Cải cách thủ tục hành chính",
        "Sở Tư pháp",
        "Sở Nội vụ; Sở Tài chính",
        "Báo cáo rà soát",
        "Quý II",
        "Quyết định 3026/QĐ-UBND",
        "",
    ],
    [
        "I.2",
        "Công bố danh mục thủ tục giải quyết tại chỗ",
        "",
        "Văn phòng Ủy ban nhân dân tỉnh",
        "",
        "Quyết định công bố",
        "31/03/2026",
        "",
        "I.1",
    ],
    [
        "II",
        "Chính quyền điện tử",
        "chinh-quyen-dien-tu",
        "Sở Khoa học và Công nghệ",
        "",
        "",
        "Tháng 6",
        "",
        "",
    ],
]


def workbook(rows, title="Phụ lục"):
    wb = Workbook()
    ws = wb.active
    ws.append([title])
    ws.append(HEADERS)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def draft(world):
    sonla = Plan.objects.get(year=2019, decision_number="3026/QĐ-UBND")
    return s.copy_plan(sonla, year=2026, actor=world.reform_officer)


def test_deadlines_are_read_as_officials_write_them():
    assert parse_deadline("Quý IV") == ("quarter", 4, None)
    assert parse_deadline("quý 2") == ("quarter", 2, None)
    assert parse_deadline("Tháng 6") == ("month", 6, None)
    assert parse_deadline("31/03/2026") == ("date", None, dt.date(2026, 3, 31))
    assert parse_deadline("Cả năm") == ("year", None, None)
    assert parse_deadline("") == ("year", None, None)
    with pytest.raises(ValueError):
        parse_deadline("sớm nhất có thể")


def test_import_builds_the_hierarchy_with_due_dates(world, draft):
    result = import_plan(draft, workbook(ROWS), actor=world.reform_officer)
    assert result.errors == [] and result.created == 4
    tasks = {t.code: t for t in draft.tasks.all()}
    assert tasks["I.1"].parent == tasks["I"] and tasks["II"].parent is None
    assert {a.name for a in tasks["I.1"].co_agencies.all()} == {"Sở Nội vụ", "Sở Tài chính"}
    assert tasks["I.1"].due_date == dt.date(2026, 6, 30)  # Q2 ends Tuesday 30/06/2026
    assert tasks["II"].due_date == dt.date(2026, 6, 30)
    assert tasks["I.2"].due_date == dt.date(2026, 3, 31)
    assert list(tasks["I.2"].depends_on.all()) == [tasks["I.1"]]
    assert tasks["II"].area.code == "chinh-quyen-dien-tu"


def test_export_then_import_gives_back_the_same_annex(world, draft):
    import_plan(draft, workbook(ROWS), actor=world.reform_officer)
    first = export_plan(draft)
    other = s.copy_plan(draft, year=2027, actor=world.reform_officer)
    result = import_plan(other, first, actor=world.reform_officer)
    assert result.errors == []

    def rows(content):
        ws = load_workbook(io.BytesIO(content)).active
        return [list(r) for r in ws.iter_rows(min_row=3, values_only=True)]

    assert rows(export_plan(other)) == rows(first)
    assert rows(first)[0] == HEADERS
    # the written deadline comes back normalised ("Quý II" → "Quý 2"), the rest as typed
    assert rows(first)[2][:7] == [*ROWS[1][:6], "Quý 2"]


def test_a_file_with_errors_lists_them_and_changes_nothing(world, draft):
    before = list(draft.tasks.values_list("code", flat=True))
    bad = [
        ["1", "Nhiệm vụ trọng tâm", "", "Sở Không Tồn Tại", "", "", "Quý 5", "", ""],
        ["9.1", "Nhiệm vụ không có cha", "", "", "", "", "Cả năm", "", "7"],
        ["", "Thiếu mã", "", "", "", "", "", "", ""],
    ]
    result = import_plan(draft, workbook(bad), actor=world.reform_officer)
    found = {(e["row"], e["column"]) for e in result.errors}
    assert {
        (3, "Cơ quan chủ trì"),
        (3, "Thời hạn"),
        (4, "Mã"),
        (4, "Phụ thuộc"),
        (5, "Mã"),
    } <= found
    assert all(e["message"] for e in result.errors)
    assert list(draft.tasks.values_list("code", flat=True)) == before


def test_import_through_the_page_and_the_api(client, world, draft):
    client.force_login(world.reform_officer)
    upload = io.BytesIO(workbook(ROWS))
    upload.name = "phu-luc.xlsx"
    page = client.post(
        reverse("reform_plans:import", args=[draft.pk]), {"file": upload}, follow=True
    )
    assert "Đã nhập 4 nhiệm vụ" in page.content.decode()
    bad = io.BytesIO(b"not a spreadsheet")
    bad.name = "x.xlsx"
    response = client.post(f"/api/v1/plans/{draft.pk}/import", {"file": bad})
    assert response.status_code == 422 and response.json()["code"] == "bad_file"
    exported = client.get(reverse("reform_plans:xlsx", args=[draft.pk]))
    assert exported.status_code == 200 and exported.content[:2] == b"PK"
    client.force_login(world.specialist)  # officials read, only the office imports
    upload.seek(0)
    assert (
        client.post(reverse("reform_plans:import", args=[draft.pk]), {"file": upload}).status_code
        == 404
    )
    api = client.post(f"/api/v1/plans/{draft.pk}/import", {"file": upload})
    assert api.status_code == 403
