"""Administrative areas (đơn vị hành chính) and agencies (cơ quan, đơn vị) over time.

Both are effective-dated: a record is valid from `valid_from` (empty: since before the data
starts) to `valid_to` inclusive (empty: still valid). The 2025 reform ended the district level
on 30/06/2025; the communes formed on 01/07/2025 keep succession links to the units they came
from.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cchc.core.models import ReferenceDataModel, SearchableModel, TimeStampedModel

from .constants import (
    AgencyKind,
    AreaLevel,
    AutonomyLevel,
    DeskKind,
    QmsStandard,
    QmsStatus,
    SuccessionKind,
)


class EffectiveQuerySet[M: models.Model](models.QuerySet[M]):
    def on(self, day: dt.date) -> EffectiveQuerySet[M]:
        """Records valid on `day` (both bounds inclusive)."""
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        )


class EffectiveDated(models.Model):
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)

    class Meta:
        abstract = True

    def is_valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or self.valid_to >= day
        )


class AdministrativeArea(EffectiveDated, SearchableModel, ReferenceDataModel):
    """An administrative unit with its General Statistics Office code."""

    code = models.CharField(_("mã đơn vị hành chính"), max_length=10)
    name = models.CharField(_("tên"), max_length=200)
    division_type = models.CharField(_("loại đơn vị"), max_length=40)
    level = models.CharField(_("cấp"), max_length=10, choices=AreaLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("trực thuộc"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    province = models.ForeignKey(
        "self",
        verbose_name=_("tỉnh"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Tỉnh chứa đơn vị (chính nó nếu là tỉnh)."),
    )
    formed_from = models.ManyToManyField(
        "self",
        through="AreaSuccession",
        through_fields=("successor", "predecessor"),
        symmetrical=False,
        related_name="succeeded_by",
        blank=True,
    )

    objects = EffectiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = ["level", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["level", "code", "valid_from"],
                name="area_code_unique_per_period",
                nulls_distinct=False,
            ),
        ]
        indexes = [
            # Consumer: "areas of province P on date D" (API ?on=, area pickers).
            models.Index(fields=["province", "level"], name="area_province_level_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def search_source(self) -> str:
        return self.name


class AreaSuccession(models.Model):
    """`successor` was formed (wholly or partly) from `predecessor` on `effective_on`."""

    predecessor = models.ForeignKey(
        AdministrativeArea,
        verbose_name=_("đơn vị trước"),
        on_delete=models.CASCADE,
        related_name="successions_out",
    )
    successor = models.ForeignKey(
        AdministrativeArea,
        verbose_name=_("đơn vị kế thừa"),
        on_delete=models.CASCADE,
        related_name="successions_in",
    )
    effective_on = models.DateField(_("ngày hiệu lực"))
    legal_basis = models.CharField(_("căn cứ"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("kế thừa địa bàn")
        verbose_name_plural = _("kế thừa địa bàn")
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="area_succession_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"


class Agency(EffectiveDated, SearchableModel, ReferenceDataModel):
    """A body that settles procedures or carries out reform tasks."""

    name = models.CharField(_("tên cơ quan"), max_length=255)
    short_name = models.CharField(_("tên viết tắt"), max_length=60, blank=True)
    kind = models.CharField(_("loại cơ quan"), max_length=40, choices=AgencyKind.choices)
    area = models.ForeignKey(
        AdministrativeArea,
        verbose_name=_("địa bàn"),
        on_delete=models.PROTECT,
        related_name="agencies",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("cơ quan chủ quản"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    eid_code = models.CharField(
        _("mã định danh điện tử"),
        max_length=40,
        blank=True,
        help_text=_("Theo Quyết định 20/2020/QĐ-TTg, ví dụ 000.00.00.H53."),
    )
    eid_code_is_demo = models.BooleanField(
        _("mã định danh là dữ liệu mẫu"),
        default=False,
        help_text=_("Đánh dấu khi mã chưa phải mã chính thức."),
    )
    data_note = models.CharField(
        _("ghi chú dữ liệu"),
        max_length=300,
        blank=True,
        help_text=_("Điều cần quản trị viên xác nhận (ngày, sáp nhập…)."),
    )
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=40, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    successors = models.ManyToManyField(
        "self",
        through="AgencySuccession",
        through_fields=("predecessor", "successor"),
        symmetrical=False,
        related_name="predecessors",
        blank=True,
    )

    objects = EffectiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")
        ordering = ["name"]
        indexes = [
            # Consumer: competence resolution ("the PC of this commune on that date").
            models.Index(fields=["area", "kind"], name="agency_area_kind_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def search_source(self) -> str:
        return f"{self.name} {self.short_name}"

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.data_note) and not self.data_note.startswith("certain")


class AgencySuccession(models.Model):
    predecessor = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="successions_out"
    )
    successor = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="successions_in")
    kind = models.CharField(
        _("hình thức"),
        max_length=30,
        choices=SuccessionKind.choices,
        default=SuccessionKind.MERGED_INTO,
    )
    effective_on = models.DateField(_("ngày hiệu lực"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("kế thừa cơ quan")
        verbose_name_plural = _("kế thừa cơ quan")
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="agency_succession_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"


class Desk(EffectiveDated, SearchableModel, ReferenceDataModel):
    """A one-stop desk or center (Bộ phận Một cửa / Trung tâm Phục vụ hành chính công)."""

    name = models.CharField(_("tên"), max_length=255)
    kind = models.CharField(_("loại"), max_length=30, choices=DeskKind.choices)
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan quản lý"),
        on_delete=models.PROTECT,
        related_name="desks",
    )
    area = models.ForeignKey(
        AdministrativeArea, verbose_name=_("địa bàn"), on_delete=models.PROTECT
    )
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=40, blank=True)

    objects = EffectiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("bộ phận một cửa")
        verbose_name_plural = _("bộ phận một cửa")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def search_source(self) -> str:
        return f"{self.name} {self.address}"

    def opening_summary(self) -> str:
        """ "T2–T6: 07:30–11:30, 13:30–17:00; T7: 07:30–11:30" from the opening periods."""
        names = ["T2", "T3", "T4", "T5", "T6", "T7", "CN"]
        by_day: dict[int, list[str]] = {}
        for period in self.opening_periods.all():
            by_day.setdefault(period.weekday, []).append(
                f"{period.opens:%H:%M}–{period.closes:%H:%M}"
            )
        groups: list[tuple[list[int], str]] = []
        for day in sorted(by_day):
            hours = ", ".join(by_day[day])
            if groups and groups[-1][1] == hours and groups[-1][0][-1] == day - 1:
                groups[-1][0].append(day)
            else:
                groups.append(([day], hours))
        return "; ".join(
            (names[d[0]] if len(d) == 1 else f"{names[d[0]]}–{names[d[-1]]}") + f": {h}"
            for d, h in groups
        )


class Counter(models.Model):
    """A counter (quầy) at a desk, optionally dedicated to one agency's procedures."""

    desk = models.ForeignKey(Desk, on_delete=models.CASCADE, related_name="counters")
    number = models.PositiveSmallIntegerField(_("số quầy"))
    label = models.CharField(_("tên quầy"), max_length=200, blank=True)
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan có cán bộ tại quầy"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )

    class Meta:
        verbose_name = _("quầy")
        verbose_name_plural = _("quầy")
        ordering = ["desk", "number"]
        constraints = [
            models.UniqueConstraint(fields=["desk", "number"], name="counter_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.desk} — {_('Quầy')} {self.number}"


class OpeningPeriod(models.Model):
    """A desk's opening hours on one weekday (0 = Monday)."""

    desk = models.ForeignKey(Desk, on_delete=models.CASCADE, related_name="opening_periods")
    weekday = models.PositiveSmallIntegerField(_("thứ"))
    opens = models.TimeField(_("mở cửa"))
    closes = models.TimeField(_("đóng cửa"))

    class Meta:
        verbose_name = _("giờ mở cửa")
        verbose_name_plural = _("giờ mở cửa")
        ordering = ["desk", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=Q(closes__gt=models.F("opens")), name="opening_order"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="opening_weekday_range"),
        ]

    def __str__(self) -> str:
        return f"{self.weekday}: {self.opens:%H:%M}–{self.closes:%H:%M}"


class QualityCertificationQuerySet(models.QuerySet["QualityCertification"]):
    def status_on(self, day: dt.date) -> dict[tuple[int, str], QualityCertification]:
        """Each (agency, standard)'s latest record dated on or before `day`."""
        latest: dict[tuple[int, str], QualityCertification] = {}
        for record in self.filter(status_on__lte=day).order_by("status_on", "pk"):
            latest[(record.agency_id, record.standard)] = record
        return latest


class QualityCertification(TimeStampedModel):
    """An agency's quality-management system status (ISO 9001), kept as history."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="qms_records")
    standard = models.CharField(_("tiêu chuẩn"), max_length=20, choices=QmsStandard.choices)
    status = models.CharField(_("tình trạng"), max_length=20, choices=QmsStatus.choices)
    status_on = models.DateField(_("từ ngày"))
    announced_on = models.DateField(_("ngày công bố phù hợp"), null=True, blank=True)
    scope = models.TextField(_("phạm vi áp dụng"), blank=True)
    reference = models.CharField(_("văn bản"), max_length=200, blank=True)

    objects = QualityCertificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("hệ thống quản lý chất lượng")
        verbose_name_plural = _("hệ thống quản lý chất lượng")
        ordering = ["agency", "status_on"]

    def __str__(self) -> str:
        return f"{self.agency} — {self.get_standard_display()}: {self.get_status_display()}"


class AutonomyRecord(TimeStampedModel):
    """A public service unit's financial-autonomy level for one year."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="autonomy_records")
    year = models.PositiveSmallIntegerField(_("năm"))
    level = models.CharField(_("mức tự chủ"), max_length=10, choices=AutonomyLevel.choices)
    reference = models.CharField(_("quyết định giao tự chủ"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("mức tự chủ tài chính")
        verbose_name_plural = _("mức tự chủ tài chính")
        ordering = ["agency", "year"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="autonomy_one_per_year")
        ]


class StaffingRecord(TimeStampedModel):
    """Staffing quota (biên chế được giao) against headcount for one year."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="staffing_records")
    year = models.PositiveSmallIntegerField(_("năm"))
    quota = models.PositiveIntegerField(_("biên chế được giao"))
    headcount = models.PositiveIntegerField(_("số người có mặt"))
    reference = models.CharField(_("văn bản giao biên chế"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("biên chế")
        verbose_name_plural = _("biên chế")
        ordering = ["agency", "year"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="staffing_one_per_year")
        ]

    @property
    def vacancy(self) -> int:
        return self.quota - self.headcount
