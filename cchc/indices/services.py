"""The yearly index of the province's agencies (issue 7): frameworks (draft → published →
finalised), self-assessment with evidence, the council's appraisal, totals, ranks and bands.

Scores are `Decimal` with two places; a leaf never exceeds its maximum and a parent is the sum
of its children, capped at its own maximum, so the total is reproducible from the stored rows.
Every change is audited on the framework's chain.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.accounts.constants import Role
from cchc.core.audit import log_action
from cchc.core.errors import DomainError
from cchc.core.formatting import number as figure
from cchc.core.rates import percentage
from cchc.core.uploads import check_scan, stored_name
from cchc.dossiers.services.common import ServiceError
from cchc.organizations.models import Agency
from cchc.reform_plans.permissions import agencies_of, is_reform_office

from .constants import Appraisal, AssessmentStatus, FrameworkStatus, RoundStatus, ScoringMethod
from .metrics import METRICS, measure
from .models import Assessment, Criterion, Framework, Score, ScoreEvidence

CENT = Decimal("0.01")


class IndicesError(DomainError):
    """A refused action on indices or surveys (the domain family)."""


def parse_score(raw: Any) -> Decimal:
    """`"1,5"` or `1.5` → Decimal('1.50'); anything else is refused."""
    text = str(raw).strip().replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise IndicesError(
            "invalid_score", _("Điểm “%(v)s” không phải là số.") % {"v": raw}
        ) from None
    if not value.is_finite():
        raise IndicesError("invalid_score", _("Điểm “%(v)s” không phải là số.") % {"v": raw})
    if value != value.quantize(CENT):
        raise IndicesError("invalid_score", _("Điểm chỉ lấy đến hai chữ số thập phân."))
    return value.quantize(CENT)


def _check_range(value: Decimal, criterion: Criterion) -> None:
    if value < 0 or value > criterion.max_score:
        raise IndicesError(
            "out_of_range",
            _("Điểm của tiêu chí %(code)s phải từ 0 đến %(max)s.")
            % {"code": criterion.code, "max": figure(criterion.max_score)},
        )


# --- the tree -------------------------------------------------------------------------------


@dataclass
class Node:
    criterion: Criterion
    children: list[Node] = field(default_factory=list)
    depth: int = 0

    @property
    def is_leaf(self) -> bool:
        return not self.children

    def walk(self) -> Iterable[Node]:
        yield self
        for child in self.children:
            yield from child.walk()


def tree(framework: Framework, criteria: list[Criterion] | None = None) -> list[Node]:
    items = criteria if criteria is not None else list(framework.criteria.all())
    nodes = {c.pk: Node(c) for c in items}
    roots: list[Node] = []
    for c in items:
        node = nodes[c.pk]
        if c.parent_id and c.parent_id in nodes:
            nodes[c.parent_id].children.append(node)
        else:
            roots.append(node)

    def depth(node: Node, d: int) -> None:
        node.depth = d
        for child in node.children:
            depth(child, d + 1)

    for root in roots:
        depth(root, 0)
    return roots


def flat(framework: Framework) -> list[Node]:
    return [n for root in tree(framework) for n in root.walk()]


def leaves(framework: Framework) -> list[Criterion]:
    return [n.criterion for n in flat(framework) if n.is_leaf]


def max_total(framework: Framework) -> Decimal:
    return sum((r.criterion.max_score for r in tree(framework)), Decimal(0))


def problems(framework: Framework) -> list[str]:
    """What stops the framework from being published."""
    out: list[str] = []
    nodes = flat(framework)
    if not nodes:
        return [_("Bộ chỉ số chưa có tiêu chí.")]
    for node in nodes:
        c = node.criterion
        if c.max_score <= 0:
            out.append(_("Tiêu chí %(c)s: điểm tối đa phải lớn hơn 0.") % {"c": c.code})
        if node.children:
            total = sum((ch.criterion.max_score for ch in node.children), Decimal(0))
            if total != c.max_score:
                out.append(
                    _(
                        "Tiêu chí %(c)s: điểm tối đa %(max)s khác tổng các tiêu chí thành phần "
                        "%(t)s."
                    )
                    % {"c": c.code, "max": figure(c.max_score), "t": figure(total)}
                )
            continue
        if c.method == ScoringMethod.METRIC and c.metric not in METRICS:
            out.append(
                _("Tiêu chí %(c)s: chưa chọn số liệu hợp lệ (%(m)s).")
                % {"c": c.code, "m": ", ".join(METRICS)}
            )
        for band in c.bands or []:
            ok = isinstance(band, list | tuple) and len(band) == 2
            try:
                ok = ok and Decimal(str(band[1])) <= c.max_score and Decimal(str(band[0])) >= 0
            except (InvalidOperation, TypeError):
                ok = False
            if not ok:
                out.append(
                    _("Tiêu chí %(c)s: thang quy đổi %(b)s không hợp lệ.")
                    % {"c": c.code, "b": band}
                )
    if framework.agency_kind and not framework.bands:
        out.append(_("Bộ chỉ số chưa có thang xếp loại."))
    return out


# --- framework lifecycle --------------------------------------------------------------------


def _require_office(actor: Any) -> None:
    if not is_reform_office(actor):
        raise IndicesError(
            "forbidden", _("Chỉ Hội đồng thẩm định (cơ quan thường trực CCHC) làm việc này.")
        )


def agencies_for(framework: Framework) -> list[Agency]:
    """The agencies of the framework's kind in its province during its year."""
    day = min(
        dt.date(framework.year, 12, 31), max(timezone.localdate(), dt.date(framework.year, 1, 1))
    )
    return list(
        Agency.objects.on(day)
        .filter(kind=framework.agency_kind)
        .filter(Q(area=framework.province_id) | Q(area__province=framework.province_id))
        .distinct()
        .order_by("name")
    )


