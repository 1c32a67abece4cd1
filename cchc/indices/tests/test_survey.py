"""The province's satisfaction survey (issue 7): sampling, single-use links, kiosk and paper
answers, and the index against a hand computation."""

from __future__ import annotations

import datetime as dt
import io
import math
from fractions import Fraction

import pytest
from django.core.management import call_command

from cchc.dossiers.models import Dossier, Notification
from cchc.indices import services as s
from cchc.indices import survey as sv
from cchc.indices.models import (
    Criterion,
    Framework,
    SurveyElement,
    SurveyInstrument,
    SurveyQuestion,
    SurveyRound,
)


def small_instrument(**kw) -> SurveyInstrument:
    """Two elements: A with criteria a1, a2; B with b1. Satisfied from 4, 3 responses enough."""
    instrument = SurveyInstrument.objects.create(
        name="Phiếu thử", satisfied_from=4, min_responses=3, **kw
    )
    a = SurveyElement.objects.create(instrument=instrument, code="A", order=1, name="Tiếp cận")
    b = SurveyElement.objects.create(instrument=instrument, code="B", order=2, name="Kết quả")
    SurveyQuestion.objects.create(element=a, code="a1", order=1, text="Chỗ ngồi")
    SurveyQuestion.objects.create(element=a, code="a2", order=2, text="Thiết bị")
    SurveyQuestion.objects.create(element=b, code="b1", order=1, text="Đúng hạn")
    return instrument


def open_round(world, instrument=None, **kw) -> SurveyRound:
    survey = SurveyRound.objects.create(
        instrument=instrument or SurveyInstrument.objects.order_by("pk").first(),
        province=world.commune.province,
        title="Khảo sát năm 2026",
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 12, 31),
        status="open",
        **kw,
    )
    return survey


# Four answers of the department (R1–R4) and one of the commune (R5); 0 is "no opinion".
ANSWERS = [
    {"a1": 5, "a2": 4, "b1": 2},
    {"a1": 3, "a2": 0, "b1": 4},
    {"a1": 4, "a2": 5, "b1": 5},
    {"a1": 1, "a2": 2, "b1": 4},
]


def answered(world, **instrument_kw) -> SurveyRound:
    survey = open_round(world, small_instrument(**instrument_kw))
    for number, answers in enumerate(ANSWERS, start=1):
        sv.record_response(
            survey,
            answers,
            agency=world.department,
            channel="paper",
            actor=world.reform_officer,
            paper_number=str(number),
        )
    sv.record_response(
        survey,
        {"a1": 5, "a2": 5, "b1": 5},
        agency=world.commune_pc,
        channel="kiosk",
        actor=world.receptionist,
        desk=world.commune_desk,
    )
    return survey


def test_the_index_matches_a_hand_computation(world):
    survey = answered(world)
    result = sv.compute(survey)["agencies"][str(world.department.pk)]
    # Overall: satisfied answers (≥ 4) over answers with an opinion, R1..R4:
    # R1 2 of 3, R2 1 of 2 (a2 no opinion), R3 3 of 3, R4 1 of 3 → 7 / 11.
    p = Fraction(7, 11)
    # Linearised variance over the 4 responses: z = (s − p·v) / 11.
    z = [(Fraction(si) - p * vi) / 11 for si, vi in ((2, 3), (1, 2), (3, 3), (1, 3))]
    assert z == [Fraction(1, 121), Fraction(-3, 121), Fraction(12, 121), Fraction(-10, 121)]
    half = 1.959963984540054 * math.sqrt(float(Fraction(4, 3) * sum(x * x for x in z)))
    overall = result["overall"]
    assert overall["value"] == 63.64 and overall["n"] == 4 and overall["enough"]
    assert overall["low"] == round(100 * (float(p) - half), 2) == 33.83
    assert overall["high"] == round(100 * (float(p) + half), 2) == 93.45
    # Elements: A = (2+0+2+0)/(2+1+2+2) = 4/7; B = 3/4.
    assert result["elements"]["A"]["value"] == 57.14
    assert result["elements"]["B"]["value"] == 75.0
    # Criterion a1: 5, 3, 4, 1 → 2 of 4.
    assert result["questions"]["a1"]["value"] == 50.0
    assert result["questions"]["a2"]["n"] == 3  # R2 had no opinion
    # The commune answered once: too few to conclude
    commune = sv.compute(survey)["agencies"][str(world.commune_pc.pk)]
    assert commune["overall"]["value"] == 100.0 and not commune["overall"]["enough"]


