"""The province's own satisfaction survey (SIPAS, issue 7): a round's sample of returned
dossiers, single-use invitations, responses by link, kiosk and paper, and the published index.

The index (docs/indices.md):
- a criterion's, an element's or the overall index is the share of answers "satisfied" or
  "very satisfied" (at or above the instrument's `satisfied_from`) among the answers given;
  "no opinion" is left out. With the `mean_of_elements` formula the overall index is the mean
  of the element indices instead.
- Each response is one cluster of answers. The province's figures weight each response by its
  agency's share of the sampling frame (N_h / m_h), so agencies that answered more do not
  weigh more; an agency's own figures are unweighted.
- The 95% interval is p ± 1.96·se, with the linearised variance of a ratio estimator over
  responses: se² = n/(n−1) · Σ zᵢ² / (Σ wᵢvᵢ)², zᵢ = wᵢ(sᵢ − p·vᵢ), where sᵢ and vᵢ are the
  response's satisfied and valid answers. Clipped to 0–100.
- Fewer responses than the instrument's `min_responses` are reported as too few.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
import secrets
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.calendars.services import province_by_code
from cchc.core import throttle
from cchc.core.audit import log_action
from cchc.core.errors import Forbidden, TooMany
from cchc.dossiers import constants as dc
from cchc.dossiers.models import Dossier, Notification
from cchc.dossiers.notify import applicant_notes, queue
from cchc.organizations.models import Agency, Desk
from cchc.reform_plans.permissions import is_reform_office

from .constants import NO_OPINION, ResponseChannel, RoundStatus, SurveyFormula
from .models import SurveyInstrument, SurveyInvitation, SurveyQuestion, SurveyResponse, SurveyRound
from .services import IndicesError, _require_office

Z95 = 1.959963984540054


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def questions(survey: SurveyRound) -> list[SurveyQuestion]:
    return list(
        SurveyQuestion.objects.filter(element__instrument=survey.instrument).select_related(
            "element"
        )
    )


# --- estimation -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Cluster:
    """One response's part in an estimate: its weight, satisfied and valid answer counts."""

    weight: float
    satisfied: int
    valid: int


def _ratio(clusters: list[Cluster]) -> tuple[float, list[float]] | None:
    """The ratio Σws/Σwv and each response's linearised influence on it."""
    used = [c for c in clusters if c.valid]
    denominator = sum(c.weight * c.valid for c in clusters)
    if not used or not denominator:
        return None
    p = sum(c.weight * c.satisfied for c in clusters) / denominator
    return p, [c.weight * (c.satisfied - p * c.valid) / denominator for c in clusters]


def _estimate(p: float, influence: list[float], n: int, minimum: int) -> dict[str, Any]:
    half = None
    if n > 1:
        variance = n / (n - 1) * sum(z * z for z in influence)
        half = Z95 * math.sqrt(variance)

    def pct(x: float) -> float:
        return float(Decimal(100 * x).quantize(Decimal("0.01"), ROUND_HALF_UP))

    return {
        "value": pct(p),
        "low": pct(max(0.0, p - half)) if half is not None else None,
        "high": pct(min(1.0, p + half)) if half is not None else None,
        "n": n,
        "enough": n >= minimum,
    }


def estimate(clusters: list[Cluster], minimum: int) -> dict[str, Any] | None:
    """The index of one set of answers, or None when nobody answered."""
    found = _ratio(clusters)
    if found is None:
        return None
    p, influence = found
    return _estimate(p, influence, sum(1 for c in clusters if c.valid), minimum)


def mean_estimate(parts: list[list[Cluster]], minimum: int) -> dict[str, Any] | None:
    """The mean of several ratios over the same responses (the `mean_of_elements` formula)."""
    found = [r for r in (_ratio(p) for p in parts) if r is not None]
    if not found:
        return None
    size = len(parts[0])
    p = sum(r[0] for r in found) / len(found)
    influence = [sum(r[1][i] for r in found) / len(found) for i in range(size)]
    n = sum(1 for i in range(size) if any(part[i].valid for part in parts))
    return _estimate(p, influence, n, minimum)


