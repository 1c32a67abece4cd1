"""The national indices' published results (PAR INDEX, PCI, PAPI, SIPAS) for any province and
year, imported from `.csv` or `.xlsx` (issue 7).

Layout: a header row, then one row per province and year —
`Chỉ số | Năm | Mã tỉnh | Tỉnh | Điểm | Xếp hạng | Số tỉnh | Nhóm | Nguồn | Ghi chú`, followed by
one column per component the index publishes, headed `Tên thành phần [điểm tối đa]` (the
maximum is optional). The import is all or nothing; a row already present for the same index,
year and province is replaced, with its components.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cchc.core.audit import log_action
from cchc.core.params import as_int
from cchc.core.text import fold

from .models import NationalComponent, NationalIndex, NationalResult
from .services import IndicesError

COLUMNS = [
    "Chỉ số",
    "Năm",
    "Mã tỉnh",
    "Tỉnh",
    "Điểm",
    "Xếp hạng",
    "Số tỉnh",
    "Nhóm",
    "Nguồn",
    "Ghi chú",
]
INDICES = [
    ("par-index", "Chỉ số cải cách hành chính (PAR INDEX)", "Bộ Nội vụ", "%"),
    ("sipas", "Chỉ số hài lòng về sự phục vụ hành chính (SIPAS)", "Bộ Nội vụ", "%"),
    ("pci", "Chỉ số năng lực cạnh tranh cấp tỉnh (PCI)", "VCCI", "điểm"),
    ("papi", "Chỉ số hiệu quả quản trị và hành chính công cấp tỉnh (PAPI)", "UNDP", "điểm"),
]
COMPONENT = re.compile(r"^(?P<name>.+?)\s*(\[(?P<max>[\d.,]+)\])?$")


def ensure_indices() -> None:
    for code, name, publisher, unit in INDICES:
        NationalIndex.objects.get_or_create(
            code=code, defaults={"name": name, "publisher": publisher, "unit": unit}
        )


def _index_lookup() -> dict[str, NationalIndex]:
    out = {}
    for index in NationalIndex.objects.all():
        out[fold(index.code)] = index
        out[fold(index.code.replace("-", " "))] = index
        out[fold(index.name)] = index
        match = re.search(r"\(([^)]+)\)", index.name)
        if match:
            out[fold(match.group(1))] = index
    return out


def read_rows(content: bytes, filename: str) -> list[list[str]]:
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        except Exception as exc:  # openpyxl raises many kinds on a file that is not xlsx
            raise IndicesError(
                "bad_file", _("Tệp không phải bảng tính Excel (.xlsx) hợp lệ.")
            ) from exc
        return [
            ["" if v is None else str(v).strip() for v in row]
            for row in sheet.iter_rows(values_only=True)
        ]
    if filename.lower().endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise IndicesError("bad_encoding", _("Tệp CSV phải mã hóa UTF-8.")) from None
        dialect = csv.Sniffer().sniff(text[:2000], delimiters=",;\t") if text.strip() else None
        return [
            [c.strip() for c in row] for row in csv.reader(io.StringIO(text), dialect or csv.excel)
        ]
    raise IndicesError("bad_file", _("Chỉ nhận tệp .csv hoặc .xlsx."))


def _decimal(text: str) -> Decimal:
    cleaned = text.replace("%", "").replace(" ", "").replace(",", ".")
    value = Decimal(cleaned)
    if not value.is_finite():
        raise InvalidOperation
    return value


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)


def import_results(content: bytes, filename: str, *, actor: Any) -> ImportResult:
    ensure_indices()
    rows = read_rows(content, filename)
    result = ImportResult()
    while rows and not any(rows[0]):
        rows.pop(0)
    if not rows:
        raise IndicesError("empty", _("Tệp không có dữ liệu."))
    header = rows[0]
    if [fold(h) for h in header[: len(COLUMNS)]] != [fold(c) for c in COLUMNS]:
        raise IndicesError(
            "bad_layout",
            _("Dòng tiêu đề phải là: %(cols)s | các chỉ số thành phần.")
            % {"cols": " | ".join(COLUMNS)},
        )
    components: list[tuple[int, str, Decimal | None]] = []
    for position, title in enumerate(header[len(COLUMNS) :], start=len(COLUMNS)):
        if not title:
            continue
        match = COMPONENT.match(title)
        assert match is not None
        top = None
        if match.group("max"):
            try:
                top = _decimal(match.group("max"))
            except InvalidOperation:
                result.errors.append(
                    {"row": 1, "column": title, "message": _("Điểm tối đa không phải là số.")}
                )
        components.append((position, match.group("name").strip(), top))
    lookup = _index_lookup()
    parsed = []
    seen: set[tuple[int, int, str]] = set()
    for number, raw in enumerate(rows[1:], start=2):
        cells = raw + [""] * (len(header) - len(raw))
        if not any(cells):
            continue
        code, year, province_code, province, score, rank, rank_of, group, source, note = cells[
            : len(COLUMNS)
        ]

        def error(column: str, message: str, number: int = number) -> None:
            result.errors.append({"row": number, "column": column, "message": message})

        index = lookup.get(fold(code))
        if index is None:
            error(
                "Chỉ số", _("Không có chỉ số “%(c)s” (PAR INDEX, SIPAS, PCI, PAPI).") % {"c": code}
            )
        if as_int(year, lo=2000, hi=2100) is None:
            error("Năm", _("Năm “%(y)s” không hợp lệ.") % {"y": year})
        if not province_code or not province:
            error("Mã tỉnh", _("Cần mã và tên tỉnh, thành phố."))
        values: dict[str, Any] = {}
        for column, text, name in (
            (4, score, "Điểm"),
            (5, rank, "Xếp hạng"),
            (6, rank_of, "Số tỉnh"),
        ):
            if not text:
                values[name] = None
                continue
            try:
                values[name] = _decimal(text) if column == 4 else int(_decimal(text))
            except (InvalidOperation, ValueError):
                error(name, _("“%(t)s” không phải là số.") % {"t": text})
        if (
            values.get("Xếp hạng")
            and values.get("Số tỉnh")
            and values["Xếp hạng"] > values["Số tỉnh"]
        ):
            error("Xếp hạng", _("Thứ hạng lớn hơn số tỉnh được xếp hạng."))
        if values.get("Điểm") is None and values.get("Xếp hạng") is None:
            error("Điểm", _("Cần ít nhất điểm hoặc thứ hạng."))
        if not source:
            error("Nguồn", _("Cần ghi nguồn công bố."))
        parts = []
        for position, name, top in components:
            text = cells[position] if position < len(cells) else ""
            if not text:
                continue
            try:
                value = _decimal(text)
            except InvalidOperation:
                error(header[position], _("“%(t)s” không phải là số.") % {"t": text})
                continue
            if top is not None and value > top:
                error(
                    header[position],
                    _("%(v)s lớn hơn điểm tối đa %(m)s.") % {"v": value, "m": top},
                )
            parts.append((name, value, top))
        if index is not None and as_int(year) is not None:
            key = (index.pk, int(year), province_code)
            if key in seen:
                error("Mã tỉnh", _("Dòng lặp lại (cùng chỉ số, năm và tỉnh)."))
            seen.add(key)
        parsed.append((index, year, province_code, province, values, group, source, note, parts))
    if not parsed and not result.errors:
        result.errors.append({"row": 2, "column": "Chỉ số", "message": _("Tệp không có dòng nào.")})
    if result.errors:
        return result
    with transaction.atomic():
        for index, year, province_code, province, values, group, source, note, parts in parsed:
            row, created = NationalResult.objects.update_or_create(
                index=index,
                year=int(year),
                province_code=province_code,
                defaults={
                    "province_name": province,
                    "score": values.get("Điểm"),
                    "rank": values.get("Xếp hạng"),
                    "rank_of": values.get("Số tỉnh"),
                    "group": group,
                    "source": source,
                    "note": note,
                    "imported_by": actor if getattr(actor, "pk", None) else None,
                },
            )
            row.components.all().delete()
            NationalComponent.objects.bulk_create(
                [
                    NationalComponent(result=row, order=i, name=n, score=v, max_score=t)
                    for i, (n, v, t) in enumerate(parts, start=1)
                ]
            )
            result.created += int(created)
            result.updated += int(not created)
        for index in {p[0].pk: p[0] for p in parsed}.values():
            log_action(
                index,
                "national.import",
                actor=actor,
                after={
                    "file": filename,
                    "rows": sum(1 for p in parsed if p[0].pk == index.pk),
                },
            )
    return result


@dataclass
class Trend:
    index: NationalIndex
    results: list[NationalResult]

    @property
    def latest(self) -> NationalResult | None:
        return self.results[-1] if self.results else None


def trends(province_code: str) -> list[Trend]:
    """Each index's results for one province, oldest first, with their components."""
    out = []
    for index in NationalIndex.objects.all():
        rows = list(
            index.results.filter(province_code=province_code)
            .order_by("year")
            .prefetch_related("components")
        )
        out.append(Trend(index, rows))
    return out


def component_table(results: list[NationalResult]) -> tuple[list[int], list[dict[str, Any]]]:
    """Components by name across years, with the change from the year before."""
    years = [r.year for r in results]
    names: list[str] = []
    cells: dict[str, dict[int, NationalComponent]] = {}
    for r in results:
        for comp in r.components.all():
            if comp.name not in cells:
                names.append(comp.name)
                cells[comp.name] = {}
            cells[comp.name][r.year] = comp
    rows = []
    for name in names:
        values = []
        previous = None
        for year in years:
            comp = cells[name].get(year)
            change = comp.score - previous if comp is not None and previous is not None else None
            values.append({"component": comp, "change": change})
            previous = comp.score if comp is not None else None
        rows.append({"name": name, "values": values})
    return years, rows


def ranking(index: NationalIndex, year: int) -> list[NationalResult]:
    return list(index.results.filter(year=year).order_by("rank", "-score", "province_name"))
