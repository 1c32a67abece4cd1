"""Vocabularies of the reform plan (issue 6)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    ISSUED = "issued", _("Đã ban hành")
    CLOSED = "closed", _("Đã kết thúc")


class DeadlineKind(models.TextChoices):
    """How a task's deadline is written in the plan; converted to a date by the calendar."""

    DATE = "date", _("Ngày cụ thể")
    MONTH = "month", _("Tháng")
    QUARTER = "quarter", _("Quý")
    YEAR = "year", _("Cả năm")


class TargetMethod(models.TextChoices):
    COMPUTED = "computed", _("Tính từ dữ liệu hệ thống")
    REPORTED = "reported", _("Cơ quan chủ trì báo cáo")


# The reform areas of a provincial PAR plan (editable in the admin; seeded once).
DEFAULT_AREAS = [
    ("chi-dao-dieu-hanh", "Công tác chỉ đạo, điều hành"),
    ("the-che", "Cải cách thể chế"),
    ("thu-tuc-hanh-chinh", "Cải cách thủ tục hành chính"),
    ("to-chuc-bo-may", "Cải cách tổ chức bộ máy hành chính nhà nước"),
    ("cong-chuc", "Xây dựng và nâng cao chất lượng đội ngũ cán bộ, công chức, viên chức"),
    ("tai-chinh-cong", "Cải cách tài chính công"),
    ("chinh-quyen-dien-tu", "Xây dựng và phát triển Chính phủ điện tử, hiện đại hóa hành chính"),
    ("tuyen-truyen", "Công tác thông tin, tuyên truyền"),
]


class PeriodKind(models.TextChoices):
    QUARTER = "quarter", _("Quý")
    HALF = "half", _("6 tháng")
    YEAR = "year", _("Năm")
    AD_HOC = "ad_hoc", _("Đột xuất")


class TaskProgress(models.TextChoices):
    """The lead agency's word on a task at the end of a period."""

    NOT_STARTED = "not_started", _("Chưa triển khai")
    IN_PROGRESS = "in_progress", _("Đang triển khai")
    DONE_ON_TIME = "done_on_time", _("Hoàn thành đúng hạn")
    DONE_LATE = "done_late", _("Hoàn thành quá hạn")
    OVERDUE = "overdue", _("Quá hạn, chưa hoàn thành")
    CANCELLED = "cancelled", _("Không thực hiện (có lý do)")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Đang soạn")
    FILED = "filed", _("Đã gửi")
    ACCEPTED = "accepted", _("Đã chấp nhận")
    RETURNED = "returned", _("Trả lại để bổ sung")
    SUPERSEDED = "superseded", _("Đã thay bằng phiên bản sau")