def _clusters(
    responses: list[SurveyResponse], codes: list[str], weights: list[float], threshold: int
) -> list[Cluster]:
    out = []
    for response, weight in zip(responses, weights, strict=True):
        given = [
            int(response.answers.get(code) or 0)
            for code in codes
            if int(response.answers.get(code) or 0) != NO_OPINION
        ]
        out.append(Cluster(weight, sum(1 for v in given if v >= threshold), len(given)))
    return out


def compute(survey: SurveyRound) -> dict[str, Any]:
    """Every figure of the round: per criterion, element and overall, for the province and for
    each agency."""
    instrument = survey.instrument
    qs = questions(survey)
    elements: dict[str, list[str]] = defaultdict(list)
    names: dict[str, str] = {}
    for q in qs:
        elements[q.element.code].append(q.code)
        names[q.element.code] = q.element.name
    responses = list(survey.responses.select_related("agency"))
    threshold, minimum = instrument.satisfied_from, instrument.min_responses

    def figures(rows: list[SurveyResponse], weights: list[float]) -> dict[str, Any]:
        per_element = {
            code: _clusters(rows, codes, weights, threshold) for code, codes in elements.items()
        }
        overall = (
            mean_estimate(list(per_element.values()), minimum)
            if instrument.formula == SurveyFormula.MEAN_OF_ELEMENTS
            else estimate(_clusters(rows, [q.code for q in qs], weights, threshold), minimum)
        )
        return {
            "responses": len(rows),
            "overall": overall,
            "elements": {code: estimate(cl, minimum) for code, cl in per_element.items()},
            "questions": {
                q.code: estimate(_clusters(rows, [q.code], weights, threshold), minimum) for q in qs
            },
        }

    by_agency: dict[int, list[SurveyResponse]] = defaultdict(list)
    for r in responses:
        by_agency[r.agency_id].append(r)
    frame = {int(k): v for k, v in (survey.frame or {}).items()}
    weights = [
        (frame[r.agency_id] / len(by_agency[r.agency_id])) if frame.get(r.agency_id) else 1.0
        for r in responses
    ]
    return {
        "formula": instrument.formula,
        "satisfied_from": threshold,
        "min_responses": minimum,
        "weighted": bool(frame),
        "element_names": names,
        "province": figures(responses, weights),
        "agencies": {
            str(agency_id): {"name": rows[0].agency.name, **figures(rows, [1.0] * len(rows))}
            for agency_id, rows in sorted(by_agency.items(), key=lambda kv: kv[1][0].agency.name)
        },
    }


def create_round(title: str, start: dt.date, end: dt.date, *, actor: Any) -> SurveyRound:
    """A draft round of the deployment's province, with the current questionnaire."""
    from django.conf import settings as conf

    _require_office(actor)
    if end < start or not title.strip():
        raise IndicesError("invalid_round", _("Cần tên đợt khảo sát và khoảng thời gian hợp lệ."))
    instrument = SurveyInstrument.objects.order_by("pk").first()
    province = province_by_code(conf.CCHC_DEFAULT_PROVINCE_CODE)
    if instrument is None or province is None:
        raise IndicesError("no_instrument", _("Chưa có phiếu khảo sát hoặc dữ liệu tỉnh."))
    survey = SurveyRound.objects.create(
        instrument=instrument, province=province, title=title.strip(), start=start, end=end
    )
    log_action(survey, "survey.create", actor=actor, after={"title": survey.title})
    return survey


# --- sampling and invitations ---------------------------------------------------------------


