"""Pages of the indices: frameworks, assessments (self-scoring and appraisal), results and
exports, survey rounds (sampling, paper and kiosk entry, results), the public survey form and
the national indices."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cchc.core.errors import DomainError, Forbidden
from cchc.core.files import stored_file_response
from cchc.core.params import as_day, as_id, as_int

from . import national as nat
from . import services as s
from . import survey as sv
from .access import (
    assessments_for,
    figures_for,
    is_leader_of,
    is_official,
    is_reform_office,
)
from .constants import SCALE, Appraisal, ResponseChannel, RoundStatus, ScoringMethod
from .exports import announcement_docx, results_xlsx
from .models import Framework, NationalIndex, ScoreEvidence, SurveyRound

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _official(request: HttpRequest) -> None:
    if not is_official(request.user):
        raise Http404


def _office(request: HttpRequest) -> None:
    if not is_reform_office(request.user):
        raise Http404


@login_required
def home(request: HttpRequest) -> HttpResponse:
    _official(request)
    return render(
        request,
        "indices/home.html",
        {
            "frameworks": Framework.objects.all(),
            "rounds": SurveyRound.objects.all(),
            "mine": assessments_for(request.user).exclude(framework__status="draft"),
            "office": is_reform_office(request.user),
        },
    )


# --- frameworks -----------------------------------------------------------------------------


@login_required
def framework_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _official(request)
    framework = get_object_or_404(Framework, pk=pk)
    office = is_reform_office(request.user)
    return render(
        request,
        "indices/framework.html",
        {
            "framework": framework,
            "nodes": s.flat(framework),
            "top": s.max_total(framework),
            "problems": s.problems(framework) if office and not framework.is_frozen else [],
            "assessments": assessments_for(request.user).filter(framework=framework),
            "office": office,
            "rounds": SurveyRound.objects.filter(province=framework.province),
        },
    )


@login_required
@require_POST
def framework_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    _office(request)
    framework = get_object_or_404(Framework, pk=pk)
    try:
        if action == "ban-hanh":
            deadline = request.POST.get("self_deadline", "")
            survey = request.POST.get("survey_round", "")
            if deadline:
                framework.self_deadline = as_day(deadline)
                if framework.self_deadline is None:
                    raise s.IndicesError(
                        "invalid_date", _("Hạn tự đánh giá không hợp lệ.")
                    ) from None
            if as_id(survey):
                framework.survey_round = get_object_or_404(SurveyRound, pk=as_id(survey))
            framework.save(update_fields=["self_deadline", "survey_round"])
            s.publish(framework, actor=request.user)
            messages.success(request, _("Đã ban hành bộ chỉ số và mở tự đánh giá cho các cơ quan."))
        elif action == "cong-bo":
            s.finalise(framework, actor=request.user)
            messages.success(request, _("Đã tính điểm, xếp hạng và công bố kết quả."))
            return redirect("indices:results", pk=framework.pk)
        elif action == "sao-chep":
            year = as_int(request.POST.get("year"), lo=2000, hi=2100)
            if year is None:
                raise s.IndicesError("invalid_year", _("Năm của bộ chỉ số mới không hợp lệ."))
            copy = s.copy_framework(framework, year=year, actor=request.user)
            messages.success(request, _("Đã tạo dự thảo bộ chỉ số năm %(y)s.") % {"y": year})
            return redirect("indices:framework", pk=copy.pk)
        else:
            raise Http404
    except s.IndicesError as exc:
        messages.error(request, exc.message)
    return redirect("indices:framework", pk=framework.pk)


# --- assessments ----------------------------------------------------------------------------


def _assessment_rows(assessment: Any) -> list[dict[str, Any]]:
    scores = {
        sc.criterion_id: sc
        for sc in assessment.scores.select_related("criterion").prefetch_related("evidence")
    }
    proposed = s.subtotals(assessment, final=False)
    final = s.subtotals(assessment)
    return [
        {
            "node": node,
            "score": scores.get(node.criterion.pk),
            "proposed": proposed.get(node.criterion.pk),
            "final": final.get(node.criterion.pk),
        }
        for node in s.flat(assessment.framework)
    ]


@login_required
def assessment_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The agency's self-assessment and the council's appraisal, criterion by criterion.
    POST carries `do` (tu-cham, minh-chung, tham-dinh, gui) and `score`; on a refusal the page
    comes back with what was typed."""
    _official(request)
    assessment = get_object_or_404(assessments_for(request.user), pk=pk)
    mine = assessment.agency_id in s.agencies_of(request.user)
    form: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        do = request.POST.get("do", "")
        score = None
        if as_id(request.POST.get("score")):
            score = assessment.scores.filter(pk=as_id(request.POST.get("score"))).first()
        try:
            if do == "gui":
                s.submit(assessment, actor=request.user)
                messages.success(request, _("Đã gửi kết quả tự đánh giá đến Hội đồng thẩm định."))
                return redirect("indices:assessment", pk=assessment.pk)
            if score is None:
                raise Http404
            form = {**request.POST.dict(), "score": score.pk}
            if do == "tu-cham":
                s.save_self_score(
                    score,
                    value=request.POST.get("value", ""),
                    note=request.POST.get("note", ""),
                    actor=request.user,
                )
                messages.success(
                    request, _("Đã lưu điểm tự chấm tiêu chí %(c)s.") % {"c": score.criterion.code}
                )
            elif do == "minh-chung":
                upload = request.FILES.get("file")
                if upload is None:
                    raise s.IndicesError("file_required", _("Chọn tệp tài liệu kiểm chứng."))
                s.add_evidence(score, upload, actor=request.user)
                messages.success(request, _("Đã thêm tài liệu kiểm chứng."))
            elif do == "tham-dinh":
                s.appraise(
                    score,
                    decision=request.POST.get("decision", ""),
                    value=request.POST.get("value", ""),
                    reason=request.POST.get("reason", ""),
                    actor=request.user,
                )
                messages.success(
                    request,
                    _("Đã ghi ý kiến thẩm định tiêu chí %(c)s.") % {"c": score.criterion.code},
                )
            else:
                raise Http404
            return redirect(f"{request.path}#c-{score.criterion.code}")
        except s.IndicesError as exc:
            messages.error(request, exc.message)
            status = 400
    assessment.refresh_from_db()
    return render(
        request,
        "indices/assessment.html",
        {
            "a": assessment,
            "rows": _assessment_rows(assessment),
            "mine": mine,
            "leader": is_leader_of(request.user, assessment.agency_id),
            "office": is_reform_office(request.user),
            "can_appraise": s.can_appraise(assessment) and is_reform_office(request.user),
            "self_open": mine and _self_open(assessment),
            "gaps": s.missing(assessment) if mine else [],
            "proposed_total": s.total(assessment, final=False),
            "final_total": s.total(assessment),
            "top": s.max_total(assessment.framework),
            "form": form,
            "methods": ScoringMethod,
            "appraisal": Appraisal,
        },
        status=status,
    )


