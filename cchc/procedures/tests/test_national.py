"""Following the national procedure database (issue 21, first part): a national record is read
onto the catalog's fields in one table; a record that changes a procedure becomes a draft for
an administrator to review field by field and publish from a date; an unchanged record changes
nothing; what the province decided for itself stays."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cchc.procedures import national, sync
from cchc.procedures.constants import TimeUnit, VersionStatus
from cchc.procedures.models import Procedure, ProcedureVersion

pytestmark = pytest.mark.django_db

# a record in the national portal's shape (LayThuTuc), for a procedure the catalog holds
RECORD = {
    "MATTHC": "1.004873.000.00.00.H56",
    "TENTTHC": "Cấp Giấy xác nhận tình trạng hôn nhân",
    "TRANGTHAI": 1,
    "LINHVUCTHUCHIEN": [{"MALINHVUC": "G09-TP03", "TENLINHVUC": "Hộ tịch"}],
    "CAPTHUCHIEN": [{"TENCAP": "Cấp Xã"}],
    "DOITUONGTHUCHIEN": [{"TENDOITUONG": "Công dân Việt Nam"}],
    "CACHTHUCTHUCHIEN": [
        {
            "KENH": 1,
            "THOIGIAN": [
                {
                    "THOIGIANGIAIQUYET": 3,
                    "DONVITINH": "Ngày làm việc",
                    "MOTA": "Trường hợp phải xác minh thì không quá 10 ngày làm việc",
                    "PHILEPHI": [
                        {"MAPHILEPHI": "LP", "TENPHILEPHI": "Lệ phí", "SOTIEN": 3000,
                         "DONVI": "Đồng", "MOTA": "Mức thu theo nghị quyết của HĐND tỉnh"}
                    ],
                }
            ],
        },
        {"KENH": 2, "THOIGIAN": [{"THOIGIANGIAIQUYET": 3, "DONVITINH": "Ngày làm việc"}]},
    ],
    "THANHPHANHOSO": [
        {
            "TRUONGHOP": "",
            "GIAYTO": [
                {"MAGIAYTO": "1", "TENGIAYTO": "Tờ khai cấp Giấy xác nhận tình trạng hôn nhân",
                 "SOBANCHINH": 1, "SOBANSAO": 0},
                {"MAGIAYTO": "2", "TENGIAYTO": "Bản sao Giấy chứng nhận kết hôn (nếu có)",
                 "SOBANCHINH": 0, "SOBANSAO": 1},
            ],
        }
    ],
    "YEUCAU": "Người yêu cầu phải có năng lực hành vi dân sự đầy đủ",
    "KETQUATHUCHIEN": [{"MAKETQUA": "KQ1", "TENKETQUA": "Giấy xác nhận tình trạng hôn nhân"}],
    "CANCUPHAPLY": [
        {"SOVANBAN": "60/2014/QH13", "TENVANBAN": "Luật Hộ tịch"},
        {"SOVANBAN": "123/2015/NĐ-CP", "TENVANBAN": "Nghị định quy định chi tiết Luật Hộ tịch"},
    ],
    "COQUANTHUCHIEN": [{"MADONVI": "X", "TENDONVI": "Ủy ban nhân dân cấp xã"}],
}  # fmt: skip


def record(**changes):
    data = copy.deepcopy(RECORD)
    data.update(changes)
    return data


def draft_of(code):
    return ProcedureVersion.objects.get(procedure__code=code, status=VersionStatus.DRAFT)


def test_the_national_record_is_read_onto_the_catalogs_fields():
    mapped = national.catalog_record(RECORD)
    assert mapped["code"] == "1.004873"  # the province suffix of MATTHC dropped
    assert (mapped["field_code"], mapped["field_name"]) == ("G09-TP03", "Hộ tịch")
    assert mapped["levels"] == "commune" and mapped["applicant_types"] == "citizen"
    assert mapped["time_limit"] == Decimal(3) and mapped["time_unit"] == TimeUnit.WORKING_DAYS
    assert "không quá 10 ngày" in mapped["time_note"]
    assert mapped["submission_methods"].splitlines()[0].startswith("Trực tiếp: 3 Ngày làm việc")
    assert "Trực tuyến: 3 Ngày làm việc" in mapped["submission_methods"]
    assert mapped["fees"] == [
        {"order": 1, "kind": "charge", "amount": Decimal(3000), "exemption": "",
         "name": "Lệ phí (Mức thu theo nghị quyết của HĐND tỉnh)"}
    ]  # fmt: skip
    assert mapped["fee_note"] == "Lệ phí (Mức thu theo nghị quyết của HĐND tỉnh): 3.000 đồng"
    # a key the record does not carry leaves the catalog's own value alone
    assert "competent_agency_note" in mapped
    without = record()
    del without["COQUANTHUCHIEN"]
    assert "competent_agency_note" not in national.catalog_record(without)
    docs = mapped["documents"]
    assert [(d["originals"], d["copies"], d["optional"]) for d in docs] == [
        (1, 0, False),
        (0, 1, True),
    ]
    assert docs[1]["reusable"]  # a certificate an authority issued
    assert mapped["legal_basis"].splitlines() == [
        "60/2014/QH13 Luật Hộ tịch",
        "123/2015/NĐ-CP Nghị định quy định chi tiết Luật Hộ tịch",
    ]
    assert mapped["result_document"] == "Giấy xác nhận tình trạng hôn nhân"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"MATTHC": "TT-99"}, "không đúng dạng mã quốc gia"),
        ({"TENTTHC": ""}, "không có tên thủ tục"),
        ({"LINHVUCTHUCHIEN": []}, "không có lĩnh vực"),
    ],
)
def test_a_record_the_catalog_cannot_take_is_refused_with_the_reason(changes, reason):
    report = sync.sync([record(**changes), record()], actor=None)
    assert len(report.refused) == 1 and reason in report.refused[0][2]
    assert report.changed == ["1.004873"]  # the good record is still drafted


def test_a_changed_record_becomes_a_draft_and_the_province_keeps_its_own_choices(admin_user):
    in_force = ProcedureVersion.objects.in_force_for("1.004873", timezone.localdate())
    in_force.online_level, in_force.identity_level = "full", 2
    in_force.save()
    report = sync.sync([record()], actor=admin_user)
    assert report.changed == ["1.004873"]
    draft = draft_of("1.004873")
    assert draft.number == in_force.number + 1 and draft.valid_from is None
    assert draft.legal_basis.startswith("60/2014/QH13")
    assert list(draft.fees.values_list("amount", flat=True)) == [Decimal(3000)]
    # decided by the province, not the Ministry: kept from the version in force
    assert (draft.online_level, draft.identity_level) == ("full", 2)
    assert draft.declaration == in_force.declaration
    # the public still sees the version in force until the draft is published
    assert ProcedureVersion.objects.in_force_for("1.004873", timezone.localdate()) == in_force
    # the same record again: nothing new (the change already waits for review)
    again = sync.sync([record()], actor=admin_user)
    assert again.unchanged == ["1.004873"]
    assert ProcedureVersion.objects.filter(procedure__code="1.004873").count() == draft.number


def test_once_published_the_same_record_changes_nothing_and_a_new_change_drafts_again(admin_user):
    from cchc.procedures import services

    sync.sync([record()], actor=admin_user)
    services.publish(draft_of("1.004873"), actor=admin_user)
    versions = ProcedureVersion.objects.filter(procedure__code="1.004873").count()
    assert sync.sync([record()], actor=admin_user).unchanged == ["1.004873"]
    assert ProcedureVersion.objects.filter(procedure__code="1.004873").count() == versions
    longer = record()
    longer["CACHTHUCTHUCHIEN"][0]["THOIGIAN"][0]["THOIGIANGIAIQUYET"] = 5
    assert sync.sync([longer], actor=admin_user).changed == ["1.004873"]
    current = sync.in_force(Procedure.objects.get(code="1.004873"))
    rows = {
        label: (before, after)
        for label, before, after in sync.changes(current, draft_of("1.004873"))
    }
    assert rows["thời hạn giải quyết"] == ("3", "5")
    assert "Cách thức thực hiện".lower() in {label.lower() for label in rows}


def test_steps_that_no_longer_fit_a_shorter_limit_are_redrawn_so_the_draft_can_be_published(
    admin_user,
):
    from cchc.procedures import services

    shorter = record()
    shorter["CACHTHUCTHUCHIEN"][0]["THOIGIAN"][0]["THOIGIANGIAIQUYET"] = 1
    sync.sync([shorter], actor=admin_user)
    draft = draft_of("1.004873")
    assert sum(s.time_share for s in draft.steps.all()) <= 1
    services.publish(draft, actor=admin_user)  # the step shares fit (R-STEPS)


def test_a_new_procedure_is_drafted_and_stays_off_the_portal_until_published(admin_user, client):
    new = record(MATTHC="2.002222", TENTTHC="Thủ tục mới công bố của Bộ")
    assert sync.sync([new], actor=admin_user).created == ["2.002222"]
    draft = draft_of("2.002222")
    assert draft.steps.count() == 7 and draft.name == "Thủ tục mới công bố của Bộ"
    assert client.get("/dich-vu-cong/thu-tuc/2.002222/").status_code == 404


def test_an_administrators_own_draft_is_never_overwritten(admin_user):
    from cchc.procedures import services

    in_force = ProcedureVersion.objects.in_force_for("1.004873", timezone.localdate())
    own = services.create_draft(in_force, actor=admin_user)
    report = sync.sync([record()], actor=admin_user)
    assert report.refused and "đang có bản dự thảo do cán bộ soạn" in report.refused[0][2]
    own.refresh_from_db()
    assert own.status == VersionStatus.DRAFT and own.legal_basis == in_force.legal_basis


def test_a_dry_run_writes_nothing(admin_user, tmp_path):
    path = tmp_path / "laythutuc.json"
    path.write_text(json.dumps({"result": [record()]}, ensure_ascii=False), encoding="utf-8")
    count = ProcedureVersion.objects.count()
    out = io.StringIO()
    call_command("import_national_catalog", str(path), "--dry-run", stdout=out)
    assert "Thủ tục thay đổi (dự thảo chờ duyệt): 1" in out.getvalue()
    assert ProcedureVersion.objects.count() == count
    call_command("import_national_catalog", str(path), stdout=io.StringIO())
    assert ProcedureVersion.objects.count() == count + 1


def test_the_review_page_shows_the_changes_and_publishes_from_the_chosen_date(admin_user, client):
    sync.sync([record()], actor=admin_user)
    draft = draft_of("1.004873")
    old = sync.in_force(draft.procedure)
    client.force_login(admin_user)
    detail = client.get(reverse("procedures:detail", args=["1.004873"])).content.decode()
    assert 'id="review-draft"' in detail
    page = client.get(reverse("procedures:compare", args=["1.004873", draft.number]))
    text = page.content.decode()
    assert page.status_code == 200 and 'id="from-national"' in text
    assert "Căn cứ pháp lý".lower() in text.lower() and "60/2014/QH13" in text
    url = reverse("procedures:publish", args=["1.004873", draft.number])
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    refused = client.post(url, {"valid_from": yesterday.isoformat(), "back": "compare"})
    assert refused.status_code == 302 and "so-sanh" in refused["Location"]
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT  # nothing published from a past date
    start = timezone.localdate() + dt.timedelta(days=10)
    client.post(url, {"valid_from": start.strftime("%d/%m/%Y"), "back": "compare"})
    draft.refresh_from_db()
    old.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED and draft.valid_from == start
    # R-VERSION: the old version stays in force until the day before
    assert old.valid_to == start - dt.timedelta(days=1)
    assert ProcedureVersion.objects.in_force_for("1.004873", timezone.localdate()) == old
    assert ProcedureVersion.objects.in_force_for("1.004873", start) == draft


def test_the_import_page_takes_national_records_and_a_decision_and_says_what_it_did(
    admin_user, client
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(admin_user)
    url = reverse("procedures:import")
    payload = json.dumps({"result": [record(), record(MATTHC="bad")]}, ensure_ascii=False)
    page = client.post(
        url, {"kind": "national", "file": SimpleUploadedFile("ttdl.json", payload.encode())}
    ).content.decode()
    assert 'id="national-result"' in page and "Thủ tục thay đổi (dự thảo chờ duyệt): 1" in page
    assert "Bản ghi 2 (bad)" in page and "không đúng dạng mã quốc gia" in page
    assert reverse("procedures:detail", args=["1.004873"]) in page
    broken = client.post(
        url, {"kind": "announcement", "file": SimpleUploadedFile("qd.json", b"{not json")}
    ).content.decode()
    assert "Tệp không phải JSON hợp lệ" in broken
    decision = {
        "number": "77/QĐ-UBND",
        "signed_on": "2026-11-20",
        "effective_from": "2026-12-01",
        "items": [{"code": "1.004873", "action": "amended", "level": "commune"}],
    }
    done = client.post(
        url,
        {"kind": "announcement",
         "file": SimpleUploadedFile("qd.json", json.dumps(decision).encode())},
    ).content.decode()  # fmt: skip
    assert 'id="announcement-result"' in done and "Công bố phiên bản mới: 1" in done
    assert draft_count("1.004873") == 0


def draft_count(code):
    return ProcedureVersion.objects.filter(procedure__code=code, status=VersionStatus.DRAFT).count()


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("xntthn", "1.004873"),  # the officials' abbreviation finds the phrase spelled out
        ("xac nhan tinh trang hon nhan", "1.004873"),
        ("HON NHAN tinh trang", "1.004873"),  # any case, any order, no diacritics
    ],
)
def test_catalog_search_takes_abbreviations_and_words_without_diacritics(query, code):
    from cchc.procedures.querysets import search_versions

    found = search_versions(ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED), query)
    assert code in set(found.values_list("procedure__code", flat=True))


def test_the_spreadsheet_attached_to_a_decision_is_read_like_the_records(admin_user, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["DANH MỤC THỦ TỤC HÀNH CHÍNH THUỘC PHẠM VI QUẢN LÝ CỦA SỞ TƯ PHÁP"])
    sheet.append([])
    sheet.append(["STT", "Mã thủ tục", "Tên thủ tục hành chính", "Thời hạn giải quyết",
                  "Địa điểm thực hiện", "Phí, lệ phí (nếu có)", "Căn cứ pháp lý"])  # fmt: skip
    sheet.append(["I. Lĩnh vực Hộ tịch"])
    sheet.append([1, "1.004873", "Cấp Giấy xác nhận tình trạng hôn nhân", "03 ngày làm việc",
                  "Ủy ban nhân dân cấp xã", "Lệ phí: 3.000 đồng/trường hợp",
                  "- Luật Hộ tịch năm 2014\n- Nghị định số 123/2015/NĐ-CP"])  # fmt: skip
    sheet.append([2, "", "", "", "", "", ""])  # an empty row
    sheet.append([3, "2.002223", "Một thủ tục mới của lĩnh vực", "5 ngày", "", "Không", ""])
    path = tmp_path / "danh-muc.xlsx"
    book.save(path)
    records = national.records_from_xlsx(path.read_bytes())
    assert [r["MATTHC"] for r in records] == ["1.004873", "2.002223"]
    mapped = national.catalog_record(records[0])
    assert mapped["field_name"] == "Hộ tịch" and mapped["time_limit"] == Decimal(3)
    assert mapped["fees"][0]["amount"] == Decimal(3000)
    assert mapped["legal_basis"].splitlines() == [
        "Luật Hộ tịch năm 2014", "Nghị định số 123/2015/NĐ-CP"
    ]  # fmt: skip
    second = national.catalog_record(records[1])
    assert second["time_unit"] == TimeUnit.CALENDAR_DAYS and second["fees"][0]["amount"] == 0
    out = io.StringIO()
    call_command("import_national_catalog", str(path), stdout=out)
    assert "Thủ tục mới (dự thảo): 1" in out.getvalue()
    assert "Thủ tục thay đổi (dự thảo chờ duyệt): 1" in out.getvalue()
    blank = tmp_path / "trong.xlsx"
    Workbook().save(blank)
    with pytest.raises(national.RecordError, match="Không tìm thấy dòng tiêu đề"):
        national.records_from_xlsx(blank.read_bytes())