def _allocate(sizes: dict[Any, int], total: int) -> dict[Any, int]:
    """Proportional allocation by largest remainder (the sample is self-weighting)."""
    population = sum(sizes.values())
    if not population:
        return {}
    total = min(total, population)
    out = {k: total * v // population for k, v in sizes.items()}
    remainder = {k: total * v % population for k, v in sizes.items()}
    left = total - sum(out.values())
    for k in sorted(sizes, key=lambda k: (remainder[k], sizes[k]), reverse=True)[:left]:
        out[k] += 1
    return out


def frame_for(survey: SurveyRound):  # type: ignore[no-untyped-def]
    """Returned dossiers of the period in the province that can be reached by email or SMS."""
    start = timezone.make_aware(dt.datetime.combine(survey.start, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(survey.end + dt.timedelta(days=1), dt.time.min))
    return Dossier.objects.filter(
        province=survey.province_id,
        status=dc.Status.RETURNED,
        returned_at__gte=start,
        returned_at__lt=end,
        competent_agency__isnull=False,
    ).exclude(Q(email="") & Q(phone=""))


@transaction.atomic
def draw_sample(
    survey: SurveyRound, *, size: int, actor: Any, seed: int | None = None
) -> list[tuple[SurveyInvitation, str]]:
    """Draw `size` returned dossiers stratified by agency and desk (proportional allocation,
    reproducible from the stored seed), open the round and send each a single-use link."""
    _require_office(actor)
    survey = SurveyRound.objects.select_for_update().get(pk=survey.pk)
    if survey.status not in (RoundStatus.DRAFT, RoundStatus.OPEN):
        raise IndicesError("closed", _("Đợt khảo sát đã dừng thu phiếu."))
    if size < 1:
        raise IndicesError("invalid_size", _("Cỡ mẫu phải lớn hơn 0."))
    if not questions(survey):
        raise IndicesError("no_questions", _("Phiếu khảo sát chưa có tiêu chí."))
    already = set(survey.invitations.values_list("dossier_id", flat=True))
    rows = list(
        frame_for(survey).order_by("pk").values_list("pk", "competent_agency_id", "desk_id")
    )
    strata: dict[tuple[int, int | None], list[int]] = defaultdict(list)
    per_agency: dict[int, int] = defaultdict(int)
    for pk, agency_id, desk_id in rows:
        per_agency[agency_id] += 1
        if pk not in already:
            strata[(agency_id, desk_id)].append(pk)
    if not strata:
        raise IndicesError("empty_frame", _("Không có hồ sơ trả kết quả trong kỳ để chọn mẫu."))
    if survey.sample_seed is None:
        survey.sample_seed = seed if seed is not None else secrets.randbits(48)
    rng = random.Random(f"{survey.sample_seed}:{len(already)}")
    allocation = _allocate({k: len(v) for k, v in strata.items()}, size)
    chosen: list[tuple[int, int, int | None]] = []
    for key in sorted(strata, key=lambda k: (k[0], k[1] or 0)):
        for pk in sorted(rng.sample(strata[key], allocation.get(key, 0))):
            chosen.append((pk, key[0], key[1]))
    survey.frame = {str(k): v for k, v in sorted(per_agency.items())}
    before = survey.status
    survey.status = RoundStatus.OPEN
    survey.save(update_fields=["sample_seed", "frame", "status"])
    dossiers = Dossier.objects.in_bulk([pk for pk, _a, _d in chosen])
    made: list[tuple[SurveyInvitation, str]] = []
    notes: list[Notification] = []
    base = settings.CCHC_PUBLIC_BASE_URL.rstrip("/")
    now = timezone.now()
    for pk, agency_id, desk_id in chosen:
        token = secrets.token_urlsafe(18)
        invitation = SurveyInvitation.objects.create(
            round=survey,
            dossier_id=pk,
            agency_id=agency_id,
            desk_id=desk_id,
            token_hash=token_hash(token),
            sent_at=now,
        )
        made.append((invitation, token))
        d = dossiers[pk]
        text = (
            f"Mời Ông/Bà cho ý kiến về việc giải quyết hồ sơ {d.code} ({survey.title}): "
            f"{base}/khao-sat/{token}/ — mỗi đường dẫn dùng một lần."
        )
        notes += applicant_notes(
            d,
            kind=dc.NotificationKind.SURVEY,
            subject=f"[Khảo sát hài lòng] {survey.title}",
            text=text,
            key=f"survey:{survey.pk}:{pk}",
        )
    if notes:
        queue(notes)
    log_action(
        survey,
        "survey.sample",
        actor=actor,
        from_status=before,
        to_status=survey.status,
        after={"seed": survey.sample_seed, "drawn": len(made), "frame": sum(per_agency.values())},
    )
    return made


# --- responses ------------------------------------------------------------------------------


def clean_answers(survey: SurveyRound, raw: dict[str, Any]) -> dict[str, int]:
    """Every criterion answered 1–5 or 0 (no opinion), at least one with an opinion."""
    out: dict[str, int] = {}
    missing = []
    for q in questions(survey):
        value = raw.get(q.code)
        if value in (None, ""):
            missing.append(q.code)
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = -1
        if number < 0 or number > 5:
            raise IndicesError(
                "invalid_answer", _("Câu trả lời cho “%(q)s” không hợp lệ.") % {"q": q.text}
            )
        out[q.code] = number
    if missing:
        raise IndicesError(
            "unanswered",
            _("Xin trả lời tất cả các câu hỏi (chọn “Không ý kiến” nếu cần)."),
            missing,
        )
    if not any(out.values()):
        raise IndicesError("no_opinion", _("Phiếu không có câu trả lời nào ngoài “Không ý kiến”."))
    return out


def _require_open(survey: SurveyRound) -> None:
    if survey.status != RoundStatus.OPEN:
        raise IndicesError("not_open", _("Đợt khảo sát không trong thời gian thu phiếu."))


def invitation_for(token: str) -> SurveyInvitation | None:
    return (
        SurveyInvitation.objects.select_related("round__instrument", "dossier", "agency")
        .filter(token_hash=token_hash(token))
        .first()
    )


@transaction.atomic
def answer_invitation(token: str, raw: dict[str, Any], comment: str = "") -> SurveyResponse:
    found = invitation_for(token)
    if found is None:
        raise IndicesError("invalid_link", _("Đường dẫn khảo sát không đúng."))
    invitation = SurveyInvitation.objects.select_for_update().get(pk=found.pk)
    if invitation.used_at:
        raise IndicesError("used", _("Phiếu khảo sát này đã được trả lời. Xin cảm ơn Ông/Bà."))
    survey = found.round
    _require_open(survey)
    answers = clean_answers(survey, raw)
    response = SurveyResponse.objects.create(
        round=survey,
        invitation=invitation,
        agency_id=invitation.agency_id,
        desk_id=invitation.desk_id,
        channel=ResponseChannel.LINK,
        answers=answers,
        comment=comment.strip()[:2000],
    )
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    log_action(
        survey,
        "survey.link_answer",
        actor_label="người được khảo sát",
        after={"response": response.pk, "agency": invitation.agency_id},
    )
    return response


def agencies_of_province(survey: SurveyRound) -> list[Agency]:
    return list(
        Agency.objects.on(timezone.localdate())
        .filter(Q(area=survey.province_id) | Q(area__province=survey.province_id))
        .order_by("name")
    )


@transaction.atomic
def record_response(
    survey: SurveyRound,
    raw: dict[str, Any],
    *,
    agency: Agency,
    channel: str,
    actor: Any,
    desk: Desk | None = None,
    paper_number: str = "",
    comment: str = "",
) -> SurveyResponse:
    """A kiosk answer, or a paper questionnaire typed in by staff (each paper number once).

    Paper questionnaires are typed in by the survey council (the reform office) or by staff
    of the agency they are about; kiosk answers only at the entering officer's own desk, at
    most `CCHC_SURVEY_KIOSK_PER_HOUR` an hour per desk (issue 15: no stuffing)."""
    _require_open(survey)
    if channel not in (ResponseChannel.KIOSK, ResponseChannel.PAPER):
        raise IndicesError("invalid_channel", _("Kênh thu phiếu không hợp lệ."))
    if agency.pk not in {a.pk for a in agencies_of_province(survey)}:
        raise IndicesError("invalid_agency", _("Cơ quan không thuộc địa bàn của đợt khảo sát."))
    memberships = list(actor.current_memberships()) if actor.pk else []
    if channel == ResponseChannel.PAPER and not (
        is_reform_office(actor) or any(m.agency_id == agency.pk for m in memberships)
    ):
        raise Forbidden(
            "not_agency_staff",
            _("Phiếu giấy do Hội đồng khảo sát hoặc cán bộ của chính cơ quan được đánh giá nhập."),
        )
    kiosk_key = ""
    if channel == ResponseChannel.KIOSK:
        own = {m.desk_id for m in memberships if m.desk_id}
        desk = desk if desk is not None else Desk.objects.filter(pk__in=own).first()
        if desk is None or desk.pk not in own:
            raise Forbidden(
                "not_own_desk", _("Phiếu tại quầy chỉ nhận tại bộ phận một cửa của cán bộ.")
            )
        kiosk_key = f"survey-kiosk:{survey.pk}:{desk.pk}"
        if throttle.blocked(
            kiosk_key, limit=settings.CCHC_SURVEY_KIOSK_PER_HOUR, window_seconds=3600
        ):
            raise TooMany(
                "too_many_answers",
                _("Quầy đã nhận quá nhiều phiếu trong giờ này; hãy thử lại sau."),
            )
    paper_number = paper_number.strip()
    if channel == ResponseChannel.PAPER:
        if not paper_number:
            raise IndicesError("paper_number_required", _("Cần ghi số phiếu giấy."))
        if survey.responses.filter(channel=channel, paper_number=paper_number).exists():
            raise IndicesError(
                "duplicate_paper", _("Phiếu số %(n)s đã được nhập.") % {"n": paper_number}
            )
    answers = clean_answers(survey, raw)
    response = SurveyResponse.objects.create(
        round=survey,
        agency=agency,
        desk=desk,
        channel=channel,
        answers=answers,
        comment=comment.strip()[:2000],
        entered_by=actor if getattr(actor, "pk", None) else None,
        paper_number=paper_number,
    )
    log_action(
        survey,
        f"survey.{channel}_entry",
        actor=actor,
        after={"response": response.pk, "paper": paper_number, "agency": agency.pk},
    )
    if kiosk_key:
        throttle.hit(kiosk_key, limit=settings.CCHC_SURVEY_KIOSK_PER_HOUR, window_seconds=3600)
    return response


# --- closing and publishing -----------------------------------------------------------------


@transaction.atomic
def set_status(survey: SurveyRound, status: str, *, actor: Any) -> SurveyRound:
    """open → closed (no more answers) → published (the results are computed and frozen)."""
    _require_office(actor)
    survey = SurveyRound.objects.select_for_update().get(pk=survey.pk)
    allowed: dict[str, set[str]] = {
        RoundStatus.OPEN: {RoundStatus.DRAFT, RoundStatus.CLOSED},
        RoundStatus.CLOSED: {RoundStatus.OPEN},
        RoundStatus.PUBLISHED: {RoundStatus.CLOSED},
    }
    if survey.status not in allowed.get(status, set()):
        raise IndicesError(
            "invalid_transition",
            _("Không chuyển được trạng thái đợt khảo sát (thu phiếu → dừng thu phiếu → công bố)."),
        )
    before = survey.status
    survey.status = status
    if status == RoundStatus.PUBLISHED:
        survey.results = compute(survey)
        survey.published_at = timezone.now()
    survey.save()
    province = (survey.results.get("province") or {}).get("overall") or {}
    log_action(
        survey,
        "survey.status",
        actor=actor,
        from_status=before,
        to_status=status,
        after={"responses": survey.responses.count(), "overall": province.get("value")},
    )
    return survey


def figures(survey: SurveyRound) -> dict[str, Any]:
    """The published results, or the live ones while the round runs."""
    return survey.results if survey.status == RoundStatus.PUBLISHED else compute(survey)
