"""The exchange with the National Public Service Portal (Cổng DVCQG): which national status
code each local status maps to, and which field of the national record each value fills.
This module is the one documented place for both (docs/integrations.md shows the tables).

Circular 04/2025/TT-VPCP's exact field list was not available: the field names follow the
records that deployed provincial systems send (shared/domain/national-systems.md); each row
says whether it is confirmed there ([V]) or our own reading ([U])."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone

from cchc.dossiers import constants as c
from cchc.dossiers.links import verify_url

# Local status → national TrangThaiHoSo (1 Mới đăng ký · 2 Được tiếp nhận · 3 Không được tiếp
# nhận · 4 Đang xử lý · 5 Yêu cầu bổ sung giấy tờ · 6 Yêu cầu thực hiện nghĩa vụ tài chính ·
# 7 Công dân yêu cầu rút hồ sơ · 8 Dừng xử lý · 9 Đã xử lý xong · 10 Đã trả kết quả) [V].
# A province overrides it with CCHC_DVCQG_STATUS_CODES (JSON).
DEFAULT_STATUS_CODES: dict[str, int] = {
    c.Status.SUBMITTED: 1,
    c.Status.AWAITING_COMPLETION: 5,
    c.Status.NOT_RECEIVED: 3,
    c.Status.IN_PROGRESS: 4,
    c.Status.SUPPLEMENT_REQUESTED: 5,
    c.Status.PAUSED: 6,  # our pause waits for the applicant's financial obligation
    c.Status.RESULT_READY: 9,
    c.Status.RETURNED: 10,
    c.Status.WITHDRAWN: 7,
    c.Status.CLOSED: 8,
}
RECEIVED = 2  # the reception itself is reported as "Được tiếp nhận", the next events as 4
CHANNEL_CODES = {c.Channel.IN_PERSON: 1, c.Channel.ONLINE: 2, c.Channel.POST: 3}  # [V]
APPLICANT_KINDS = {c.ApplicantKind.CITIZEN: 1, c.ApplicantKind.ORGANISATION: 4}  # [V] 1, 2, 4

# (national field, what fills it, [V] confirmed in deployed systems / [U] our reading)
FIELDS: list[tuple[str, str, str]] = [
    ("IdHoSoDiaPhuong", "the dossier's stable local id (the code changes at reception)", "U"),
    ("MaSuKien", "idempotency key: local id + event sequence", "U"),
    ("SoThuTuSuKien", "the event's sequence for the dossier (1, 2, …)", "U"),
    ("ThoiDiemSuKien", "the moment of the change", "U"),
    ("MaHoSo", "dossier code (R-CODE), or the online submission code before reception", "V"),
    ("MaTTHC", "national procedure code", "V"),
    ("TenTTHC", "procedure name", "V"),
    ("MaCoQuan", "competent agency's electronic identification code", "V"),
    ("KenhThucHien", "channel: 1 in person, 2 online, 3 post", "V"),
    ("ChuHoSo", "applicant's name", "V"),
    ("LoaiDoiTuong", "1 citizen, 4 organisation", "V"),
    ("NgayNopHoSo", "submitted", "V"),
    ("NgayTiepNhan", "received", "V"),
    ("NgayHenTra", "appointment (due moment)", "V"),
    ("NgayKetThucXuLy", "result ready, refusal or stop", "V"),
    ("NgayTra", "returned", "V"),
    ("TrangThaiHoSo", "national status code 1–10", "V"),
    ("DuocThanhToanTrucTuyen", "1 paid online, 3 paid otherwise, 0 none", "V"),
    ("HoSoCoThanhPhanSoHoa", "1 when every received paper has an electronic copy", "V"),
    ("DuongDanKetQua", "the signed result's public verification link", "U"),
]


def status_codes() -> dict[str, int]:
    return {**DEFAULT_STATUS_CODES, **settings.CCHC_DVCQG_STATUS_CODES}


def status_code(status: str, action: str) -> int:
    if action == c.Action.RECEIVE and status == c.Status.IN_PROGRESS:
        return RECEIVED
    return status_codes().get(status, 0)


def national_time(moment: dt.datetime | None) -> str:
    """Dates as the exchange writes them: yyyyMMddHHmmss in Vietnam's time [V]."""
    return timezone.localtime(moment).strftime("%Y%m%d%H%M%S") if moment else ""


def local_id(dossier: Any) -> str:
    return f"{settings.CCHC_DVCQG_SYSTEM_CODE}-{dossier.pk}"


def record(dossier: Any, *, action: str, at: dt.datetime) -> dict[str, Any]:
    """The national record of `dossier` after `action` (no ID number: the portal holds the
    account's identity itself)."""
    fees = list(dossier.fees.all())
    paid = [f for f in fees if f.paid_at and not f.exempt]
    online_paid = any(f.method == "online" for f in paid)
    documents = [d for d in dossier.documents.all() if d.received]
    return {
        "IdHoSoDiaPhuong": local_id(dossier),
        "ThoiDiemSuKien": national_time(at),
        "MaHoSo": dossier.code or dossier.submission_code or "",
        "MaTTHC": dossier.procedure.code,
        "TenTTHC": dossier.procedure_version.name,
        "MaCoQuan": getattr(dossier.competent_agency, "eid_code", "") or "",
        "KenhThucHien": CHANNEL_CODES.get(dossier.channel, 0),
        "ChuHoSo": dossier.applicant_name,
        "LoaiDoiTuong": APPLICANT_KINDS.get(dossier.applicant_kind, 4),
        "NgayNopHoSo": national_time(dossier.submitted_at),
        "NgayTiepNhan": national_time(dossier.received_at),
        "NgayHenTra": national_time(dossier.due_at),
        "NgayKetThucXuLy": national_time(dossier.finished_at or dossier.result_ready_at),
        "NgayTra": national_time(dossier.returned_at),
        "TrangThaiHoSo": status_code(dossier.status, action),
        "DuocThanhToanTrucTuyen": 1 if online_paid else (3 if paid else 0),
        "HoSoCoThanhPhanSoHoa": int(bool(documents) and all(d.file for d in documents)),
        "DuongDanKetQua": verify_url("result", dossier.pk) if dossier.result_signed_at else "",
    }


def current(dossier: Any) -> dict[str, Any]:
    """What the portal should hold now (for reconciliation): the fields a later event may
    change."""
    return {
        "MaHoSo": dossier.code or dossier.submission_code or "",
        "TrangThaiHoSo": status_codes().get(dossier.status, 0),
        "NgayHenTra": national_time(dossier.due_at),
    }