def _self_open(assessment: Any) -> bool:
    try:
        s._require_self_open(assessment)
    except s.IndicesError:
        return False
    return True


# --- results --------------------------------------------------------------------------------


@login_required
def results_page(request: HttpRequest, pk: int) -> HttpResponse:
    _official(request)
    framework = get_object_or_404(Framework, pk=pk)
    if framework.status != "finalised" and not is_reform_office(request.user):
        raise Http404
    fields, rows = s.results(framework)
    return render(
        request,
        "indices/results.html",
        {
            "framework": framework,
            "fields": fields,
            "rows": rows,
            "bands": framework.bands,
            "previous": s.previous_framework(framework),
            "office": is_reform_office(request.user),
        },
    )


@login_required
def results_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:

    _official(request)
    framework = get_object_or_404(Framework, pk=pk, status="finalised")
    if fmt not in ("xlsx", "docx"):
        raise Http404
    if fmt == "xlsx":
        response = HttpResponse(results_xlsx(framework), content_type=XLSX)
    else:
        response = HttpResponse(announcement_docx(framework), content_type=DOCX)
    response["Content-Disposition"] = (
        f'attachment; filename="chi-so-cchc-{framework.year}-{framework.agency_kind}.{fmt}"'
    )
    return response


# --- surveys --------------------------------------------------------------------------------