def test_the_mean_of_elements_formula_is_a_setting(world):
    survey = answered(world, formula="mean_of_elements")
    result = sv.compute(survey)["agencies"][str(world.department.pk)]
    assert result["overall"]["value"] == round(
        100 * float((Fraction(4, 7) + Fraction(3, 4)) / 2), 2
    )
    assert result["overall"]["value"] == 66.07


def test_the_province_weights_each_agency_by_its_share_of_the_frame(world):
    survey = answered(world)
    # unweighted: (7 + 3) / (11 + 3)
    assert sv.compute(survey)["province"]["overall"]["value"] == round(100 * 10 / 14, 2)
    # 4 returned dossiers of the department (4 answers: weight 1), 3 of the commune
    # (1 answer: weight 3): (7 + 3·3) / (11 + 3·3) = 16 / 20
    survey.frame = {str(world.department.pk): 4, str(world.commune_pc.pk): 3}
    survey.save()
    figures = sv.compute(survey)
    assert figures["province"]["overall"]["value"] == 80.0 and figures["weighted"]
    assert figures["province"]["responses"] == 5


def test_answers_are_checked_and_paper_numbers_entered_once(world):
    survey = open_round(world, small_instrument())
    base = {"a1": 5, "a2": 4, "b1": 4}
    for bad, code in (
        ({"a1": 5, "a2": 4}, "unanswered"),
        ({**base, "b1": 7}, "invalid_answer"),
        ({**base, "b1": "x"}, "invalid_answer"),
        ({"a1": 0, "a2": 0, "b1": 0}, "no_opinion"),
    ):
        with pytest.raises(s.IndicesError) as e:
            sv.record_response(
                survey,
                bad,
                agency=world.department,
                channel="paper",
                actor=world.reform_officer,
                paper_number="9",
            )
        assert e.value.code == code
    sv.record_response(
        survey,
        base,
        agency=world.department,
        channel="paper",
        actor=world.reform_officer,
        paper_number="9",
    )
    with pytest.raises(s.IndicesError) as e:
        sv.record_response(
            survey,
            base,
            agency=world.department,
            channel="paper",
            actor=world.reform_officer,
            paper_number="9",
        )
    assert e.value.code == "duplicate_paper"
    survey.status = "closed"
    survey.save()
    with pytest.raises(s.IndicesError) as e:
        sv.record_response(
            survey, base, agency=world.department, channel="kiosk", actor=world.receptionist
        )
    assert e.value.code == "not_open"


@pytest.fixture
def returned_dossiers(world):
    call_command(
        "generate_workload",
        "--from",
        "2025-06-02",
        "--to",
        "2025-06-27",
        "--scale",
        "0.004",
        "--seed",
        "11",
        stdout=io.StringIO(),
    )
    survey = SurveyRound.objects.create(
        instrument=SurveyInstrument.objects.order_by("pk").first(),
        province=world.commune.province,
        title="Khảo sát quý II/2025",
        start=dt.date(2025, 4, 1),
        end=dt.date(2025, 6, 30),
    )
    return survey