@transaction.atomic
def publish(framework: Framework, *, actor: Any) -> Framework:
    """Freeze the framework and open an assessment for each agency of its kind."""
    _require_office(actor)
    framework = Framework.objects.select_for_update().get(pk=framework.pk)
    if framework.status != FrameworkStatus.DRAFT:
        raise IndicesError("not_draft", _("Bộ chỉ số đã ban hành."))
    found = problems(framework)
    if found:
        raise IndicesError("invalid_framework", " ".join(found), found)
    framework.status = FrameworkStatus.PUBLISHED
    framework.published_at = timezone.now()
    framework.save(update_fields=["status", "published_at"])
    opened = open_assessments(framework)
    log_action(
        framework,
        "index.publish",
        actor=actor,
        from_status=FrameworkStatus.DRAFT,
        to_status=FrameworkStatus.PUBLISHED,
        after={"assessments": opened},
    )
    return framework


def open_assessments(framework: Framework) -> int:
    """An assessment with a score row per leaf for every agency of the kind (idempotent)."""
    leaf_list = leaves(framework)
    opened = 0
    for agency in agencies_for(framework):
        assessment, created = Assessment.objects.get_or_create(framework=framework, agency=agency)
        opened += int(created)
        have = set(assessment.scores.values_list("criterion_id", flat=True))
        Score.objects.bulk_create(
            [Score(assessment=assessment, criterion=c) for c in leaf_list if c.pk not in have]
        )
    return opened


@transaction.atomic
def copy_framework(framework: Framework, *, year: int, actor: Any) -> Framework:
    """Start a year from last year's framework: the same tree, as a draft."""
    _require_office(actor)
    if Framework.objects.filter(
        province=framework.province, year=year, agency_kind=framework.agency_kind
    ).exists():
        raise IndicesError(
            "exists", _("Đã có bộ chỉ số năm %(y)s cho loại cơ quan này.") % {"y": year}
        )
    title = framework.title.replace(str(framework.year), str(year))
    if title == framework.title:
        title = f"{framework.title} ({year})"
    copy = Framework.objects.create(
        province=framework.province,
        year=year,
        agency_kind=framework.agency_kind,
        title=title,
        bands=framework.bands,
        unconfirmed=framework.unconfirmed,
        note=framework.note,
    )
    mapping: dict[int, Criterion] = {}
    for node in flat(framework):
        c = node.criterion
        new = Criterion.objects.create(
            framework=copy,
            parent=mapping[c.parent_id] if c.parent_id else None,
            code=c.code,
            order=c.order,
            name=c.name,
            max_score=c.max_score,
            guide=c.guide,
            evidence_required=c.evidence_required,
            method=c.method,
            metric=c.metric,
            survey_element=c.survey_element,
            bands=c.bands,
        )
        mapping[c.pk] = new
    log_action(copy, "index.copy", actor=actor, after={"from": framework.pk, "year": year})
    return copy


