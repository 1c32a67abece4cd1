from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "cchc.reports"
    verbose_name = _("Thống kê, báo cáo")
    default_auto_field = "django.db.models.BigAutoField"
