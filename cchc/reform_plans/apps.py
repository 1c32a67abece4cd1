from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReformPlansConfig(AppConfig):
    name = "cchc.reform_plans"
    verbose_name = _("Kế hoạch cải cách hành chính")
    default_auto_field = "django.db.models.BigAutoField"