# --- automatic criteria ---------------------------------------------------------------------


def points_for(criterion: Criterion, value: Decimal) -> Decimal:
    """A measured percentage turned into points by the criterion's bands (the first band whose
    minimum the value reaches), or pro rata without bands; never above the maximum."""
    if criterion.bands:
        points = Decimal(0)
        for minimum, band_points in sorted(
            criterion.bands, key=lambda b: Decimal(str(b[0])), reverse=True
        ):
            if value >= Decimal(str(minimum)):
                points = Decimal(str(band_points))
                break
    else:
        points = criterion.max_score * value / Decimal(100)
    return min(max(points, Decimal(0)), criterion.max_score).quantize(CENT, ROUND_HALF_UP)


def _survey_input(score: Score) -> dict[str, Any] | None:
    survey = score.assessment.framework.survey_round
    if survey is None or survey.status != RoundStatus.PUBLISHED:
        return None
    agency = survey.results.get("agencies", {}).get(str(score.assessment.agency_id))
    if not agency:
        return None
    element = score.criterion.survey_element
    estimate = agency["elements"].get(element) if element else agency["overall"]
    if not estimate or not estimate.get("enough"):
        return None
    return {"round": survey.title, "element": element or "overall", **estimate}


def refresh_automatic(assessment: Assessment) -> None:
    """Fill the metric and survey criteria from live data and the published survey."""
    year = assessment.framework.year
    for score in assessment.scores.select_related(
        "criterion", "assessment__framework__survey_round"
    ):
        c = score.criterion
        if c.method == ScoringMethod.MANUAL:
            continue
        if c.method == ScoringMethod.METRIC:
            num, den = measure(c.metric, assessment.agency, year)
            inputs: dict[str, Any] | None = (
                {"metric": c.metric, "numerator": num, "denominator": den} if den else None
            )
            value = percentage(num, den)  # the same rate the reports show
        else:
            inputs = _survey_input(score)
            value = Decimal(str(inputs["value"])) if inputs else None
        score.auto_inputs = inputs or {}
        score.auto_value = value
        score.auto_score = points_for(c, value) if value is not None else None
        score.save(update_fields=["auto_inputs", "auto_value", "auto_score"])


# --- self-assessment ------------------------------------------------------------------------


def _require_member(actor: Any, assessment: Assessment) -> None:
    if assessment.agency_id not in agencies_of(actor):
        raise IndicesError("not_own", _("Chỉ cơ quan được đánh giá tự chấm điểm của mình."))


def _require_self_open(assessment: Assessment) -> None:
    if assessment.framework.status != FrameworkStatus.PUBLISHED:
        raise IndicesError("not_open", _("Bộ chỉ số chưa ban hành hoặc đã công bố kết quả."))
    if assessment.status != AssessmentStatus.DRAFT:
        raise IndicesError("submitted", _("Đã gửi kết quả tự đánh giá, không sửa được nữa."))
    deadline = assessment.framework.self_deadline
    if deadline and timezone.localdate() > deadline:
        raise IndicesError(
            "deadline_passed", _("Đã hết hạn tự đánh giá (%(d)s).") % {"d": f"{deadline:%d/%m/%Y}"}
        )


def _score_snapshot(s: Score) -> dict[str, Any]:
    return {
        "agency": s.assessment.agency_id,
        "criterion": s.criterion.code,
        "self_score": s.self_score,
        "self_note": s.self_note,
        "appraisal": s.appraisal,
        "appraised_score": s.appraised_score,
        "reason": s.appraisal_reason,
    }


