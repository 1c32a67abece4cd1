"""A province's announcement decision applied to the catalog (issue 21): which procedures it
offers, at which level, from which day; an abolished procedure's dossiers in progress finish
under it while new ones are refused from its last day on (R-VERSION)."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command

from cchc.core.errors import DomainError
from cchc.dossiers import constants as c
from cchc.dossiers import services as s
from cchc.dossiers.testing import at, walk_to_result
from cchc.procedures import announcements, sync
from cchc.procedures.constants import VersionStatus
from cchc.procedures.models import Announcement, Procedure, ProcedureVersion
from cchc.procedures.services import resolve_competent_agency
from cchc.procedures.tests.test_national import record

pytestmark = pytest.mark.django_db
DECISION = {
    "number": "1234/QĐ-UBND",
    "signed_on": "20/11/2026",
    "effective_from": "01/12/2026",
    "issuer": "Ủy ban nhân dân tỉnh",
    "title": "Công bố danh mục thủ tục hành chính lĩnh vực hộ tịch",
}


def decision(*items, **changes):
    return {**DECISION, **changes, "items": list(items)}


def test_a_new_procedure_is_offered_at_the_announced_level_from_the_effective_day(world):
    sync.sync([record(MATTHC="2.002222", TENTTHC="Thủ tục mới công bố")], actor=None)
    report = announcements.apply(
        decision({"code": "2.002222", "action": "new", "level": "commune"}), actor=None
    )
    assert report.published == ["2.002222"] and not report.refused
    v = ProcedureVersion.objects.get(procedure__code="2.002222")
    assert v.status == VersionStatus.PUBLISHED and v.valid_from == dt.date(2026, 12, 1)
    assert v.announcement == "Quyết định 1234/QĐ-UBND ngày 20/11/2026"
    assert ProcedureVersion.objects.in_force_for("2.002222", dt.date(2026, 11, 30)) is None
    assert ProcedureVersion.objects.in_force_for("2.002222", dt.date(2026, 12, 1)) == v
    procedure = Procedure.objects.get(code="2.002222")
    assert (
        resolve_competent_agency(procedure, world.commune, dt.date(2026, 12, 1)) == world.commune_pc
    )
    assert resolve_competent_agency(procedure, world.commune, dt.date(2026, 11, 30)) is None


def test_an_amended_procedure_publishes_its_waiting_draft_and_the_old_version_ends_the_day_before(
    world,
):
    old = ProcedureVersion.objects.in_force_for("1.004873", dt.date(2026, 11, 23))
    sync.sync([record()], actor=None)
    report = announcements.apply(
        decision({"code": "1.004873", "action": "amended", "level": "commune"}), actor=None
    )
    assert report.published == ["1.004873"]
    old.refresh_from_db()
    assert old.valid_to == dt.date(2026, 11, 30)
    new = ProcedureVersion.objects.in_force_for("1.004873", dt.date(2026, 12, 1))
    assert new.number == old.number + 1 and new.legal_basis.startswith("60/2014/QH13")


def test_an_abolished_procedures_dossiers_finish_and_new_ones_are_refused(world):
    before = world.received(moment="2026-11-27 09:00")  # received under the procedure
    report = announcements.apply(decision({"code": "1.004873", "action": "abolished"}), actor=None)
    assert report.abolished == ["1.004873"]
    # the dossier in progress is settled under the version it was received under
    done = walk_to_result(world, before, at("2026-12-02 10:00"))
    assert done.status == c.Status.RESULT_READY
    # a new reception from the effective day is refused, with the reason
    v = ProcedureVersion.objects.get(pk=before.procedure_version_id)  # as a desk loads it
    with pytest.raises(DomainError) as refused:
        s.start_dossier(
            version=v, desk=world.commune_desk, applicant=world.applicant(), channel="in_person",
            documents=world.documents(v), actor=world.receptionist, at=at("2026-12-02 09:00"),
        )  # fmt: skip
    assert "không còn hiệu lực" in str(refused.value.details or refused.value.message)
    assert world.received(moment="2026-11-30 09:00").status == c.Status.IN_PROGRESS


def test_the_same_decision_twice_changes_nothing_and_bad_items_are_refused(world, tmp_path):
    path = tmp_path / "qd.json"
    path.write_text(
        json.dumps(
            decision(
                {"code": "1.004873", "action": "amended", "level": "commune"},
                {"code": "9.999999", "action": "new", "level": "commune"},
                {"code": "1.001193", "action": "new", "level": "province"},
                {"code": "1.001193", "action": "moved", "level": "commune"},
            ),
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("import_announcement", str(path), "--dry-run", stdout=out)
    assert "Bị từ chối: 3" in out.getvalue() and not Announcement.objects.exists()
    out = io.StringIO()
    call_command("import_announcement", str(path), stdout=out)
    text = out.getvalue()
    assert "mục 2 (9.999999): Thủ tục 9.999999 chưa có trong danh mục" in text
    assert "mục 3 (1.001193): Thủ tục cấp tỉnh phải ghi cơ quan giải quyết" in text
    assert "mục 4 (1.001193): Nội dung phải là new, amended hoặc abolished." in text
    assert "Giữ phiên bản, ghi thẩm quyền: 1" in text  # no draft waited: the version stays
    again = io.StringIO()
    call_command("import_announcement", str(path), stdout=again)
    assert "đã được nhập trước đây" in again.getvalue()
    assert Announcement.objects.count() == 1


def test_from_an_empty_catalog_one_import_and_one_decision_publish_the_provinces_procedures(
    world, client
):
    from django.conf import settings

    from cchc.procedures import national

    base = settings.BASE_DIR / "data" / "catalog" / "national"
    ProcedureVersion.objects.all().delete()
    Procedure.objects.all().delete()
    records = national.records_of(
        json.loads((base / "mau-laythutuc.json").read_text(encoding="utf-8"))
    )
    report = sync.sync(records, actor=None)
    assert len(report.created) == len(records) >= 30 and not report.refused
    assert not ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED).exists()
    unconfirmed = ProcedureVersion.objects.get(procedure__code="1.004873")
    assert unconfirmed.time_to_confirm and unconfirmed.fee_to_confirm  # flagged as the file says
    decision_file = json.loads((base / "mau-quyet-dinh-cong-bo.json").read_text(encoding="utf-8"))
    applied = announcements.apply(decision_file, actor=None)
    assert not applied.refused, applied.refused
    assert len(applied.published) == len(decision_file["items"])
    today = dt.date(2026, 11, 23)
    assert ProcedureVersion.objects.in_force(today).count() == len(decision_file["items"])
    # the portal lists them and the desk receives under them, at the announced level
    assert (
        "Cấp Giấy xác nhận tình trạng hôn nhân"
        in client.get("/dich-vu-cong/thu-tuc/?q=hon+nhan").content.decode()
    )
    d = world.received("1.004873", "2026-11-23 09:00")
    assert d.competent_agency == world.commune_pc
    # a second run of the same file: nothing changes
    assert len(sync.sync(records, actor=None).unchanged) == len(records)


def test_the_catalog_pages_keep_their_query_counts_with_hundreds_more_procedures(world, client):
    import copy

    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cchc.procedures import national

    def counts():
        found = {}
        client.force_login(world.receptionist)
        for path in ("/dich-vu-cong/thu-tuc/", "/dich-vu-cong/thu-tuc/?q=ho+tich", "/thu-tuc/"):
            client.get(path)  # warm: the session's activity stamp, the cached notices
            with CaptureQueriesContext(connection) as queries:
                assert client.get(path).status_code == 200
            found[path] = len(queries)
        return found

    before = counts()
    sample = national.records_of(
        json.loads(
            (settings.BASE_DIR / "data/catalog/national/mau-laythutuc.json").read_text("utf-8")
        )
    )
    records = []
    for i in range(300):
        record = copy.deepcopy(sample[i % len(sample)])
        record["MATTHC"], record["TENTTHC"] = f"9.{i:06d}", f"{record['TENTTHC']} (mẫu {i})"
        records.append(record)
    assert len(sync.sync(records, actor=None).created) == 300
    items = [{"code": r["MATTHC"], "action": "new", "level": "commune"} for r in records]
    assert len(announcements.apply(decision(*items, number="300/QĐ"), actor=None).published) == 300
    assert counts() == before  # one query per list, whatever the catalog's size
