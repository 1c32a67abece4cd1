"""The national administrative-procedure database's record (CSDL TTHC; the portal's `LayThuTuc`
answer) read onto the catalog's own record (`exchange.py`), in one table (`MAPPING`).

The record's keys are those the national portal's sharing API returns for a procedure:
`MATTHC`, `TENTTHC`, `LINHVUCTHUCHIEN[{MALINHVUC, TENLINHVUC}]`, `CAPTHUCHIEN[…]`,
`CACHTHUCTHUCHIEN[{KENH, THOIGIAN[{THOIGIANGIAIQUYET, DONVITINH, MOTA, PHILEPHI[{MAPHILEPHI,
SOTIEN, DONVI, MOTA}]}]}]` (channel 1 in person, 2 online, 3 public postal service),
`THANHPHANHOSO[{TRUONGHOP, GIAYTO[{MAGIAYTO, TENGIAYTO, SOBANCHINH, SOBANSAO, TENMAUDON,
URL}]}]`, `YEUCAU`, `KETQUATHUCHIEN[{MAKETQUA, TENKETQUA}]`, `CANCUPHAPLY[{SOVANBAN,
TENVANBAN}]`, `COQUANTHUCHIEN[{MADONVI, TENDONVI}]`, `DOITUONGTHUCHIEN[…]`, `TRANGTHAI`
(1: published). Where the public material does not show a value set (the levels, the applicant
types, the copies), the reading here is marked [U] and made from the words, never guessed
from a position.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from cchc.core.text import fold

from .constants import ApplicantType, FeeKind, TimeUnit
from .loaders import issued_paper, parse_levels

CHANNELS = {"1": "Trực tiếp", "2": "Trực tuyến", "3": "Qua dịch vụ bưu chính công ích"}
IN_PERSON = "1"
UNITS = {  # DONVITINH, folded
    "ngay lam viec": TimeUnit.WORKING_DAYS,
    "gio lam viec": TimeUnit.WORKING_HOURS,
    "gio": TimeUnit.WORKING_HOURS,
    "ngay": TimeUnit.CALENDAR_DAYS,
}
APPLICANTS = {  # [U] DOITUONGTHUCHIEN's names, folded → the catalog's applicant types
    "cong dan viet nam": ApplicantType.CITIZEN,
    "nguoi viet nam dinh cu o nuoc ngoai": ApplicantType.CITIZEN,
    "nguoi nuoc ngoai": ApplicantType.FOREIGNER,
    "doanh nghiep": ApplicantType.BUSINESS,
    "doanh nghiep co von dau tu nuoc ngoai": ApplicantType.BUSINESS,
    "hop tac xa": ApplicantType.COOPERATIVE,
    "to chuc": ApplicantType.ORGANISATION,
    "to chuc (khong bao gom doanh nghiep, hop tac xa)": ApplicantType.ORGANISATION,
    "to chuc nuoc ngoai": ApplicantType.ORGANISATION,
    "co quan nha nuoc": ApplicantType.ORGANISATION,
}


class RecordError(ValueError):
    """A national record the catalog cannot take, with the reason in Vietnamese."""


def _list(record: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = record.get(key) or []
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _text(value: Any) -> str:
    return re.sub(r"\s+", " ", str(value or "")).strip()


def national_code(record: dict[str, Any]) -> str:
    """`1.003560`, also from a code carrying an agency suffix (`1.003560.000.00.00.H56`)."""
    code = _text(record.get("MATTHC"))
    match = re.match(r"^(\d\.\d{6})(?:\.|$)", code)
    if not match:
        raise RecordError(_("Mã thủ tục “%s” không đúng dạng mã quốc gia (ví dụ 1.001193).") % code)
    return match.group(1)


def _field(record: dict[str, Any]) -> tuple[str, str]:
    fields = _list(record, "LINHVUCTHUCHIEN")
    if not fields or not _text(fields[0].get("TENLINHVUC")):
        raise RecordError(_("Bản ghi không có lĩnh vực thực hiện (LINHVUCTHUCHIEN)."))
    name = _text(fields[0].get("TENLINHVUC"))
    code = _text(fields[0].get("MALINHVUC")) or fold(name).replace(" ", "-")[:40]
    return code, name


def _levels(record: dict[str, Any]) -> str:
    """[U] CAPTHUCHIEN's entries are read by their names (Cấp Tỉnh, Cấp Huyện, Cấp Xã)."""
    words = " ".join(
        _text(item.get("TENCAP") or item.get("CAPTHUCHIEN"))
        for item in _list(record, "CAPTHUCHIEN")
    )
    return ",".join(parse_levels(words))


