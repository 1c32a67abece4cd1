"""The public portal's own records: online drafts, ratings, feedback, lookup throttling."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cchc.core.models import Reminder


class DraftStatus(models.TextChoices):
    DRAFT = "draft", _("Đang soạn")
    SUBMITTED = "submitted", _("Đã nộp")


class OnlineDraft(models.Model):
    """An online application being prepared by an account holder (saved between visits)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="online_drafts"
    )
    version = models.ForeignKey(
        "procedures.ProcedureVersion", on_delete=models.PROTECT, related_name="+"
    )
    desk = models.ForeignKey(
        "organizations.Desk", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    area = models.ForeignKey(
        "organizations.AdministrativeArea",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    data = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=DraftStatus.choices, default="draft")
    dossier = models.OneToOneField(
        "dossiers.Dossier", on_delete=models.SET_NULL, null=True, blank=True, related_name="draft"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.version_id}"


class DraftUpload(models.Model):
    draft = models.ForeignKey(OnlineDraft, on_delete=models.CASCADE, related_name="uploads")
    required_document = models.ForeignKey(
        "procedures.RequiredDocument", on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(upload_to="online/%Y/%m/")
    file_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["draft", "required_document"], name="draft_upload_per_document"
            )
        ]

    def __str__(self) -> str:
        return self.file_name


class RatingCriterion(models.Model):
    """A question of the satisfaction rating (R-RATING, R-RATE-118), set by the administrator."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    text = models.CharField(_("nội dung"), max_length=300)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=1)
    active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("tiêu chí đánh giá")
        verbose_name_plural = _("tiêu chí đánh giá")

    def __str__(self) -> str:
        return self.text


class RatingChannel(models.TextChoices):
    PORTAL = "portal", _("Cổng dịch vụ công")
    LINK = "link", _("Đường dẫn trong thông báo")
    KIOSK = "kiosk", _("Thiết bị tại quầy")


class Rating(models.Model):
    """One rating per dossier; scores default to R-EVAL's 2 / 1 / 0 scale."""

    dossier = models.OneToOneField(
        "dossiers.Dossier",
        verbose_name=_("hồ sơ"),
        on_delete=models.CASCADE,
        related_name="rating",
    )
    scores = models.JSONField(_("điểm theo tiêu chí"), default=dict)
    comment = models.TextField(_("ý kiến"), blank=True)
    channel = models.CharField(_("kênh đánh giá"), max_length=8, choices=RatingChannel.choices)
    satisfied = models.BooleanField(
        _("hài lòng"),
        default=False,
        help_text=_("Không tiêu chí nào bị đánh giá “không hài lòng”."),
    )
    created_at = models.DateTimeField(_("thời điểm đánh giá"), auto_now_add=True)

    class Meta:
        verbose_name = _("đánh giá giải quyết hồ sơ")
        verbose_name_plural = _("đánh giá giải quyết hồ sơ")

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.scores}"


class FeedbackStatus(models.TextChoices):
    RECEIVED = "received", _("Đã tiếp nhận")
    IN_PROGRESS = "in_progress", _("Đang xử lý")
    ANSWERED = "answered", _("Đã trả lời")


class FeedbackTopic(models.TextChoices):
    PROCEDURE = "procedure", _("Quy định thủ tục hành chính")
    DESK = "desk", _("Việc giải quyết tại bộ phận một cửa")
    OFFICER = "officer", _("Hành vi của cán bộ, công chức")
    OTHER = "other", _("Khác")


class Feedback(models.Model):
    """Phản ánh, kiến nghị (R-RATING): tracking code, deadline, answer, publication by consent."""

    tracking_code = models.CharField(_("mã theo dõi"), max_length=24, unique=True)
    secret = models.CharField(max_length=12)
    topic = models.CharField(_("nội dung liên quan"), max_length=10, choices=FeedbackTopic.choices)
    procedure = models.ForeignKey(
        "procedures.Procedure", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    desk = models.ForeignKey(
        "organizations.Desk", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    agency = models.ForeignKey(
        "organizations.Agency",
        verbose_name=_("cơ quan xử lý"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Cơ quan phải trả lời: cơ quan của bộ phận một cửa hoặc cơ quan giải quyết."),
    )
    officer_name = models.CharField(_("cán bộ liên quan"), max_length=200, blank=True)
    name = models.CharField(_("họ tên người phản ánh"), max_length=200)
    contact = models.CharField(_("điện thoại hoặc thư điện tử"), max_length=200)
    content = models.TextField(_("nội dung phản ánh, kiến nghị"))
    publish_consent = models.BooleanField(_("đồng ý công khai câu trả lời"), default=False)
    status = models.CharField(
        _("trạng thái"),
        max_length=12,
        choices=FeedbackStatus.choices,
        default=FeedbackStatus.RECEIVED,
    )
    category = models.CharField(_("phân loại"), max_length=100, blank=True)
    received_at = models.DateTimeField(_("thời điểm nhận"))
    due_at = models.DateTimeField(_("hạn trả lời"))
    answer = models.TextField(_("trả lời"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published = models.BooleanField(_("đã công khai"), default=False)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("phản ánh, kiến nghị")
        verbose_name_plural = _("phản ánh, kiến nghị")

    def __str__(self) -> str:
        return self.tracking_code


class LifeEvent(models.Model):
    """A life situation (sự kiện cuộc sống) grouping the procedures a citizen needs together."""

    name = models.CharField(_("tên"), max_length=200, unique=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=1)
    procedures = models.ManyToManyField(
        "procedures.Procedure", verbose_name=_("thủ tục"), related_name="life_events", blank=True
    )

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("sự kiện cuộc sống")
        verbose_name_plural = _("sự kiện cuộc sống")

    def __str__(self) -> str:
        return self.name


class FeedbackReminder(Reminder):
    """A reminder sent once per person and key: a feedback's answer is due soon (to the
    handling agency's leaders), or overdue (to them and the reform office)."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="reminders")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="feedback_reminder_once")
        ]


class KioskDevice(models.Model):
    """A rating tablet bound to one counter by the desk's supervisor. The tablet holds a
    signed cookie naming this row; revoking the row silences the tablet at once."""

    counter = models.ForeignKey(
        "organizations.Counter", on_delete=models.CASCADE, related_name="kiosk_devices"
    )
    name = models.CharField(_("tên thiết bị"), max_length=100, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    activated_at = models.DateTimeField(_("kích hoạt lúc"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("hoạt động lần cuối"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thiết bị đánh giá tại quầy")
        verbose_name_plural = _("thiết bị đánh giá tại quầy")

    def __str__(self) -> str:
        return f"{self.counter} — {self.name or self.pk}"
