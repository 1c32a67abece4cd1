"""The working calendar's editable parts (lịch làm việc): day overrides and working hours."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cchc.core.models import TimeStampedModel


class OverrideKind(models.TextChoices):
    DAY_OFF = "day_off", _("Ngày nghỉ")
    WORKING_DAY = "working_day", _("Ngày làm việc (làm bù)")


class CalendarOverride(TimeStampedModel):
    """A day the Government or the province announced differently from the package's rules.

    Without a province it applies to the whole country.
    """

    date = models.DateField(_("ngày"))
    kind = models.CharField(_("loại"), max_length=20, choices=OverrideKind.choices)
    name = models.CharField(_("nội dung"), max_length=200)
    reference = models.CharField(
        _("văn bản công bố"),
        max_length=200,
        help_text=_("Số, ký hiệu và ngày của văn bản, ví dụ Thông báo 6150/TB-BLĐTBXH."),
    )
    province = models.ForeignKey(
        "organizations.AdministrativeArea",
        verbose_name=_("tỉnh (để trống: toàn quốc)"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        limit_choices_to={"level": "province"},
    )

    class Meta:
        verbose_name = _("ngày nghỉ, ngày làm bù điều chỉnh")
        verbose_name_plural = _("ngày nghỉ, ngày làm bù điều chỉnh")
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(
                fields=["date", "province"], name="override_one_per_day", nulls_distinct=False
            )
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} — {self.name}"


class WorkingSchedule(TimeStampedModel):
    """A province's working hours for a season (R-TIME-3), e.g. summer and winter."""

    province = models.ForeignKey(
        "organizations.AdministrativeArea",
        verbose_name=_("tỉnh"),
        on_delete=models.CASCADE,
        limit_choices_to={"level": "province"},
        related_name="working_schedules",
    )
    name = models.CharField(_("tên lịch"), max_length=100)
    start_month = models.PositiveSmallIntegerField(_("từ tháng"), default=1)
    start_day = models.PositiveSmallIntegerField(_("từ ngày"), default=1)
    end_month = models.PositiveSmallIntegerField(_("đến tháng"), default=12)
    end_day = models.PositiveSmallIntegerField(_("đến ngày"), default=31)
    morning_start = models.TimeField(_("sáng từ"), default="07:30")
    morning_end = models.TimeField(_("sáng đến"), default="11:30")
    afternoon_start = models.TimeField(_("chiều từ"), default="13:30")
    afternoon_end = models.TimeField(_("chiều đến"), default="17:00")
    reference = models.CharField(_("văn bản quy định"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("giờ làm việc")
        verbose_name_plural = _("giờ làm việc")
        ordering = ["province", "start_month", "start_day"]
        constraints = [
            models.CheckConstraint(
                condition=Q(morning_end__gt=models.F("morning_start"))
                & Q(afternoon_start__gte=models.F("morning_end"))
                & Q(afternoon_end__gt=models.F("afternoon_start")),
                name="schedule_periods_ordered",
            ),
            models.CheckConstraint(
                condition=Q(start_month__gte=1, start_month__lte=12)
                & Q(end_month__gte=1, end_month__lte=12)
                & Q(start_day__gte=1, start_day__lte=31)
                & Q(end_day__gte=1, end_day__lte=31),
                name="schedule_month_day_range",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.name}: {self.morning_start:%H:%M}–{self.morning_end:%H:%M}, "
            f"{self.afternoon_start:%H:%M}–{self.afternoon_end:%H:%M}"
        )
