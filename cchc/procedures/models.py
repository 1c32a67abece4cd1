"""The procedure catalog (danh mục thủ tục hành chính), versioned.

A `ProcedureVersion` is a draft until published; a published version is never edited, only
superseded by a newer one (R-VERSION: a dossier keeps the version it was received under).
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc.accounts.constants import Role
from cchc.core.models import ReferenceDataModel, SearchableModel, TimeStampedModel
from cchc.organizations.constants import AgencyKind, AreaLevel

from .constants import (
    ApplicantType,
    CompetenceBasis,
    FeeKind,
    IdentityLevel,
    LocalLevel,
    OnlineLevel,
    PerformerKind,
    TimeUnit,
    VersionStatus,
)


class ProcedureField(ReferenceDataModel):
    """A field (lĩnh vực) such as civil status (Hộ tịch) or construction."""

    code = models.CharField(_("mã lĩnh vực"), max_length=40, unique=True)
    name = models.CharField(_("tên lĩnh vực"), max_length=200)

    class Meta:
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Procedure(ReferenceDataModel):
    """An administrative procedure (thủ tục hành chính) across its versions."""

    code = models.CharField(
        _("mã thủ tục"),
        max_length=40,
        unique=True,
        help_text=_("Mã trên Cơ sở dữ liệu quốc gia về TTHC, ví dụ 1.001193."),
    )
    has_national_code = models.BooleanField(_("có mã quốc gia"), default=True)

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ["code"]

    def __str__(self) -> str:
        current = self.current_version()
        return f"{self.code} — {current.name}" if current else self.code

    def current_version(self, on: dt.date | None = None) -> ProcedureVersion | None:
        """The version in force on `on`; without a day, the latest published one."""
        if on is not None:
            return self.versions.in_force(on).order_by("-number").first()  # type: ignore[attr-defined]
        return self.versions.filter(status=VersionStatus.PUBLISHED).order_by("-number").first()


# A superseded version was published: it stays in force until the day before its successor.
IN_FORCE_STATUSES = (VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED)


class VersionQuerySet(models.QuerySet["ProcedureVersion"]):
    def in_force(self, day: dt.date) -> VersionQuerySet:
        """R-VERSION: the versions whose validity covers `day` — the one rule every reception
        path (desk, API, portal, intake) and the public catalog use. Publishing version 2 from
        a later date leaves version 1 in force until the day before."""
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
            status__in=IN_FORCE_STATUSES,
        )

    def in_force_for(self, code: str, day: dt.date) -> ProcedureVersion | None:
        """The version of procedure `code` in force on `day`, or None."""
        found = self.in_force(day).filter(procedure__code=code).select_related("procedure")
        return found.order_by("-number").first()

    def in_force_at(self, moment: dt.datetime | None = None) -> VersionQuerySet:
        """`in_force` on the local (Asia/Ho_Chi_Minh) date of `moment` (default: now)."""
        return self.in_force(timezone.localdate(moment or timezone.now()))


class ProcedureVersion(SearchableModel, TimeStampedModel):
    """Everything a citizen and an officer need about one version of a procedure."""

    objects = VersionQuerySet.as_manager()

    procedure = models.ForeignKey(
        Procedure, verbose_name=_("thủ tục"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("phiên bản"))
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    published_at = models.DateTimeField(_("công bố lúc"), null=True, blank=True)
    announcement = models.CharField(_("quyết định công bố"), max_length=200, blank=True)

    name = models.CharField(_("tên thủ tục"), max_length=500)
    field = models.ForeignKey(
        ProcedureField, verbose_name=_("lĩnh vực"), on_delete=models.PROTECT, related_name="+"
    )
    levels = models.CharField(
        _("cấp thực hiện"),
        max_length=40,
        blank=True,
        help_text=_("Các cấp, phân cách bằng dấu phẩy: province, district, commune."),
    )
    competent_agency_kind = models.CharField(
        _("loại cơ quan có thẩm quyền"), max_length=40, choices=AgencyKind.choices, blank=True
    )
    competent_agency_note = models.CharField(
        _("cơ quan có thẩm quyền (ghi rõ)"), max_length=300, blank=True
    )
    applicant_types = models.JSONField(_("đối tượng thực hiện"), default=list, blank=True)
    submission_methods = models.TextField(_("cách thức thực hiện"), blank=True)
    time_limit = models.DecimalField(
        _("thời hạn giải quyết"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    time_unit = models.CharField(
        _("đơn vị thời hạn"), max_length=20, choices=TimeUnit.choices, default=TimeUnit.WORKING_DAYS
    )
    cutoff_time = models.TimeField(
        _("giờ tiếp nhận muộn nhất trong ngày"),
        null=True,
        blank=True,
        help_text=_("Nhận sau giờ này thì thời hạn tính từ ngày làm việc tiếp theo."),
    )
    time_note = models.CharField(_("ghi chú thời hạn"), max_length=300, blank=True)
    time_to_confirm = models.BooleanField(_("thời hạn cần xác nhận"), default=False)
    fee_note = models.CharField(_("phí, lệ phí (mô tả)"), max_length=500, blank=True)
    fee_to_confirm = models.BooleanField(_("phí cần xác nhận"), default=False)
    conditions = models.TextField(_("yêu cầu, điều kiện"), blank=True)
    legal_basis = models.TextField(_("căn cứ pháp lý"), blank=True)
    result_document = models.CharField(_("kết quả thực hiện"), max_length=500, blank=True)
    online_level = models.CharField(
        _("mức dịch vụ công trực tuyến"),
        max_length=10,
        choices=OnlineLevel.choices,
        default=OnlineLevel.NONE,
    )
    online_to_confirm = models.BooleanField(_("mức trực tuyến cần xác nhận"), default=False)
    identity_level = models.PositiveSmallIntegerField(
        _("mức định danh điện tử khi nộp trực tuyến"),
        choices=IdentityLevel.choices,
        default=IdentityLevel.ANY,
        help_text=_("Mức tài khoản VNeID tối thiểu người nộp trực tuyến phải có."),
    )
    # the declaration form (tờ khai điện tử) as data: cchc/procedures/eforms.py
    declaration = models.JSONField(_("tờ khai điện tử"), default=dict, blank=True)
    on_the_spot = models.BooleanField(_("giải quyết tại chỗ"), default=False)
    inter_agency = models.BooleanField(_("liên thông"), default=False)
    anywhere_in_province = models.BooleanField(
        _("tiếp nhận không phụ thuộc địa giới hành chính"), default=False
    )
    anywhere_decision = models.CharField(
        _("quyết định danh mục phi địa giới"), max_length=200, blank=True
    )
    anywhere_decision_date = models.DateField(
        _("ngày quyết định phi địa giới"), null=True, blank=True
    )
    frequently_received = models.BooleanField(_("thường xuyên phát sinh hồ sơ"), default=False)

    class Meta:
        verbose_name = _("phiên bản thủ tục")
        verbose_name_plural = _("phiên bản thủ tục")
        ordering = ["procedure__code", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="version_number_unique"),
            models.UniqueConstraint(
                fields=["procedure"],
                condition=Q(status="draft"),
                name="version_one_draft",
            ),
            models.CheckConstraint(
                condition=Q(time_limit__isnull=True) | Q(time_limit__gte=0),
                name="version_time_limit_positive",
            ),
        ]
        indexes = [
            # Consumer: catalog pages and API list only published versions.
            models.Index(fields=["status", "procedure"], name="version_status_idx"),
        ]

    def is_in_force(self, day: dt.date) -> bool:
        """The instance form of `VersionQuerySet.in_force` (same rule, kept beside it)."""
        return (
            self.status in IN_FORCE_STATUSES
            and (self.valid_from is None or self.valid_from <= day)
            and (self.valid_to is None or self.valid_to >= day)
        )

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.number} — {self.name}"

    def search_source(self) -> str:
        return f"{self.procedure.code} {self.name}"

    @property
    def is_editable(self) -> bool:
        return self.status == VersionStatus.DRAFT

    @property
    def needs_confirmation(self) -> bool:
        return self.time_to_confirm or self.fee_to_confirm or self.online_to_confirm

    @property
    def accepts_online(self) -> bool:
        """Whether applicants may submit this procedure online (R-ONLINE): its level of
        online public service is partial or full. Mobile registrations, signatures witnessed
        in person and the like have none."""
        return self.online_level != OnlineLevel.NONE

    def time_limit_display(self) -> str:
        if self.time_limit is None:
            return str(_("Chưa xác định"))
        amount = self.time_limit.normalize()
        if amount == 0:
            return str(_("Trong ngày (ngay khi nhận đủ hồ sơ)"))
        return f"{amount:f} {self.get_time_unit_display()}"

    def applicant_type_labels(self) -> list[str]:
        labels = dict(ApplicantType.choices)
        return [str(labels.get(kind, kind)) for kind in self.applicant_types]

    def level_list(self) -> list[str]:
        return [level for level in self.levels.split(",") if level]

    def level_labels(self) -> list[str]:
        labels = dict(AreaLevel.choices)
        return [str(labels.get(level, level)) for level in self.level_list()]


class RequiredDocument(models.Model):
    """One component of the dossier (thành phần hồ sơ)."""

    version = models.ForeignKey(
        ProcedureVersion, on_delete=models.CASCADE, related_name="documents"
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    originals = models.PositiveSmallIntegerField(_("số bản chính"), default=0)
    copies = models.PositiveSmallIntegerField(_("số bản sao"), default=0)
    present_only = models.BooleanField(_("chỉ xuất trình"), default=False)
    optional = models.BooleanField(_("nộp khi có (tùy trường hợp)"), default=False)
    template_file = models.FileField(
        _("mẫu đơn, tờ khai"), upload_to="procedure-templates/", blank=True
    )
    reusable = models.BooleanField(_("được tái sử dụng từ kết quả số hóa"), default=False)

    class Meta:
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        ordering = ["version_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "order"], name="document_order_unique")
        ]

    def __str__(self) -> str:
        return self.name


class FeeLine(models.Model):
    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="fees")
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=1)
    kind = models.CharField(
        _("loại"), max_length=10, choices=FeeKind.choices, default=FeeKind.CHARGE
    )
    name = models.CharField(_("nội dung"), max_length=300)
    amount = models.DecimalField(
        _("mức thu (đồng)"), max_digits=14, decimal_places=0, null=True, blank=True
    )
    exemption = models.CharField(_("miễn, giảm"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("phí, lệ phí")
        verbose_name_plural = _("phí, lệ phí")
        ordering = ["version_id", "order"]

    def __str__(self) -> str:
        return self.name


class ProcessStep(models.Model):
    """A step of the internal process (quy trình nội bộ) with its share of the time limit."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("bước"))
    name = models.CharField(_("nội dung công việc"), max_length=300)
    performer = models.CharField(
        _("đơn vị thực hiện"), max_length=20, choices=PerformerKind.choices
    )
    other_agency = models.ForeignKey(
        "organizations.Agency",
        verbose_name=_("cơ quan phối hợp"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    role = models.CharField(_("vai trò thực hiện"), max_length=30, choices=Role.choices)
    time_share = models.DecimalField(
        _("thời gian (cùng đơn vị với thời hạn)"), max_digits=6, decimal_places=2, default=0
    )
    is_typical = models.BooleanField(
        _("quy trình điển hình (chưa phải quy trình được phê duyệt)"), default=False
    )

    class Meta:
        verbose_name = _("bước xử lý")
        verbose_name_plural = _("quy trình nội bộ")
        ordering = ["version_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "order"], name="step_order_unique"),
            models.CheckConstraint(condition=Q(time_share__gte=0), name="step_share_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


class Competence(TimeStampedModel):
    """Which agency settles a procedure for which area, and on what basis.

    Either a fixed `agency` (a department, the provincial Center…) or `local_level`: the
    People's Committee of the applicant's commune or district. `area` narrows a rule to the
    applicants of one area and its sub-areas; the most specific valid rule wins.
    """

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="competences")
    agency = models.ForeignKey(
        "organizations.Agency",
        verbose_name=_("cơ quan giải quyết"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    local_level = models.CharField(
        _("UBND địa phương"), max_length=10, choices=LocalLevel.choices, blank=True
    )
    area = models.ForeignKey(
        "organizations.AdministrativeArea",
        verbose_name=_("áp dụng cho địa bàn"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    basis = models.CharField(
        _("căn cứ"),
        max_length=20,
        choices=CompetenceBasis.choices,
        default=CompetenceBasis.COMPETENCE,
    )
    decision_reference = models.CharField(_("văn bản"), max_length=200, blank=True)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    to_confirm = models.BooleanField(_("cần xác nhận"), default=False)

    class Meta:
        verbose_name = _("thẩm quyền giải quyết")
        verbose_name_plural = _("thẩm quyền giải quyết")
        constraints = [
            models.CheckConstraint(
                condition=(Q(agency__isnull=False) & Q(local_level=""))
                | (Q(agency__isnull=True) & ~Q(local_level="")),
                name="competence_agency_xor_level",
            )
        ]

    def __str__(self) -> str:
        return f"{self.procedure.code}: {self.agency or self.get_local_level_display()}"


class AnnouncementAction(models.TextChoices):
    NEW = "new", _("Công bố mới")
    AMENDED = "amended", _("Sửa đổi, bổ sung")
    ABOLISHED = "abolished", _("Bãi bỏ")


class Announcement(TimeStampedModel):
    """A province's decision announcing procedures (quyết định công bố danh mục TTHC): which
    procedures it offers, at which level or agency, from which day (issue 21)."""

    number = models.CharField(_("số quyết định"), max_length=100, unique=True)
    signed_on = models.DateField(_("ngày ký"))
    effective_from = models.DateField(_("hiệu lực từ"))
    issuer = models.CharField(_("cơ quan ban hành"), max_length=200, blank=True)
    title = models.CharField(_("trích yếu"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("người nhập"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("quyết định công bố thủ tục")
        verbose_name_plural = _("quyết định công bố thủ tục")
        ordering = ["-effective_from", "-pk"]

    def __str__(self) -> str:
        return f"{self.number} ({self.signed_on:%d/%m/%Y})"


class AnnouncementItem(models.Model):
    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="items")
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("nội dung"), max_length=10, choices=AnnouncementAction.choices)
    local_level = models.CharField(
        _("UBND địa phương"), max_length=10, choices=LocalLevel.choices, blank=True
    )
    agency = models.ForeignKey(
        "organizations.Agency",
        verbose_name=_("cơ quan giải quyết"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )

    class Meta:
        verbose_name = _("thủ tục trong quyết định công bố")
        verbose_name_plural = _("thủ tục trong quyết định công bố")

    def __str__(self) -> str:
        return f"{self.procedure.code}: {self.get_action_display()}"