@login_required
def rounds(request: HttpRequest) -> HttpResponse:
    _official(request)
    office = is_reform_office(request.user)
    form: dict[str, str] = {}
    if request.method == "POST":
        _office(request)
        form = request.POST.dict()
        start, end = as_day(form.get("start")), as_day(form.get("end"))
        if start is None or end is None:
            messages.error(request, _("Ngày bắt đầu, kết thúc không hợp lệ."))
        else:
            try:
                survey = sv.create_round(form.get("title", ""), start, end, actor=request.user)
            except s.IndicesError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Đã tạo đợt khảo sát."))
                return redirect("indices:round", pk=survey.pk)
    return render(
        request,
        "indices/rounds.html",
        {"rounds": SurveyRound.objects.all(), "office": office, "form": form},
        status=400 if form else 200,
    )


@login_required
def round_page(request: HttpRequest, pk: int) -> HttpResponse:
    _official(request)
    survey = get_object_or_404(SurveyRound.objects.select_related("instrument"), pk=pk)
    office = is_reform_office(request.user)
    if request.method == "POST":
        _office(request)
        do = request.POST.get("do", "")
        try:
            if do == "chon-mau":
                size = as_int(request.POST.get("size"), lo=1, hi=100_000)
                if size is None:
                    raise s.IndicesError("invalid_size", _("Cỡ mẫu phải là số nguyên dương."))
                made = sv.draw_sample(survey, size=size, actor=request.user)
                messages.success(
                    request, _("Đã chọn %(n)s hồ sơ và gửi lời mời khảo sát.") % {"n": len(made)}
                )
            elif do in (RoundStatus.OPEN, RoundStatus.CLOSED, RoundStatus.PUBLISHED):
                sv.set_status(survey, do, actor=request.user)
                messages.success(request, _("Đã cập nhật trạng thái đợt khảo sát."))
            else:
                raise Http404
        except s.IndicesError as exc:
            messages.error(request, exc.message)
        return redirect("indices:round", pk=survey.pk)
    results = figures_for(survey, request.user)
    return render(
        request,
        "indices/round.html",
        {
            "survey": survey,
            "office": office,
            "at_desk": any(m.desk_id for m in request.user.current_memberships()),
            "results": results,
            "elements": list(survey.instrument.elements.prefetch_related("questions")),
            "invited": survey.invitations.count(),
            "answered": survey.invitations.filter(used_at__isnull=False).count(),
            "by_channel": {
                label: survey.responses.filter(channel=code).count()
                for code, label in ResponseChannel.choices
            },
        },
    )


def _questionnaire(survey: SurveyRound) -> list[Any]:
    return list(survey.instrument.elements.prefetch_related("questions"))


def _answers(request: HttpRequest) -> dict[str, str]:
    return {k[2:]: v for k, v in request.POST.items() if k.startswith("q-")}


@login_required
def paper_entry(
    request: HttpRequest, pk: int, channel: str = ResponseChannel.PAPER
) -> HttpResponse:
    """Staff type in a paper questionnaire; at the counter kiosk (a device logged in as a desk
    member) the citizen answers directly. The form stays filled on an error."""
    _official(request)
    survey = get_object_or_404(SurveyRound.objects.select_related("instrument"), pk=pk)
    agencies = sv.agencies_of_province(survey)
    memberships = request.user.current_memberships()
    desk = next((m.desk for m in memberships if m.desk_id), None)
    if channel == ResponseChannel.KIOSK and desk is None:
        raise Forbidden(
            "no_desk",
            _(
                "Phiếu tại quầy chỉ mở được trên thiết bị đăng nhập bằng tài khoản của bộ phận "
                "một cửa. Tài khoản của Ông/Bà không thuộc bộ phận nào."
            ),
        )
    if channel == ResponseChannel.PAPER and not (is_reform_office(request.user) or desk):
        raise Forbidden(
            "no_desk",
            _("Chỉ cán bộ bộ phận một cửa hoặc cơ quan chuyên trách CCHC nhập phiếu giấy."),
        )
    form: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        form = request.POST.dict()
        agency = next((a for a in agencies if str(a.pk) == form.get("agency")), None)
        try:
            if agency is None:
                raise s.IndicesError("agency_required", _("Chọn cơ quan giải quyết hồ sơ."))
            sv.record_response(
                survey,
                _answers(request),
                agency=agency,
                channel=channel,
                actor=request.user,
                desk=desk,
                paper_number=form.get("paper_number", ""),
                comment=form.get("comment", ""),
            )
            messages.success(
                request,
                _("Xin cảm ơn Ông/Bà đã góp ý.")
                if channel == ResponseChannel.KIOSK
                else _("Đã nhập phiếu số %(n)s.") % {"n": form.get("paper_number", "")},
            )
            return redirect(request.path)
        except DomainError as exc:  # invalid answers, not this agency's staff, too many
            messages.error(request, exc.message)
            status = exc.status if exc.status != 409 else 400
    return render(
        request,
        "indices/questionnaire.html",
        {
            "survey": survey,
            "elements": _questionnaire(survey),
            "scale": SCALE,
            "form": form,
            "agencies": agencies,
            "channel": channel,
            "staff": True,
        },
        status=status,
    )


