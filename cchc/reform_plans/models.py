"""The yearly administrative-reform plan: areas, key tasks and tasks, targets (issue 6)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cchc.core.models import Reminder, TimeStampedModel

from .constants import (
    DeadlineKind,
    PeriodKind,
    PlanStatus,
    ReportStatus,
    TargetMethod,
    TaskProgress,
)


class ReformArea(models.Model):
    """A reform area the plans are organised by (editable list)."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("lĩnh vực cải cách"), max_length=200)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=1)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("lĩnh vực cải cách")
        verbose_name_plural = _("lĩnh vực cải cách")

    def __str__(self) -> str:
        return self.name


class Plan(TimeStampedModel):
    """A yearly plan of the province, or an agency's own plan implementing the province's."""

    year = models.PositiveSmallIntegerField(_("năm"))
    title = models.CharField(_("tên kế hoạch"), max_length=300)
    province = models.ForeignKey(
        "organizations.AdministrativeArea",
        verbose_name=_("tỉnh"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    issuing_agency = models.ForeignKey(
        "organizations.Agency",
        verbose_name=_("cơ quan ban hành"),
        on_delete=models.PROTECT,
        related_name="reform_plans",
    )
    implements = models.ForeignKey(
        "self",
        verbose_name=_("triển khai kế hoạch"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agency_plans",
        help_text=_(
            "Để trống với kế hoạch của tỉnh; chọn kế hoạch của tỉnh với kế hoạch của một cơ quan."
        ),
    )
    decision_number = models.CharField(_("số quyết định"), max_length=60, blank=True)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    areas = models.ManyToManyField(ReformArea, verbose_name=_("lĩnh vực"), blank=True)

    class Meta:
        ordering = ["-year", "pk"]
        verbose_name = _("kế hoạch CCHC")
        verbose_name_plural = _("kế hoạch CCHC")

    def __str__(self) -> str:
        return self.title

    @property
    def is_province_plan(self) -> bool:
        return self.implements_id is None


class PlanTask(models.Model):
    """A key task (no parent) or a task under it (R-PLAN)."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("kế hoạch"), on_delete=models.CASCADE, related_name="tasks"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("nhiệm vụ trọng tâm"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    code = models.CharField(_("mã"), max_length=20)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=1)
    content = models.TextField(_("nội dung"))
    area = models.ForeignKey(
        ReformArea, verbose_name=_("lĩnh vực"), null=True, blank=True, on_delete=models.PROTECT
    )
    lead_agency = models.ForeignKey(
        "organizations.Agency",
        verbose_name=_("cơ quan chủ trì"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_reform_tasks",
    )
    co_agencies = models.ManyToManyField(
        "organizations.Agency",
        verbose_name=_("cơ quan phối hợp"),
        blank=True,
        related_name="supported_reform_tasks",
    )
    output = models.CharField(_("sản phẩm"), max_length=500, blank=True)
    deadline_kind = models.CharField(
        _("loại thời hạn"), max_length=8, choices=DeadlineKind.choices, default=DeadlineKind.YEAR
    )
    deadline_number = models.PositiveSmallIntegerField(
        _("tháng / quý"), null=True, blank=True, help_text=_("Tháng 1–12 hoặc quý 1–4.")
    )
    deadline_date = models.DateField(_("ngày"), null=True, blank=True)
    due_date = models.DateField(_("hạn hoàn thành"), null=True, blank=True)
    source = models.CharField(_("căn cứ giao nhiệm vụ"), max_length=300, blank=True)
    depends_on = models.ManyToManyField(
        "self", verbose_name=_("phụ thuộc"), symmetrical=False, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["plan", "order", "pk"]
        verbose_name = _("nhiệm vụ")
        verbose_name_plural = _("nhiệm vụ")
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="plan_task_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.content[:80]}"

    @property
    def is_key_task(self) -> bool:
        return self.parent_id is None

    @property
    def deadline_text(self) -> str:
        """The deadline as the plan writes it."""
        if self.deadline_kind == DeadlineKind.DATE and self.deadline_date:
            return f"{self.deadline_date:%d/%m/%Y}"
        if self.deadline_kind == DeadlineKind.MONTH:
            return str(_("Tháng %(n)s") % {"n": self.deadline_number})
        if self.deadline_kind == DeadlineKind.QUARTER:
            return str(_("Quý %(n)s") % {"n": self.deadline_number})
        return str(_("Cả năm"))


class Target(models.Model):
    """A target (chỉ tiêu): computed from a live metric, or reported by its lead agency."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets")
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=1)
    name = models.CharField(_("chỉ tiêu"), max_length=300)
    target_value = models.DecimalField(_("giá trị mục tiêu"), max_digits=8, decimal_places=2)
    unit = models.CharField(_("đơn vị"), max_length=20, default="%")
    method = models.CharField(
        _("cách đo"), max_length=10, choices=TargetMethod.choices, default=TargetMethod.COMPUTED
    )
    metric = models.CharField(
        _("chỉ số đo"),
        max_length=40,
        blank=True,
        help_text=_("Mã chỉ số của trang Chỉ tiêu (ví dụ on_time) với chỉ tiêu tính tự động."),
    )
    lead_agency = models.ForeignKey(
        "organizations.Agency",
        verbose_name=_("cơ quan chủ trì"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["plan", "order", "pk"]
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")

    def __str__(self) -> str:
        return self.name


class ReportingPeriod(models.Model):
    """A period the lead agencies report on, with its filing deadline."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("kế hoạch"), on_delete=models.CASCADE, related_name="periods"
    )
    kind = models.CharField(_("loại kỳ"), max_length=8, choices=PeriodKind.choices)
    number = models.PositiveSmallIntegerField(_("kỳ số"), default=1)
    title = models.CharField(_("kỳ báo cáo"), max_length=120)
    start = models.DateField(_("từ ngày"))
    end = models.DateField(_("đến ngày"))
    deadline = models.DateField(_("hạn gửi báo cáo"))

    class Meta:
        ordering = ["plan", "end", "kind"]
        verbose_name = _("kỳ báo cáo")
        verbose_name_plural = _("kỳ báo cáo")
        constraints = [
            models.UniqueConstraint(fields=["plan", "kind", "number"], name="period_unique")
        ]

    def __str__(self) -> str:
        return self.title


class ProgressReport(models.Model):
    """The lead agency's report on one task for one period. Filed versions are locked; a
    correction is a new version that supersedes the previous one."""

    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="reports")
    task = models.ForeignKey(PlanTask, on_delete=models.CASCADE, related_name="reports")
    agency = models.ForeignKey("organizations.Agency", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveSmallIntegerField(_("phiên bản"), default=1)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    progress = models.CharField(
        _("tiến độ"), max_length=14, choices=TaskProgress.choices, default=TaskProgress.IN_PROGRESS
    )
    percent = models.PositiveSmallIntegerField(_("tỷ lệ hoàn thành"), default=0)
    narrative = models.TextField(_("kết quả thực hiện"), blank=True)
    reason = models.TextField(_("lý do (chưa hoàn thành, không thực hiện)"), blank=True)
    filed_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("xem xét lúc"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_comment = models.TextField(_("ý kiến của cơ quan thường trực"), blank=True)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["period", "task", "-version"]
        verbose_name = _("báo cáo tiến độ nhiệm vụ")
        verbose_name_plural = _("báo cáo tiến độ nhiệm vụ")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "task", "version"], name="progress_report_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period} · {self.task.code} · v{self.version}"


class Evidence(models.Model):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("tệp minh chứng"), upload_to="reform/evidence/%Y/")
    name = models.CharField(_("tên tệp"), max_length=255)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Contribution(models.Model):
    """A co-agency's part in a task for a period."""

    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.CASCADE, related_name="contributions"
    )
    task = models.ForeignKey(PlanTask, on_delete=models.CASCADE, related_name="contributions")
    agency = models.ForeignKey("organizations.Agency", on_delete=models.PROTECT, related_name="+")
    narrative = models.TextField(_("nội dung phối hợp"))
    filed_at = models.DateTimeField(_("gửi lúc"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["period", "task", "filed_at"]

    def __str__(self) -> str:
        return f"{self.task.code}: {self.agency_id}"


class PlanReminder(Reminder):
    """A reminder or alert sent to one person, once per key (issue 6: reminders before the
    reporting and task deadlines; overdue tasks and missing reports to leaders and the office)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reminders")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="plan_reminder_once")]


class TargetValue(models.Model):
    """A value the lead agency reports for a `reported` target, with its evidence."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="values")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="+")
    value = models.DecimalField(_("giá trị"), max_digits=10, decimal_places=2)
    note = models.TextField(_("thuyết minh"), blank=True)
    evidence = models.FileField(_("minh chứng"), upload_to="reform/targets/%Y/", blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["target", "-period__end", "-reported_at"]

    def __str__(self) -> str:
        return f"{self.target}: {self.value}"