def test_sampling_is_stratified_reproducible_and_sends_single_use_links(world, returned_dossiers):
    survey = returned_dossiers
    frame = list(sv.frame_for(survey).values_list("pk", "competent_agency_id", "desk_id"))
    assert len(frame) > 40
    made = sv.draw_sample(survey, size=40, seed=20251, actor=world.reform_officer)
    survey.refresh_from_db()
    assert len(made) == 40 and survey.status == "open"
    # proportional allocation: each agency × desk stratum within one of its exact share
    strata: dict = {}
    for _pk, agency, desk in frame:
        strata[(agency, desk)] = strata.get((agency, desk), 0) + 1
    drawn: dict = {}
    for invitation, _token in made:
        key = (invitation.agency_id, invitation.desk_id)
        drawn[key] = drawn.get(key, 0) + 1
    for key, size in strata.items():
        assert abs(drawn.get(key, 0) - 40 * size / len(frame)) < 1
    assert sum(survey.frame.values()) == len(frame)
    # the same seed draws the same dossiers
    again = sorted(i.dossier_id for i, _t in made)
    survey.invitations.all().delete()
    SurveyRound.objects.filter(pk=survey.pk).update(status="draft")
    survey.refresh_from_db()
    assert (
        sorted(
            i.dossier_id for i, _t in sv.draw_sample(survey, size=40, actor=world.reform_officer)
        )
        == again
    )
    # each sampled applicant got the link; only its hash is stored
    invitation, token = sv.draw_sample(survey, size=1, actor=world.reform_officer)[0]
    note = Notification.objects.filter(dossier=invitation.dossier, kind="survey").first()
    assert note is not None and f"/khao-sat/{token}/" in note.body
    assert token not in invitation.token_hash
    # the link works once
    answers = {q.code: 4 for q in sv.questions(survey)}
    response = sv.answer_invitation(token, answers)
    assert response.agency_id == invitation.agency_id and response.channel == "link"
    with pytest.raises(s.IndicesError) as e:
        sv.answer_invitation(token, answers)
    assert e.value.code == "used"
    with pytest.raises(s.IndicesError) as e:
        sv.answer_invitation("khong-co", answers)
    assert e.value.code == "invalid_link"
    # dossiers already invited are not drawn again
    assert len({i.dossier_id for i in survey.invitations.all()}) == survey.invitations.count()


def test_only_the_council_samples(world):
    with pytest.raises(s.IndicesError) as e:
        sv.draw_sample(open_round(world), size=5, actor=world.dept_leader)
    assert e.value.code == "forbidden"


def test_a_round_runs_from_sampling_to_the_published_index_and_scores_the_framework(
    world, returned_dossiers
):
    """Done-when: sampling → generated responses → published index = hand computation →
    the framework's survey criterion takes it."""
    import random

    survey = returned_dossiers
    made = sv.draw_sample(survey, size=60, seed=7, actor=world.reform_officer)
    codes = [q.code for q in sv.questions(survey)]
    rng = random.Random(3)
    per_agency: dict[int, list[int]] = {}
    for invitation, token in made:
        answers = {c: rng.choice([0, 2, 3, 4, 4, 5, 5]) for c in codes}
        if not any(answers.values()):
            answers[codes[0]] = 5
        sv.answer_invitation(token, answers)
        given = [v for v in answers.values() if v]
        counts = per_agency.setdefault(invitation.agency_id, [0, 0])
        counts[0] += sum(1 for v in given if v >= 4)
        counts[1] += len(given)
    sv.set_status(survey, "closed", actor=world.reform_officer)
    with pytest.raises(s.IndicesError):
        sv.answer_invitation("x", {})
    survey = sv.set_status(survey, "published", actor=world.reform_officer)
    published = survey.results
    # the province weighs each agency by its returned dossiers over its answers (N_h / m_h)
    answers_of = {a: sum(1 for i, _t in made if i.agency_id == a) for a in per_agency}
    weight = {a: survey.frame[str(a)] / answers_of[a] for a in per_agency}
    expected = sum(weight[a] * sat for a, (sat, _v) in per_agency.items()) / sum(
        weight[a] * val for a, (_s, val) in per_agency.items()
    )
    assert published["province"]["overall"]["value"] == round(100 * expected, 2)
    assert published["province"]["responses"] == 60
    for agency_id, (sat, val) in per_agency.items():
        assert published["agencies"][str(agency_id)]["overall"]["value"] == round(
            100 * sat / val, 2
        )
    # frozen: later answers cannot change it
    assert sv.figures(survey) == published

    # the framework's survey criterion reads the published index of an agency with enough
    agency_id, (sat, val) = max(per_agency.items(), key=lambda kv: kv[1][1])
    entry = published["agencies"][str(agency_id)]
    f = Framework.objects.create(
        province=world.commune.province,
        year=2025,
        agency_kind="department",
        title="Thử",
        survey_round=survey,
    )
    leaf = Criterion.objects.create(
        framework=f, code="1", name="Hài lòng", max_score=10, method="survey"
    )
    from cchc.indices.models import Assessment, Score

    a = Assessment.objects.create(framework=f, agency_id=agency_id)
    score = Score.objects.create(assessment=a, criterion=leaf)
    s.refresh_automatic(a)
    score.refresh_from_db()
    if entry["overall"]["enough"]:
        assert float(score.auto_value) == entry["overall"]["value"]
        assert score.auto_inputs["n"] == entry["overall"]["n"]
    else:
        assert score.auto_value is None  # too few answers: the council scores it
    assert Dossier.objects.filter(pk__in=[i.dossier_id for i, _t in made]).count() == 60


