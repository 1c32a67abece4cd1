"""django-axes under a Vietnamese name in the admin (its own is "Axes"). Kept out of
core/apps.py: Django picks an app's configuration only when apps.py defines one."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AxesAppConfig):
    verbose_name = _("Khóa đăng nhập sai")
