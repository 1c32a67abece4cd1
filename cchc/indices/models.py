"""Reform indices (issue 7): the province's PAR-index frameworks and the yearly assessments of
its agencies, the satisfaction survey (SIPAS) it runs itself, and the national indices'
published results."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cchc.core.models import Reminder
from cchc.organizations.constants import AgencyKind

from .constants import (
    Appraisal,
    AssessmentStatus,
    FrameworkStatus,
    ResponseChannel,
    RoundStatus,
    ScoringMethod,
    SurveyFormula,
)

DEFAULT_BANDS = [
    [90, "A", "Xuất sắc"],
    [80, "B", "Tốt"],
    [70, "C", "Khá"],
    [50, "D", "Trung bình"],
    [0, "E", "Yếu"],
]


def default_bands() -> list[list[object]]:
    return [list(b) for b in DEFAULT_BANDS]


# --- frameworks and assessments -------------------------------------------------------------


class Framework(models.Model):
    """The criteria a kind of agency is scored on for one year: fields → criteria →
    sub-criteria. A published framework is frozen; a new year starts from a copy."""

    province = models.ForeignKey(
        "organizations.AdministrativeArea",
        verbose_name=_("tỉnh"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("năm đánh giá"))
    agency_kind = models.CharField(_("loại cơ quan"), max_length=40, choices=AgencyKind.choices)
    title = models.CharField(_("tên bộ chỉ số"), max_length=300)
    decision_number = models.CharField(_("quyết định ban hành"), max_length=80, blank=True)
    status = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=FrameworkStatus.choices,
        default=FrameworkStatus.DRAFT,
    )
    self_deadline = models.DateField(_("hạn tự đánh giá"), null=True, blank=True)
    bands = models.JSONField(
        _("xếp loại"),
        default=default_bands,
        help_text=_("Danh sách [tỷ lệ điểm tối thiểu %, mã, tên], từ cao xuống thấp."),
    )
    survey_round = models.ForeignKey(
        "SurveyRound",
        verbose_name=_("đợt khảo sát dùng để chấm"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="frameworks",
    )
    unconfirmed = models.BooleanField(
        _("khung mẫu chưa đối chiếu văn bản"),
        default=False,
        help_text=_("Hiển thị cảnh báo: tiêu chí, điểm tối đa chưa đối chiếu với quyết định."),
    )
    note = models.TextField(_("ghi chú"), blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    finalised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-year", "agency_kind", "pk"]
        verbose_name = _("bộ chỉ số CCHC")
        verbose_name_plural = _("bộ chỉ số CCHC")
        constraints = [
            models.UniqueConstraint(
                fields=["province", "year", "agency_kind"], name="framework_year_kind"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_frozen(self) -> bool:
        return self.status != FrameworkStatus.DRAFT


class Criterion(models.Model):
    """A node of the framework's tree. Only leaves are scored; a parent's score is the sum of
    its children's, never above its own maximum."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="criteria")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    code = models.CharField(_("mã"), max_length=20)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=1)
    name = models.CharField(_("nội dung"), max_length=500)
    max_score = models.DecimalField(_("điểm tối đa"), max_digits=6, decimal_places=2)
    guide = models.TextField(_("hướng dẫn chấm"), blank=True)
    evidence_required = models.BooleanField(_("bắt buộc có tài liệu kiểm chứng"), default=False)
    method = models.CharField(
        _("cách chấm"), max_length=8, choices=ScoringMethod.choices, default=ScoringMethod.MANUAL
    )
    metric = models.CharField(
        _("số liệu"), max_length=40, blank=True, help_text=_("Với tiêu chí tính từ số liệu.")
    )
    survey_element = models.CharField(
        _("yếu tố khảo sát"),
        max_length=40,
        blank=True,
        help_text=_("Mã yếu tố của phiếu khảo sát; để trống: chỉ số hài lòng chung."),
    )
    bands = models.JSONField(
        _("thang quy đổi"),
        default=list,
        blank=True,
        help_text=_(
            "Danh sách [giá trị tối thiểu %, điểm], từ cao xuống thấp; "
            "để trống: điểm tỷ lệ thuận với giá trị."
        ),
    )

    class Meta:
        ordering = ["framework", "order", "pk"]
        verbose_name = _("tiêu chí")
        verbose_name_plural = _("tiêu chí")
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="criterion_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.name[:80]}"


