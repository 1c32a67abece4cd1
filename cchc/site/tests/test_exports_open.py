"""Every file an official downloads, opened as they would open it: `.docx` and `.xlsx` through
LibreOffice (converted to PDF headless), PDFs as they are. Each must be A4, on a bounded number
of pages, with its header row, without "E+" figures or an unfilled "…" placeholder."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from cchc.dossiers.testing import walk_to_result
from cchc.indices.tests.test_assessments import finalised_pair
from cchc.reform_plans import reporting as r
from cchc.reform_plans.testing import plan_with_department_task
from cchc.site.testing import open_in_libreoffice

pytestmark = pytest.mark.django_db

A4 = (595.3, 841.9)  # points


def as_pdf(data: bytes, suffix: str, tmp_path: Path) -> bytes:
    """The file as LibreOffice prints it (PDFs pass through)."""
    return data if suffix == "pdf" else open_in_libreoffice(data, suffix, tmp_path)


def check(data: bytes, suffix: str, tmp_path: Path, *, must: list[str], pages: int) -> str:
    reader = PdfReader(io.BytesIO(as_pdf(data, suffix, tmp_path)))
    for number, page in enumerate(reader.pages, start=1):
        size = sorted((float(page.mediabox.width), float(page.mediabox.height)))
        assert size == pytest.approx(sorted(A4), abs=2), f"page {number} is not A4: {size}"
    assert 1 <= len(reader.pages) <= pages, f"{len(reader.pages)} pages"
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    flat = re.sub(r"\s+", " ", text)
    assert not re.search(r"\d[.,]?\d*E\+\d", flat), "a figure printed as E+"
    assert "…" not in flat, "an unfilled placeholder"
    for words in must:
        assert words in flat, f"{words!r} missing"
    return flat


def test_the_settlement_report_in_each_format(client, world, tmp_path):
    d = world.received(moment="2026-11-23 09:00")
    walk_to_result(world, d)
    client.force_login(world.reform_officer)
    for fmt, pages in (("xlsx", 6), ("docx", 6), ("pdf", 6)):
        response = client.get(
            "/bao-cao/giai-quyet-tthc/",
            {"period": "month", "year": "2026", "number": "11", "format": fmt},
        )
        assert response.status_code == 200, fmt
        check(
            response.content,
            fmt,
            tmp_path / fmt,
            must=["BÁO CÁO TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT", "Tỷ lệ đúng hạn"],
            pages=pages,
        )


def test_the_dossier_register(client, world, tmp_path):
    world.received(moment="2026-11-23 09:00")
    world.received(code="1.001193", moment="2026-11-24 09:00")
    client.force_login(world.supervisor)
    response = client.get("/ho-so/so-theo-doi/", {"format": "xlsx"})
    text = check(
        response.content, "xlsx", tmp_path, must=["SỔ THEO DÕI HỒ SƠ", "Mã hồ sơ"], pages=4
    )
    assert "Từ ngày" in text


def test_the_catalog_export(client, world, tmp_path):
    client.force_login(world.reform_officer)
    response = client.get("/thu-tuc/xuat/xlsx/")
    check(response.content, "xlsx", tmp_path, must=["Mã thủ tục"], pages=80)


def test_the_plan_and_its_periodic_report(client, world, tmp_path):
    plan, _task = plan_with_department_task(world)
    q2 = r.open_periods(plan)[1]
    client.force_login(world.reform_officer)
    sheet = client.get(f"/ke-hoach/{plan.pk}/nhiem-vu.xlsx")
    check(sheet.content, "xlsx", tmp_path / "plan", must=["Chuẩn hóa quy trình"], pages=10)
    report = client.get(f"/ke-hoach/{plan.pk}/ky/{q2.pk}/bao-cao.docx")
    text = check(
        report.content,
        "docx",
        tmp_path / "report",
        must=["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU", "100%"],
        pages=10,
    )
    assert "(Ký, ghi rõ họ tên và đóng dấu)" in text  # the signature block


def test_the_reform_index_results(client, world, tmp_path):
    _last, this = finalised_pair(world)
    client.force_login(world.reform_officer)
    for fmt in ("xlsx", "docx"):
        response = client.get(f"/chi-so/bo-chi-so/{this.pk}/ket-qua.{fmt}")
        assert response.status_code == 200, fmt
        check(response.content, fmt, tmp_path / fmt, must=[world.department.name], pages=6)
