"""Choices of the indices app (issue 7)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FrameworkStatus(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    PUBLISHED = "published", _("Đã ban hành")
    FINALISED = "finalised", _("Đã công bố kết quả")


class ScoringMethod(models.TextChoices):
    MANUAL = "manual", _("Tự chấm, hội đồng thẩm định")
    METRIC = "metric", _("Tính từ số liệu hệ thống")
    SURVEY = "survey", _("Từ kết quả khảo sát hài lòng")


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Đang tự đánh giá")
    SUBMITTED = "submitted", _("Đã gửi hội đồng")
    FINAL = "final", _("Đã có kết quả")


class Appraisal(models.TextChoices):
    ACCEPTED = "accepted", _("Đồng ý điểm tự chấm")
    ADJUSTED = "adjusted", _("Điều chỉnh")


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("Chuẩn bị")
    OPEN = "open", _("Đang thu phiếu")
    CLOSED = "closed", _("Đã dừng thu phiếu")
    PUBLISHED = "published", _("Đã công bố")


class ResponseChannel(models.TextChoices):
    LINK = "link", _("Đường dẫn mời khảo sát")
    KIOSK = "kiosk", _("Thiết bị tại quầy")
    PAPER = "paper", _("Phiếu giấy")


class SurveyFormula(models.TextChoices):
    SHARE = "share", _("Tỷ lệ câu trả lời hài lòng trên tổng số câu trả lời")
    MEAN_OF_ELEMENTS = "mean_of_elements", _("Trung bình cộng chỉ số các yếu tố")


# The 5-point answer scale (unconfirmed wording; see docs/indices.md). 0 = no opinion.
SCALE = [
    (1, _("Rất không hài lòng")),
    (2, _("Không hài lòng")),
    (3, _("Bình thường")),
    (4, _("Hài lòng")),
    (5, _("Rất hài lòng")),
]
NO_OPINION = 0