def test_the_demo_publishes_a_framework_and_runs_a_survey_round(db):
    from django.utils import timezone

    from cchc.indices.models import SurveyResponse

    call_command("load_demo", stdout=io.StringIO())
    call_command(
        "generate_workload",
        "--days",
        "5",
        "--scale",
        "0.004",
        "--seed",
        "3",
        stdout=io.StringIO(),
    )
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    year = timezone.localdate().year
    assert Framework.objects.get(year=year, agency_kind="department").status == "published"
    survey = SurveyRound.objects.get()
    assert survey.status == "open" and survey.invitations.exists()
    assert SurveyResponse.objects.filter(round=survey).exists()
    assert "đợt khảo sát mẫu" in out.getvalue()


def test_every_response_is_audited_without_the_answers(world):
    from cchc.core.models import AuditEvent

    survey = open_round(world, small_instrument())
    answers = {"a1": 5, "a2": 4, "b1": 4}
    sv.record_response(
        survey, answers, agency=world.department, channel="kiosk", actor=world.receptionist
    )
    sv.record_response(
        survey,
        answers,
        agency=world.department,
        channel="paper",
        actor=world.reform_officer,
        paper_number="7",
    )
    events = AuditEvent.objects.filter(chain_key=f"indices.surveyround:{survey.pk}")
    assert sorted(events.values_list("action", flat=True)) == [
        "survey.kiosk_entry",
        "survey.paper_entry",
    ]
    assert all("a1" not in str(e.changes) for e in events)  # who answered what stays private


def test_no_stuffing_paper_by_outsiders_kiosk_only_at_ones_own_desk_and_bounded(world, settings):
    """Issue 15, finding 6."""
    from cchc.core.errors import Forbidden, TooMany

    survey = open_round(world, small_instrument())

    def paper(actor, number):
        return sv.record_response(
            survey, {"a1": 5, "a2": 5, "b1": 5}, agency=world.department, channel="paper",
            actor=actor, paper_number=number,
        )  # fmt: skip

    def kiosk(actor, **desk):
        return sv.record_response(
            survey, {"a1": 5, "a2": 5, "b1": 5}, agency=world.commune_pc, channel="kiosk",
            actor=actor, **desk,
        )  # fmt: skip

    with pytest.raises(Forbidden):  # a commune desk officer, the department's questionnaires
        paper(world.receptionist, "1")
    paper(world.dept_specialist, "1")  # the department's own staff may
    paper(world.reform_officer, "2")  # and the survey council
    with pytest.raises(Forbidden):  # kiosk answers only at the officer's own desk
        kiosk(world.receptionist, desk=world.center_desk)
    with pytest.raises(Forbidden):  # no desk at all
        kiosk(world.dept_specialist)
    settings.CCHC_SURVEY_KIOSK_PER_HOUR = 3
    for _ in range(3):
        kiosk(world.receptionist)
    with pytest.raises(TooMany):
        kiosk(world.receptionist)
    assert survey.responses.filter(channel="kiosk", desk=world.commune_desk).count() == 3