def _locked_score(score: Score) -> Score:
    return (
        Score.objects.select_for_update(of=("self",))
        .select_related("criterion", "assessment__framework", "assessment__agency")
        .get(pk=score.pk)
    )


@transaction.atomic
def save_self_score(score: Score, *, value: Any, note: str, actor: Any) -> Score:
    score = _locked_score(score)
    assessment = score.assessment
    _require_member(actor, assessment)
    _require_self_open(assessment)
    if score.criterion.method != ScoringMethod.MANUAL:
        raise IndicesError("automatic", _("Tiêu chí này được tính tự động, không tự chấm."))
    before = _score_snapshot(score)
    if value in (None, ""):
        score.self_score = None
    else:
        parsed = parse_score(value)
        _check_range(parsed, score.criterion)
        score.self_score = parsed
    score.self_note = note.strip()
    score.save(update_fields=["self_score", "self_note"])
    log_action(
        assessment.framework,
        "index.self_score",
        actor=actor,
        before=before,
        after=_score_snapshot(score),
    )
    return score


def add_evidence(score: Score, upload: Any, *, actor: Any) -> ScoreEvidence:

    score = Score.objects.select_related("assessment__framework", "criterion").get(pk=score.pk)
    _require_member(actor, score.assessment)
    _require_self_open(score.assessment)
    try:
        kind = check_scan(upload)
    except ServiceError as exc:
        raise IndicesError(exc.code, exc.message) from exc
    evidence = ScoreEvidence(score=score, name=upload.name[:255], uploaded_by=actor)
    evidence.file.save(stored_name(kind), upload, save=True)
    log_action(
        score.assessment.framework,
        "index.evidence_add",
        actor=actor,
        after={
            "agency": score.assessment.agency_id,
            "criterion": score.criterion.code,
            "file": evidence.name,
        },
    )
    return evidence


def ordered_scores(assessment: Assessment) -> list[Score]:
    """The assessment's score rows in the framework's tree order (1, 1.1, 1.1.1, 1.2, 2 …)."""
    position = {n.criterion.pk: i for i, n in enumerate(flat(assessment.framework))}
    rows = assessment.scores.select_related("criterion").prefetch_related("evidence")
    return sorted(rows, key=lambda row: position.get(row.criterion_id, 0))


def missing(assessment: Assessment) -> list[str]:
    """What the agency must still do before submitting, in the tree's order."""
    out = []
    for s in ordered_scores(assessment):
        c = s.criterion
        if c.method != ScoringMethod.MANUAL:
            continue
        if s.self_score is None:
            out.append(_("Tiêu chí %(c)s chưa tự chấm điểm.") % {"c": c.code})
        elif c.evidence_required and s.self_score > 0 and not s.evidence.all():
            out.append(_("Tiêu chí %(c)s cần tài liệu kiểm chứng.") % {"c": c.code})
    return out


@transaction.atomic
def submit(assessment: Assessment, *, actor: Any) -> Assessment:
    """The agency's leader sends the self-assessment to the council; it is locked from now."""
    assessment = (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("framework")
        .get(pk=assessment.pk)
    )
    _require_member(actor, assessment)
    _require_self_open(assessment)
    leaders = {m.agency_id for m in actor.current_memberships() if m.role == Role.AGENCY_LEADER}
    if assessment.agency_id not in leaders:
        raise IndicesError("leader_only", _("Lãnh đạo cơ quan gửi kết quả tự đánh giá."))
    gaps = missing(assessment)
    if gaps:
        raise IndicesError("incomplete", " ".join(gaps), gaps)
    refresh_automatic(assessment)
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.submitted_at = timezone.now()
    assessment.submitted_by = actor
    assessment.self_total = total(assessment, final=False)
    assessment.revision += 1
    assessment.save()
    log_action(
        assessment.framework,
        "index.submit",
        actor=actor,
        from_status=AssessmentStatus.DRAFT,
        to_status=AssessmentStatus.SUBMITTED,
        after={"agency": assessment.agency_id, "self_total": assessment.self_total},
    )
    return assessment


