"""The report page and its files: .xlsx with merged headers, .docx with the national heading,
PDF — each checked for the same numbers as the page."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from cchc.dossiers import services as ds
from cchc.dossiers.testing import at, walk_to_result
from cchc.reports import periods
from cchc.reports.stats import settlement_report

pytestmark = pytest.mark.django_db

PARAMS = {"period": "month", "year": "2026", "number": "11", "group": "agency"}


@pytest.fixture
def month_of_work(world):
    d = walk_to_result(world, world.received(moment="2026-11-02 09:00"))
    ds.return_result(
        d, actor=world.receptionist, returned_to="Lò Thị Hương", at=at("2026-11-05 09:00")
    )
    world.received(moment="2026-11-10 09:00", channel="online")
    world.received(moment="2026-11-12 09:00")
    return settlement_report(periods.month(2026, 11))


def test_reform_officer_sees_the_province_and_a_desk_officer_only_their_desk(
    client, world, month_of_work
):
    client.force_login(world.reform_officer)
    html = client.get(reverse("reports:settlement"), PARAMS).content.decode()
    assert world.commune_pc.name in html and "Tháng 11/2026" in html
    client.force_login(world.other_receptionist)
    html = client.get(reverse("reports:settlement"), PARAMS).content.decode()
    assert world.commune_pc.name not in html


def test_bad_period_falls_back_with_a_message(client, world):
    client.force_login(world.reform_officer)
    response = client.get(
        reverse("reports:settlement"), {"period": "custom", "start": "31/02/2026"}
    )
    assert response.status_code == 200
    assert "Kỳ báo cáo không hợp lệ" in response.content.decode()


def test_xlsx_has_the_official_merged_header_and_the_same_numbers(client, world, month_of_work):
    client.force_login(world.reform_officer)
    response = client.get(reverse("reports:settlement"), {**PARAMS, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert "C5:G5" in merged and "H5:K5" in merged
    assert sheet["C5"].value == "Số hồ sơ nhận giải quyết"
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in sheet.cell(1, sheet.max_column - 7).value
    total = [c.value for c in sheet[sheet.max_row]]
    assert total[1] == "Tổng cộng"
    assert total[6] == month_of_work.total.cells["received"] == 3
    assert total[10] == month_of_work.total.cells["settled"] == 1


def test_docx_carries_the_national_heading_and_the_table(client, world, month_of_work):
    client.force_login(world.reform_officer)
    response = client.get(reverse("reports:settlement"), {**PARAMS, "format": "docx"})
    doc = Document(io.BytesIO(response.content))
    heading = doc.tables[0].rows[0].cells[1].text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in heading
    table = doc.tables[1]
    assert table.rows[0].cells[0].text == "Cơ quan giải quyết"
    assert table.rows[-1].cells[0].text == "Tổng cộng"
    assert table.rows[-1].cells[5].text == "3"


def test_pdf_has_the_title_and_totals(client, world, month_of_work):
    client.force_login(world.reform_officer)
    response = client.get(reverse("reports:settlement"), {**PARAMS, "format": "pdf"})
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages).split()
    )
    assert "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH" in text
    assert "Tháng 11/2026" in text and world.commune_pc.name in text


def test_files_open_in_libreoffice_where_installed(client, world, month_of_work, tmp_path):
    import shutil
    import subprocess

    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        pytest.skip(
            "LibreOffice is not installed; the files were checked with openpyxl and "
            "python-docx above"
        )
    client.force_login(world.reform_officer)
    for fmt in ("xlsx", "docx"):
        path = tmp_path / f"bao-cao.{fmt}"
        path.write_bytes(
            client.get(reverse("reports:settlement"), {**PARAMS, "format": fmt}).content
        )
        subprocess.run(
            [office, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
            check=True,
            capture_output=True,
            timeout=120,
        )
        assert (tmp_path / "bao-cao.pdf").stat().st_size > 1000


def test_api_gives_the_same_numbers_as_the_page(client, world, month_of_work):
    client.force_login(world.reform_officer)
    body = client.get("/api/v1/reports/settlement", PARAMS).json()
    assert body["period"] == "Tháng 11/2026"
    assert body["total"]["cells"] == month_of_work.total.cells
    assert client.get("/api/v1/reports/settlement", {"group": "nonsense"}).status_code == 422
    metrics = {m["code"]: m for m in client.get("/api/v1/reports/targets", PARAMS).json()}
    assert metrics["on_time"]["denominator"] == 1
