"""Progress reports: periods with deadlines on the calendar, filing locks a report, the office
returns or accepts, corrections are new versions; only the lead agency reports, co-agencies
contribute (issue 6)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cchc.core.models import AuditEvent
from cchc.dossiers.testing import PDF_BYTES
from cchc.reform_plans import reporting as r
from cchc.reform_plans import services as s
from cchc.reform_plans.testing import plan_with_department_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan_task(world):
    return plan_with_department_task(world)


def test_periods_have_deadlines_on_working_days(plan_task):
    plan, _task = plan_task
    periods = {p.title: p for p in r.open_periods(plan)}
    assert len(periods) == 6 and len(r.open_periods(plan)) == 6  # idempotent
    assert periods["Quý 1/2019"].deadline == dt.date(2019, 3, 15)  # a Friday
    assert periods["Quý 2/2019"].deadline == dt.date(2019, 6, 17)  # 15/06 is a Saturday
    assert periods["Quý 3/2019"].deadline == dt.date(2019, 9, 16)  # 15/09 is a Sunday
    assert periods["Năm 2019"].end == dt.date(2019, 12, 31)


def test_file_return_correct_and_accept(world, plan_task):
    plan, task = plan_task
    q3 = next(p for p in r.open_periods(plan) if p.title == "Quý 3/2019")
    agency = world.dept_specialist
    v1 = r.save_report(
        q3,
        task,
        progress="in_progress",
        percent=40,
        narrative="Đã rà soát 12 quy trình",
        actor=agency,
    )
    r.add_evidence(v1, SimpleUploadedFile("bien-ban.pdf", PDF_BYTES), actor=agency)
    v1 = r.file_report(v1, actor=agency)
    assert v1.status == "filed" and v1.filed_by == agency
    with pytest.raises(s.PlanError) as err:
        r.add_evidence(v1, SimpleUploadedFile("them.pdf", PDF_BYTES), actor=agency)
    assert err.value.code == "locked"
    with pytest.raises(s.PlanError) as err:
        r.review(v1, accept=False, comment="", actor=world.reform_officer)
    assert err.value.code == "comment_required"
    v1 = r.review(
        v1, accept=False, comment="Bổ sung danh mục quy trình", actor=world.reform_officer
    )
    assert v1.status == "returned"
    # the correction is a new version; the returned one stays as it was filed
    v2 = r.save_report(
        q3,
        task,
        progress="done_on_time",
        percent=100,
        narrative="Đã chuẩn hóa 12 quy trình",
        actor=agency,
    )
    assert v2.version == 2 and v2.pk != v1.pk
    v1.refresh_from_db()
    assert v1.narrative == "Đã rà soát 12 quy trình" and v1.evidence.count() == 1
    r.file_report(v2, actor=agency)
    v1.refresh_from_db()
    assert v1.status == "superseded" and r.current(q3, task) == v2
    v2 = r.review(v2, accept=True, comment="", actor=world.reform_officer)
    assert v2.status == "accepted"
    actions = list(
        AuditEvent.objects.filter(
            object_id=str(plan.pk), action__startswith="plan.report"
        ).values_list("action", flat=True)
    )
    assert actions.count("plan.report_file") == 2 and actions.count("plan.report_review") == 2


def test_only_the_lead_agency_reports_and_co_agencies_contribute(world, plan_task):
    plan, task = plan_task
    q3 = r.open_periods(plan)[2]
    with pytest.raises(s.PlanError) as err:
        r.save_report(
            q3, task, progress="in_progress", percent=10, narrative="x", actor=world.specialist
        )
    assert err.value.code == "not_lead"
    r.contribute(q3, task, narrative="Cung cấp số liệu hồ sơ cấp phép", actor=world.specialist)
    with pytest.raises(s.PlanError) as err:
        r.contribute(q3, task, narrative="x", actor=world.dept_leader)  # the lead, not a co-agency
    assert err.value.code == "not_co_agency"
    with pytest.raises(s.PlanError) as err:
        r.review(
            r.save_report(
                q3,
                task,
                progress="in_progress",
                percent=10,
                narrative="x",
                actor=world.dept_specialist,
            ),
            accept=True,
            comment="",
            actor=world.dept_leader,
        )
    assert err.value.code == "forbidden"


def test_bad_reports_get_clear_messages(world, plan_task):
    plan, task = plan_task
    q3 = r.open_periods(plan)[2]
    cases = [
        ({"progress": "overdue", "percent": 50, "reason": ""}, "reason_required"),
        ({"progress": "done_on_time", "percent": 80, "reason": ""}, "invalid_input"),
        ({"progress": "in_progress", "percent": 140, "reason": ""}, "invalid_input"),
        ({"progress": "finished", "percent": 100, "reason": ""}, "invalid_input"),
    ]
    for values, code in cases:
        with pytest.raises(s.PlanError) as err:
            r.save_report(q3, task, narrative="x", actor=world.dept_specialist, **values)
        assert err.value.code == code and err.value.message
    draft = r.save_report(
        q3, task, progress="in_progress", percent=10, narrative="", actor=world.dept_specialist
    )
    with pytest.raises(s.PlanError) as err:
        r.file_report(draft, actor=world.dept_specialist)
    assert err.value.code == "narrative_required"
    with pytest.raises(s.PlanError) as err:
        r.save_report(
            q3,
            task,
            progress="in_progress",
            percent=20,
            narrative="y",
            actor=world.dept_specialist,
            revision=draft.revision - 1,
        )
    assert err.value.code == "changed"


def test_filing_and_reviewing_through_the_pages(client, world, plan_task):
    from django.urls import reverse

    plan, task = plan_task
    client.force_login(world.reform_officer)
    client.post(reverse("reform_plans:action", args=[plan.pk, "mo-ky-bao-cao"]))
    q3 = plan.periods.get(kind="quarter", number=3)
    url = reverse("reform_plans:task_report", args=[plan.pk, q3.pk, task.pk])
    client.force_login(world.dept_specialist)
    # bad input: a clear message, and what was typed is still there
    page = client.post(
        url, {"do": "save", "progress": "overdue", "percent": "30", "narrative": "Đang làm dở"}
    ).content.decode()
    assert "Cần ghi lý do" in page and "Đang làm dở" in page
    client.post(
        url, {"do": "save", "progress": "in_progress", "percent": "60", "narrative": "Đã xong 8/12"}
    )
    client.post(url, {"do": "file"})
    period_page = client.get(reverse("reform_plans:period", args=[plan.pk, q3.pk])).content.decode()
    assert "Đã gửi (v1)" in period_page
    client.force_login(world.reform_officer)
    page = client.post(url, {"do": "return", "comment": ""}, follow=True).content.decode()
    assert "Cần ghi ý kiến khi trả lại" in page
    client.post(url, {"do": "return", "comment": "Nêu rõ 4 quy trình còn lại"})
    assert r.current(q3, task).status == "returned"
    client.force_login(world.specialist)  # the commune is a co-agency: it contributes, not reports
    client.post(url, {"do": "contribute", "narrative": "Đã góp ý 3 quy trình"})
    refused = client.post(
        url, {"do": "save", "progress": "in_progress", "percent": "1", "narrative": "x"}
    )
    assert "Chỉ cơ quan chủ trì" in refused.content.decode()
    client.force_login(world.dept_specialist)
    client.post(
        url, {"do": "save", "progress": "done_on_time", "percent": "100", "narrative": "Xong 12/12"}
    )
    client.post(url, {"do": "file"})
    client.force_login(world.reform_officer)
    client.post(url, {"do": "accept", "comment": ""})
    final = r.current(q3, task)
    assert (final.version, final.status, final.percent) == (2, "accepted", 100)
    assert "Đã góp ý 3 quy trình" in client.get(url).content.decode()


def test_filing_and_reviewing_through_the_api(client, world, plan_task):
    plan, task = plan_task
    q1 = r.open_periods(plan)[0]
    base = f"/api/v1/plans/{plan.pk}/periods/{q1.pk}"
    client.force_login(world.dept_specialist)
    assert len(client.get(f"/api/v1/plans/{plan.pk}/periods").json()) == 6
    bad = client.post(
        f"{base}/tasks/{task.pk}/report",
        {"progress": "cancelled", "percent": 0},
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["code"] == "reason_required"
    saved = client.post(
        f"{base}/tasks/{task.pk}/report",
        {"progress": "in_progress", "percent": 25, "narrative": "Khởi động"},
        content_type="application/json",
    ).json()
    filed = client.post(f"/api/v1/plans/reports/{saved['id']}/file").json()
    assert filed["status"] == "filed"
    again = client.post(f"/api/v1/plans/reports/{saved['id']}/file")
    assert again.status_code == 409 and again.json()["code"] == "not_draft"
    refused = client.post(
        f"/api/v1/plans/reports/{saved['id']}/review",
        {"accept": True},
        content_type="application/json",
    )
    assert refused.status_code == 403
    client.force_login(world.reform_officer)
    accepted = client.post(
        f"/api/v1/plans/reports/{saved['id']}/review",
        {"accept": True},
        content_type="application/json",
    ).json()
    assert accepted["status"] == "accepted"
    listed = client.get(f"{base}/reports").json()
    assert [(x["task"], x["status"]) for x in listed] == [("3.1", "accepted")]


def _report(period, task, percent, actor, progress="in_progress", narrative="Đang thực hiện"):
    rep = r.save_report(
        period, task, progress=progress, percent=percent, narrative=narrative, actor=actor
    )
    return r.file_report(rep, actor=actor)


def test_portfolio_lights_and_what_slipped(world, plan_task):
    from cchc.reform_plans import portfolio as pf

    plan, task = plan_task
    q1, q2 = r.open_periods(plan)[:2]
    # Q1 ends 31/03 with 89 of the 272 days to the 30/09 deadline gone (33 %): 30 % is on track
    _report(q1, task, 30, world.dept_specialist)
    # Q2 ends 30/06: 66 % of the time gone, 10 % done → at risk
    _report(q2, task, 10, world.dept_specialist)
    board = pf.build(q2)
    row = next(x for x in board.tasks if x.task == task)
    assert row.light == "amber" and "66%" in row.why
    q1_row = next(x for x in pf.build(q1).tasks if x.task == task)
    assert q1_row.light == "green"
    assert [(x.task.code, before) for x, before in board.slipped if x.task == task] == [
        ("3.1", "Đúng tiến độ")
    ]
    # the key tasks have no report and the filing deadline has passed: off track
    key = next(x for x in board.tasks if x.task.code == "1")
    assert key.light == "red" and "Chưa gửi báo cáo" in key.why
    assert board.by_agency["Sở Xây dựng"]["amber"] == 1
    # a task reported done is done whatever the dates
    q3 = r.open_periods(plan)[2]
    _report(q3, task, 100, world.dept_specialist, progress="done_late", narrative="Xong muộn")
    assert next(x for x in pf.build(q3).tasks if x.task == task).light == "done"


def test_the_periodic_report_docx(client, world, plan_task):
    import io

    from docx import Document

    plan, task = plan_task
    q2 = r.open_periods(plan)[1]
    _report(q2, task, 10, world.dept_specialist, narrative="Đã rà soát 3 quy trình")
    r.contribute(q2, task, narrative="Cung cấp số liệu", actor=world.specialist)
    client.force_login(world.reform_officer)
    response = client.get(f"/ke-hoach/{plan.pk}/ky/{q2.pk}/bao-cao.docx")
    assert response.status_code == 200
    doc = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    heading = doc.tables[0].rows[0].cells[1].text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in heading
    assert "Công tác cải cách hành chính 6 tháng đầu năm 2019" not in text  # Q2, not the half
    assert "Quý 2/2019" in text and "Đã rà soát 3 quy trình" in text
    assert "Phối hợp — " in text and "Cung cấp số liệu" in text
    assert "III. NHIỆM VỤ CHƯA HOÀN THÀNH" in text and "3.1. Chuẩn hóa quy trình" in text
    targets = doc.tables[1]
    names = [row.cells[0].text for row in targets.rows[1:]]
    assert "Hồ sơ thủ tục hành chính giải quyết đúng hạn" in names
    assert any(row.cells[2].text == "Chưa có số liệu" for row in targets.rows[1:])
    goals = [row.cells[1].text for row in targets.rows[1:]]
    assert "100%" in goals and not any("E+" in goal for goal in goals)  # not "1E+2%"
    section = doc.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    assert round(section.left_margin.cm, 1) == 3.0  # Decree 30/2020
    page = client.get(f"/ke-hoach/{plan.pk}/ky/{q2.pk}/").content.decode()
    assert "Có nguy cơ chậm" in page and "Chưa gửi báo cáo" in page


def test_a_leader_narrows_the_period_to_their_agency(client, world, plan_task):
    from django.urls import reverse

    plan, _task = plan_task
    q1 = r.open_periods(plan)[0]
    client.force_login(world.dept_leader)
    url = reverse("reform_plans:period", args=[plan.pk, q1.pk])
    everything = client.get(url).content.decode()
    assert (
        "Chuẩn hóa quy trình nội bộ" in everything and "Đồng hành cùng doanh nghiệp" in everything
    )
    mine = client.get(url, {"cua-toi": "1"}).content.decode()
    assert "Chuẩn hóa quy trình nội bộ" in mine and "Đồng hành cùng doanh nghiệp" not in mine


def test_a_reported_target_takes_the_lead_agencys_value_with_evidence(client, world, plan_task):
    from django.urls import reverse

    from cchc.reform_plans.models import Target

    plan, _task = plan_task
    target = Target.objects.create(
        plan=plan,
        name="Đơn vị sự nghiệp tự chủ chi thường xuyên",
        target_value=10,
        method="reported",
        lead_agency=world.department,
    )
    q2 = r.open_periods(plan)[1]
    url = reverse("reform_plans:target_value", args=[plan.pk, q2.pk, target.pk])
    client.force_login(world.specialist)  # not the lead agency
    page = client.post(url, {"value": "12"}, follow=True).content.decode()
    assert "Chỉ cơ quan chủ trì chỉ tiêu" in page
    client.force_login(world.dept_specialist)
    page = client.post(url, {"value": "12,5"}, follow=True).content.decode()
    assert "Cần đính kèm minh chứng" in page
    page = client.post(url, {"value": "mười"}, follow=True).content.decode()
    assert "phải là số" in page
    client.post(
        url,
        {
            "value": "12,5",
            "note": "Theo quyết định giao tự chủ",
            "evidence": SimpleUploadedFile("qd.pdf", PDF_BYTES),
        },
    )
    result = next(x for x in s.target_results(plan) if x.target == target)
    assert result.value == 12.5 and result.light == "green"


def test_the_report_and_the_annex_open_in_libreoffice_where_installed(
    client, world, plan_task, tmp_path
):
    import shutil
    import subprocess

    from pypdf import PdfReader

    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        pytest.skip("LibreOffice is not installed; the .docx is read with python-docx above")
    plan, task = plan_task
    q2 = r.open_periods(plan)[1]
    _report(q2, task, 10, world.dept_specialist, narrative="Đã rà soát 3 quy trình")
    client.force_login(world.reform_officer)
    files = {
        "bao-cao.docx": client.get(f"/ke-hoach/{plan.pk}/ky/{q2.pk}/bao-cao.docx").content,
        "phu-luc.xlsx": client.get(f"/ke-hoach/{plan.pk}/nhiem-vu.xlsx").content,
    }
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
        subprocess.run(
            [
                office,
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(tmp_path),
                str(tmp_path / name),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
    report = "".join(p.extract_text() for p in PdfReader(tmp_path / "bao-cao.pdf").pages)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in report and "Đã rà soát 3 quy trình" in report
    annex = "".join(p.extract_text() for p in PdfReader(tmp_path / "phu-luc.pdf").pages)
    assert "Chuẩn hóa quy trình nội bộ" in annex


def test_evidence_is_sent_only_by_its_view_and_never_under_media(client, world, plan_task):
    """Issue 15, finding 1: no public `/media/`; the evidence view checks the reader."""
    import importlib

    from django.test import override_settings
    from django.urls import clear_url_caches

    import cchc.urls

    plan, task = plan_task
    q3 = next(p for p in r.open_periods(plan) if p.title == "Quý 3/2019")
    report = r.save_report(
        q3, task, progress="in_progress", percent=40, narrative="x", actor=world.dept_specialist
    )
    evidence = r.add_evidence(
        report, SimpleUploadedFile("biên bản.pdf", PDF_BYTES), actor=world.dept_specialist
    )
    assert evidence.file.name.endswith(".pdf") and "bien" not in evidence.file.name
    url = f"/ke-hoach/minh-chung/{evidence.pk}/"
    assert client.get(url).status_code == 302  # to the login page
    with override_settings(DEBUG=True):  # not even in development: rebuild the URL conf there
        importlib.reload(cchc.urls)
        clear_url_caches()
        try:
            assert client.get(f"/media/{evidence.file.name}").status_code == 404
        finally:
            importlib.reload(cchc.urls)
            clear_url_caches()
    client.force_login(world.citizen)
    assert client.get(url).status_code == 404
    client.force_login(world.reform_officer)
    got = client.get(url)
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF_BYTES
    assert "biên bản.pdf" in got["Content-Disposition"] or "bi%C3%AAn" in got["Content-Disposition"]
    with override_settings(
        CCHC_SENDFILE_HEADER="X-Accel-Redirect", CCHC_SENDFILE_PREFIX="/protected-media/"
    ):
        sent = client.get(url)  # production: nginx sends the file from its internal location
    assert sent["X-Accel-Redirect"] == f"/protected-media/{evidence.file.name}"
    assert sent["X-Content-Type-Options"] == "nosniff" and sent.content == b""
