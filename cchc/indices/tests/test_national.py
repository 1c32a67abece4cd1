"""National indices' published results (issue 7): import from .csv / .xlsx, all or nothing,
Sơn La's trend and rank, components year to year."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from cchc.indices import national as nat
from cchc.indices.models import NationalResult

HEADER = "Chỉ số,Năm,Mã tỉnh,Tỉnh,Điểm,Xếp hạng,Số tỉnh,Nhóm,Nguồn,Ghi chú"


def test_sonla_published_results_are_loaded_with_their_source(db):
    par = NationalResult.objects.filter(index__code="par-index", province_code="14").order_by(
        "year"
    )
    assert [(r.year, r.score, r.rank) for r in par] == [
        (2021, Decimal("87.62"), 15),
        (2022, Decimal("86.78"), 13),
        (2023, Decimal("88.66"), 13),
        (2024, Decimal("90.02"), 12),
    ]
    assert all(r.source for r in par)
    assert "Suy ra" in par[2].note  # the derived 2023 figure says so
    y2024 = par[3]
    assert {c.name: (c.score, c.max_score) for c in y2024.components.all()}[
        "Thủ tục hành chính"
    ] == (Decimal("12.75"), Decimal("13"))
    sipas_2018 = NationalResult.objects.get(index__code="sipas", year=2018)
    assert sipas_2018.score is None and sipas_2018.rank == 1


def test_csv_import_replaces_rows_and_compares_components(db):
    content = (
        f"{HEADER},Công khai minh bạch [10],Kiểm soát tham nhũng [10]\n"
        "PAPI,2022,14,Sơn La,41.2,40,63,,UNDP — PAPI 2022,,5.1,6.0\n"
        "PAPI,2023,14,Sơn La,42.0,35,63,,UNDP — PAPI 2023,,5.5,5.8\n"
        "PAPI,2023,01,Hà Nội,44.1,10,63,,UNDP — PAPI 2023,,6.2,6.1\n"
    ).encode()
    result = nat.import_results(content, "papi.csv", actor=None)
    assert (result.created, result.updated, result.errors) == (3, 0, [])
    trend = next(t for t in nat.trends("14") if t.index.code == "papi")
    years, rows = nat.component_table(trend.results)
    assert years == [2022, 2023]
    public = next(r for r in rows if r["name"] == "Công khai minh bạch")
    assert [v["change"] for v in public["values"]] == [None, Decimal("0.4")]
    assert [r.province_code for r in nat.ranking(trend.index, 2023)] == ["01", "14"]
    # a corrected file replaces the row, with its components
    fixed = (
        f"{HEADER},Công khai minh bạch [10]\n"
        "PAPI,2023,14,Sơn La,42.5,33,63,,UNDP (đính chính),,5.6\n"
    )
    result = nat.import_results(fixed.encode(), "papi.csv", actor=None)
    assert (result.created, result.updated) == (0, 1)
    row = NationalResult.objects.get(index__code="papi", year=2023, province_code="14")
    assert (row.score, row.rank, row.source) == (Decimal("42.5"), 33, "UNDP (đính chính)")
    assert [c.name for c in row.components.all()] == ["Công khai minh bạch"]


def test_a_file_with_errors_imports_nothing_and_names_each_cell(db):
    before = NationalResult.objects.count()
    content = (
        f"{HEADER},Thủ tục hành chính [13]\n"
        "PAR INDEX,2025,14,Sơn La,91.0,10,63,A,Bộ Nội vụ,,12.9\n"
        "XYZ,2025,01,Hà Nội,90,1,63,,Bộ Nội vụ,,12\n"
        "PAR INDEX,20x5,02,Hà Giang,abc,70,63,,,,14\n"
    ).encode()
    result = nat.import_results(content, "par.csv", actor=None)
    problems = {(e["row"], e["column"]) for e in result.errors}
    assert (3, "Chỉ số") in problems
    assert {(4, "Năm"), (4, "Điểm"), (4, "Xếp hạng"), (4, "Nguồn")} <= problems
    assert (4, "Thủ tục hành chính [13]") in problems  # 14 above the maximum 13
    assert NationalResult.objects.count() == before


def test_xlsx_import_and_bad_files(db):
    wb = Workbook()
    ws = wb.active
    ws.append([*HEADER.split(","), "Tác động [16.5]"])
    ws.append(["SIPAS", 2023, "14", "Sơn La", "85,5%", 9, 63, "", "Bộ Nội vụ", "", 14.1])
    out = io.BytesIO()
    wb.save(out)
    result = nat.import_results(out.getvalue(), "sipas.xlsx", actor=None)
    assert result.errors == [] and result.created == 1
    assert NationalResult.objects.get(index__code="sipas", year=2023).score == Decimal("85.5")
    from cchc.indices.services import IndicesError

    for content, name, code in (
        (b"not a workbook", "x.xlsx", "bad_file"),
        (b"a,b\n1,2\n", "x.csv", "bad_layout"),
        (b"\xff\xfe\x00", "x.csv", "bad_encoding"),
        (b"x", "x.pdf", "bad_file"),
    ):
        with pytest.raises(IndicesError) as e:
            nat.import_results(content, name, actor=None)
        assert e.value.code == code
