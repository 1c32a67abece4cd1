"""Frameworks and the yearly assessment of agencies (issue 7): self-assessment with evidence,
appraisal by the council, totals with Decimal, ranks, bands, the previous year, exports."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cchc.core.models import AuditEvent
from cchc.dossiers.testing import PDF_BYTES
from cchc.indices import services as s
from cchc.indices.constants import ScoringMethod
from cchc.indices.models import Assessment, Criterion, Framework, Score
from cchc.organizations.constants import AgencyKind

D = Decimal


def seeded(kind: str = AgencyKind.DEPARTMENT) -> Framework:
    return Framework.objects.get(year=2026, agency_kind=kind)


def small_framework(world, year: int = 2031, kind: str = AgencyKind.DEPARTMENT) -> Framework:
    """Two fields: one manual criterion with two sub-criteria (one needs evidence), one
    metric criterion mapped to points by bands."""
    f = Framework.objects.create(
        province=world.commune.province,
        year=year,
        agency_kind=kind,
        title=f"Chỉ số CCHC năm {year} của các sở",
        bands=[[90, "A", "Xuất sắc"], [70, "B", "Tốt"], [0, "C", "Trung bình"]],
    )
    one = Criterion.objects.create(framework=f, code="1", name="Chỉ đạo điều hành", max_score=6)
    Criterion.objects.create(
        framework=f,
        parent=one,
        code="1.1",
        name="Kế hoạch",
        max_score=D("2.5"),
        evidence_required=True,
    )
    Criterion.objects.create(
        framework=f, parent=one, code="1.2", name="Báo cáo", max_score=D("3.5")
    )
    Criterion.objects.create(
        framework=f,
        code="2",
        name="Đúng hạn",
        max_score=4,
        method=ScoringMethod.METRIC,
        metric="on_time",
        bands=[[100, 4], [95, 3], [0, 0]],
    )
    return f


def upload(name: str = "ke-hoach.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def appraise_all(framework: Framework, actor, value: str = "1") -> None:
    for score in Score.objects.filter(assessment__framework=framework).select_related(
        "criterion", "assessment"
    ):
        if score.final_score is None:
            s.appraise(score, decision="adjusted", value=value, reason="Hội đồng chấm", actor=actor)


def test_the_seeded_framework_follows_the_eight_fields_and_adds_up(world):
    f = seeded()
    roots = s.tree(f)
    assert [r.criterion.code for r in roots] == [str(i) for i in range(1, 9)]
    assert s.max_total(f) == D(100)
    assert [r.criterion.max_score for r in roots][2:5] == [D(13), D("10.5"), D(15)]
    assert roots[7].criterion.max_score == D("16.5")
    assert s.problems(f) == []
    assert f.unconfirmed  # the UI warns it is a template, not the province's decision
    methods = {c.method for c in s.leaves(f)}
    assert methods == {"manual", "metric", "survey"}
    assert max(n.depth for n in s.flat(f)) == 2  # fields → criteria → sub-criteria


def test_a_framework_whose_parts_do_not_add_up_is_not_published(world):
    f = small_framework(world)
    Criterion.objects.filter(framework=f, code="1.2").update(max_score=3)
    with pytest.raises(s.IndicesError) as e:
        s.publish(f, actor=world.reform_officer)
    assert "khác tổng" in e.value.message
    f.refresh_from_db()
    assert f.status == "draft" and not f.assessments.exists()


def test_only_the_council_publishes_and_a_published_framework_is_frozen(world):
    f = small_framework(world)
    with pytest.raises(s.IndicesError):
        s.publish(f, actor=world.dept_leader)
    s.publish(f, actor=world.reform_officer)
    node = Criterion.objects.get(framework=f, code="1.2")
    node.max_score = 5
    with pytest.raises(s.IndicesError) as e:
        s.save_criterion(node, actor=world.reform_officer)
    assert e.value.code == "frozen"
    # every department of the province has an assessment with a score row per leaf
    a = Assessment.objects.get(framework=f, agency=world.department)
    assert sorted(a.scores.values_list("criterion__code", flat=True)) == ["1.1", "1.2", "2"]
    assert f.assessments.count() == len(s.agencies_for(f)) > 10
    assert AuditEvent.objects.filter(action="index.publish").exists()


def test_copy_starts_next_year_from_the_same_tree(world):
    f = seeded()
    copy = s.copy_framework(f, year=2027, actor=world.reform_officer)
    assert copy.status == "draft" and "2027" in copy.title
    assert [(n.criterion.code, n.criterion.max_score, n.depth) for n in s.flat(copy)] == [
        (n.criterion.code, n.criterion.max_score, n.depth) for n in s.flat(f)
    ]
    with pytest.raises(s.IndicesError):
        s.copy_framework(f, year=2027, actor=world.reform_officer)


def test_points_follow_the_bands_or_the_value_pro_rata(world):
    f = small_framework(world)
    banded = Criterion.objects.get(framework=f, code="2")
    assert s.points_for(banded, D(100)) == D(4)
    assert s.points_for(banded, D("99.99")) == D(3)
    assert s.points_for(banded, D(95)) == D(3)
    assert s.points_for(banded, D("94.9")) == D(0)
    plain = Criterion(max_score=D("3.5"), bands=[])
    assert s.points_for(plain, D("87.5")) == D("3.06")  # 3.5 × 0.875 = 3.0625
    assert s.points_for(plain, D(120)) == D("3.5")  # never above the maximum


def test_self_assessment_and_appraisal_give_a_reproducible_total(world):
    f = small_framework(world)
    f.self_deadline = timezone.localdate() + dt.timedelta(days=10)
    f.save()
    s.publish(f, actor=world.reform_officer)
    a = Assessment.objects.get(framework=f, agency=world.department)
    k11, k12 = (a.scores.get(criterion__code=c) for c in ("1.1", "1.2"))

    # bad input is refused with a message and nothing stored
    for bad, code in (("3", "out_of_range"), ("abc", "invalid_score"), ("1.234", "invalid_score")):
        with pytest.raises(s.IndicesError) as e:
            s.save_self_score(k11, value=bad, note="", actor=world.dept_specialist)
        assert e.value.code == code
    assert Score.objects.get(pk=k11.pk).self_score is None

    s.save_self_score(k11, value="2,5", note="Ban hành ngày 20/12", actor=world.dept_specialist)
    s.save_self_score(k12, value="3", note="", actor=world.dept_specialist)
    # 1.1 needs evidence before the leader can submit
    with pytest.raises(s.IndicesError) as e:
        s.submit(a, actor=world.dept_leader)
    assert e.value.code == "incomplete" and "1.1" in e.value.message
    s.add_evidence(k11, upload(), actor=world.dept_specialist)
    # a specialist cannot submit; the leader can
    with pytest.raises(s.IndicesError) as e:
        s.submit(a, actor=world.dept_specialist)
    assert e.value.code == "leader_only"
    a = s.submit(a, actor=world.dept_leader)
    assert a.status == "submitted" and a.self_total == D("5.5")  # metric without data: none
    # locked for the agency once submitted
    with pytest.raises(s.IndicesError) as e:
        s.save_self_score(k12, value="1", note="", actor=world.dept_specialist)
    assert e.value.code == "submitted"

    s.appraise(k11, decision="accepted", actor=world.reform_officer)
    with pytest.raises(s.IndicesError) as e:
        s.appraise(k12, decision="adjusted", value="2", reason=" ", actor=world.reform_officer)
    assert e.value.code == "reason_required"
    s.appraise(
        k12,
        decision="adjusted",
        value="2.25",
        reason="Thiếu báo cáo quý III",
        actor=world.reform_officer,
    )
    metric = a.scores.get(criterion__code="2")
    with pytest.raises(s.IndicesError) as e:  # no data to accept
        s.appraise(metric, decision="accepted", actor=world.reform_officer)
    s.appraise(
        metric, decision="adjusted", value="3", reason="Số liệu của Sở", actor=world.reform_officer
    )
    sub = s.subtotals(a)
    by_code = {c.code: sub[c.pk] for c in f.criteria.all()}
    assert by_code == {"1": D("4.75"), "1.1": D("2.5"), "1.2": D("2.25"), "2": D(3)}
    assert s.total(a) == D("7.75")
    events = AuditEvent.objects.filter(chain_key=f"indices.framework:{f.pk}")
    actions = list(events.values_list("action", flat=True))
    assert actions.count("index.self_score") == 2 and actions.count("index.appraise") == 3
    adjusted = events.filter(action="index.appraise", reason="Thiếu báo cáo quý III").get()
    assert adjusted.changes["appraised_score"] == {"before": None, "after": "2.25"}


def test_an_agency_edits_only_its_own_self_assessment_and_only_the_council_appraises(world):
    f = small_framework(world)
    s.publish(f, actor=world.reform_officer)
    mine = Assessment.objects.get(framework=f, agency=world.department)
    other = Assessment.objects.exclude(agency=world.department).filter(framework=f).first()
    with pytest.raises(s.IndicesError) as e:
        s.save_self_score(
            other.scores.get(criterion__code="1.2"), value="1", note="", actor=world.dept_specialist
        )
    assert e.value.code == "not_own"
    with pytest.raises(s.IndicesError) as e:  # the commune's staff are not the department's
        s.save_self_score(
            mine.scores.get(criterion__code="1.2"), value="1", note="", actor=world.specialist
        )
    assert e.value.code == "not_own"
    # the agency cannot appraise itself, even after the deadline
    Framework.objects.filter(pk=f.pk).update(
        self_deadline=timezone.localdate() - dt.timedelta(days=1)
    )
    mine.refresh_from_db()
    with pytest.raises(s.IndicesError) as e:
        s.appraise(
            mine.scores.get(criterion__code="1.2"),
            decision="adjusted",
            value="1",
            reason="x",
            actor=world.dept_leader,
        )
    assert e.value.code == "forbidden"


def test_after_the_deadline_the_agency_is_locked_and_the_council_appraises(world):
    f = small_framework(world)
    s.publish(f, actor=world.reform_officer)
    a = Assessment.objects.get(framework=f, agency=world.department)
    score = a.scores.get(criterion__code="1.2")
    with pytest.raises(s.IndicesError) as e:  # before the deadline, not submitted
        s.appraise(score, decision="adjusted", value="1", reason="x", actor=world.reform_officer)
    assert e.value.code == "not_submitted"
    Framework.objects.filter(pk=f.pk).update(
        self_deadline=timezone.localdate() - dt.timedelta(days=1)
    )
    with pytest.raises(s.IndicesError) as e:
        s.save_self_score(score, value="1", note="", actor=world.dept_specialist)
    assert e.value.code == "deadline_passed"
    s.appraise(
        score,
        decision="adjusted",
        value="1",
        reason="Không gửi tự đánh giá",
        actor=world.reform_officer,
    )


def test_metric_criteria_fill_themselves_from_the_dossiers(world):
    from cchc.dossiers.models import Dossier

    commune = AgencyKind.COMMUNE_PEOPLES_COMMITTEE
    Framework.objects.filter(year=2026, agency_kind=commune).delete()  # the seeded draft
    f = small_framework(world, year=2026, kind=commune)
    s.publish(f, actor=world.reform_officer)
    a = Assessment.objects.get(framework=f, agency=world.commune_pc)
    d1 = world.received()
    d2 = world.received()
    now = timezone.now()
    Dossier.objects.filter(pk=d1.pk).update(
        status="returned", outcome="granted", returned_at=now, timeliness="on_time"
    )
    Dossier.objects.filter(pk=d2.pk).update(
        status="returned", outcome="granted", returned_at=now, timeliness="late"
    )
    s.refresh_automatic(a)
    metric = a.scores.get(criterion__code="2")
    assert metric.auto_inputs == {"metric": "on_time", "numerator": 1, "denominator": 2}
    assert metric.auto_value == D(50) and metric.auto_score == D(0)
    assert metric.final_score == D(0)  # computed criteria need no appraisal


def finalised_pair(world):
    """Last year's and this year's small frameworks, both finalised."""
    last = small_framework(world, year=2030)
    this = small_framework(world, year=2031)
    for f, value in ((last, "1"), (this, "1")):
        s.publish(f, actor=world.reform_officer)
        Framework.objects.filter(pk=f.pk).update(
            self_deadline=timezone.localdate() - dt.timedelta(days=1)
        )
        f.refresh_from_db()
        dept = Assessment.objects.get(framework=f, agency=world.department)
        best = (
            {"1.1": "2.5", "1.2": "3.5", "2": "4"}
            if f is this
            else {"1.1": "2", "1.2": "2", "2": "1"}
        )
        for code, v in best.items():
            s.appraise(
                dept.scores.get(criterion__code=code),
                decision="adjusted",
                value=v,
                reason="Hội đồng chấm",
                actor=world.reform_officer,
            )
        appraise_all(f, world.reform_officer, value)
        s.finalise(f, actor=world.reform_officer)
    return last, this


def test_finalising_ranks_bands_and_compares_with_last_year(world):
    _last, this = finalised_pair(world)
    fields, rows = s.results(this)
    first = rows[0]
    assert first.assessment.agency == world.department
    assert first.assessment.rank == 1 and first.assessment.final_total == D(10)
    assert first.assessment.percent == D("100.00") and first.assessment.band == "A"
    assert first.previous == D("50.00") and first.change == D("50.00")  # 5/10 last year
    others = rows[1:]
    # everyone else has 1+1+1 = 3 of 10: tied, one shared rank, band C
    assert {r.assessment.final_total for r in others} == {D(3)}
    assert {r.assessment.rank for r in others} == {2}
    assert {r.assessment.band for r in others} == {"C"}
    assert [f.code for f in fields] == ["1", "2"]
    assert first.fields == [D(6), D(4)]
    # reproducible: recomputed from the stored scores
    for r in rows:
        assert s.total(r.assessment) == r.assessment.final_total
    this.refresh_from_db()
    assert this.status == "finalised"
    with pytest.raises(s.IndicesError):
        s.appraise(
            Score.objects.filter(assessment__framework=this).first(),
            decision="accepted",
            actor=world.reform_officer,
        )


def test_finalising_is_refused_while_a_criterion_has_no_final_score(world):
    f = small_framework(world)
    s.publish(f, actor=world.reform_officer)
    with pytest.raises(s.IndicesError) as e:
        s.finalise(f, actor=world.reform_officer)
    assert e.value.code == "unfinished" and "Sở Xây dựng" in e.value.message
    f.refresh_from_db()
    assert f.status == "published"


def test_exports_hold_the_ranking(world, tmp_path):
    from docx import Document
    from openpyxl import load_workbook

    from cchc.indices.exports import announcement_docx, results_xlsx
    from cchc.site.testing import open_in_libreoffice

    _last, this = finalised_pair(world)
    data = results_xlsx(this)
    ws = load_workbook(io.BytesIO(data)).active
    assert ws["A3"].value == "Hạng"
    assert [ws["A4"].value, ws["B4"].value] == [1, "Sở Xây dựng"]
    header = [c.value for c in ws[3]]
    assert ws.cell(4, header.index("Tổng điểm") + 1).value == 10
    assert ws.cell(4, header.index("Tăng, giảm (điểm %)") + 1).value == 50
    assert ws.max_row == 3 + this.assessments.count()
    doc = Document(io.BytesIO(announcement_docx(this)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in doc.tables[0].rows[0].cells[1].text
    assert "Công bố Chỉ số cải cách hành chính năm 2031" in text
    assert "Xếp loại A (Xuất sắc): 1 cơ quan — Sở Xây dựng." in text
    ranking = doc.tables[-1]
    assert [c.text for c in ranking.rows[1].cells] == [
        "1",
        "Sở Xây dựng",
        "10,00",
        "100,00",
        "A",
        "+50,00",
    ]
    open_in_libreoffice(data, "xlsx", tmp_path)
    open_in_libreoffice(announcement_docx(this), "docx", tmp_path)


def test_refusals_are_translated(world):
    from django.utils import translation

    with translation.override("en"), pytest.raises(s.IndicesError) as e:
        s.parse_score("abc")
    assert e.value.message == "Score “abc” is not a number."
    with pytest.raises(s.IndicesError) as e:
        s.parse_score("abc")
    assert e.value.message == "Điểm “abc” không phải là số."
