"""`/api/v1/indices`: frameworks and assessments (self-scoring, appraisal, results), survey
rounds (sample, responses, status, results), the public survey link and the national indices."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile

from cchc.accounts.auth import AUTH
from cchc.core.api import ApiError, Day, Id, Revision, Year
from cchc.organizations.models import Agency

from . import national as nat
from . import services as s
from . import survey as sv
from .access import assessments_for, figures_for, is_official, is_reform_office
from .constants import ResponseChannel
from .exports import announcement_docx, results_xlsx
from .models import Framework, NationalResult, Score, SurveyRound
from .views import DOCX, XLSX

router = Router(tags=["indices"], auth=AUTH)

STATUS = {
    "forbidden": 403,
    "not_own": 403,
    "leader_only": 403,
    "invalid_score": 422,
    "out_of_range": 422,
    "reason_required": 422,
    "score_required": 422,
    "invalid_decision": 422,
    "invalid_answer": 422,
    "unanswered": 422,
    "no_opinion": 422,
    "invalid_size": 422,
    "invalid_agency": 422,
    "invalid_channel": 422,
    "paper_number_required": 422,
    "bad_file": 422,
    "bad_layout": 422,
    "bad_encoding": 422,
    "empty": 422,
    "invalid_link": 404,
    "invalid_round": 422,
}


def _fail(exc: s.IndicesError) -> ApiError:
    return ApiError(STATUS.get(exc.code, 409), exc.code, exc.message, exc.details)


def _official(request: HttpRequest) -> None:
    if not is_official(request.user):
        raise ApiError(403, "forbidden", _("Chỉ cán bộ, công chức được xem chỉ số CCHC."))


def _num(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


class FrameworkOut(Schema):
    id: int
    year: int
    agency_kind: str
    title: str
    status: str
    self_deadline: Any = None
    max_total: float
    unconfirmed: bool


def _framework(f: Framework) -> dict[str, Any]:
    return {
        "id": f.pk,
        "year": f.year,
        "agency_kind": f.agency_kind,
        "title": f.title,
        "status": f.status,
        "self_deadline": f.self_deadline,
        "max_total": float(s.max_total(f)),
        "unconfirmed": f.unconfirmed,
    }


@router.get("/frameworks", response=list[FrameworkOut], summary="Các bộ chỉ số CCHC")
def frameworks(request: HttpRequest, year: Year | None = None) -> Any:
    _official(request)
    qs = Framework.objects.all()
    if year is not None:
        qs = qs.filter(year=year)
    return [_framework(f) for f in qs]


class CriterionOut(Schema):
    id: int
    code: str
    parent: int | None
    name: str
    max_score: float
    method: str
    metric: str
    survey_element: str
    evidence_required: bool
    guide: str
    bands: list[Any]


class FrameworkDetailOut(FrameworkOut):
    criteria: list[CriterionOut]
    bands: list[Any]


@router.get("/frameworks/{int:framework_id}", response=FrameworkDetailOut, summary="Một bộ chỉ số")
def framework(request: HttpRequest, framework_id: int) -> Any:
    _official(request)
    f = get_object_or_404(Framework, pk=framework_id)
    return {
        **_framework(f),
        "bands": f.bands,
        "criteria": [
            {
                "id": n.criterion.pk,
                "code": n.criterion.code,
                "parent": n.criterion.parent_id,
                "name": n.criterion.name,
                "max_score": float(n.criterion.max_score),
                "method": n.criterion.method,
                "metric": n.criterion.metric,
                "survey_element": n.criterion.survey_element,
                "evidence_required": n.criterion.evidence_required,
                "guide": n.criterion.guide,
                "bands": n.criterion.bands,
            }
            for n in s.flat(f)
        ],
    }


class FrameworkActionIn(Schema):
    year: Year | None = None
    self_deadline: Any = None
    survey_round: Id | None = None


@router.post(
    "/frameworks/{int:framework_id}/actions/{action}",
    response=FrameworkOut,
    summary="Ban hành (publish), công bố kết quả (finalise) hoặc sao chép (copy) bộ chỉ số",
)
def framework_action(
    request: HttpRequest, framework_id: int, action: str, payload: FrameworkActionIn
) -> Any:
    _official(request)
    f = get_object_or_404(Framework, pk=framework_id)
    try:
        if action == "publish":
            if not is_reform_office(request.user):
                raise s.IndicesError("forbidden", _("Chỉ Hội đồng thẩm định ban hành bộ chỉ số."))
            if payload.self_deadline:
                import datetime as dt

                try:
                    f.self_deadline = dt.date.fromisoformat(str(payload.self_deadline))
                except ValueError:
                    raise ApiError(
                        422,
                        "invalid_parameter",
                        _("Hạn tự đánh giá không hợp lệ."),
                        [{"field": "self_deadline"}],
                    ) from None
            if payload.survey_round:
                f.survey_round = get_object_or_404(SurveyRound, pk=payload.survey_round)
            f.save(update_fields=["self_deadline", "survey_round"])
            f = s.publish(f, actor=request.user)
        elif action == "finalise":
            f = s.finalise(f, actor=request.user)
        elif action == "copy":
            if payload.year is None or not 2000 <= payload.year <= 2100:
                raise ApiError(
                    422, "invalid_parameter", _("Năm không hợp lệ."), [{"field": "year"}]
                )
            f = s.copy_framework(f, year=payload.year, actor=request.user)
        else:
            raise ApiError(404, "unknown_action", _("Thao tác không tồn tại."))
    except s.IndicesError as exc:
        raise _fail(exc) from exc
    return _framework(f)


class ResultOut(Schema):
    rank: int | None
    agency_id: int
    agency: str
    fields: dict[str, float | None]
    total: float | None
    percent: float | None
    band: str
    previous_percent: float | None
    change: float | None


@router.get(
    "/frameworks/{int:framework_id}/results",
    response=list[ResultOut],
    summary="Kết quả, xếp hạng (sau khi công bố; Hội đồng xem tạm tính)",
)
def framework_results(request: HttpRequest, framework_id: int) -> Any:
    _official(request)
    f = get_object_or_404(Framework, pk=framework_id)
    if f.status != "finalised" and not is_reform_office(request.user):
        raise ApiError(403, "not_announced", _("Kết quả chưa công bố."))
    fields, rows = s.results(f)
    return [
        {
            "rank": r.assessment.rank,
            "agency_id": r.assessment.agency_id,
            "agency": r.assessment.agency.name,
            "fields": {c.code: _num(v) for c, v in zip(fields, r.fields, strict=True)},
            "total": _num(r.assessment.final_total),
            "percent": _num(r.assessment.percent),
            "band": r.assessment.band,
            "previous_percent": _num(r.previous),
            "change": _num(r.change),
        }
        for r in rows
    ]


class ScoreOut(Schema):
    criterion: str
    max_score: float
    method: str
    self_score: float | None
    self_note: str
    auto_value: float | None
    auto_score: float | None
    auto_inputs: dict[str, Any]
    appraisal: str
    appraised_score: float | None
    appraisal_reason: str
    final_score: float | None
    evidence: list[str]


class AssessmentOut(Schema):
    id: int
    framework: int
    agency_id: int
    agency: str
    status: str
    self_total: float
    final_total: float
    rank: int | None
    band: str
    scores: list[ScoreOut]


def _assessment(a: Any) -> dict[str, Any]:
    return {
        "id": a.pk,
        "framework": a.framework_id,
        "agency_id": a.agency_id,
        "agency": a.agency.name,
        "status": a.status,
        "self_total": float(s.total(a, final=False)),
        "final_total": float(s.total(a)),
        "rank": a.rank,
        "band": a.band,
        "scores": [
            {
                "criterion": sc.criterion.code,
                "max_score": float(sc.criterion.max_score),
                "method": sc.criterion.method,
                "self_score": _num(sc.self_score),
                "self_note": sc.self_note,
                "auto_value": _num(sc.auto_value),
                "auto_score": _num(sc.auto_score),
                "auto_inputs": sc.auto_inputs,
                "appraisal": sc.appraisal,
                "appraised_score": _num(sc.appraised_score),
                "appraisal_reason": sc.appraisal_reason,
                "final_score": _num(sc.final_score),
                "evidence": [e.name for e in sc.evidence.all()],
            }
            for sc in s.ordered_scores(a)
        ],
    }


@router.get("/assessments", response=list[AssessmentOut], summary="Các bản đánh giá xem được")
def assessments(request: HttpRequest, framework: Id | None = None) -> Any:
    _official(request)
    qs = assessments_for(request.user)
    if framework is not None:
        qs = qs.filter(framework_id=framework)
    return [_assessment(a) for a in qs]


def _get_assessment(request: HttpRequest, assessment_id: int) -> Any:
    _official(request)
    return get_object_or_404(assessments_for(request.user), pk=assessment_id)


def _get_score(assessment: Any, code: str) -> Score:
    return get_object_or_404(assessment.scores, criterion__code=code)


@router.get("/assessments/{int:assessment_id}", response=AssessmentOut, summary="Một bản đánh giá")
def assessment(request: HttpRequest, assessment_id: int) -> Any:
    return _assessment(_get_assessment(request, assessment_id))


class SelfScoreIn(Schema):
    score: str | float | None = None
    note: str = ""


@router.put(
    "/assessments/{int:assessment_id}/scores/{code}",
    response=AssessmentOut,
    summary="Cơ quan tự chấm một tiêu chí",
)
def self_score(request: HttpRequest, assessment_id: int, code: str, payload: SelfScoreIn) -> Any:
    a = _get_assessment(request, assessment_id)
    try:
        s.save_self_score(
            _get_score(a, code), value=payload.score, note=payload.note, actor=request.user
        )
    except s.IndicesError as exc:
        raise _fail(exc) from exc
    return _assessment(a)


@router.post(
    "/assessments/{int:assessment_id}/scores/{code}/evidence",
    response=AssessmentOut,
    summary="Thêm tài liệu kiểm chứng cho một tiêu chí",
)
def evidence(
    request: HttpRequest,
    assessment_id: int,
    code: str,
    file: UploadedFile = File(...),  # noqa: B008
) -> Any:
    a = _get_assessment(request, assessment_id)
    try:
        s.add_evidence(_get_score(a, code), file, actor=request.user)
    except s.IndicesError as exc:
        raise _fail(exc) from exc
    return _assessment(a)


@router.post(
    "/assessments/{int:assessment_id}/submit",
    response=AssessmentOut,
    summary="Lãnh đạo cơ quan gửi kết quả tự đánh giá",
)
def submit(request: HttpRequest, assessment_id: int) -> Any:
    a = _get_assessment(request, assessment_id)
    try:
        a = s.submit(a, actor=request.user)
    except s.IndicesError as exc:
        raise _fail(exc) from exc
    return _assessment(a)


class AppraisalIn(Schema):
    decision: str
    score: str | float | None = None
    reason: str = ""


@router.post(
    "/assessments/{int:assessment_id}/scores/{code}/appraisal",
    response=AssessmentOut,
    summary="Hội đồng thẩm định một tiêu chí: accepted hoặc adjusted (kèm điểm và lý do)",
)
def appraisal(request: HttpRequest, assessment_id: int, code: str, payload: AppraisalIn) -> Any:
    a = _get_assessment(request, assessment_id)
    try:
        s.appraise(
            _get_score(a, code),
            decision=payload.decision,
            value=payload.score,
            reason=payload.reason,
            actor=request.user,
        )
    except s.IndicesError as exc:
        raise _fail(exc) from exc
    return _assessment(a)


@router.get(
    "/frameworks/{int:framework_id}/results.{fmt}",
    response={200: None},
    summary="Tệp kết quả (xlsx, docx)",
)
def framework_file(request: HttpRequest, framework_id: int, fmt: str) -> HttpResponse:

    _official(request)
    f = get_object_or_404(Framework, pk=framework_id, status="finalised")
    if fmt == "xlsx":
        return HttpResponse(results_xlsx(f), content_type=XLSX)
    if fmt == "docx":
        return HttpResponse(announcement_docx(f), content_type=DOCX)
    raise ApiError(404, "unknown_format", _("Chỉ có tệp xlsx hoặc docx."))


# --- surveys --------------------------------------------------------------------------------


class RoundOut(Schema):
    id: int
    title: str
    start: Any
    end: Any
    status: str
    invited: int
    responses: int


def _round(r: SurveyRound) -> dict[str, Any]:
    return {
        "id": r.pk,
        "title": r.title,
        "start": r.start,
        "end": r.end,
        "status": r.status,
        "invited": r.invitations.count(),
        "responses": r.responses.count(),
    }


@router.get("/surveys", response=list[RoundOut], summary="Các đợt khảo sát hài lòng")
def surveys(request: HttpRequest) -> Any:
    _official(request)
    return [_round(r) for r in SurveyRound.objects.all()]


class RoundIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    start: Day
    end: Day


@router.post("/surveys", response={201: RoundOut}, summary="Tạo đợt khảo sát hài lòng")
def create_survey(request: HttpRequest, payload: RoundIn) -> Any:
    _official(request)
    try:
        created = sv.create_round(payload.title, payload.start, payload.end, actor=request.user)
    except s.IndicesError as exc:
        raise _fail(exc) from exc
    return Status(201, _round(created))


@router.get("/surveys/{int:round_id}/results", response=dict[str, Any], summary="Chỉ số hài lòng")
def survey_results(request: HttpRequest, round_id: int) -> Any:
    _official(request)
    return figures_for(get_object_or_404(SurveyRound, pk=round_id), request.user)


class SampleIn(Schema):
    size: int
    seed: Revision | None = None


@router.post("/surveys/{int:round_id}/sample", response=RoundOut, summary="Chọn mẫu và gửi lời mời")
def sample(request: HttpRequest, round_id: int, payload: SampleIn) -> Any:
    _official(request)
    r = get_object_or_404(SurveyRound, pk=round_id)
    try:
        sv.draw_sample(r, size=payload.size, seed=payload.seed, actor=request.user)
    except s.IndicesError as exc:
        raise _fail(exc) from exc
    r.refresh_from_db()
    return _round(r)


class StatusIn(Schema):
    status: str


@router.post(
    "/surveys/{int:round_id}/status",
    response=RoundOut,
    summary="Đổi trạng thái đợt: open, closed, published",
)
def survey_status(request: HttpRequest, round_id: int, payload: StatusIn) -> Any:
    _official(request)
    r = get_object_or_404(SurveyRound, pk=round_id)
    try:
        r = sv.set_status(r, payload.status, actor=request.user)
    except s.IndicesError as exc:
        raise _fail(exc) from exc
    return _round(r)


class ResponseIn(Schema):
    agency_id: int
    channel: str = ResponseChannel.PAPER
    answers: dict[str, Any]
    paper_number: str = ""
    comment: str = ""


class ResponseOut(Schema):
    id: int


@router.post(
    "/surveys/{int:round_id}/responses",
    response=ResponseOut,
    summary="Nhập phiếu giấy (paper) hoặc phiếu tại quầy (kiosk)",
)
def survey_response(request: HttpRequest, round_id: int, payload: ResponseIn) -> Any:
    _official(request)
    r = get_object_or_404(SurveyRound, pk=round_id)
    if not is_reform_office(request.user) and not any(
        m.desk_id for m in request.user.current_memberships()
    ):
        raise ApiError(403, "forbidden", _("Chỉ cán bộ bộ phận một cửa hoặc Hội đồng nhập phiếu."))
    agency = Agency.objects.filter(pk=payload.agency_id).first()
    if agency is None:
        raise ApiError(422, "invalid_agency", _("Không có cơ quan này."))
    try:
        created = sv.record_response(
            r,
            payload.answers,
            agency=agency,
            channel=payload.channel,
            actor=request.user,
            paper_number=payload.paper_number,
            comment=payload.comment,
        )
    except s.IndicesError as exc:
        raise _fail(exc) from exc
    return {"id": created.pk}


class LinkAnswerIn(Schema):
    answers: dict[str, Any]
    comment: str = ""


@router.post(
    "/survey-links/{token}",
    response=ResponseOut,
    auth=None,
    summary="Người dân trả lời phiếu qua đường dẫn mời (dùng một lần)",
)
def answer_link(request: HttpRequest, token: str, payload: LinkAnswerIn) -> Any:
    try:
        created = sv.answer_invitation(token, payload.answers, payload.comment)
    except s.IndicesError as exc:
        raise _fail(exc) from exc
    return {"id": created.pk}


# --- national indices -----------------------------------------------------------------------


class NationalOut(Schema):
    index: str
    year: int
    province_code: str
    province: str
    score: float | None
    rank: int | None
    rank_of: int | None
    group: str
    source: str
    note: str
    components: dict[str, float]


@router.get("/national", response=list[NationalOut], summary="Kết quả các chỉ số quốc gia")
def national(
    request: HttpRequest,
    index: str | None = None,
    province_code: str | None = None,
    year: Year | None = None,
) -> Any:
    _official(request)
    qs = NationalResult.objects.select_related("index").prefetch_related("components")
    if index:
        qs = qs.filter(index__code=index)
    if province_code:
        qs = qs.filter(province_code=province_code)
    if year:
        qs = qs.filter(year=year)
    return [
        {
            "index": r.index.code,
            "year": r.year,
            "province_code": r.province_code,
            "province": r.province_name,
            "score": _num(r.score),
            "rank": r.rank,
            "rank_of": r.rank_of,
            "group": r.group,
            "source": r.source,
            "note": r.note,
            "components": {c.name: float(c.score) for c in r.components.all()},
        }
        for r in qs.order_by("index_id", "year", "rank")
    ]


class NationalImportOut(Schema):
    created: int
    updated: int


@router.post(
    "/national/import",
    response=NationalImportOut,
    summary="Nhập kết quả công bố từ .csv hoặc .xlsx",
    description="Có lỗi thì trả 422 invalid_file với danh sách (row, column, message) và không "
    "nhập dòng nào.",
)
def national_import(request: HttpRequest, file: UploadedFile = File(...)) -> Any:  # noqa: B008
    _official(request)
    if not is_reform_office(request.user):
        raise ApiError(403, "forbidden", _("Chỉ cơ quan thường trực CCHC nhập kết quả chỉ số."))
    try:
        result = nat.import_results(file.read(), file.name or "", actor=request.user)
    except s.IndicesError as exc:
        raise _fail(exc) from exc
    if result.errors:
        raise ApiError(422, "invalid_file", _("Tệp có lỗi; chưa nhập."), result.errors)
    return {"created": result.created, "updated": result.updated}
