"""The indices through the pages and the API, by persona (issue 7)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cchc.dossiers.testing import PDF_BYTES
from cchc.indices import services as s
from cchc.indices import survey as sv
from cchc.indices.models import Assessment, Framework, Score, SurveyResponse

from .test_assessments import appraise_all, seeded, small_framework
from .test_survey import open_round, small_instrument


def published(world, framework=None) -> Framework:
    f = framework or small_framework(world)
    f.self_deadline = timezone.localdate() + dt.timedelta(days=7)
    f.save()
    return s.publish(f, actor=world.reform_officer)


def test_citizens_see_nothing_of_the_indices(client, world):
    client.force_login(world.citizen)
    assert client.get(reverse("indices:home")).status_code == 404
    assert client.get("/api/v1/indices/frameworks").status_code == 403
    assert client.get(reverse("indices:national")).status_code == 404


def test_the_agency_self_scores_on_the_page_and_bad_input_is_kept(client, world):
    f = published(world)
    a = Assessment.objects.get(framework=f, agency=world.department)
    score = a.scores.get(criterion__code="1.2")
    client.force_login(world.dept_specialist)
    url = reverse("indices:assessment", args=[a.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Gửi kết quả tự đánh giá" not in page.content.decode()
    bad = client.post(
        url, {"do": "tu-cham", "score": score.pk, "value": "9", "note": "Giải trình dài"}
    )
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "phải từ 0 đến 3,5" in body
    assert 'value="9"' in body and "Giải trình dài" in body  # what was typed is kept
    ok = client.post(url, {"do": "tu-cham", "score": score.pk, "value": "3,25", "note": "Đủ"})
    assert ok.status_code == 302
    assert Score.objects.get(pk=score.pk).self_score == Decimal("3.25")
    evidence = client.post(
        url,
        {
            "do": "minh-chung",
            "score": a.scores.get(criterion__code="1.1").pk,
            "file": SimpleUploadedFile("bao-cao.pdf", PDF_BYTES, content_type="application/pdf"),
        },
    )
    assert evidence.status_code == 302
    assert "bao-cao" in client.get(url).content.decode()
    # another department's assessment is not even visible
    other = Assessment.objects.filter(framework=f).exclude(agency=world.department).first()
    assert client.get(reverse("indices:assessment", args=[other.pk])).status_code == 404
    assert (
        client.post(
            reverse("indices:assessment", args=[other.pk]),
            {"do": "tu-cham", "score": other.scores.first().pk, "value": "1"},
        ).status_code
        == 404
    )


def test_the_assessment_page_has_a_bounded_number_of_queries(
    client, world, django_assert_max_num_queries
):
    f = published(world, seeded())
    a = Assessment.objects.get(framework=f, agency=world.department)
    client.force_login(world.reform_officer)
    with django_assert_max_num_queries(30):
        assert client.get(reverse("indices:assessment", args=[a.pk])).status_code == 200


def test_a_year_runs_end_to_end_through_the_api(client, world):
    """Done-when: the seeded framework for departments, self-assessment → appraisal →
    ranking → export, by the department, its leader and the council, through the API."""
    client.force_login(world.reform_officer)
    f = seeded()
    deadline = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    r = client.post(
        f"/api/v1/indices/frameworks/{f.pk}/actions/publish",
        {"self_deadline": deadline},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "published"
    mine = client.get("/api/v1/indices/assessments", {"framework": f.pk}).json()
    dept = next(x for x in mine if x["agency_id"] == world.department.pk)

    client.force_login(world.dept_specialist)
    own = client.get("/api/v1/indices/assessments", {"framework": f.pk}).json()
    assert [x["agency_id"] for x in own] == [world.department.pk]  # only its own
    manual = [sc for sc in dept["scores"] if sc["method"] == "manual"]
    for sc in manual:
        r = client.put(
            f"/api/v1/indices/assessments/{dept['id']}/scores/{sc['criterion']}",
            {"score": str(sc["max_score"]), "note": "Hoàn thành"},
            content_type="application/json",
        )
        assert r.status_code == 200, r.json()
    r = client.put(
        f"/api/v1/indices/assessments/{dept['id']}/scores/1.2",
        {"score": "99"},
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["code"] == "out_of_range"
    needs = [x for x in f.criteria.all() if x.evidence_required]
    for c in needs:
        r = client.post(
            f"/api/v1/indices/assessments/{dept['id']}/scores/{c.code}/evidence",
            {
                "file": SimpleUploadedFile(
                    f"{c.code}.pdf", PDF_BYTES, content_type="application/pdf"
                )
            },
        )
        assert r.status_code == 200
    assert (
        client.post(f"/api/v1/indices/assessments/{dept['id']}/submit").json()["code"]
        == "leader_only"
    )
    client.force_login(world.dept_leader)
    r = client.post(f"/api/v1/indices/assessments/{dept['id']}/submit")
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    self_total = r.json()["self_total"]
    assert self_total == float(sum(Decimal(str(sc["max_score"])) for sc in manual))
    # the leader cannot appraise
    r = client.post(
        f"/api/v1/indices/assessments/{dept['id']}/scores/1.2/appraisal",
        {"decision": "accepted"},
        content_type="application/json",
    )
    assert r.status_code == 403

    client.force_login(world.reform_officer)
    for sc in manual:
        r = client.post(
            f"/api/v1/indices/assessments/{dept['id']}/scores/{sc['criterion']}/appraisal",
            {"decision": "accepted"},
            content_type="application/json",
        )
        assert r.status_code == 200
    r = client.post(
        f"/api/v1/indices/assessments/{dept['id']}/scores/1.2/appraisal",
        {"decision": "adjusted", "score": "1.5", "reason": "Chậm một báo cáo quý"},
        content_type="application/json",
    )
    assert r.json()["final_total"] == self_total - 0.5
    # automatic criteria without data are scored by the council
    for sc in r.json()["scores"]:
        if sc["final_score"] is None:
            client.post(
                f"/api/v1/indices/assessments/{dept['id']}/scores/{sc['criterion']}/appraisal",
                {"decision": "adjusted", "score": "0", "reason": "Chưa có số liệu"},
                content_type="application/json",
            )
    # the other departments did not submit: after the deadline the council scores them
    Framework.objects.filter(pk=f.pk).update(
        self_deadline=timezone.localdate() - dt.timedelta(days=1)
    )
    f.refresh_from_db()
    appraise_all(f, world.reform_officer, "0.5")
    r = client.post(
        f"/api/v1/indices/frameworks/{f.pk}/actions/finalise", {}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["status"] == "finalised"
    results = client.get(f"/api/v1/indices/frameworks/{f.pk}/results").json()
    assert results[0]["agency_id"] == world.department.pk and results[0]["rank"] == 1
    assert results[0]["total"] == self_total - 0.5
    assert len(results) == f.assessments.count()
    assert sum(results[0]["fields"].values()) == results[0]["total"]
    xlsx = client.get(f"/api/v1/indices/frameworks/{f.pk}/results.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    # every official may now read the announced ranking, on the page too
    client.force_login(world.specialist)
    assert client.get(f"/api/v1/indices/frameworks/{f.pk}/results").status_code == 200
    page = client.get(reverse("indices:results", args=[f.pk])).content.decode()
    assert "Sở Xây dựng" in page and "Tải dự thảo quyết định công bố" in page
    assert client.get(reverse("indices:export", args=[f.pk, "docx"])).content[:2] == b"PK"


def test_results_are_not_shown_before_they_are_announced(client, world):
    f = published(world)
    client.force_login(world.dept_leader)
    assert client.get(f"/api/v1/indices/frameworks/{f.pk}/results").status_code == 403
    assert client.get(reverse("indices:results", args=[f.pk])).status_code == 404


def test_the_council_publishes_and_finalises_on_the_page(client, world):
    f = small_framework(world)
    client.force_login(world.dept_leader)
    assert client.post(reverse("indices:action", args=[f.pk, "ban-hanh"])).status_code == 404
    client.force_login(world.reform_officer)
    r = client.post(
        reverse("indices:action", args=[f.pk, "ban-hanh"]), {"self_deadline": "2031-12-20"}
    )
    f.refresh_from_db()
    assert (
        r.status_code == 302
        and f.status == "published"
        and f.self_deadline == dt.date(2031, 12, 20)
    )
    r = client.post(reverse("indices:action", args=[f.pk, "cong-bo"]), follow=True)
    assert "Còn tiêu chí chưa có điểm thẩm định" in r.content.decode()


def test_paper_kiosk_and_public_link_pages(client, world):
    survey = open_round(world, small_instrument())
    answers = {"q-a1": "5", "q-a2": "4", "q-b1": "0"}
    client.force_login(world.reform_officer)
    url = reverse("indices:paper", args=[survey.pk])
    bad = client.post(url, {"agency": world.department.pk, "paper_number": "", **answers})
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "Cần ghi số phiếu giấy" in body
    assert 'name="q-a1" value="5" checked' in body  # the answers typed are kept
    ok = client.post(url, {"agency": world.department.pk, "paper_number": "P-01", **answers})
    assert ok.status_code == 302
    client.force_login(world.receptionist)  # the kiosk device is logged in at the desk
    kiosk = reverse("indices:kiosk", args=[survey.pk])
    assert client.post(kiosk, {"agency": world.commune_pc.pk, **answers}).status_code == 302
    kept = SurveyResponse.objects.get(channel="kiosk")
    assert kept.desk == world.commune_desk and kept.answers == {"a1": 5, "a2": 4, "b1": 0}
    client.force_login(world.citizen)
    assert client.get(kiosk).status_code == 404
    client.force_login(world.reform_officer)  # an official without a desk: told why, no 404
    refused = client.get(kiosk)
    assert refused.status_code == 403 and "không thuộc bộ phận nào" in refused.content.decode()
    round_page = client.get(reverse("indices:round", args=[survey.pk])).content.decode()
    assert "Mở phiếu tại quầy" not in round_page

    # the public link, without login
    client.logout()
    from cchc.dossiers.models import Dossier

    d = world.received()
    Dossier.objects.filter(pk=d.pk).update(status="returned")
    from cchc.indices.models import SurveyInvitation

    SurveyInvitation.objects.create(
        round=survey, dossier=d, agency=world.commune_pc, token_hash=sv.token_hash("abc123")
    )
    link = reverse("survey_link", args=["abc123"])
    page = client.get(link)
    assert page.status_code == 200 and "Phiếu khảo sát" in page.content.decode()
    assert client.post(link, {"q-a1": "5"}).status_code == 400
    done = client.post(link, answers)
    assert "đã được ghi nhận" in done.content.decode()
    assert "đã được ghi nhận" in client.get(link).content.decode()
    assert client.get(reverse("survey_link", args=["sai"])).status_code == 404
    r = client.post(
        "/api/v1/indices/survey-links/abc123",
        {"answers": {"a1": 5, "a2": 5, "b1": 5}},
        content_type="application/json",
    )
    assert r.status_code == 409 and r.json()["code"] == "used"


def test_survey_round_page_and_api(client, world):
    survey = open_round(world, small_instrument())
    client.force_login(world.reform_officer)
    for i in range(3):
        r = client.post(
            f"/api/v1/indices/surveys/{survey.pk}/responses",
            {
                "agency_id": world.department.pk,
                "paper_number": str(i),
                "answers": {"a1": 5, "a2": 4, "b1": 3},
            },
            content_type="application/json",
        )
        assert r.status_code == 200
    r = client.post(
        f"/api/v1/indices/surveys/{survey.pk}/responses",
        {"agency_id": world.department.pk, "paper_number": "9", "answers": {"a1": 9}},
        content_type="application/json",
    )
    assert r.status_code == 422
    assert (
        client.post(
            f"/api/v1/indices/surveys/{survey.pk}/status",
            {"status": "published"},
            content_type="application/json",
        ).status_code
        == 409
    )
    for status in ("closed", "published"):
        assert (
            client.post(
                f"/api/v1/indices/surveys/{survey.pk}/status",
                {"status": status},
                content_type="application/json",
            ).status_code
            == 200
        )
    results = client.get(f"/api/v1/indices/surveys/{survey.pk}/results").json()
    # 2 of 3 answers satisfied in each of 3 responses
    assert results["province"]["overall"]["value"] == 66.67
    page = client.get(reverse("indices:round", args=[survey.pk])).content.decode()
    assert "66,67%" in page or "66.67%" in page
    client.force_login(world.dept_leader)
    assert (
        client.post(
            f"/api/v1/indices/surveys/{survey.pk}/sample",
            {"size": 3},
            content_type="application/json",
        ).status_code
        == 403
    )


def test_national_page_and_import(client, world):
    client.force_login(world.dept_leader)
    page = client.get(reverse("indices:national"))
    body = page.content.decode()
    assert page.status_code == 200 and 'id="chart-par-index"' in body
    assert "90,02" in body or "90.02" in body
    assert "12/63" in body
    assert client.post(reverse("indices:national"), {}).status_code == 404
    client.force_login(world.reform_officer)
    content = (
        "Chỉ số,Năm,Mã tỉnh,Tỉnh,Điểm,Xếp hạng,Số tỉnh,Nhóm,Nguồn,Ghi chú\n"
        "PCI,2023,14,Sơn La,64.1,45,63,,VCCI 2023,\n"
    ).encode()
    r = client.post(
        reverse("indices:national"),
        {"file": SimpleUploadedFile("pci.csv", content, content_type="text/csv")},
        follow=True,
    )
    assert "Đã nhập 1 kết quả mới" in r.content.decode()
    api = client.get("/api/v1/indices/national", {"index": "pci", "province_code": "14"}).json()
    assert [(x["year"], x["rank"]) for x in api] == [(2022, 49), (2023, 45)]
    bad = client.post(
        "/api/v1/indices/national/import",
        {"file": SimpleUploadedFile("x.csv", b"Chi so,Nam\n", content_type="text/csv")},
    )
    assert bad.status_code == 422 and bad.json()["code"] == "bad_layout"


def test_survey_rounds_are_created_by_the_council_on_the_page_and_the_api(client, world):
    client.force_login(world.reform_officer)
    bad = client.post(
        reverse("indices:rounds"), {"title": "Quý IV", "start": "2026-12-31", "end": "2026-10-01"}
    )
    assert bad.status_code == 400 and 'value="Quý IV"' in bad.content.decode()
    ok = client.post(
        reverse("indices:rounds"), {"title": "Quý IV", "start": "2026-10-01", "end": "2026-12-31"}
    )
    assert ok.status_code == 302
    r = client.post(
        "/api/v1/indices/surveys",
        {"title": "Năm 2026", "start": "2026-01-01", "end": "2026-12-31"},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["status"] == "draft"
    client.force_login(world.dept_leader)
    r = client.post(
        "/api/v1/indices/surveys",
        {"title": "X", "start": "2026-01-01", "end": "2026-12-31"},
        content_type="application/json",
    )
    assert r.status_code == 403


def test_the_2019_three_level_structure_has_its_district_framework(world):
    f = Framework.objects.get(year=2019, agency_kind="district_peoples_committee")
    agencies = s.agencies_for(f)
    assert len(agencies) == 12  # Sơn La's 12 districts and city before the 2025 reform
    assert all(a.kind == "district_peoples_committee" for a in agencies)


def test_admin_edits_are_audited_and_a_published_framework_is_read_only(client, world):
    from cchc.core.models import AuditEvent

    admin_user = world.reform_officer
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    survey = open_round(world, small_instrument())
    url = reverse("admin:indices_surveyround_change", args=[survey.pk])
    assert client.get(url).status_code == 200
    data = {
        "instrument": survey.instrument_id,
        "province": survey.province_id,
        "title": "Khảo sát năm 2026 (bổ sung)",
        "start": "2026-01-01",
        "end": "2026-12-31",
    }
    assert client.post(url, data).status_code == 302
    survey.refresh_from_db()
    assert survey.title == "Khảo sát năm 2026 (bổ sung)"
    event = AuditEvent.objects.filter(
        chain_key=f"indices.surveyround:{survey.pk}", action="surveyround.change"
    ).get()
    assert event.changes["title"]["after"] == "Khảo sát năm 2026 (bổ sung)"
    f = published(world)
    page = client.get(reverse("admin:indices_framework_change", args=[f.pk]))
    fields = page.context["adminform"].form.fields
    assert "title" not in fields and "bands" not in fields  # frozen
    assert "self_deadline" in fields


def test_a_running_rounds_agency_lines_are_the_council_s_and_the_agency_s_own(client, world):
    """Before publication each agency's satisfaction is internal: the council sees every
    agency, another official the province's line and their own agency; once published, every
    official sees the whole table."""
    survey = open_round(world, small_instrument())
    client.force_login(world.reform_officer)
    for i, agency in enumerate([world.department, world.department, world.commune_pc]):
        r = client.post(
            f"/api/v1/indices/surveys/{survey.pk}/responses",
            {
                "agency_id": agency.pk,
                "paper_number": str(i),
                "answers": {"a1": 5, "a2": 4, "b1": 3},
            },
            content_type="application/json",
        )
        assert r.status_code == 200
    url = f"/api/v1/indices/surveys/{survey.pk}/results"
    both = {str(world.department.pk), str(world.commune_pc.pk)}
    assert set(client.get(url).json()["agencies"]) == both
    client.force_login(world.dept_leader)
    mine = client.get(url).json()
    assert set(mine["agencies"]) == {str(world.department.pk)}
    assert mine["province"]["responses"] == 3  # the province's line stays whole
    page = client.get(reverse("indices:round", args=[survey.pk])).content.decode()
    assert world.department.name in page and world.commune_pc.name not in page
    client.force_login(world.reform_officer)
    for status in ("closed", "published"):
        client.post(
            f"/api/v1/indices/surveys/{survey.pk}/status",
            {"status": status},
            content_type="application/json",
        )
    client.force_login(world.dept_leader)
    assert set(client.get(url).json()["agencies"]) == both
