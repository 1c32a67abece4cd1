from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "cchc.core"
    label = "core"
    verbose_name = _("Nền tảng")


class AxesConfig(AxesAppConfig):
    """django-axes under a Vietnamese name in the admin (its own is "Axes")."""

    verbose_name = _("Khóa đăng nhập sai")