# --- appraisal ------------------------------------------------------------------------------


def can_appraise(assessment: Assessment) -> bool:
    if assessment.framework.status != FrameworkStatus.PUBLISHED:
        return False
    if assessment.status == AssessmentStatus.SUBMITTED:
        return True
    deadline = assessment.framework.self_deadline
    return assessment.status == AssessmentStatus.DRAFT and bool(
        deadline and timezone.localdate() > deadline
    )


@transaction.atomic
def appraise(
    score: Score, *, decision: str, value: Any = None, reason: str = "", actor: Any
) -> Score:
    """The council accepts the proposed score or sets its own with a reason."""
    _require_office(actor)
    score = _locked_score(score)
    if not can_appraise(score.assessment):
        raise IndicesError(
            "not_submitted", _("Chỉ thẩm định khi cơ quan đã gửi hoặc đã hết hạn tự đánh giá.")
        )
    before = _score_snapshot(score)
    if decision == Appraisal.ACCEPTED:
        if score.proposed is None:
            raise IndicesError(
                "nothing_to_accept", _("Tiêu chí chưa có điểm để đồng ý; hãy chấm điểm thẩm định.")
            )
        score.appraised_score = None
        score.appraisal_reason = reason.strip()
    elif decision == Appraisal.ADJUSTED:
        if value in (None, ""):
            raise IndicesError("score_required", _("Cần ghi điểm thẩm định."))
        parsed = parse_score(value)
        _check_range(parsed, score.criterion)
        if not reason.strip():
            raise IndicesError("reason_required", _("Cần ghi lý do điều chỉnh điểm."))
        score.appraised_score = parsed
        score.appraisal_reason = reason.strip()
    else:
        raise IndicesError("invalid_decision", _("Ý kiến thẩm định không hợp lệ."))
    score.appraisal = decision
    score.appraised_by = actor
    score.appraised_at = timezone.now()
    score.save()
    log_action(
        score.assessment.framework,
        "index.appraise",
        actor=actor,
        before=before,
        after=_score_snapshot(score),
        reason=score.appraisal_reason,
    )
    return score


# --- totals and results ---------------------------------------------------------------------


def subtotals(assessment: Assessment, *, final: bool = True) -> dict[int, Decimal | None]:
    """Score per criterion id: leaves as stored, parents as the capped sum of their children
    (None where a leaf has no score yet)."""
    scores = {
        s.criterion_id: (s.final_score if final else s.proposed)
        for s in assessment.scores.select_related("criterion")
    }
    out: dict[int, Decimal | None] = {}

    def visit(node: Node) -> Decimal | None:
        c = node.criterion
        if node.is_leaf:
            value = scores.get(c.pk)
            out[c.pk] = min(value, c.max_score) if value is not None else None
            return out[c.pk]
        parts = [visit(ch) for ch in node.children]
        known = [p for p in parts if p is not None]
        value = min(sum(known, Decimal(0)), c.max_score) if known else None
        out[c.pk] = value
        return value

    for root in tree(assessment.framework):
        visit(root)
    return out


def total(assessment: Assessment, *, final: bool = True) -> Decimal:
    sub = subtotals(assessment, final=final)
    roots = tree(assessment.framework)
    return sum((sub[r.criterion.pk] or Decimal(0) for r in roots), Decimal(0)).quantize(CENT)


def band_for(framework: Framework, percent: Decimal) -> str:
    for minimum, code, *_rest in sorted(
        framework.bands, key=lambda b: Decimal(str(b[0])), reverse=True
    ):
        if percent >= Decimal(str(minimum)):
            return str(code)
    return ""


def band_name(framework: Framework, code: str) -> str:
    for _minimum, band_code, *rest in framework.bands:
        if band_code == code:
            return str(rest[0]) if rest else code
    return ""


def unfinished(assessment: Assessment) -> list[str]:
    return [
        s.criterion.code
        for s in assessment.scores.select_related("criterion")
        if s.final_score is None
    ]