def public_survey(request: HttpRequest, token: str) -> HttpResponse:
    """The single-use link of an invitation: no login, the dossier's agency already known."""
    invitation = sv.invitation_for(token)
    if invitation is None:
        raise Http404
    survey = invitation.round
    form: dict[str, str] = {}
    status = 200
    done = invitation.used_at is not None
    if request.method == "POST" and not done:
        form = request.POST.dict()
        try:
            sv.answer_invitation(token, _answers(request), form.get("comment", ""))
            done = True
        except s.IndicesError as exc:
            messages.error(request, exc.message)
            status = 400
    return render(
        request,
        "indices/questionnaire.html",
        {
            "survey": survey,
            "elements": _questionnaire(survey),
            "scale": SCALE,
            "form": form,
            "invitation": invitation,
            "done": done,
            "closed": survey.status != RoundStatus.OPEN,
            "staff": False,
        },
        status=status,
    )


# --- national indices -----------------------------------------------------------------------


@login_required
def national(request: HttpRequest) -> HttpResponse:
    _official(request)
    code = request.GET.get("tinh") or settings.CCHC_DEFAULT_PROVINCE_CODE
    if request.method == "POST":
        _office(request)
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise s.IndicesError("file_required", _("Chọn tệp .csv hoặc .xlsx kết quả chỉ số."))
            result = nat.import_results(upload.read(), upload.name, actor=request.user)
        except s.IndicesError as exc:
            messages.error(request, exc.message)
        else:
            if result.errors:
                for e in result.errors[:30]:
                    messages.error(request, _("Dòng %(row)s, cột %(column)s: %(message)s") % e)
                messages.warning(request, _("Chưa nhập: sửa các lỗi trên rồi tải lại tệp."))
            else:
                messages.success(
                    request,
                    _("Đã nhập %(c)s kết quả mới, cập nhật %(u)s kết quả.")
                    % {"c": result.created, "u": result.updated},
                )
        return redirect(request.get_full_path())
    trends = nat.trends(code)
    index_code = request.GET.get("chi-so", "par-index")
    index = NationalIndex.objects.filter(code=index_code).first()
    years = sorted(index.results.values_list("year", flat=True).distinct()) if index else []
    year = (
        as_int(request.GET.get("nam"), lo=1990, hi=2100)
        if as_int(request.GET.get("nam"), lo=1990, hi=2100)
        else (years[-1] if years else None)
    )
    series = [
        {
            "code": t.index.code,
            "name": t.index.name,
            "years": [r.year for r in t.results],
            "scores": [float(r.score) if r.score is not None else None for r in t.results],
            "ranks": [r.rank for r in t.results],
        }
        for t in trends
        if t.results
    ]
    return render(
        request,
        "indices/national.html",
        {
            "trends": [(t, nat.component_table(t.results)) for t in trends],
            "series": series,
            "province_name": next((r.province_name for t in trends for r in t.results), code),
            "indices": NationalIndex.objects.all(),
            "index": index,
            "years": years,
            "year": year,
            "ranking": nat.ranking(index, year) if index and year else [],
            "code": code,
            "office": is_reform_office(request.user),
            "columns": nat.COLUMNS,
        },
    )


@login_required
def evidence_file(request: HttpRequest, pk: int) -> HttpResponse:
    """A score's evidence, for those who may see its assessment."""
    _official(request)
    evidence = get_object_or_404(
        ScoreEvidence, pk=pk, score__assessment__in=assessments_for(request.user)
    )
    return stored_file_response(evidence.file, name=evidence.name)
