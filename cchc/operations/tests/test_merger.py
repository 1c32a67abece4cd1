"""Old data after a merger (issue 19, checklist item 42): another one-stop system's accounts
and finished dossiers are carried over from a documented JSON or CSV format, with a dry run
and a report; they keep their codes, are found by search and by their applicants, are judged
on time or late by the same rule as every dossier and counted in their months."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from cchc.accounts.models import AccountKind, Membership, User
from cchc.core.audit import verify_chains
from cchc.core.models import AuditEvent
from cchc.dossiers import constants as c
from cchc.dossiers.models import Dossier
from cchc.integrations.vneid import Identity, sign_in
from cchc.operations.models import MergerImport
from cchc.reports.models import MonthlyCounts

pytestmark = pytest.mark.django_db
SYSTEM = "Hệ thống một cửa điện tử tỉnh cũ"


def source(world, **extra):
    doc = {
        "format": "cchc-merger/1",
        "system": SYSTEM,
        "accounts": [
            {
                "ref": "cd-1",
                "kind": "citizen",
                "full_name": "Cầm Văn Pọm",
                "email": "pom@example.org",
                "id_number": "014090004321",
                "phone": "0911000111",
            },
            {
                "ref": "cb-1",
                "kind": "staff",
                "username": "tiepnhan.cu",
                "full_name": "Quàng Thị Lả",
                "password_hash": make_password("mat-khau-cu-2024"),
                "agency": world.commune_pc.eid_code,
                "role": "receptionist",
            },
        ],
        "dossiers": [
            {  # settled a day early: the due date has no hour, so it means the end of 14/03
                "code": "H57.12-240311-0042",
                "procedure_code": "1.004873",
                "agency": world.commune_pc.eid_code,
                "channel": "in_person",
                "applicant_name": "Cầm Văn Pọm",
                "id_number": "014090004321",
                "area": world.commune.code,
                "account": "cd-1",
                "status": "returned",
                "outcome": "granted",
                "received_at": "11/03/2024 08:15",
                "due_at": "14/03/2024",
                "finished_at": "13/03/2024 16:00",
                "returned_at": "14/03/2024 09:30",
                "result_summary": "Đã chứng thực bản sao",
                "lookup_secret": "OLD12345",
            },
            {  # finished an hour after its due moment: late
                "code": "H57.12-240402-0007",
                "procedure_code": "1.004873",
                "agency": world.commune_pc.eid_code,
                "channel": "online",
                "applicant_name": "Lò Văn Tiến",
                "status": "returned",
                "outcome": "refused",
                "received_at": "2024-04-02T09:00:00+07:00",
                "due_at": "2024-04-03T10:00:00+07:00",
                "finished_at": "2024-04-03T11:00:00+07:00",
                "returned_at": "2024-04-03T11:00:00+07:00",
                "refusal_reason": "Không đủ điều kiện",
            },
            {
                "code": "H57.12-240405-0011",
                "procedure_code": "1.004873",
                "agency": world.commune_pc.eid_code,
                "applicant_name": "Hà Thị Xuân",
                "status": "withdrawn",
                "received_at": "2024-04-05 08:00",
                "finished_at": "2024-04-06 08:00",
            },
        ],
    }
    doc.update(extra)
    return doc


def run(tmp_path, doc, *args):
    path = tmp_path / "nguon.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    call_command("import_merged_system", "--json", str(path), *args, stdout=out)
    return out.getvalue()


def test_a_dry_run_reports_what_would_be_carried_over_and_writes_nothing(world, tmp_path):
    users, events = User.objects.count(), AuditEvent.objects.count()
    out = run(tmp_path, source(world))
    assert "CHẠY THỬ, CHƯA GHI GÌ" in out
    assert "Hồ sơ chuyển sang: 3" in out and "Tài khoản tạo mới: 2" in out
    assert "Dòng bị từ chối: 0" in out
    assert not Dossier.objects.filter(imported_from=SYSTEM).exists()
    assert (User.objects.count(), AuditEvent.objects.count()) == (users, events)
    batch = MergerImport.objects.get()
    assert batch.dry_run and not batch.applied and batch.counts["dossiers_created"] == 3


def test_carried_over_dossiers_keep_their_codes_and_count_in_their_months(world, tmp_path, client):
    out = run(tmp_path, source(world), "--apply")
    assert "GHI VÀO HỆ THỐNG" in out
    early = Dossier.objects.get(code="H57.12-240311-0042")  # never renumbered
    late = Dossier.objects.get(code="H57.12-240402-0007")
    withdrawn = Dossier.objects.get(code="H57.12-240405-0011")
    assert early.imported_from == SYSTEM and early.lookup_secret == "OLD12345"
    # one rule for every dossier (R-RETURN): early on a day before the due day, late after it
    assert early.timeliness == c.Timeliness.EARLY
    assert late.timeliness == c.Timeliness.LATE and late.outcome == c.Outcome.REFUSED
    assert withdrawn.status == c.Status.WITHDRAWN and withdrawn.timeliness == ""
    assert early.desk == world.commune_desk  # the desk of the commune's People's Committee
    assert early.rule_set == c.RuleSet.CIRCULAR_01_2018  # received before 1/7/2025
    # audited, and the chains verify
    event = AuditEvent.objects.get(object_id=str(early.pk), action="dossier.import")
    assert event.to_status == c.Status.RETURNED and SYSTEM in event.reason
    assert verify_chains() == []
    # counted in history: the rollups were rebuilt with them
    march = MonthlyCounts.objects.filter(month=dt.date(2024, 3, 1), agency=world.commune_pc)
    assert sum(m.received for m in march) == 1 and sum(m.settled_early for m in march) == 1
    april = MonthlyCounts.objects.filter(month=dt.date(2024, 4, 1), agency=world.commune_pc)
    assert sum(m.received for m in april) == 2 and sum(m.settled_late for m in april) == 0
    assert sum(m.refused for m in april) == 1 and sum(m.withdrawn for m in april) == 1
    # searchable by the desk, diacritics-free, and shown as carried over
    client.force_login(world.receptionist)
    listing = client.get(reverse("dossiers:list"), {"q": "cam van pom"}).content.decode()
    assert "H57.12-240311-0042" in listing and "H57.12-240402-0007" not in listing
    page = client.get(reverse("dossiers:detail", args=[early.pk])).content.decode()
    assert 'id="imported-from"' in page and SYSTEM in page
    # the applicant's account was carried over with it
    pom = User.objects.get(email="pom@example.org")
    assert early.applicant_user == pom and not pom.has_usable_password()


def test_running_the_same_files_again_changes_nothing(world, tmp_path):
    run(tmp_path, source(world), "--apply")
    dossiers, users, events = (
        Dossier.objects.count(),
        User.objects.count(),
        AuditEvent.objects.count(),
    )
    out = run(tmp_path, source(world), "--apply")
    assert "Hồ sơ đã chuyển từ trước (bỏ qua): 3" in out and "Tài khoản đã có (dùng lại): 2" in out
    assert (Dossier.objects.count(), User.objects.count()) == (dossiers, users)
    assert AuditEvent.objects.count() == events + 1  # only the second run's own record


def test_a_refused_row_stops_the_import_unless_told_to_take_the_rest(world, tmp_path):
    doc = source(world)
    doc["dossiers"] += [
        {**doc["dossiers"][0], "code": "X-1", "agency": "000.00.99.Z99"},
        {**doc["dossiers"][0], "code": "X-2", "status": "in_progress", "outcome": ""},
        {**doc["dossiers"][0], "code": "X-3", "finished_at": "10/03/2024 08:00"},
        {**doc["dossiers"][0], "code": "X-4", "received_at": "31/02/2024"},
        {**doc["dossiers"][0], "code": "X-5", "procedure_code": "9.999999"},
        {**doc["dossiers"][0], "code": "X-6", "account": "khong-co"},
    ]
    out = run(tmp_path, doc, "--apply", "--report", str(tmp_path / "bao-cao.json"))
    assert "Không ghi gì vì có dòng bị từ chối" in out
    assert not Dossier.objects.filter(imported_from=SYSTEM).exists()
    assert not User.objects.filter(username="tiepnhan.cu").exists()
    report = json.loads((tmp_path / "bao-cao.json").read_text(encoding="utf-8"))
    by_code: dict[str, str] = {}
    for p in report["problems"]:
        by_code[p["ref"]] = by_code.get(p["ref"], "") + p["message"]
    assert "000.00.99.Z99" in by_code["X-1"]
    assert "đã kết thúc" in by_code["X-2"]
    assert "Ngày kết thúc trước ngày tiếp nhận" in by_code["X-3"]
    assert "31/02/2024" in by_code["X-4"]
    assert "9.999999" in by_code["X-5"]
    assert "khong-co" in by_code["X-6"]
    assert {p["row"] for p in report["problems"]} == {4, 5, 6, 7, 8, 9}
    out = run(tmp_path, doc, "--apply", "--partial")
    assert "Hồ sơ chuyển sang: 3" in out and "Dòng bị từ chối: 6" in out
    assert Dossier.objects.filter(imported_from=SYSTEM).count() == 3


def test_a_code_this_system_already_gave_is_never_taken_or_renumbered(world, tmp_path):
    doc = source(world)
    run(tmp_path, source(world, system="Hệ thống khác"), "--apply")
    out = run(tmp_path, doc, "--apply")
    assert "Mã hồ sơ đã có trong hệ thống; không đánh lại số." in out
    assert Dossier.objects.get(code="H57.12-240311-0042").imported_from == "Hệ thống khác"


def test_csv_files_with_vietnamese_dates_and_the_spreadsheet_row_numbers(world, tmp_path):
    accounts = tmp_path / "tai-khoan.csv"
    accounts.write_text(
        "ref,kind,full_name,email,id_number\n"
        "cd-9,citizen,Lường Thị Mai,mai@example.org,014190009999\n",
        encoding="utf-8-sig",
    )
    dossiers = tmp_path / "ho-so.csv"
    dossiers.write_text(
        "code,procedure_code,agency,applicant_name,account,status,outcome,received_at,due_at,"
        "finished_at,returned_at\n"
        f"CU-1,1.004873,{world.commune_pc.eid_code},Lường Thị Mai,cd-9,returned,granted,"
        "02/01/2025 08:00,03/01/2025,03/01/2025 15:00,03/01/2025 16:00\n"
        f"CU-2,1.004873,{world.commune_pc.eid_code},,cd-9,returned,granted,"
        "02/01/2025 08:00,03/01/2025,03/01/2025 15:00,03/01/2025 16:00\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command(
        "import_merged_system", "--system", SYSTEM, "--accounts", str(accounts),
        "--dossiers", str(dossiers), "--apply", "--partial", stdout=out,
    )  # fmt: skip
    text = out.getvalue()
    assert "hồ sơ, dòng 3 (CU-2): Thiếu tên người nộp." in text  # row 1 is the header
    d = Dossier.objects.get(code="CU-1")
    assert d.timeliness == c.Timeliness.ON_TIME  # same day, before the end of the due day
    assert d.applicant_user.email == "mai@example.org"


def test_unreadable_files_are_refused_in_vietnamese(world, tmp_path):
    bad = tmp_path / "hong.json"
    bad.write_text("{ not json", encoding="utf-8")
    with pytest.raises(CommandError, match="không phải JSON hợp lệ"):
        call_command("import_merged_system", "--json", str(bad))
    odd = tmp_path / "ho-so.csv"
    odd.write_text("code,mystery\nA,B\n", encoding="utf-8")
    with pytest.raises(CommandError, match="cột không thuộc định dạng: mystery"):
        call_command("import_merged_system", "--system", SYSTEM, "--dossiers", str(odd))
    with pytest.raises(CommandError, match="tên hệ thống nguồn"):
        run(tmp_path, source(world, system=""))


def test_staff_keep_their_password_and_posting_and_citizens_come_in_with_vneid(world, tmp_path):
    run(tmp_path, source(world), "--apply")
    la = User.objects.get(username="tiepnhan.cu")
    assert la.kind == AccountKind.STAFF
    assert Membership.objects.filter(user=la, agency=world.commune_pc, role="receptionist").exists()
    assert la.check_password("mat-khau-cu-2024")  # the old system's hash, kept
    # the carried-over citizen has no password: VNeID proving the same number signs them in
    pom = User.objects.get(email="pom@example.org")
    identity = Identity(
        subject="techid-pom", level=2, kind=AccountKind.CITIZEN, id_number="014090004321",
        tax_code="", name="Cầm Văn Pọm", phone="", email="", address="",
    )  # fmt: skip
    assert sign_in(identity) == pom
    assert pom.external_identities.get().subject == "techid-pom"


def test_an_importer_no_account_has_is_refused(world, tmp_path):
    with pytest.raises(CommandError, match="Không có người dùng “khong-co”"):
        run(tmp_path, source(world), "--apply", "--by", "khong-co")
    assert not Dossier.objects.filter(imported_from=SYSTEM).exists()
