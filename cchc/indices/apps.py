from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicesConfig(AppConfig):
    name = "cchc.indices"
    verbose_name = _("Chỉ số cải cách hành chính và khảo sát hài lòng")
    default_auto_field = "django.db.models.BigAutoField"
