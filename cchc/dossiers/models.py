"""The dossier (hồ sơ) and everything recorded about it.

Nothing here holds a business rule: every change goes through `services.py`. Intervals and
hand-overs are rows, never one overwritten pair (R-TIME-5, R-TRANSFER).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cchc.core.models import SearchableModel

from . import constants as c
from .querysets import DossierQuerySet


class CodeSequence(models.Model):
    """A counter row locked inside the transaction that takes a number (R-CODE, form numbers)."""

    key = models.CharField(max_length=120, unique=True)
    value = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


def mask_id(value: str) -> str:
    """`014190001234` → `•••••••••234`."""
    return value if len(value) <= 3 else "•" * (len(value) - 3) + value[-3:]


class Dossier(SearchableModel):
    code = models.CharField(_("mã hồ sơ"), max_length=60, unique=True, null=True, blank=True)
    submission_code = models.CharField(_("mã nộp hồ sơ"), max_length=80, blank=True)
    lookup_secret = models.CharField(_("mã tra cứu"), max_length=12, blank=True)
    idempotency_key = models.CharField(max_length=100, blank=True)
    revision = models.PositiveIntegerField(_("phiên bản dữ liệu"), default=1)

    procedure_version = models.ForeignKey(
        "procedures.ProcedureVersion",
        verbose_name=_("thủ tục (phiên bản)"),
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    procedure = models.ForeignKey(
        "procedures.Procedure", on_delete=models.PROTECT, related_name="dossiers"
    )
    field = models.ForeignKey(
        "procedures.ProcedureField", on_delete=models.PROTECT, related_name="dossiers"
    )
    rule_set = models.CharField(_("quy định áp dụng"), max_length=4, choices=c.RuleSet.choices)
    channel = models.CharField(_("hình thức nộp"), max_length=12, choices=c.Channel.choices)
    desk = models.ForeignKey(
        "organizations.Desk",
        verbose_name=_("nơi tiếp nhận"),
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    receiving_agency = models.ForeignKey(
        "organizations.Agency", on_delete=models.PROTECT, related_name="dossiers_received"
    )
    competent_agency = models.ForeignKey(
        "organizations.Agency",
        verbose_name=_("cơ quan giải quyết"),
        on_delete=models.PROTECT,
        related_name="dossiers_competent",
    )
    province = models.ForeignKey(
        "organizations.AdministrativeArea", on_delete=models.PROTECT, related_name="+"
    )
    on_the_spot = models.BooleanField(_("giải quyết tại chỗ"), default=False)

    applicant_kind = models.CharField(
        _("loại người nộp"), max_length=14, choices=c.ApplicantKind.choices
    )
    applicant_name = models.CharField(_("người nộp / tổ chức"), max_length=255)
    birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)
    id_number = models.CharField(_("số định danh cá nhân"), max_length=12, blank=True)
    tax_code = models.CharField(_("mã số thuế"), max_length=14, blank=True)
    representative = models.CharField(_("người đại diện"), max_length=200, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    applicant_area = models.ForeignKey(
        "organizations.AdministrativeArea",
        verbose_name=_("xã, phường"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    applicant_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="own_dossiers",
    )
    # a desk official filed into the applicant's own portal account, on this authority
    on_behalf_authorisation = models.CharField(
        _("căn cứ nộp thay vào tài khoản người nộp"), max_length=300, blank=True
    )
    sets = models.PositiveSmallIntegerField(_("số bộ hồ sơ"), default=1)
    request_note = models.TextField(_("nội dung yêu cầu"), blank=True)

    status = models.CharField(
        _("trạng thái"), max_length=24, choices=c.Status.choices, default=c.Status.SUBMITTED
    )
    outcome = models.CharField(_("kết quả"), max_length=10, choices=c.Outcome.choices, blank=True)
    submitted_at = models.DateTimeField(_("nộp lúc"))
    received_at = models.DateTimeField(_("tiếp nhận lúc"), null=True, blank=True)
    clock_started_at = models.DateTimeField(_("bắt đầu tính hạn"), null=True, blank=True)
    due_at = models.DateTimeField(_("hẹn trả kết quả"), null=True, blank=True)
    legal_due_at = models.DateTimeField(
        _("hạn theo quy định"),
        null=True,
        blank=True,
        help_text=_("Hạn tính theo thời hạn luật định; không đổi khi hẹn lại (R-LATE)."),
    )
    apologised_at = models.DateTimeField(_("xin lỗi, hẹn lại lúc"), null=True, blank=True)
    result_ready_at = models.DateTimeField(_("có kết quả lúc"), null=True, blank=True)
    early_notice_at = models.DateTimeField(_("đã báo trả sớm lúc"), null=True, blank=True)
    returned_at = models.DateTimeField(_("trả kết quả lúc"), null=True, blank=True)
    finished_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)
    timeliness = models.CharField(
        _("đánh giá thời gian"), max_length=8, choices=c.Timeliness.choices, blank=True
    )
    return_method = models.CharField(
        _("hình thức trả kết quả"),
        max_length=12,
        choices=c.ReturnMethod.choices,
        default=c.ReturnMethod.DESK,
    )
    returned_to = models.CharField(_("người nhận kết quả"), max_length=200, blank=True)
    return_authorisation = models.CharField(_("giấy ủy quyền"), max_length=300, blank=True)
    result_summary = models.CharField(_("kết quả giải quyết"), max_length=500, blank=True)
    # what the applicant declared in the procedure's e-form (procedures/eforms.py)
    declaration = models.JSONField(_("nội dung tờ khai"), default=dict, blank=True)
    result_file = models.FileField(_("tệp kết quả"), upload_to="results/%Y/%m/", blank=True)
    result_content_type = models.CharField(max_length=60, blank=True)
    # the signed result (cchc/core/signing.py): its number in the agency's register of the
    # year, who signed it and when, and the SHA-256 of the exact file issued
    result_number = models.CharField(_("số, ký hiệu kết quả"), max_length=60, blank=True)
    result_signed_at = models.DateTimeField(_("thời điểm ký số kết quả"), null=True, blank=True)
    result_signer = models.CharField(_("người ký kết quả"), max_length=200, blank=True)
    result_sha256 = models.CharField(max_length=64, blank=True)
    refusal_reason = models.TextField(_("lý do từ chối / dừng"), blank=True)
    supplement_rounds = models.PositiveSmallIntegerField(_("số lần yêu cầu bổ sung"), default=0)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("đính chính kết quả của hồ sơ"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        help_text=_("R-CORRECT: hồ sơ đính chính một kết quả có sai sót."),
    )
    correction_fault = models.CharField(
        _("bên có sai sót"), max_length=10, choices=c.CorrectionFault.choices, blank=True
    )
    register_number = models.PositiveIntegerField(_("số thứ tự trong sổ"), null=True, blank=True)
    # a dossier carried over from another one-stop system (a merged province's): the code it
    # had there is kept as its code; the system it came from is named here
    imported_from = models.CharField(_("chuyển từ hệ thống"), max_length=200, blank=True)

    holder_agency = models.ForeignKey(
        "organizations.Agency",
        verbose_name=_("đang ở cơ quan"),
        on_delete=models.PROTECT,
        related_name="dossiers_held",
        null=True,
        blank=True,
    )
    last_action_at = models.DateTimeField(_("thao tác gần nhất"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="dossiers_created",
    )

    objects = DossierQuerySet.as_manager()

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="dossier_idempotency_unique",
            ),
        ]
        indexes = [
            # desk lists and the register (per desk, by date)
            models.Index(fields=["desk", "received_at"], name="dossier_desk_received"),
            # inboxes and alerts: open dossiers by due moment
            models.Index(fields=["status", "due_at"], name="dossier_status_due"),
            # leaders' and reports' per-agency views
            models.Index(fields=["competent_agency", "received_at"], name="dossier_agency_recv"),
            # the public lookup matches the code or the online submission code
            models.Index(fields=["submission_code"], name="dossier_submission_code"),
            # the public statistics' list of late dossiers apologised for (newest first)
            models.Index(
                fields=["apologised_at"],
                name="dossier_apologised",
                condition=models.Q(apologised_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code or self.submission_code or f'#{self.pk}'} — {self.applicant_name}"

    def search_source(self) -> str:
        from cchc.procedures.eforms import search_text

        declared = search_text(self.declaration) if self.declaration else ""
        return " ".join(
            filter(
                None, [self.code, self.submission_code, self.applicant_name, self.phone, declared]
            )
        )

    @property
    def masked_id_number(self) -> str:
        """Lists and printed forms show only the last 3 digits of an ID number (data
        protection); the whole number only on the audited personal-data page."""
        return mask_id(self.id_number or self.tax_code)

    @property
    def is_final(self) -> bool:
        return self.status in c.FINAL_STATUSES


class DossierDocument(models.Model):
    """One line of the reception checklist, with its scan (R-CHECK, R-DIGITISE)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="documents")
    required_document = models.ForeignKey(
        "procedures.RequiredDocument", on_delete=models.PROTECT, null=True, blank=True
    )
    name = models.CharField(_("giấy tờ"), max_length=500)
    originals = models.PositiveSmallIntegerField(_("bản chính"), default=0)
    copies = models.PositiveSmallIntegerField(_("bản sao"), default=0)
    received = models.BooleanField(_("đã nhận"), default=False)
    file = models.FileField(_("bản quét"), upload_to="scans/%Y/%m/", blank=True)
    file_name = models.CharField(_("tên tệp"), max_length=255, blank=True)
    content_type = models.CharField(max_length=60, blank=True)
    size = models.PositiveIntegerField(default=0)
    supplement_round = models.PositiveSmallIntegerField(_("lần bổ sung"), default=0)
    added_at = models.DateTimeField(_("thêm lúc"))
    # Taken from the applicant's document store instead of handed in again, and what was
    # checked when it was taken (signature or fingerprint).
    reused_from = models.ForeignKey(
        "StoredDocument",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reuses",
        verbose_name=_("tái sử dụng từ kho dữ liệu"),
    )
    reuse_check = models.CharField(
        _("kết quả kiểm tra khi tái sử dụng"), max_length=300, blank=True
    )

    class Meta:
        verbose_name = _("giấy tờ trong hồ sơ")
        verbose_name_plural = _("giấy tờ trong hồ sơ")
        ordering = ["dossier_id", "supplement_round", "pk"]

    def __str__(self) -> str:
        return self.name


