from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a member does in an agency or at a desk."""

    RECEPTIONIST = "receptionist", _("Cán bộ tiếp nhận và trả kết quả")
    SPECIALIST = "specialist", _("Chuyên viên thụ lý")
    DIVISION_HEAD = "division_head", _("Lãnh đạo phòng")
    AGENCY_LEADER = "agency_leader", _("Lãnh đạo cơ quan")
    CLERK = "clerk", _("Văn thư")
    CENTER_SUPERVISOR = "center_supervisor", _("Giám sát Trung tâm")
    REFORM_OFFICER = "reform_officer", _("Cán bộ cải cách hành chính")
    ADMINISTRATOR = "administrator", _("Quản trị hệ thống")