class Assessment(models.Model):
    """One agency's index for one framework: its self-assessment and the council's appraisal."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="assessments")
    agency = models.ForeignKey(
        "organizations.Agency", on_delete=models.PROTECT, related_name="assessments"
    )
    status = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=AssessmentStatus.choices,
        default=AssessmentStatus.DRAFT,
    )
    submitted_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    self_total = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    final_total = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    band = models.CharField(max_length=4, blank=True)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["framework", "rank", "agency__name"]
        verbose_name = _("kết quả chỉ số CCHC của cơ quan")
        verbose_name_plural = _("kết quả chỉ số CCHC của cơ quan")
        constraints = [
            models.UniqueConstraint(fields=["framework", "agency"], name="assessment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.framework.year} · {self.agency}"


class Score(models.Model):
    """A leaf criterion's scores for one assessment."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    self_score = models.DecimalField(
        _("điểm tự chấm"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    self_note = models.TextField(_("giải trình"), blank=True)
    auto_value = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    auto_score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    auto_inputs = models.JSONField(default=dict, blank=True)
    appraisal = models.CharField(
        _("thẩm định"), max_length=8, choices=Appraisal.choices, blank=True
    )
    appraised_score = models.DecimalField(
        _("điểm thẩm định"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    appraisal_reason = models.TextField(_("lý do điều chỉnh"), blank=True)
    appraised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    appraised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assessment", "criterion__order", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "criterion"], name="score_unique")
        ]

    def __str__(self) -> str:
        return f"{self.criterion.code}: {self.final_score}"

    @property
    def proposed(self) -> Decimal | None:
        """What the agency proposes: its own score, or the computed one."""
        if self.criterion.method == ScoringMethod.MANUAL:
            return self.self_score
        return self.auto_score

    @property
    def final_score(self) -> Decimal | None:
        if self.appraisal == Appraisal.ADJUSTED:
            return self.appraised_score
        if self.appraisal == Appraisal.ACCEPTED or self.criterion.method != ScoringMethod.MANUAL:
            return self.proposed
        return None


class ScoreEvidence(models.Model):
    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("tài liệu kiểm chứng"), upload_to="indices/evidence/%Y/")
    name = models.CharField(_("tên tệp"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


# --- the satisfaction survey ----------------------------------------------------------------


class SurveyInstrument(models.Model):
    """The questionnaire: elements and their criteria, the scale and the formula."""

    name = models.CharField(_("tên phiếu khảo sát"), max_length=300)
    satisfied_from = models.PositiveSmallIntegerField(
        _("hài lòng từ mức"), default=4, help_text=_("Câu trả lời từ mức này trở lên là hài lòng.")
    )
    formula = models.CharField(
        _("cách tính chỉ số chung"),
        max_length=20,
        choices=SurveyFormula.choices,
        default=SurveyFormula.SHARE,
    )
    min_responses = models.PositiveSmallIntegerField(
        _("số phiếu tối thiểu để công bố chỉ số"), default=30
    )
    unconfirmed = models.BooleanField(_("nội dung chưa đối chiếu văn bản"), default=False)
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("phiếu khảo sát hài lòng")
        verbose_name_plural = _("phiếu khảo sát hài lòng")

    def __str__(self) -> str:
        return self.name


class SurveyElement(models.Model):
    instrument = models.ForeignKey(
        SurveyInstrument,
        verbose_name=_("phiếu khảo sát"),
        on_delete=models.CASCADE,
        related_name="elements",
    )
    code = models.SlugField(_("mã"), max_length=40)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=1)
    name = models.CharField(_("yếu tố"), max_length=300)

    class Meta:
        ordering = ["instrument", "order", "pk"]
        verbose_name = _("yếu tố")
        verbose_name_plural = _("yếu tố")
        constraints = [
            models.UniqueConstraint(fields=["instrument", "code"], name="survey_element_code")
        ]

    def __str__(self) -> str:
        return self.name


class SurveyQuestion(models.Model):
    element = models.ForeignKey(SurveyElement, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField(_("mã"), max_length=40)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=1)
    text = models.CharField(_("tiêu chí"), max_length=400)

    class Meta:
        ordering = ["element__order", "order", "pk"]
        verbose_name = _("tiêu chí khảo sát")
        verbose_name_plural = _("tiêu chí khảo sát")

    def __str__(self) -> str:
        return self.text


class SurveyRound(models.Model):
    """One survey: its period, its sample, its responses and, once published, its results."""

    instrument = models.ForeignKey(SurveyInstrument, on_delete=models.PROTECT, related_name="+")
    province = models.ForeignKey(
        "organizations.AdministrativeArea", on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("đợt khảo sát"), max_length=300)
    start = models.DateField(_("hồ sơ trả kết quả từ ngày"))
    end = models.DateField(_("đến ngày"))
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.DRAFT
    )
    sample_seed = models.BigIntegerField(null=True, blank=True)
    frame = models.JSONField(
        default=dict, blank=True, help_text="returned dossiers per agency in the sampling frame"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    results = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-end", "pk"]
        verbose_name = _("đợt khảo sát hài lòng")
        verbose_name_plural = _("đợt khảo sát hài lòng")

    def __str__(self) -> str:
        return self.title


class SurveyInvitation(models.Model):
    """A sampled dossier's single-use link (only the hash of its token is kept)."""

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="invitations")
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("organizations.Agency", on_delete=models.PROTECT, related_name="+")
    desk = models.ForeignKey(
        "organizations.Desk", null=True, on_delete=models.PROTECT, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "dossier"], name="survey_invite_once")
        ]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.dossier_id}"


