from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaLevel(models.TextChoices):
    PROVINCE = "province", _("Cấp tỉnh")
    DISTRICT = "district", _("Cấp huyện")
    COMMUNE = "commune", _("Cấp xã")


class AgencyKind(models.TextChoices):
    PROVINCIAL_PEOPLES_COMMITTEE = "provincial_peoples_committee", _("UBND tỉnh")
    PEOPLES_COMMITTEE_OFFICE = "peoples_committee_office", _("Văn phòng UBND tỉnh")
    DEPARTMENT = "department", _("Sở, ban, ngành")
    DISTRICT_PEOPLES_COMMITTEE = "district_peoples_committee", _("UBND cấp huyện")
    COMMUNE_PEOPLES_COMMITTEE = "commune_peoples_committee", _("UBND cấp xã")
    SERVICE_CENTER = "service_center", _("Trung tâm Phục vụ hành chính công")
    VERTICAL_AGENCY = "vertical_agency", _("Cơ quan ngành dọc")
    PUBLIC_SERVICE_UNIT = "public_service_unit", _("Đơn vị sự nghiệp công lập")


class DeskKind(models.TextChoices):
    PROVINCIAL_CENTER = "provincial_center", _("Trung tâm Phục vụ hành chính công tỉnh")
    COMMUNE_CENTER = "commune_center", _("Trung tâm Phục vụ hành chính công cấp xã")
    RECEPTION_POINT = "reception_point", _("Điểm tiếp nhận")
    DEPARTMENT_RECEPTION = "department_reception", _("Bộ phận một cửa của sở, ngành")
    DISTRICT_RECEPTION = "district_reception", _("Bộ phận tiếp nhận và trả kết quả cấp huyện")
    COMMUNE_RECEPTION = "commune_reception", _("Bộ phận tiếp nhận và trả kết quả cấp xã")


class SuccessionKind(models.TextChoices):
    MERGED_INTO = "merged_into", _("Sáp nhập vào")
    RENAMED = "renamed", _("Đổi tên")
    SPLIT_INTO = "split_into", _("Chia tách thành")
    PART_TRANSFERRED = "part_transferred", _("Chuyển một phần chức năng")


class QmsStandard(models.TextChoices):
    ISO_9001_2008 = "iso9001_2008", "TCVN ISO 9001:2008"
    ISO_9001_2015 = "iso9001_2015", "TCVN ISO 9001:2015"


class QmsStatus(models.TextChoices):
    PLANNED = "planned", _("Có kế hoạch")
    APPLYING = "applying", _("Đang xây dựng, áp dụng")
    ANNOUNCED = "announced", _("Đã công bố phù hợp")
    DISCONTINUED = "discontinued", _("Ngừng áp dụng")


class AutonomyLevel(models.TextChoices):
    """Financial autonomy of public service units (Decree 60/2021 groups)."""

    RECURRENT_AND_INVESTMENT = "group1", _("Tự bảo đảm chi thường xuyên và chi đầu tư")
    RECURRENT = "group2", _("Tự bảo đảm chi thường xuyên")
    PARTIAL = "group3", _("Tự bảo đảm một phần chi thường xuyên")
    STATE_FUNDED = "group4", _("Do Nhà nước bảo đảm chi thường xuyên")