class StoredDocument(models.Model):
    """The applicant's document store (kho dữ liệu điện tử, checklist item 19): every signed
    result and every document digitised at a desk, kept for its owner so that a later dossier
    takes it instead of asking for it again. The file is the dossier's own (not a copy)."""

    owner_number = models.CharField(_("số định danh / mã số thuế của chủ sở hữu"), max_length=14)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stored_documents",
    )
    kind = models.CharField(_("loại"), max_length=10, choices=c.StoredKind.choices)
    name = models.CharField(_("giấy tờ"), max_length=500)
    number = models.CharField(_("số, ký hiệu"), max_length=60, blank=True)
    agency = models.ForeignKey(
        "organizations.Agency",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cơ quan cấp / số hóa"),
    )
    issued_on = models.DateField(_("ngày cấp / số hóa"))
    valid_until = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    file = models.FileField(_("tệp"), upload_to="store/%Y/%m/")
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    source_dossier = models.ForeignKey(
        Dossier, on_delete=models.PROTECT, related_name="stored_documents"
    )
    source_document = models.ForeignKey(
        DossierDocument, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("lưu lúc"))

    class Meta:
        verbose_name = _("giấy tờ trong kho dữ liệu")
        verbose_name_plural = _("kho dữ liệu điện tử")
        ordering = ["-issued_on", "-pk"]
        indexes = [
            models.Index(fields=["owner_number"], name="store_owner_number"),
            models.Index(fields=["owner_user"], name="store_owner_user"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.number}".strip()

    def is_valid_on(self, day: Any) -> bool:
        return self.valid_until is None or day <= self.valid_until


class DossierStep(models.Model):
    """One step of the version's internal process, instantiated on receipt (R-STEPS, R-TIME-6)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("bước"))
    kind = models.CharField(max_length=14, choices=c.StepKind.choices, default=c.StepKind.PROCESS)
    name = models.CharField(_("nội dung công việc"), max_length=300)
    agency = models.ForeignKey(
        "organizations.Agency",
        verbose_name=_("cơ quan thực hiện"),
        on_delete=models.PROTECT,
        related_name="dossier_steps",
    )
    at_desk = models.BooleanField(_("tại bộ phận một cửa"), default=False)
    role = models.CharField(_("vai trò"), max_length=30)
    time_share = models.DecimalField(_("thời gian"), max_digits=6, decimal_places=2)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xử lý"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossier_steps",
    )
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        max_length=10, choices=c.StepStatus.choices, default=c.StepStatus.WAITING
    )
    started_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(_("hạn bước"), null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    timeliness = models.CharField(max_length=8, choices=c.Timeliness.choices, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="consultations"
    )
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("bước xử lý")
        verbose_name_plural = _("bước xử lý")
        ordering = ["dossier_id", "order", "pk"]
        indexes = [
            # inboxes: active steps per agency by due moment
            models.Index(fields=["agency", "status", "due_at"], name="step_inbox"),
            models.Index(fields=["assignee", "status"], name="step_assignee"),
            # each way a step waits for an officer, read in due order (inbox.inbox_page)
            models.Index(
                fields=["agency", "due_at", "id"],
                name="step_active_agency",
                condition=models.Q(status="active"),
            ),
            models.Index(
                fields=["agency", "role", "due_at", "id"],
                name="step_active_role",
                condition=models.Q(status="active", assignee__isnull=True),
            ),
            models.Index(
                fields=["assignee", "due_at", "id"],
                name="step_active_assignee",
                condition=models.Q(status="active"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


class Handover(models.Model):
    """One hand-over of the dossier: a line of the process control slip (R-TRANSFER)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="handovers")
    at = models.DateTimeField(_("thời điểm"))
    from_agency = models.ForeignKey(
        "organizations.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    to_agency = models.ForeignKey(
        "organizations.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_label = models.CharField(_("bên nhận"), max_length=255, blank=True)
    step = models.ForeignKey(
        DossierStep, on_delete=models.CASCADE, null=True, blank=True, related_name="handovers"
    )
    due_at = models.DateTimeField(_("hạn của bước giao"), null=True, blank=True)
    timeliness = models.CharField(max_length=8, choices=c.Timeliness.choices, blank=True)
    medium = models.CharField(
        max_length=10, choices=c.TransferMedium.choices, default=c.TransferMedium.ELECTRONIC
    )
    paper_due_at = models.DateTimeField(_("hạn chuyển hồ sơ giấy"), null=True, blank=True)
    paper_received_at = models.DateTimeField(_("nhận hồ sơ giấy lúc"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("bàn giao")
        verbose_name_plural = _("bàn giao")
        ordering = ["dossier_id", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.dossier_id} @ {self.at:%Y-%m-%d %H:%M}"


class ClockStop(models.Model):
    """A stop of the clock (R-TIME-5), one row per interval."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="clock_stops")
    kind = models.CharField(max_length=12, choices=c.StopKind.choices)
    started_at = models.DateTimeField(_("từ"))
    ended_at = models.DateTimeField(_("đến"), null=True, blank=True)
    reason = models.TextField(_("lý do"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["dossier_id", "started_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_at:%d/%m/%Y}"


class DueChange(models.Model):
    """Every change of the due moment and why (R-TIME-7, R-LATE)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="due_changes")
    at = models.DateTimeField()
    before = models.DateTimeField(null=True, blank=True)
    after = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=500)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["dossier_id", "at", "pk"]

    def __str__(self) -> str:
        return self.reason


class SupplementRequest(models.Model):
    """A request to complete the dossier: at reception or during processing (R-CHECK 2)."""

    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="supplement_requests"
    )
    at_reception = models.BooleanField(default=True)
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    items = models.JSONField(_("giấy tờ cần bổ sung"), default=list)
    reason = models.TextField(_("lý do"))
    override_reason = models.TextField(_("lý do yêu cầu lần hai"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["dossier_id", "requested_at"]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.reason[:40]}"


class DossierFee(models.Model):
    """A fee or charge of the dossier and its payment (R-FEE)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="fees")
    name = models.CharField(_("khoản thu"), max_length=300)
    amount = models.DecimalField(_("số tiền"), max_digits=14, decimal_places=0)
    exempt = models.BooleanField(_("miễn"), default=False)
    exemption_reason = models.CharField(_("lý do miễn, giảm"), max_length=300, blank=True)
    paid_amount = models.DecimalField(
        _("đã thu"), max_digits=14, decimal_places=0, null=True, blank=True
    )
    paid_at = models.DateTimeField(_("thu lúc"), null=True, blank=True)
    method = models.CharField(
        _("hình thức"), max_length=10, choices=c.PaymentMethod.choices, blank=True
    )
    receipt_number = models.CharField(_("số biên lai"), max_length=60, blank=True)

    class Meta:
        ordering = ["dossier_id", "pk"]

    def __str__(self) -> str:
        return f"{self.name}: {self.amount}"

    @property
    def due_amount(self) -> int:
        return 0 if self.exempt else int(self.amount)


class IssuedForm(models.Model):
    """A form issued for the dossier: its data frozen at issue, its PDF rendered from it."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="forms")
    kind = models.CharField(max_length=20, choices=c.FormKind.choices)
    number = models.CharField(_("số"), max_length=40)
    rule_set = models.CharField(max_length=4, choices=c.RuleSet.choices)
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["dossier_id", "issued_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class Notification(models.Model):
    """A message sent (or logged) to an applicant or an officer about a dossier."""

    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="notifications", null=True
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=c.NotificationKind.choices)
    channel = models.CharField(max_length=6, choices=c.NotificationChannel.choices)
    recipient = models.CharField(max_length=255)
    subject = models.CharField(max_length=255, blank=True)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)  # the gateway accepted it
    delivered_at = models.DateTimeField(null=True, blank=True)  # the gateway's receipt says so
    error = models.CharField(max_length=500, blank=True)
    dedupe_key = models.CharField(max_length=120, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.channel} → {self.recipient}"