class SurveyResponse(models.Model):
    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="responses")
    invitation = models.OneToOneField(
        SurveyInvitation, null=True, blank=True, on_delete=models.PROTECT, related_name="response"
    )
    agency = models.ForeignKey("organizations.Agency", on_delete=models.PROTECT, related_name="+")
    desk = models.ForeignKey(
        "organizations.Desk", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(max_length=8, choices=ResponseChannel.choices)
    answers = models.JSONField(default=dict)
    comment = models.TextField(blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    paper_number = models.CharField(_("số phiếu giấy"), max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["round", "pk"]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.pk}"


# --- national indices -----------------------------------------------------------------------


class NationalIndex(models.Model):
    code = models.SlugField(_("mã"), max_length=20, unique=True)
    name = models.CharField(_("chỉ số"), max_length=200)
    publisher = models.CharField(_("cơ quan công bố"), max_length=200)
    unit = models.CharField(_("đơn vị"), max_length=10, default="%")

    class Meta:
        ordering = ["pk"]
        verbose_name = _("chỉ số quốc gia")
        verbose_name_plural = _("chỉ số quốc gia")

    def __str__(self) -> str:
        return self.name


class NationalResult(models.Model):
    """A province's published result in one national index for one year."""

    index = models.ForeignKey(
        NationalIndex, verbose_name=_("chỉ số"), on_delete=models.PROTECT, related_name="results"
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    province_code = models.CharField(_("mã tỉnh"), max_length=10)
    province_name = models.CharField(_("tỉnh, thành phố"), max_length=100)
    score = models.DecimalField(
        _("điểm / chỉ số"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    rank = models.PositiveSmallIntegerField(_("xếp hạng"), null=True, blank=True)
    rank_of = models.PositiveSmallIntegerField(_("trên số tỉnh"), null=True, blank=True)
    group = models.CharField(_("nhóm"), max_length=40, blank=True)
    source = models.CharField(_("nguồn"), max_length=500)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    imported_at = models.DateTimeField(auto_now=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["index", "year", "rank", "province_name"]
        verbose_name = _("kết quả chỉ số quốc gia")
        verbose_name_plural = _("kết quả chỉ số quốc gia")
        constraints = [
            models.UniqueConstraint(
                fields=["index", "year", "province_code"], name="national_result_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.index.code} {self.year} {self.province_name}"


class NationalComponent(models.Model):
    result = models.ForeignKey(NationalResult, on_delete=models.CASCADE, related_name="components")
    order = models.PositiveSmallIntegerField(default=1)
    name = models.CharField(_("chỉ số thành phần"), max_length=200)
    score = models.DecimalField(_("điểm"), max_digits=7, decimal_places=2)
    max_score = models.DecimalField(
        _("điểm tối đa"), max_digits=7, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["result", "order"]

    def __str__(self) -> str:
        return f"{self.name}: {self.score}"


class AssessmentReminder(Reminder):
    """A reminder sent once per person and key: the self-assessment deadline is near (to the
    agency's staff), or it passed unsubmitted (to the agency's leaders and the reform office)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="reminders")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="assessment_reminder_once")
        ]