@transaction.atomic
def finalise(framework: Framework, *, actor: Any) -> Framework:
    """Totals, percentages, bands and ranks for every assessment; the framework's results are
    announced and frozen. Refused while any criterion of any agency lacks a final score."""
    _require_office(actor)
    framework = Framework.objects.select_for_update().get(pk=framework.pk)
    if framework.status != FrameworkStatus.PUBLISHED:
        raise IndicesError("not_published", _("Chỉ công bố kết quả của bộ chỉ số đã ban hành."))
    assessments = list(framework.assessments.select_related("agency", "framework"))
    for a in assessments:
        refresh_automatic(a)
    gaps = {a.agency.name: unfinished(a) for a in assessments}
    gaps = {k: v for k, v in gaps.items() if v}
    if gaps:
        lines = [f"{name}: tiêu chí {', '.join(codes)}" for name, codes in gaps.items()]
        raise IndicesError(
            "unfinished", _("Còn tiêu chí chưa có điểm thẩm định — ") + "; ".join(lines), gaps
        )
    top = max_total(framework)
    for a in assessments:
        a.final_total = total(a)
        a.self_total = total(a, final=False)
        a.percent = (Decimal(100) * a.final_total / top).quantize(CENT, ROUND_HALF_UP)
        a.band = band_for(framework, a.percent)
        a.status = AssessmentStatus.FINAL
    ordered = sorted(assessments, key=lambda a: a.final_total or 0, reverse=True)
    for position, a in enumerate(ordered, start=1):
        ties = [b for b in ordered[: position - 1] if b.final_total == a.final_total]
        a.rank = ties[0].rank if ties else position
        a.revision += 1
        a.save()
    framework.status = FrameworkStatus.FINALISED
    framework.finalised_at = timezone.now()
    framework.save(update_fields=["status", "finalised_at"])
    log_action(
        framework,
        "index.finalise",
        actor=actor,
        from_status=FrameworkStatus.PUBLISHED,
        to_status=FrameworkStatus.FINALISED,
        after={str(a.agency_id): str(a.final_total) for a in ordered},
    )
    return framework


@dataclass
class ResultRow:
    assessment: Assessment
    fields: list[Decimal | None]
    previous: Decimal | None
    previous_rank: int | None

    @property
    def change(self) -> Decimal | None:
        if self.previous is None or self.assessment.percent is None:
            return None
        return self.assessment.percent - self.previous


def previous_framework(framework: Framework) -> Framework | None:
    return Framework.objects.filter(
        province=framework.province,
        agency_kind=framework.agency_kind,
        year=framework.year - 1,
        status=FrameworkStatus.FINALISED,
    ).first()


def results(framework: Framework) -> tuple[list[Criterion], list[ResultRow]]:
    """The ranking with each field's score and the change from last year's percentage."""
    fields = [r.criterion for r in tree(framework)]
    prev = previous_framework(framework)
    before: dict[int, Assessment] = (
        {a.agency_id: a for a in prev.assessments.all()} if prev is not None else {}
    )
    rows = []
    assessments = framework.assessments.select_related("agency").order_by("rank", "agency__name")
    for a in assessments:
        sub = subtotals(a)
        old = before.get(a.agency_id)
        rows.append(
            ResultRow(
                a,
                [sub.get(f.pk) for f in fields],
                old.percent if old else None,
                old.rank if old else None,
            )
        )
    return fields, rows


def save_criterion(criterion: Criterion, *, actor: Any) -> Criterion:
    """Only a draft framework's tree can change."""
    _require_office(actor)
    if criterion.framework.is_frozen:
        raise IndicesError("frozen", _("Bộ chỉ số đã ban hành, không sửa tiêu chí được."))
    try:
        with transaction.atomic():
            criterion.save()
    except IntegrityError:
        raise IndicesError(
            "duplicate_code", _("Mã tiêu chí %(c)s đã có.") % {"c": criterion.code}
        ) from None
    log_action(
        criterion.framework,
        "index.criterion_save",
        actor=actor,
        after={"code": criterion.code, "max": criterion.max_score},
    )
    return criterion