def _channels(record: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {_text(item.get("KENH")): item for item in _list(record, "CACHTHUCTHUCHIEN")}


def _time(record: dict[str, Any]) -> dict[str, Any]:
    """The in-person channel's time limit (else the first channel's): the one the desk's due
    date is computed from. An online channel's own limit stays in its description."""
    channels = _channels(record)
    chosen = channels.get(IN_PERSON) or next(iter(channels.values()), {})
    times = _list(chosen, "THOIGIAN")
    return times[0] if times else {}


def _time_limit(record: dict[str, Any]) -> Decimal | None:
    raw = _time(record).get("THOIGIANGIAIQUYET")
    if raw in (None, ""):
        return None
    try:
        return Decimal(str(raw).replace(",", "."))
    except InvalidOperation as exc:
        raise RecordError(_("Thời hạn giải quyết “%s” không phải là số.") % raw) from exc


def _time_unit(record: dict[str, Any]) -> str:
    unit = fold(_text(_time(record).get("DONVITINH"))).lower()
    return UNITS.get(unit, TimeUnit.WORKING_DAYS)


def _submission_methods(record: dict[str, Any]) -> str:
    lines = []
    for kenh, item in _channels(record).items():
        for time in _list(item, "THOIGIAN") or [{}]:
            limit = _text(time.get("THOIGIANGIAIQUYET"))
            unit = _text(time.get("DONVITINH"))
            note = _text(time.get("MOTA"))
            parts = [CHANNELS.get(kenh, f"Kênh {kenh}")]
            if limit:
                parts.append(f"{limit} {unit}".strip())
            if note:
                parts.append(note)
            lines.append(": ".join(parts[:2]) + (f" ({parts[2]})" if len(parts) > 2 else ""))
    return "\n".join(dict.fromkeys(lines))


def _fees(record: dict[str, Any]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for item in _list(_time(record), "PHILEPHI"):
        description = _text(item.get("MOTA"))
        title = _text(item.get("TENPHILEPHI"))
        name = f"{title} ({description})" if title and description else title or description
        name = name or "Phí, lệ phí"
        raw = item.get("SOTIEN")
        try:
            amount = Decimal(str(raw)) if raw not in (None, "") else None
        except InvalidOperation:
            amount = None
        folded = fold(name + " " + _text(item.get("MAPHILEPHI"))).lower()
        kind = FeeKind.CHARGE if "le phi" in folded else FeeKind.FEE
        exempt = amount == 0 and "mien" in fold(description).lower()
        seen.setdefault(
            name,
            {
                "kind": kind,
                "name": name[:300],
                "amount": amount,
                "exemption": description[:300] if exempt else "",
            },
        )
    return [{"order": n, **fee} for n, fee in enumerate(seen.values(), start=1)]


def _fee_note(record: dict[str, Any]) -> str:
    """The fees in words, as the catalog page and the receipt show them."""
    parts = []
    for fee in _fees(record):
        amount = fee["amount"]
        if amount is None:
            parts.append(fee["name"])
        elif amount == 0:
            parts.append(f"{fee['name']}: miễn")
        else:
            parts.append(f"{fee['name']}: {int(amount):,} đồng".replace(",", "."))
    return "; ".join(parts)[:500]


def _documents(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Every paper of every case (TRUONGHOP), once, in the published order."""
    papers: dict[str, dict[str, Any]] = {}
    for case in _list(record, "THANHPHANHOSO"):
        for paper in _list(case, "GIAYTO"):
            name = _text(paper.get("TENGIAYTO"))
            if not name or name in papers:
                continue
            originals = _count(paper.get("SOBANCHINH"), 1)
            copies = _count(paper.get("SOBANSAO"), 0)
            low = name.lower()
            papers[name] = {
                "name": name[:500],
                "originals": originals,
                "copies": copies,
                "present_only": low.startswith(("xuất trình", "giấy tờ tùy thân")),
                "optional": "nếu có" in low,
                "reusable": issued_paper(name),
            }
    return [{"order": n, **paper} for n, paper in enumerate(papers.values(), start=1)]


def _count(value: Any, default: int) -> int:
    try:
        return max(int(Decimal(str(value))), 0) if value not in (None, "") else default
    except InvalidOperation:
        return default


def _legal_basis(record: dict[str, Any]) -> str:
    lines = []
    for item in _list(record, "CANCUPHAPLY"):
        number, title = _text(item.get("SOVANBAN")), _text(item.get("TENVANBAN"))
        lines.append(" ".join(part for part in (number, title) if part))
    return "\n".join(line for line in lines if line)


def _applicant_types(record: dict[str, Any]) -> str:
    types = []
    for item in _list(record, "DOITUONGTHUCHIEN"):
        name = fold(_text(item.get("TENDOITUONG") or item.get("DOITUONGTHUCHIEN"))).lower()
        kind = APPLICANTS.get(name)
        if kind and kind not in types:
            types.append(kind)
    return ",".join(types)


@dataclass(frozen=True)
class Mapping:
    field: str  # the catalog record's key (exchange.py)
    source: str  # where it comes from in the national record, for the documentation
    read: Callable[[dict[str, Any]], Any]
    always: bool = (
        False  # read even when the record lacks the key (else the catalog keeps its value)
    )

    @property
    def key(self) -> str:
        """The national record's top-level key this field comes from."""
        return re.match(r"[A-Z_]+", self.source).group(0)  # type: ignore[union-attr]


def _joined(key: str, item_key: str, size: int) -> Callable[[dict[str, Any]], str]:
    return lambda record: "; ".join(
        _text(item.get(item_key)) for item in _list(record, key) if _text(item.get(item_key))
    )[:size]


def _unconfirmed(record: dict[str, Any], what: str) -> bool:
    flags = record.get("CCHC_CANXACNHAN") or []
    return isinstance(flags, list) and what in flags


def _time_note(record: dict[str, Any]) -> str:
    return _text(_time(record).get("MOTA"))[:300]


MAPPING: tuple[Mapping, ...] = (
    Mapping("code", "MATTHC (without an agency suffix)", national_code, always=True),
    Mapping("name", "TENTTHC", lambda r: _text(r.get("TENTTHC"))[:500], always=True),
    Mapping("field_code", "LINHVUCTHUCHIEN[0].MALINHVUC", lambda r: _field(r)[0], always=True),
    Mapping("field_name", "LINHVUCTHUCHIEN[0].TENLINHVUC", lambda r: _field(r)[1], always=True),
    Mapping("levels", "CAPTHUCHIEN[] (by name) [U]", _levels),
    Mapping("applicant_types", "DOITUONGTHUCHIEN[] (by name) [U]", _applicant_types),
    Mapping("submission_methods", "CACHTHUCTHUCHIEN[].KENH, THOIGIAN[]", _submission_methods),
    Mapping("time_limit", "CACHTHUCTHUCHIEN[KENH=1].THOIGIAN[0].THOIGIANGIAIQUYET", _time_limit),
    Mapping("time_unit", "CACHTHUCTHUCHIEN[KENH=1].THOIGIAN[0].DONVITINH", _time_unit),
    Mapping("time_note", "CACHTHUCTHUCHIEN[KENH=1].THOIGIAN[0].MOTA", _time_note),
    Mapping("fees", "CACHTHUCTHUCHIEN[KENH=1].THOIGIAN[0].PHILEPHI[]", _fees),
    Mapping("fee_note", "CACHTHUCTHUCHIEN[KENH=1].THOIGIAN[0].PHILEPHI[] (in words)", _fee_note),
    Mapping("documents", "THANHPHANHOSO[].GIAYTO[]", _documents),
    Mapping("conditions", "YEUCAU", lambda r: _text(r.get("YEUCAU"))),
    # an official record is confirmed; a record a province assembled itself may say which of
    # its figures are not yet checked against the legal text (this project's extension)
    Mapping(
        "time_to_confirm", "CCHC_CANXACNHAN ∋ THOIGIAN", lambda r: _unconfirmed(r, "THOIGIAN"), True
    ),
    Mapping(
        "fee_to_confirm", "CCHC_CANXACNHAN ∋ PHILEPHI", lambda r: _unconfirmed(r, "PHILEPHI"), True
    ),
    Mapping("legal_basis", "CANCUPHAPLY[].SOVANBAN, TENVANBAN", _legal_basis),
    Mapping(
        "result_document",
        "KETQUATHUCHIEN[].TENKETQUA",
        _joined("KETQUATHUCHIEN", "TENKETQUA", 500),
    ),
    Mapping(
        "competent_agency_note",
        "COQUANTHUCHIEN[].TENDONVI",
        _joined("COQUANTHUCHIEN", "TENDONVI", 300),
    ),
)


def catalog_record(record: dict[str, Any]) -> dict[str, Any]:
    """The catalog's record for one national record; RecordError says what is missing."""
    if not _text(record.get("TENTTHC")):
        raise RecordError(_("Bản ghi không có tên thủ tục (TENTTHC)."))
    return {m.field: m.read(record) for m in MAPPING if m.always or m.key in record}


def records_of(document: Any) -> list[dict[str, Any]]:
    """The records of a file: the API's answer (`{"result": [...]}`), a list, or one record."""
    if isinstance(document, dict) and isinstance(document.get("result"), list):
        document = document["result"]
    if isinstance(document, dict):
        document = [document]
    if not isinstance(document, list) or not all(isinstance(r, dict) for r in document):
        raise RecordError(_("Tệp phải chứa bản ghi thủ tục của Cơ sở dữ liệu quốc gia (JSON)."))
    return document


# --- the spreadsheets provinces receive -----------------------------------------------------
# The list attached to an announcement decision, or exported from the national database, is a
# table with one procedure a row; the columns below are recognised by their (folded) headings,
# in any order, and rows naming a field ("I. Lĩnh vực Hộ tịch") head the procedures under them.
# The headings are those of the published appendices as we know them [U]; any heading not
# listed is ignored.
COLUMNS = {
    "MATTHC": ("ma thu tuc", "ma tthc", "ma thu tuc hanh chinh", "ma so"),
    "TENTTHC": ("ten thu tuc", "ten thu tuc hanh chinh", "ten tthc"),
    "LINHVUC": ("linh vuc", "linh vuc thuc hien"),
    "CAP": ("cap thuc hien", "cap"),
    "THOIHAN": ("thoi han giai quyet", "thoi gian giai quyet"),
    "PHI": ("phi, le phi", "phi le phi", "phi, le phi (neu co)", "le phi"),
    "CANCU": ("can cu phap ly", "can cu phap ly cua thu tuc hanh chinh"),
    "COQUAN": ("co quan thuc hien", "co quan giai quyet", "dia diem thuc hien"),
    "THANHPHAN": ("thanh phan ho so",),
    "YEUCAU": ("yeu cau, dieu kien", "yeu cau dieu kien"),
    "KETQUA": ("ket qua thuc hien", "ket qua"),
}
_SECTION = re.compile(r"^\s*[IVXLC]+\s*[.)]?\s*(?:lĩnh vực|linh vuc)\s+(.+)$", re.IGNORECASE)
_LIMIT = re.compile(r"(\d+(?:[.,]\d+)?)\s*(ngày làm việc|giờ làm việc|giờ|ngày)", re.IGNORECASE)
_MONEY = re.compile(r"(\d{1,3}(?:\.\d{3})+|\d+)\s*(?:đồng|đ)\b", re.IGNORECASE)


def _heading(value: Any) -> str | None:
    folded = fold(_text(value))
    for key, names in COLUMNS.items():
        if folded in {fold(name) for name in names}:
            return key
    return None


def _heading_row(rows: list[tuple[Any, ...]]) -> tuple[int, dict[int, str | None]]:
    for start, row in enumerate(rows):
        columns = {i: _heading(cell) for i, cell in enumerate(row)}
        if "MATTHC" in columns.values() and "TENTTHC" in columns.values():
            return start, columns
    raise RecordError(_("Không tìm thấy dòng tiêu đề có cột “Mã thủ tục” và “Tên thủ tục”."))


def _lines(text: str) -> list[str]:
    """The items of a cell written one a line ("- …", "+ …")."""
    return [line.strip(" -+•") for line in text.splitlines() if line.strip(" -+•")]


def records_from_sheet(rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """National-shaped records from a table's rows (the first row with a code and a name
    column is the heading); RecordError when no such heading is found."""
    start, columns = _heading_row(rows)
    records, field = [], ""
    for row in rows[start + 1 :]:
        cells = {  # the lists written one item a line keep their lines
            key: str(row[i] or "").strip() if key in ("CANCU", "THANHPHAN") else _text(row[i])
            for i, key in columns.items()
            if key and i < len(row)
        }
        first = next((_text(c) for c in row if _text(c)), "")
        section = _SECTION.match(first)
        if section and not cells.get("MATTHC"):
            field = section.group(1).strip()
            continue
        if not cells.get("MATTHC") and not cells.get("TENTTHC"):
            continue
        records.append(_sheet_record(cells, cells.get("LINHVUC") or field))
    return records


def _sheet_record(cells: dict[str, str], field: str) -> dict[str, Any]:
    limit = _LIMIT.search(cells.get("THOIHAN", ""))
    fee_text = cells.get("PHI", "")
    money = _MONEY.search(fee_text)
    amount: int | None = int(money.group(1).replace(".", "")) if money else None
    if amount is None and fold(fee_text).startswith(("khong", "mien")):
        amount = 0
    time: dict[str, Any] = {"MOTA": cells.get("THOIHAN", "")}
    if limit:
        time["THOIGIANGIAIQUYET"] = limit.group(1).replace(",", ".")
        time["DONVITINH"] = limit.group(2).capitalize()
    if fee_text:
        time["PHILEPHI"] = [{"TENPHILEPHI": "Phí, lệ phí", "SOTIEN": amount, "MOTA": fee_text}]
    record: dict[str, Any] = {
        "MATTHC": cells.get("MATTHC", ""),
        "TENTTHC": cells.get("TENTTHC", ""),
        "LINHVUCTHUCHIEN": [{"MALINHVUC": "", "TENLINHVUC": field}] if field else [],
    }
    if cells.get("THOIHAN") or fee_text:
        record["CACHTHUCTHUCHIEN"] = [{"KENH": 1, "THOIGIAN": [time]}]
    if cells.get("CAP"):
        record["CAPTHUCHIEN"] = [{"TENCAP": cells["CAP"]}]
    if cells.get("CANCU"):
        record["CANCUPHAPLY"] = [
            {"TENVANBAN": line.strip(" -+•")}
            for line in cells["CANCU"].splitlines()
            if line.strip(" -+•")
        ]
    if cells.get("COQUAN"):
        record["COQUANTHUCHIEN"] = [{"TENDONVI": cells["COQUAN"]}]
    if cells.get("THANHPHAN"):
        record["THANHPHANHOSO"] = [
            {
                "GIAYTO": [
                    {"TENGIAYTO": line.strip(" -+•")}
                    for line in cells["THANHPHAN"].splitlines()
                    if line.strip(" -+•")
                ]
            }
        ]
    if cells.get("YEUCAU"):
        record["YEUCAU"] = cells["YEUCAU"]
    if cells.get("KETQUA"):
        record["KETQUATHUCHIEN"] = [{"TENKETQUA": cells["KETQUA"]}]
    return record


def records_from_xlsx(content: bytes) -> list[dict[str, Any]]:
    """The records of every sheet of a workbook that has the heading row."""
    import io

    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a bad file
        raise RecordError(_("Tệp không phải bảng tính .xlsx hợp lệ.")) from exc
    found: list[dict[str, Any]] = []
    for sheet in book.worksheets:
        try:
            found += records_from_sheet(list(sheet.iter_rows(values_only=True)))
        except RecordError:
            continue
    if not found:
        raise RecordError(_("Không tìm thấy dòng tiêu đề có cột “Mã thủ tục” và “Tên thủ tục”."))
    return found
