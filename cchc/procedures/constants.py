from django.db import models
from django.utils.translation import gettext_lazy as _


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    PUBLISHED = "published", _("Đã công bố")
    SUPERSEDED = "superseded", _("Đã thay thế")


class TimeUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("ngày làm việc")
    WORKING_HOURS = "working_hours", _("giờ làm việc")
    CALENDAR_DAYS = "calendar_days", _("ngày")


class OnlineLevel(models.TextChoices):
    NONE = "none", _("Không cung cấp trực tuyến")
    PARTIAL = "partial", _("Dịch vụ công trực tuyến một phần")
    FULL = "full", _("Dịch vụ công trực tuyến toàn trình")


class IdentityLevel(models.IntegerChoices):
    """The electronic identification level an online applicant must hold (Decree 69/2024)."""

    ANY = 0, _("Không yêu cầu")
    LEVEL_1 = 1, _("Định danh điện tử mức 1")
    LEVEL_2 = 2, _("Định danh điện tử mức 2")


class ApplicantType(models.TextChoices):
    CITIZEN = "citizen", _("Công dân Việt Nam")
    FOREIGNER = "foreigner", _("Người nước ngoài")
    ORGANISATION = "organisation", _("Tổ chức")
    BUSINESS = "business", _("Doanh nghiệp")
    COOPERATIVE = "cooperative", _("Hợp tác xã")


class FeeKind(models.TextChoices):
    FEE = "fee", _("Phí")
    CHARGE = "charge", _("Lệ phí")


class PerformerKind(models.TextChoices):
    RECEIVING_DESK = "receiving_desk", _("Bộ phận tiếp nhận")
    COMPETENT_AGENCY = "competent_agency", _("Cơ quan giải quyết")
    OTHER_AGENCY = "other_agency", _("Cơ quan phối hợp (liên thông)")


class CompetenceBasis(models.TextChoices):
    COMPETENCE = "competence", _("Thẩm quyền")
    DELEGATION = "delegation", _("Ủy quyền")
    DECENTRALISATION = "decentralisation", _("Phân cấp")


class LocalLevel(models.TextChoices):
    COMMUNE = "commune", _("UBND cấp xã nơi người nộp cư trú")
    DISTRICT = "district", _("UBND cấp huyện nơi người nộp cư trú")
